"""The examples run and do what they say."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

XOR_LEARNED = 0.01
XOR_MARGIN = 0.15
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# Arguments that keep each smoke run short and its files in the test's own folder.
QUICK = {"two_moons.py": ["--quick"], "multiclass_tensor.py": ["--quick"]}


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_runs(
    script: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [str(tmp_path)] if script.name == "draw_graphs.py" else QUICK.get(script.name, [])
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_draw_graphs_writes_its_pictures(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import draw_graphs  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    draw_graphs.main(str(tmp_path))
    names = {p.stem for p in tmp_path.iterdir()}
    assert names == {"graph", "graph_w1", "graph_w5", "network", "tensor_graph"}


def test_two_moons_plots_its_boundary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import two_moons  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    plot = tmp_path / "moons.png"
    two_moons.main(["--quick", "--plot", str(plot)])
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert "accuracy" in capsys.readouterr().out


def test_xor_is_learned() -> None:
    sys.path.insert(0, str(EXAMPLES))
    try:
        import xor_scalar_mlp  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    net, loss = xor_scalar_mlp.train()
    # Learned, not merely trained: E = Σ ½(y − t)² below 0.01 and every output on the right side
    # of ½ with a margin (the untrained net sits near ½ everywhere, with E ≈ 0.5).
    assert loss < XOR_LEARNED
    for x, t in xor_scalar_mlp.POINTS:
        assert abs(net(x)[0].data - t) < XOR_MARGIN
