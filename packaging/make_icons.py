"""Renders the app icon (resources/icons/copper-desktop.svg) to the sizes desktops and
installers want, with Qt (QtSvg ships in PySide6-Essentials): no image library needed.

``--out DIR`` writes ``DIR/hicolor/<n>x<n>/apps/<APP_ID>.png`` for every size in ``SIZES``, and
``DIR/<APP_ID>.ico`` (Windows) and ``DIR/<APP_ID>.icns`` (macOS) for PyInstaller. Both
containers hold PNG images, which Windows Vista on and macOS 10.7 on read; they are written
here because Qt's own ICO and ICNS writers store a single image.

The PNGs the wheel installs are committed under resources/icons/hicolor (a wheel is built
without Qt); ``--check DIR`` fails when they no longer match the SVG: rerun
``--out resources/icons --png-only`` after editing it.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "copper-desktop.svg"
APP_ID = "io.github.copperdesktop.CopperDesktop"
"""The reverse-DNS id: the .desktop and metainfo files' names, and the installed icon's."""
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
"""ICNS element types that hold a PNG of that size."""
MAX_CHANNEL_DIFF = 24
"""How far (of 255) a committed PNG's pixel may be from a fresh render: antialiasing differs
slightly between Qt versions, an edited drawing differs far more."""


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    png: Any = "PNG"  # PySide6 takes the format as str at run time; its stubs say bytes
    if not image.save(buffer, png):
        raise RuntimeError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO container: ICONDIR, one ICONDIRENTRY per size (0 means 256), then the PNGs."""
    sizes = sorted(pngs)
    offset = 6 + 16 * len(sizes)
    head = struct.pack("<HHH", 0, 1, len(sizes))
    entries, bodies = b"", b""
    for size in sizes:
        body = pngs[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(body), offset)
        offset += len(body)
        bodies += body
    return head + entries + bodies


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS container: 'icns' and the total length, then (type, length, PNG) elements."""
    elements = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size in sorted(pngs)
    )
    return b"icns" + struct.pack(">I", 8 + len(elements)) + elements


def png_path(out: Path, size: int) -> Path:
    return out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def write_icons(out: Path, *, png_only: bool = False) -> list[Path]:
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {SVG}")
    pngs = {size: png_bytes(render(renderer, size)) for size in SIZES}
    written = []
    for size, body in pngs.items():
        path = png_path(out, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    if png_only:
        return written
    for path, body in (
        (out / f"{APP_ID}.ico", ico({s: pngs[s] for s in ICO_SIZES})),
        (out / f"{APP_ID}.icns", icns({s: pngs[s] for s in ICNS_TYPES})),
    ):
        path.write_bytes(body)
        written.append(path)
    return written


def differences(committed: Path) -> list[str]:
    """What differs between the PNGs under ``committed`` and a fresh render of the SVG."""
    renderer = QSvgRenderer(str(SVG))
    problems = []
    for size in SIZES:
        path = png_path(committed, size)
        saved = QImage(str(path))
        if saved.isNull():
            problems.append(f"{path}: missing or unreadable")
            continue
        saved = saved.convertToFormat(QImage.Format.Format_ARGB32)
        if (saved.width(), saved.height()) != (size, size):
            problems.append(f"{path}: {saved.width()}x{saved.height()}, not {size}x{size}")
            continue
        fresh = render(renderer, size)
        # ARGB32 rows are 4 * size bytes: no padding between them
        worst = max(
            abs(a - b)
            for a, b in zip(bytes(saved.constBits()), bytes(fresh.constBits()), strict=True)
        )
        if worst > MAX_CHANNEL_DIFF:
            problems.append(f"{path}: differs from the SVG by up to {worst}/255 in a channel")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write PNGs, ICO and ICNS under this folder")
    group.add_argument("--check", type=Path, help="compare the PNGs under this folder")
    parser.add_argument("--png-only", action="store_true", help="with --out: no ICO, no ICNS")
    args = parser.parse_args(argv)
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    if args.check is not None:
        problems = differences(args.check)
        for line in problems:
            print(f"make_icons: {line}", file=sys.stderr)
        if problems:
            print("make_icons: rerun packaging/make_icons.py --out resources/icons --png-only")
            return 1
        print(f"make_icons: {len(SIZES)} PNGs under {args.check} match {SVG.name}")
        return 0
    for path in write_icons(args.out, png_only=args.png_only):
        print(f"make_icons: wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
