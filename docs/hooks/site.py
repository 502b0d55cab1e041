"""MkDocs hook: what the site needs from outside docs/, brought in at build time.

- examples/ as the repository has it: the scripts (examples/*.py) as files pages can link
  to, the notebooks (examples/*.ipynb, examples/notebooks/*.ipynb) as pages that mkdocs-jupyter
  renders. Nothing is copied into docs/.
- The 2-2-2 network's step-by-step page and live spreadsheet are made by the library and
  published as generated/backprop.html and generated/net222.xlsx, for pages to link to.
- MathJax 3 is copied into the built site from the PyPI package django-static-mathjax (part of
  the ``docs`` extra), so the formulas render with no network. No third-party code is kept in
  this repository.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: Where the site loads MathJax from (mkdocs.yml's extra_javascript names this file).
MATHJAX_DIR = "assets/mathjax"
#: MathJax 3's TeX-to-SVG bundle, and the folders it loads TeX extensions and its menu from.
MATHJAX_FILES = ("tex-svg.js", "input/tex/extensions", "ui", "a11y")


def mathjax_source() -> Path:
    """MathJax 3's es5 folder inside the installed django-static-mathjax package."""
    spec = importlib.util.find_spec("mathjax")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        es5 = Path(location) / "static" / "mathjax" / "es5"
        if (es5 / "tex-svg.js").is_file():
            return es5
    raise PluginError(
        "MathJax 3 is missing: the docs serve it from the PyPI package django-static-mathjax. "
        "Install the docs extra: pip install -e '.[docs]' (make docs does)."
    )


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files: Files, config: MkDocsConfig, **kwargs: Any) -> Files:
    """Add examples/ to the site as the repository has it: scripts as files, notebooks as pages.

    A page links to them as ``examples/xor_by_hand.py`` or
    ``examples/notebooks/backprop_by_hand_and_by_autograd.ipynb`` (from docs/ itself).
    """
    found = [*EXAMPLES.glob("*.py"), *EXAMPLES.glob("*.ipynb"), *EXAMPLES.glob("notebooks/*.ipynb")]
    for path in sorted(found):
        uri = path.relative_to(ROOT).as_posix()
        files.append(File(uri, str(ROOT), config.site_dir, config.use_directory_urls))
    for uri, content in generated_files().items():
        files.append(File.generated(config, uri, content=content))
    return files


def generated_files() -> dict[str, bytes]:
    """The 2-2-2 network's step-by-step page (paths to w1 in focus) and its spreadsheet."""
    from tinygrad_edu import SEED, Net222
    from tinygrad_edu.net222 import sheet_net222
    from tinygrad_edu.stepper import stepper

    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    page = stepper(E_total, highlight="w1", model=net).html
    with tempfile.TemporaryDirectory() as folder:
        sheet = sheet_net222(Path(folder) / "net222.xlsx").read_bytes()
    return {"generated/backprop.html": page.encode("utf-8"), "generated/net222.xlsx": sheet}


def on_post_build(config: MkDocsConfig, **kwargs: Any) -> None:
    """Copy MathJax into the built site."""
    source = mathjax_source()
    target = Path(config.site_dir) / MATHJAX_DIR
    for name in MATHJAX_FILES:
        part = source / name
        if part.is_dir():
            shutil.copytree(part, target / name, dirs_exist_ok=True)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(part, target / name)
