"""Writing files whole or not at all: shared by the pictures, spreadsheets, plots and models."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["write_atomically"]

#: The longest file name most file systems allow (ext4, APFS, NTFS: 255 bytes).
MAX_NAME_BYTES = 255


def write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Run write(temporary path) in `path`'s folder, then rename it to `path` in one step, so
    readers see the old file or the whole new one, never a part; on failure nothing changes.

    An existing file keeps its permissions (a 0600 file stays 0600), and a symbolic link stays
    a link: the file it points to is the one replaced.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    temporary = _temporary_sibling(target)
    try:
        write(temporary)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_sibling(path: Path) -> Path:
    """A new empty file next to `path` (created with "x", so it honours the umask like any new
    file, and never overwrites another). Its name is `path`'s, shortened when needed so that a
    legal 250-character name still has a legal temporary sibling."""
    for _ in range(100):
        suffix = f".{secrets.token_hex(4)}.tmp"
        room = MAX_NAME_BYTES - len(suffix) - 1
        stem = path.name.encode("utf-8")[:room].decode("utf-8", errors="ignore")
        candidate = path.with_name(f".{stem}{suffix}")
        try:
            with open(candidate, "xb"):
                return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {str(path)!r}")
