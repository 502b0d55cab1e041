"""Saved models: the parameters as an .npz archive, written whole, read without surprises.

Writing goes through `write_atomically`, so an interrupted save leaves the old checkpoint. Reading
checks the archive's directory (the names) and each array's header (shape and dtype) before
any array data is read or decompressed, so a wrong or hostile file is refused cheaply, and
every refusal names the file and the parameter.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy

from tinygrad_edu._files import write_atomically

__all__ = ["load_state", "save_state"]

Array = np.ndarray[Any, Any]


def save_state(path: str | os.PathLike[str], state: Mapping[str, Array]) -> Path:
    """Write `state` ({name: array}) to `path` as .npz (the suffix is added if missing, as
    numpy does), whole or not at all; returns the path written."""
    target = Path(path)
    if target.suffix != ".npz":
        target = target.with_name(target.name + ".npz")

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:
            np.savez(file, **state)  # type: ignore[arg-type]  # numpy's stub is too narrow

    write_atomically(target, write)
    return target


def load_state(
    path: str | os.PathLike[str], shapes: Mapping[str, tuple[int, ...]], where: str
) -> dict[str, Array]:
    """The arrays saved in `path`, checked against `shapes` ({name: shape}) before any data is
    read: the same names, the same shapes, real numbers, all finite."""
    shown = repr(str(path))
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: there is no file {shown}") from None
    except IsADirectoryError:
        raise ValueError(f"{where}: {shown} is a folder; give the saved file") from None
    except zipfile.BadZipFile:
        raise ValueError(f"{where}: {_not_an_archive(Path(path))}") from None
    with archive:
        members = {name.removesuffix(".npy"): name for name in archive.namelist()}
        missing = sorted(set(shapes) - set(members))
        unexpected = sorted(set(members) - set(shapes))
        if missing or unexpected:
            raise ValueError(
                f"{where}: {shown} does not fit the model: missing {missing or 'nothing'}, "
                f"unexpected {unexpected or 'nothing'}"
            )
        return {key: _read(archive, members[key], key, shapes[key], where) for key in shapes}


def _read(
    archive: zipfile.ZipFile, member: str, key: str, shape: tuple[int, ...], where: str
) -> Array:
    """One array, its header checked before its data is read."""
    try:
        with archive.open(member) as file:
            version = npy.read_magic(file)
            read_header = npy.read_array_header_1_0 if version == (1, 0) else (
                npy.read_array_header_2_0
            )  # fmt: skip
            saved_shape, fortran, dtype = read_header(file)
            if dtype.hasobject or dtype.kind not in "iuf":
                raise ValueError(f"{where}: {key} holds {dtype}, not real numbers")
            if tuple(saved_shape) != tuple(shape):
                raise ValueError(
                    f"{where}: {key} has shape {tuple(saved_shape)} in the file, the model's is "
                    f"{tuple(shape)}"
                )
            size = int(np.prod(saved_shape)) * dtype.itemsize
            data = file.read(size)
            if len(data) != size:
                raise EOFError(f"{len(data)} of its {size} bytes are there")
            array: Array = np.frombuffer(data, dtype=dtype).reshape(
                saved_shape, order="F" if fortran else "C"
            )
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValueError(f"{where}: {key} is damaged in the file ({error})") from None
    except ValueError as error:
        if str(error).startswith(where):
            raise
        raise ValueError(f"{where}: {key} is not a readable array ({error})") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{where}: {key} holds nan or inf; a saved model must be finite")
    copied: Array = array.copy()  # writeable, and no longer tied to the file's buffer
    return copied


def _not_an_archive(path: Path) -> str:
    """Why `path` is not a saved model, in words."""
    if path.is_dir():
        return f"{str(path)!r} is a folder; give the saved file"
    with open(path, "rb") as file:
        head = file.read(6)
    if not head:
        return f"{str(path)!r} is empty; it is not a saved model"
    if head == b"\x93NUMPY":
        return (
            f"{str(path)!r} holds one numpy array (.npy), not a saved model; save a model with "
            "model.save(path), which writes .npz"
        )
    return f"{str(path)!r} is not a saved model, or it is damaged (not a complete .npz archive)"
