#!/usr/bin/env bash
# Installs what Copper Desktop needs on a fresh Debian/Ubuntu machine, then the project itself
# into .venv. `--gui` adds the X11 libraries a real window needs (tests only need offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3
      fonts-dejavu-core)
if [[ "${1:-}" == "--gui" ]]; then
  pkgs+=(xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
         libxcb-shape0 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-randr0)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "Installing system libraries: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

python=${PYTHON:-}
if [[ -z "$python" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))'; then
      python=$candidate
      break
    fi
  done
fi
[[ -n "$python" ]] || { echo "Python 3.11 to 3.13 is required" >&2; exit 1; }

[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
