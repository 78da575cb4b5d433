"""``python -m grader grade ...`` - the grader's command line without the rest of orchlab."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
