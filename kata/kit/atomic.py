"""Atomic writes: a reader sees the old file or the new one, never half of one.

Write to a temporary file in the same folder (the same filesystem), then os.replace it
into place; on any error the temporary file is removed and the old file is untouched.

The temporary file is created with mode 0o666 and the kernel applies the process's umask,
as for any file open() creates, so results (PNGs, gradebooks) get the usual permissions
(0o644 under the common umask 022). tempfile.mkstemp would create it 0o600, readable by
its owner alone, and os.replace would keep that mode.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yields a temporary path to fill; on success it replaces path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}-{secrets.token_hex(8)}.tmp"
    # O_EXCL: a new file, never one that someone else created under the same name.
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
