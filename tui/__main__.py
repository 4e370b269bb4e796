import sys

from ftui.tui.cli import main

sys.exit(main())
