"""Griffe extension: the docstrings' doctest examples shown as code in the API reference.

tinygrad_edu's docstrings are prose with doctest examples (``>>>`` lines and their output),
which pytest runs with --doctest-modules. Markdown would read a ``>>>`` line as a quotation, so
this extension wraps each run of example lines in a ```pycon fence before mkdocstrings renders
the docstring. The docstrings themselves are not changed.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """`text` with each doctest example (prompts, continuations, output) in a pycon fence."""
    lines = text.splitlines()
    out: list[str] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            k += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        block = []
        # An example runs until a blank line, as doctest reads it.
        while k < len(lines) and lines[k].strip():
            block.append(lines[k][len(indent) :] if lines[k].startswith(indent) else lines[k])
            k += 1
        if out and out[-1].strip():
            out.append("")
        out += [f"{indent}```pycon", *(f"{indent}{b}" for b in block), f"{indent}```", ""]
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence every docstring's doctest examples (see the module)."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
