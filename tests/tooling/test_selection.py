"""Which tests run is chosen on the command line only (--ex), never by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected(*options: str, env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/public", "--impl", "solutions",
               *options]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_ex_in_the_environment_does_not_narrow_the_run():
    everything = collected(env={**os.environ, "EX": "conv"})  # as `EX=conv make check` would leave it
    assert "test_softmax.py" in everything and "test_conv.py" in everything


def test_the_option_narrows_the_run():
    only_conv = collected("--ex", "conv", env={key: value for key, value in os.environ.items() if key != "EX"})
    assert "test_conv.py" in only_conv and "test_softmax.py" not in only_conv
