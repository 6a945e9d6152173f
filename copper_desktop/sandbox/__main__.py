"""``python -m copper_desktop.sandbox``: the same as the ``copper-sandbox`` command."""

from __future__ import annotations

import sys

from copper_desktop.sandbox.cli import main

if __name__ == "__main__":
    sys.exit(main())
