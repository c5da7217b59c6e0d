"""`python -m ops.dev` (what `make dev` runs): the local stack, see ops/dev/dev.py."""

import sys

from ops.dev.dev import main

sys.exit(main())
