"""``python -m orchlab`` runs the same command as the ``orchlab`` script."""

import sys

from orchlab.main import main

sys.exit(main())
