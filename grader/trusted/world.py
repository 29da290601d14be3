"""The worker's world: what a sandboxed worker can see of the machine, by absence.

In namespaced mode (proxy.namespaces_usable) the worker does not run in the grader's
filesystem with rules about what not to read: root builds it a world of its own inside its
new mount namespace (world.sh) and chroots into it before dropping to the worker's uid:

    /usr        read-only: the interpreter, the standard library, libc (packages masked)
    /numpy      read-only: NumPy and its bundled libraries, nothing else of the venv
    /work       the worker's folder: worker.py and the submission's allow-listed files
    /tmp        an empty tmpfs of its own, gone with the namespace
    /dev        null, zero, random, urandom

The checkout (its .git, solutions/, tests/hidden/), the venv (scipy, scikit-learn's data,
compiled extensions a path trick could load), /run, /dev/shm and every other user's files
are not there to be read. The AST scan and the import blocker stay, for a clear "banned"
message; they are no longer the defence.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("world.sh")
NUMPY = "/numpy"  # where NumPy's site folder appears in the world
FOLDER = "/work"  # where the worker's folder appears
# Folders of installed packages that /usr may hold: hidden, so no sys.path trick finds them.
PACKAGE_FOLDERS = ("/usr/lib/python3/dist-packages", "/usr/lib/python3*/site-packages",
                   "/usr/local/lib/python3*/dist-packages", "/usr/local/lib/python3*/site-packages")


def interpreter(python: str) -> str | None:
    """The interpreter's real path, if the world can hold it (it lives under /usr)."""
    real = os.path.realpath(python)
    return real if real.startswith("/usr/") else None


def masked() -> list[str]:
    return sorted(path for pattern in PACKAGE_FOLDERS for path in glob.glob(pattern) if os.path.isdir(path))


def command(root: Path, folder: Path, numpy_site: str, inner: list[str]) -> list[str]:
    """The part of the worker's command line, run as root inside the new namespaces, that
    builds the world in `root` (an empty folder) and runs `inner` in it, in /work.

    KATA_SANDBOX_SHARED names a folder bound read-write at its own path: only the grader's
    own attack tests set it, to collect evidence of what an attack managed to do."""
    shared = os.environ.get("KATA_SANDBOX_SHARED", "")
    return [shutil.which("sh") or "/bin/sh", str(SCRIPT), str(root), str(folder), numpy_site, shared, *masked(), "--",
            *inner]


@functools.cache
def usable(namespace_prefix: tuple[str, ...], python: str, numpy_site: str, env: tuple[tuple[str, str], ...]) -> bool:
    """Whether a world can be built here and NumPy imports in it (probed once), in the
    environment a worker gets (`env`: its PATH decides which tools the script finds)."""
    inside = interpreter(python)
    if inside is None:
        return False
    root, folder = Path(tempfile.mkdtemp(prefix="kata-world-")), Path(tempfile.mkdtemp(prefix="kata-world-work-"))
    probe = f"import sys; sys.path.insert(0, {NUMPY!r}); import numpy; open('/work/ok', 'w').close()"
    try:
        done = subprocess.run([*namespace_prefix, *command(root, folder, numpy_site, [inside, "-I", "-S", "-c", probe])],
                              env=dict(env), capture_output=True, timeout=60)
        return done.returncode == 0 and (folder / "ok").exists()
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
