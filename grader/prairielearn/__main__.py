"""`python -m grader.prairielearn build|run`: see grader/prairielearn/external.py."""

import sys

from grader.prairielearn.external import main

sys.exit(main())
