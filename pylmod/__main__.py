"""``python -m pylmod``: the ``pylmod`` command."""
import sys

from pylmod.cli import main

if __name__ == '__main__':
    sys.exit(main())
