#!/usr/bin/env bash
# Builds the one-folder app dist/copper-desktop/ with PyInstaller, then checks it headless.
#
#   bash packaging/build.sh [--no-smoke]
#
# 1. Python: $PYTHON, else .venv/bin/python (made by scripts/bootstrap.sh when missing, with the
#    Qt system libraries the headless checks need); PyInstaller is installed into it when
#    missing, at the version of pyproject.toml's `packaging` extra.
# 2. Icons: packaging/make_icons.py renders resources/icons/copper-desktop.svg to PNGs, ICO and
#    ICNS in build/icons (and checks the PNGs the wheel installs still match the SVG).
# 3. The .desktop and AppStream files are validated when desktop-file-validate and appstreamcli
#    are installed (apt: desktop-file-utils, appstream); skipped with a message otherwise.
# 4. PyInstaller builds packaging/copper-desktop.spec into dist/copper-desktop/.
# 5. packaging/smoke.py runs the bundle offscreen: --version, a start on its embedded sandbox
#    that prints `ready`, and a start that exits 0 on SIGTERM (all in a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/.."
began=$SECONDS

smoke=1
case "${1:-}" in
  --no-smoke) smoke=0 ;;
  "") ;;
  *) echo "usage: bash packaging/build.sh [--no-smoke]" >&2; exit 2 ;;
esac

step() { printf '\n== %s\n' "$*"; }

step "Python"
python=${PYTHON:-}
if [[ -z "$python" ]]; then
  [[ -x .venv/bin/python ]] || bash scripts/bootstrap.sh
  python=.venv/bin/python
fi
"$python" --version
if ! "$python" -c 'import PyInstaller' 2>/dev/null; then
  requirement=$("$python" -c 'import tomllib
with open("pyproject.toml", "rb") as f:
    print(*tomllib.load(f)["project"]["optional-dependencies"]["packaging"])')
  echo "Installing $requirement"
  "$python" -m pip install -q $requirement
fi
echo "PyInstaller $("$python" -m PyInstaller --version)"

step "Icons"
export QT_QPA_PLATFORM=offscreen
"$python" packaging/make_icons.py --out build/icons
"$python" packaging/make_icons.py --check resources/icons

step "Desktop entry and AppStream metadata"
if command -v desktop-file-validate >/dev/null; then
  for f in packaging/*.desktop; do
    desktop-file-validate "$f"
    echo "$f: valid"
  done
else
  echo "desktop-file-validate not found (apt install desktop-file-utils): not checked"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net packaging/*.metainfo.xml
else
  echo "appstreamcli not found (apt install appstream): not checked"
fi

step "PyInstaller"
"$python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/copper-desktop.spec
bundle=dist/copper-desktop
[[ -x $bundle/copper-desktop ]] || { echo "no $bundle/copper-desktop" >&2; exit 1; }
echo "$bundle: $(du -sh "$bundle" | cut -f1), $(find "$bundle" -type f | wc -l) files"

if (( smoke )); then
  step "Smoke test of the bundle"
  "$python" packaging/smoke.py "$bundle/copper-desktop"
fi

echo
echo "Built $bundle in $((SECONDS - began)) s"
