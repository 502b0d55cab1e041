"""The README's and the docs' Python examples run, and print what their comments say.

Conventions, for README.md, CONTRIBUTING.md and every page under docs/ (subfolders too):

- a ```` ```python ```` block runs here, also when it is indented (inside a tab or an
  admonition); a comment ``# → X`` after a print marks X (up to two spaces) as an exact line
  of the block's output;
- a ```` ```python exec="on" … ```` block is run by markdown-exec while the site builds (its
  output is part of the page, and ``mkdocs build --strict`` fails when it raises), so it is
  skipped here;
- a ```` ```py ```` block is shown and never run (PyTorch code, for instance).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import re
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.parts),
]
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)```python(?P<attrs>[ \t][^\n]*)?\n(?P<code>.*?)^(?P=indent)```",
    re.DOTALL | re.MULTILINE,
)
EXPECTED = re.compile(r"#\s*→\s*(.*?)(?:\s{2,}.*)?$")


def page_name(page: Path) -> str:
    return page.relative_to(DOCS).as_posix() if DOCS in page.parents else page.name


def blocks() -> list[tuple[str, int, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for k, match in enumerate(BLOCK.finditer(text)):
            if 'exec="on"' in (match.group("attrs") or ""):
                continue  # markdown-exec runs it during the strict build
            found.append((page_name(page), k + 1, textwrap.dedent(match.group("code"))))
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
    expected = {"README.md", "index.md", "value.md", "net222.md", "testing.md"}
    assert expected | {"getting-started.md", "your-own-nets.md", "pytorch.md"} <= pages
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = BLOCK.search(readme)
    assert quickstart is not None
    assert len(quickstart.group("code").strip().splitlines()) < 15
    assert "make demo" in readme
    assert "make test" in readme


def test_the_blocks_markdown_exec_runs_are_skipped_and_indented_blocks_are_found() -> None:
    page = 'Text\n\n```python exec="on"\nraise SystemExit\n```\n\n=== "Tab"\n\n    ```python\n'
    page += "    print(1)  # → 1\n    ```\n\n```py\nimport torch\n```\n"
    matches = list(BLOCK.finditer(page))
    assert [m.group("attrs") for m in matches] == [' exec="on"', None]
    assert textwrap.dedent(matches[1].group("code")) == "print(1)  # → 1\n"


def nav_pages(items: object) -> list[str]:
    """Every page a mkdocs.yml nav names, in order."""
    if isinstance(items, str):
        return [items]
    if isinstance(items, dict):
        return [page for value in items.values() for page in nav_pages(value)]
    if isinstance(items, list):
        return [page for item in items for page in nav_pages(item)]
    return []


def test_every_page_is_in_the_navigation_and_every_nav_entry_exists() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = nav_pages(config["nav"])
    top = [next(iter(item)) for item in config["nav"]]
    assert top == [
        "Getting started",
        "Tutorial",
        "Guides",
        "API reference",
        "Design notes",
        "Performance",
    ]
    pages = {page_name(p) for p in PAGES if DOCS in p.parents}
    assert pages - set(nav) == set(), "pages missing from mkdocs.yml's nav"
    for entry in nav:
        # Notebooks and example scripts come from examples/ (docs/hooks/site.py adds them).
        path = ROOT / entry if entry.startswith("examples/") else DOCS / entry
        assert path.is_file(), entry


def test_the_readme_picture_is_up_to_date() -> None:
    """docs/assets/net222.svg was drawn from the DOT source the library makes today."""
    script = DOCS / "assets" / "make_readme_picture.py"
    spec = importlib.util.spec_from_file_location("make_readme_picture", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dot = module.source()
    assert f"sha256:{hashlib.sha256(dot.encode('utf-8')).hexdigest()}" in module.mark(dot)
    assert module.mark(dot) in module.PICTURE.read_text(encoding="utf-8"), (
        "the README's picture is out of date: run "
        ".venv/bin/python docs/assets/make_readme_picture.py"
    )
    assert "docs/assets/net222.svg" in (ROOT / "README.md").read_text(encoding="utf-8")
