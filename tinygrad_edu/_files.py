"""Writing files whole or not at all: shared by the pictures, the spreadsheets and the plots."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["write_atomically"]


def write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Run write(temporary path) in `path`'s folder, then rename it to `path` in one step, so
    readers see the old file or the whole new one, never a part; on failure nothing changes."""
    temporary = _temporary_sibling(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _temporary_sibling(path: Path) -> Path:
    """A new empty file next to `path` (created with "x", so it honours the umask like any new
    file, and never overwrites another)."""
    for _ in range(100):
        candidate = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(candidate, "xb"):
                return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {str(path)!r}")
