"""``python -m copper_desktop``: the GUI."""

import sys

from copper_desktop.app import main

sys.exit(main())
