"""The example notebooks run, and Jupyter gets the rich outputs: Markdown, LaTeX, HTML, SVG, PNG.

examples/explain_your_net.ipynb and the tutorial's notebook,
examples/notebooks/backprop_by_hand_and_by_autograd.ipynb, are executed with nbclient in a kernel
of this very Python (the one whose tinygrad_edu is under test), never whatever `python3` kernel
the machine has installed: the test writes its own kernelspec into its temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import SEED, closed_form

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOK = EXAMPLES / "explain_your_net.ipynb"
TUTORIAL = EXAMPLES / "notebooks" / "backprop_by_hand_and_by_autograd.ipynb"
NOTEBOOKS = [NOTEBOOK, TUTORIAL]
INSTALL = "install the notebook extra: pip install -e '.[notebook]'"
# Starting a kernel and drawing with dot takes a few seconds; a cold start on a slow
# machine (2 cores, cold caches) can take tens.
CELL_TIMEOUT = 180


def needs_dot() -> None:
    """Skip without Graphviz's dot (fail in CI, which must test the pictures)."""
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not installed (sudo apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it to test the pictures")
        pytest.skip(message)


def execute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path = NOTEBOOK
) -> list[dict[str, Any]]:
    """The code cells of the notebook at `path` after running it (in `tmp_path`), with outputs."""
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
    notebook = nbformat.read(path, as_version=4)
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


def cell(cells: list[dict[str, Any]], source: str) -> Any:
    """The one code cell whose last line is `source`."""
    [found] = [c for c in cells if c.source.splitlines()[-1] == source]
    return found


def result(cells: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """The rich output of the cell whose last line is `source`: {mimetype: data}."""
    [output] = [o for o in cell(cells, source).outputs if o.output_type == "execute_result"]
    return dict(output.data)


def displayed(cells: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """What the cell whose last line is `source` showed with display(): [{mimetype: data}]."""
    return [dict(o.data) for o in cell(cells, source).outputs if o.output_type == "display_data"]


def printed(cells: list[dict[str, Any]], source: str) -> str:
    """What the cell whose last line is `source` printed."""
    outputs = cell(cells, source).outputs
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebooks_are_committed_without_outputs(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_the_notebook_shows_explanations_and_pictures_richly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_dot()
    cells = execute(tmp_path, monkeypatch)

    def shown(source: str) -> dict[str, Any]:
        return result(cells, source)

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


def test_the_tutorial_notebook_runs_the_derivation_with_rich_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_dot()
    pytest.importorskip(
        "matplotlib", reason="the sweep's plot needs matplotlib: pip install -e '.[plot]'"
    )
    pytest.importorskip(
        "openpyxl", reason="the spreadsheet needs openpyxl: pip install -e '.[xlsx]'"
    )
    cells = execute(tmp_path, monkeypatch, TUTORIAL)
    by_hand = closed_form(SEED.i, SEED.t, SEED.w)

    # The pictures: the network as a textbook draws it, and the graph with the paths in red.
    network = result(cells, "draw_network(net, show_grad=False)")["image/svg+xml"]
    assert "<svg" in network and all(f">w{k}<" in network for k in range(1, 9))
    for w in ("w5", "w1"):
        source = f'draw_graph(E_total, highlight={w}, model=net, formulas=True, rankdir="TB", cluster=False)'
        graph = result(cells, source)["image/svg+xml"]
        assert "<svg" in graph and 'stroke="#d62728"' in graph  # the highlighted paths
    paths = {"w5": "1 path from E_total to w5.", "w1": "2 paths from E_total to w1."}
    # The explanations as Markdown tables, the derivations as display math.
    for w, count in paths.items():
        explanation = result(cells, f"explain(E_total, {w})")["text/markdown"]
        assert explanation.startswith(f"### ∂E_total/∂{w}") and count in explanation
        assert "They agree." in explanation
        derivation = result(cells, f"derive(E_total, {w})")
        assert derivation["text/latex"].startswith(
            rf"$$\frac{{\partial E_{{total}}}}{{\partial w_{{{w[1]}}}}} = "
        )
    assert (
        "| E_total → E1 → a_o1 → o1 → w5 |"
        in result(cells, "explain(E_total, w5)")["text/markdown"]
    )
    eight = [d["text/latex"] for d in displayed(cells, "    display(derive(E_total, w))")]
    assert len(eight) == 8
    for k, latex in enumerate(eight, start=1):
        assert latex.startswith(rf"$$\frac{{\partial E_{{total}}}}{{\partial w_{{{k}}}}} = ")
    # ∂E_total/∂a_h1 = ∂E1/∂a_h1 + ∂E2/∂a_h1, each derived, valued, and summed by backward.
    source = 'print(f"a_h1.grad = {a_h1.grad:.12g}")'
    assert len(displayed(cells, source)) == 3
    values = [float(v) for v in re.findall(r"^= (\S+)$", printed(cells, source), re.MULTILINE)]
    assert values[2] == pytest.approx(by_hand["dE_total/da_h1"], rel=1e-12)
    assert values[0] + values[1] == pytest.approx(values[2], rel=1e-12)

    # Every number the notebook prints agrees with the derivation's closed form.
    forward = printed(cells, '    print(f"{name:8} {node.data:.12g}")')
    for line in forward.splitlines():
        name, value = line.split()
        if name in by_hand:
            assert float(value) == pytest.approx(by_hand[name], rel=1e-11), name
    source = """    print(f"{w.label}  autograd {w.grad:.17g}  closed form {by_hand['d' + w.label]:.17g}")"""
    gradients = re.findall(
        r"^(w\d)  autograd (\S+)  closed form (\S+)$", printed(cells, source), re.M
    )
    assert [name for name, _, _ in gradients] == [f"w{k}" for k in range(1, 9)]
    for name, autograd, hand in gradients:
        assert float(hand) == by_hand["d" + name]
        assert float(autograd) == pytest.approx(by_hand["d" + name], rel=1e-12, abs=1e-15), name

    # The SGD step lowers E_total; the sweep's summary and plot; the stepper page; the workbook.
    step = printed(cells, 'print(f"E_total: {E_total.data:.12g} → {E_after:.12g}")')
    before, after = (float(v) for v in step.splitlines()[-1].removeprefix("E_total: ").split(" → "))
    assert before == pytest.approx(by_hand["E_total"], rel=1e-11) and after < before
    assert "first iteration < 0.01" in printed(cells, "print(result.summary_table())")
    assert (
        "<svg" in result(cells, 'SVG(filename=result.plot(output / "sweep.svg"))')["image/svg+xml"]
    )
    page = result(cells, "page")["text/html"]
    assert page.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "stepper-data" in page
    assert "net222.xlsx" in result(cells, "FileLink(workbook)")["text/html"]
    written = tmp_path / "tutorial-output"
    assert {p.name for p in written.iterdir()} == {"sweep.svg", "backprop.html", "net222.xlsx"}
