import sys

sys.path.insert(0, "{{REPO}}")
from kata import checks  # noqa: E402  the judge's own helpers

_TOLERANCE = checks.TOLERANCE
