"""``python -m copper_desktop.sandbox``: the same as the ``copper-sandbox`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
