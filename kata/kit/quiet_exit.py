"""End a failed student command's `make` run without make's own error trailer.

    test:
    	@$(PY) -m kata.kit.progress ... || exec $(PY) -m kata.kit.quiet_exit

A recipe that fails makes make print `make: *** [mk/student.mk:14: test] Error 1` after the
command's own last line (what to do next), and make has no option to drop it. On SIGQUIT,
though, GNU make (3.81 to 4.4) waits for its running recipe, prints nothing and exits with
status 1: scripts still see the failure, people see the command's last line last.

This program is that recipe's last step: it sends make SIGQUIT, waits until make's handler
runs, then exits 0, so the handler reaps a recipe that succeeded (nothing to report). The
wait matters: if the recipe were gone before the handler ran, make would reap it in its
main loop and the handler would then find no child ("wait: No child processes. Stop.").
On Linux the handler is seen starting (make resets SIGQUIT to its default first: the bit
leaves /proc/<make>/status's SigCgt); elsewhere a short pause stands in for it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

WAIT_SECONDS = 2.0  # at most, for make's handler to start (it needs only to be scheduled)
PAUSE_SECONDS = 0.2  # without /proc


def catches(pid: int, sig: int) -> bool | None:
    """Whether process `pid` has a handler for `sig` (None when /proc cannot say)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    mask = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), None)
    return None if mask is None else bool(int(mask, 16) >> (sig - 1) & 1)


def main() -> int:
    make = os.getppid()
    if "MAKELEVEL" not in os.environ or catches(make, signal.SIGQUIT) is False:
        return 1  # not run by make (or not by a make that handles SIGQUIT): a plain failure
    os.kill(make, signal.SIGQUIT)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        caught = catches(make, signal.SIGQUIT)
        if caught is None:
            time.sleep(PAUSE_SECONDS)
            break
        if not caught:
            break
        time.sleep(0.005)
    return 0


if __name__ == "__main__":
    sys.exit(main())
