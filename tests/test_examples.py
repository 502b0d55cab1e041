"""The examples run and do what they say."""

from __future__ import annotations

import math
import runpy
import sys
from pathlib import Path
from types import ModuleType

import pytest

XOR_LEARNED = 0.01
XOR_MARGIN = 0.15
# Two moons in quick mode (40 points, 40 steps): chance is 50% and a straight line gets about
# 85%; the 2-8-8-1 net bends its boundary round the moons' tips (97.5% when written).
MOONS_ACCURACY = 0.9
# makemore in quick mode: the loss must fall this far (in nats) below log(vocab), the loss of
# guessing every character uniformly (it falls from ≈ log 14 = 2.64 to ≈ 1.54 when written).
MAKEMORE_MARGIN = 0.5
PNG = b"\x89PNG"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


# Arguments that keep each smoke run short and its files in the test's own folder ("{folder}").
QUICK = {
    "two_moons.py": ["--quick"],
    "multiclass_tensor.py": ["--quick"],
    "draw_graphs.py": ["{folder}"],
    "xor_by_hand.py": ["{folder}", "--quick"],
    "moons_2881.py": ["{folder}", "--quick"],
    "makemore_mlp.py": ["{folder}", "--quick"],
}


def example(name: str) -> ModuleType:
    """The example script `name` (without .py), imported as a module."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(EXAMPLES))


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_runs(
    script: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [arg.format(folder=tmp_path) for arg in QUICK.get(script.name, [])]
    monkeypatch.setattr(sys, "argv", [str(script), *args])
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_draw_graphs_writes_its_pictures(tmp_path: Path) -> None:
    draw_graphs = example("draw_graphs")
    draw_graphs.main(str(tmp_path))
    names = {p.stem for p in tmp_path.iterdir()}
    assert names == {"graph", "graph_w1", "graph_w5", "network", "tensor_graph"}


def test_two_moons_plots_its_boundary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two_moons = example("two_moons")
    plot = tmp_path / "moons.png"
    two_moons.main(["--quick", "--plot", str(plot)])
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert "accuracy" in capsys.readouterr().out


def test_xor_is_learned() -> None:
    xor_scalar_mlp = example("xor_scalar_mlp")
    net, loss = xor_scalar_mlp.train()
    # Learned, not merely trained: E = Σ ½(y − t)² below 0.01 and every output on the right side
    # of ½ with a margin (the untrained net sits near ½ everywhere, with E ≈ 0.5).
    assert loss < XOR_LEARNED
    for x, t in xor_scalar_mlp.POINTS:
        assert abs(net(x)[0].data - t) < XOR_MARGIN


def test_xor_by_hand_learns_and_draws_its_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xor = example("xor_by_hand")
    params, losses = xor.train(xor.QUICK_STEPS)
    assert losses[-1] < XOR_LEARNED < losses[0]
    for x, t in xor.POINTS:  # every output on the right side of ½, with a margin
        assert abs(xor.predict(params, x) - t) < XOR_MARGIN
    xor.main([str(tmp_path), "--quick"])
    assert (tmp_path / "xor_graph_w1.png").read_bytes()[:4] == PNG
    assert (tmp_path / "xor_graph_w1.svg").exists()
    assert "∂E/∂w1 = " in capsys.readouterr().out


def test_moons_2881_learns_and_draws_the_net_and_boundary(tmp_path: Path) -> None:
    moons = example("moons_2881")
    net, losses, accuracy = moons.fit(moons.QUICK_STEPS, moons.QUICK_POINTS)
    assert losses[-1] < losses[0]
    assert accuracy >= MOONS_ACCURACY
    moons.draw(net, *moons.make_moons(moons.QUICK_POINTS), tmp_path, resolution=10)
    for name in ("moons_network.png", "moons_boundary.png"):
        assert (tmp_path / name).read_bytes()[:4] == PNG


def test_makemore_mlp_beats_the_uniform_guess_and_draws_its_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    makemore = example("makemore_mlp")
    _, chars, X, Y = makemore.make_data()
    model = makemore.CharMLP(len(chars))
    makemore.train(model, X, Y, makemore.QUICK_STEPS)
    assert makemore.full_loss(model, X, Y) < math.log(len(chars)) - MAKEMORE_MARGIN
    makemore.main([str(tmp_path), "--quick"])
    assert (tmp_path / "makemore_graph.png").read_bytes()[:4] == PNG
    assert "∂loss/∂C" in capsys.readouterr().out
