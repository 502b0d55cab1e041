"""The example notebook runs, and Jupyter gets the rich outputs: Markdown, LaTeX, HTML, SVG, PNG.

examples/explain_your_net.ipynb is executed with nbclient in a kernel of this very Python (the
one whose tinygrad_edu is under test), never whatever `python3` kernel the machine has
installed: the test writes its own kernelspec into its temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "explain_your_net.ipynb"
INSTALL = "install the notebook extra: pip install -e '.[notebook]'"
# Starting a kernel and drawing with dot takes a few seconds; a cold start on a slow
# machine (2 cores, cold caches) can take tens.
CELL_TIMEOUT = 180


def execute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The notebook's code cells after running it, each with its outputs."""
    nbformat = pytest.importorskip("nbformat", reason=INSTALL)
    nbclient = pytest.importorskip("nbclient", reason=INSTALL)
    pytest.importorskip("ipykernel", reason=INSTALL)
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    # Jupyter's files (connection files, its path migration) in the test's folder, not $HOME.
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    # The notebook asks for "python3"; this folder's python3 is this interpreter.
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    manager = KernelManager(
        kernel_name="python3",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]),
    )
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, km=manager, timeout=CELL_TIMEOUT, resources={"metadata": {"path": tmp_path}}
    )
    try:
        client.execute()
    finally:
        # nbclient leaves a kernel it did not start running: stop it, and close its sockets.
        if client.kc is not None:
            client.kc.stop_channels()
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_the_notebook_is_committed_without_outputs() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_the_notebook_shows_explanations_and_pictures_richly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not installed (sudo apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it to test the pictures")
        pytest.skip(message)
    cells = execute(tmp_path, monkeypatch)

    def shown(source: str) -> dict[str, Any]:
        """The rich output of the cell whose last line is `source`: {mimetype: data}."""
        [cell] = [c for c in cells if c.source.splitlines()[-1] == source]
        [output] = [o for o in cell.outputs if o.output_type == "execute_result"]
        return dict(output.data)

    explanation = shown("explain(L, w)")
    assert explanation["text/markdown"].startswith("### ∂L/∂")
    assert "| path | factors | product |" in explanation["text/markdown"]
    derivation = shown("derive(L, w)")
    assert derivation["text/latex"].startswith(r"$$\frac{\partial L}{\partial ")
    assert derivation["text/markdown"] == derivation["text/latex"]
    table = shown("trace_table(L)")
    assert table["text/html"].startswith("<table><thead><tr><th>")
    assert table["text/markdown"].startswith("| ")
    for picture in ("draw_graph(L, highlight=w, model=net, formulas=True)", "draw_network(net)"):
        assert "<svg" in shown(picture)["image/svg+xml"]
    # nbformat stores PNG as base64 text: "iVBORw0KGgo" is the PNG signature.
    assert shown("png(draw_network(net))")["image/png"].startswith("iVBORw0KGgo")
    # The step-by-step page, inline: the whole page in a frame of its own.
    page = shown("stepper(L, highlight=w, model=net)")["text/html"]
    assert page.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "stepper-data" in page
