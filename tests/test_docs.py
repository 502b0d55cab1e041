"""The README's and the docs' Python examples run, and print what their comments say.

Convention: a comment ``# → X`` after a print marks X (up to two spaces) as an exact line of
the block's output.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
EXPECTED = re.compile(r"#\s*→\s*(.*?)(?:\s{2,}.*)?$")


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        for k, match in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8"))):
            found.append((page.name, k + 1, match.group(1)))
    return found


@pytest.mark.parametrize(("page", "number", "code"), blocks(), ids=lambda v: str(v)[:20])
def test_example_runs_and_prints_what_it_says(page: str, number: int, code: str) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, f"{page} block {number}", "exec"), {"__name__": "__docs__"})
    lines = [line.strip() for line in output.getvalue().splitlines()]
    for source_line in code.splitlines():
        marker = EXPECTED.search(source_line)
        if marker:
            assert marker.group(1).strip() in lines, (page, number, marker.group(1), lines)


def test_every_page_has_examples_and_the_readme_quickstart_is_short() -> None:
    pages = {page for page, _, _ in blocks()}
    assert {"README.md", "index.md", "value.md", "net222.md", "testing.md"} <= pages
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = BLOCK.search(readme)
    assert quickstart is not None
    assert len(quickstart.group(1).strip().splitlines()) < 15
    assert "make demo" in readme
    assert "make test" in readme
