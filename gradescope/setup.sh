#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu base).
# It installs Python >= 3.11 and make if the image lacks them, then the pinned packages of
# pyproject.toml into /autograder/source/.venv with the repository's own venv rule.
set -euo pipefail
cd "$(dirname "$0")"

python_ok() { command -v "$1" >/dev/null && "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; }

PYTHON=python3
if ! python_ok python3; then
    apt-get update
    apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
if ! python3 -c 'import ensurepip' 2>/dev/null || ! command -v make >/dev/null; then
    apt-get update
    apt-get install -y make python3-venv
fi
make -f mk/venv.mk PYTHON="$PYTHON" .venv/.installed
