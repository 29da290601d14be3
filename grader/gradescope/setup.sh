#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (an Ubuntu
# base; 22.04's python3 is 3.10). It installs Python >= 3.11, its venv module and make
# when missing, then exactly the pinned packages of pyproject.toml into
# /autograder/source/.venv, with the repository's own venv rule (mk/venv.mk).
set -euo pipefail
cd "$(dirname "$0")"

recent() { command -v "$1" >/dev/null && "$1" -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))'; }

PYTHON=python3
if ! recent python3 || ! command -v make >/dev/null; then
    apt-get update
    apt-get install -y make
    if ! recent python3; then
        apt-get install -y python3.11 python3.11-venv
        PYTHON=python3.11
    fi
fi
make -f mk/venv.mk PYTHON="$PYTHON" .venv/.installed
