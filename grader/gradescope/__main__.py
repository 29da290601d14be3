"""`python -m grader.gradescope build|run`: see grader/gradescope/autograder.py."""

import sys

from grader.gradescope.autograder import main

sys.exit(main())
