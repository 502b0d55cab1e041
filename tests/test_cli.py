"""The command line: the demo's tables, and one-line errors with exit code 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import SEED, Net222, Neuron, Value, cli, closed_form
from tinygrad_edu.__main__ import main
from tinygrad_edu.net222 import WEIGHT_NAMES
from tinygrad_edu.testing import CLOSED_FORM_ATOL, close


def test_demo_prints_forward_gradients_and_sgd_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "E_total  E1 + E2            0.242519857348" in out
    reference = closed_form(SEED.i, SEED.t, SEED.w)
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    # Printed values are compared as printed: the demo rounds to 12 decimals.
    for name in ("h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2"):
        assert rows[name][-1] == f"{reference[name]:.12f}"
    gradient_rows = [
        line.split() for line in out.splitlines() if line.split()[:1] in ([w] for w in WEIGHT_NAMES)
    ]
    # Each weight appears twice: in the gradient table and in the SGD-step table.
    assert len(gradient_rows) == 16
    net = Net222(SEED.w)
    net(i=SEED.i, t=SEED.t).backward()
    for row, w, name in zip(gradient_rows[:8], net.weights, WEIGHT_NAMES):
        assert row[2] == f"{w.grad:.15e}"
        assert row[3] == f"{reference['d' + name]:.15e}"
        assert close(float(row[4]), 0.0, 0.0, CLOSED_FORM_ATOL)
    for row, w in zip(gradient_rows[8:], net.weights):
        assert row[3] == f"{w.data - 0.5 * w.grad:.12f}"
    assert "E_total: 0.242519857348 → 0.2354" in out


def test_demo_learning_rate_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lr", "1.0"]) == 0
    assert "One SGD step with lr = 1:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo", "--lr", "-1"], "invalid learning rate '-1'"),
        (["demo", "--lr", "nan"], "invalid learning rate 'nan'"),
        (["demo", "--lr", "fast"], "invalid learning rate 'fast'"),
        (["demo", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "a command is required: demo, graph, explain, derive, train, sweep, sheet or step"),
        (["explain", "w9"], "unknown node 'w9'; choose one of w1, w2"),
        (["explain", "w1", "--format", "html"], "invalid choice: 'html'"),
        (["derive"], "name a node (e.g. derive w1) or give --all"),
        (["derive", "w1", "--all"], "give node names or --all, not both"),
        (["graph", "--network", "--highlight", "w1"], "draw on the computation graph"),
        (["graph", "--format", "gif"], "invalid choice: 'gif'"),
        (["graph", "--out", "/no/such/folder/g.svg"], "folder '/no/such/folder' does not exist"),
        (["train", "--lr", "-0.5"], "invalid learning rate '-0.5'"),
        (["train", "--steps", "0"], "steps: must be a whole number >= 1, got 0"),
        (["train", "--steps", "ten"], "'ten' is not a whole number"),
        (["train", "--until", "-1"], "must be a finite number > 0, got -1.0"),
        (["train", "--w", "1", "2", "3", "4", "5", "6", "7"], "argument --w: expected 8 arguments"),
        (["train", "--i", "1", "nan"], "--i: 'nan' is not a finite number"),
        (["train", "--csv", "/no/such/folder/t.csv"], "folder '/no/such/folder' does not exist"),
        (["train", "--csv", "t.txt"], "must end in .csv or .xlsx"),
        (["sweep", "--lrs", "0.1,-2"], "invalid learning rate -2.0"),
        (["sweep", "--lrs", "0.1,,0.2"], "'' is not a number"),
        (["sweep", "--thresholds", "0"], "must be a finite number > 0"),
        (["sweep", "--plot", "/no/such/folder/s.png"], "folder '/no/such/folder' does not exist"),
        (["sweep", "--plot", "s.jpg"], "must end in .png or .svg"),
        (["demo", "--out", "/no/such/folder/out"], "folder '/no/such/folder' is missing"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tinygrad-edu: error: ")
    assert message in lines[0]


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "demo"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Backward pass" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "demo", "--lr", "0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("tinygrad-edu 0.1.0")


def test_derive_all_prints_the_derivations_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["derive", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert lines[0] == (
        "∂E_total/∂w1 = ((a_o1 − t1)·a_o1·(1 − a_o1)·w5 + (a_o2 − t2)·a_o2·(1 − a_o2)·w7)"
        "·a_h1·(1 − a_h1)·i1"
    )
    assert lines[4] == "∂E_total/∂w5 = (a_o1 − t1)·a_o1·(1 − a_o1)·a_h1"
    assert (
        lines[9]
        == "∂E_total/∂a_h2 = (a_o1 − t1)·a_o1·(1 − a_o1)·w6 + (a_o2 − t2)·a_o2·(1 − a_o2)·w8"
    )
    assert main(["derive", "w5", "--format", "latex"]) == 0
    assert capsys.readouterr().out.startswith(r"\frac{\partial E_{total}}{\partial w_{5}} = ")


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("text", "Path 2: E_total → E2"), ("md", "| E_total → E2"), ("latex", r"\begin{aligned}")],
)
def test_explain_formats(fmt: str, marker: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "w1", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert marker in out
    assert "0.00018825566694" in out


def test_graph_writes_pictures_and_dot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph computation_graph {")
    out = tmp_path / "network.dot"
    assert main(["graph", "--network", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("digraph")
    assert f"wrote {out}" in capsys.readouterr().out
    highlighted = tmp_path / "w1.dot"
    assert main(["graph", "--highlight", "w1", "--formulas", "--out", str(highlighted)]) == 0
    assert "a<sub>h1</sub>·(1 − a<sub>h1</sub>) = 0.25" in highlighted.read_text(encoding="utf-8")


def test_train_writes_the_spreadsheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "training.csv"
    assert main(["train", "--steps", "3", "--csv", str(csv_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "E_total: 0.242519857348 at iteration 0" in out
    rows = csv_path.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 3  # header, iterations 0, 1, 2 (each before its update)
    header = rows[0].split(",")
    assert header[:5] == ["iteration", "t1", "t2", "i1", "i2"] and header[-1] == "dw8"
    first = dict(zip(header, rows[1].split(",")))
    assert float(first["E_total"]) == 0.24251985734837728
    custom = ["train", "--steps", "1", "--quiet", "--w", *["0.1"] * 8, "--i", "1", "0",
              "--t", "0", "1", "--bias", "0", "0", "0", "0"]  # fmt: skip
    assert main(custom) == 0
    assert "w8" in capsys.readouterr().out


def test_sweep_prints_the_summary_and_writes_plot_and_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot, curves = tmp_path / "sweep.png", tmp_path / "curves.csv"
    assert main(["sweep", "--plot", str(plot), "--csv", str(curves), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "0.005160108602  59" in out  # lr 2.0: E_total after 100 steps, first below 0.01
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(curves.read_text(encoding="utf-8").splitlines()) == 1 + 101


def test_demo_writes_its_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "demo-output"
    assert main(["demo", "--out", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "∂E_total/∂w5" in out and "2 paths from E_total to w1." in out
    assert "first iteration < 0.01" in out
    names = {p.name for p in folder.iterdir()}
    assert {"sweep.png", "training.csv"} <= names
    if shutil.which("dot") or os.environ.get("CI") == "true":
        assert {"graph.svg", "network.svg", "graph_w1.svg"} <= names


class OneNeuron:
    """A worked example other than the 2-2-2 network: y = w·x, L = ½(y − t)²."""

    loss_name = "L"
    lrs = (0.1, 0.5)
    thresholds = (0.01,)
    derive_all = ("w", "y")
    numbers = (("x", 1, "X", "the input x"),)
    examples = ("derive --all",)
    help: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
        name: (f"{name} of one neuron", f"The {name} command on y = w·x.", (name,))
        for name in ("demo", "graph", "explain", "derive", "train", "sweep")
    }
    option_help: Mapping[str, str] = {}

    def network(self) -> tuple[Neuron, Value, dict[str, Value]]:
        neuron = Neuron(1, "linear", bias=False, label="y", weights=[0.5])
        w = neuron.w[0]
        w.label = "w"
        y = neuron([Value(2.0, "x")])
        y.label = "y"
        L = 0.5 * (y - Value(3.0, "t")) ** 2
        L.label = "L"
        L.backward()
        return neuron, L, {"w": w, "y": y}

    def __getattr__(self, name: str) -> Any:  # demo, train, sweep: not needed here
        raise AttributeError(name)


def test_the_command_line_runs_any_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    example = OneNeuron()
    assert cli.main(["derive", "--all"], example=example) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("∂L/∂w = ") and lines[1].startswith("∂L/∂y = ")
    assert cli.main(["explain", "w"], example=example) == 0
    assert "∂L/∂w" in capsys.readouterr().out
    assert cli.main(["graph", "--network", "--format", "dot"], example=example) == 0
    network = capsys.readouterr().out  # the weight w is a label node on the edge x1 → y
    assert '"x1":e -> weight1 [dir=none]' in network and 'weight1 -> "y":in:w' in network
    assert "<b>w</b> = 0.5" in network
    assert cli.main(["explain", "v"], example=example) == 2
    assert "unknown node 'v'; choose one of w, y" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"], example=example)
    out = capsys.readouterr().out
    assert "--x X" in out and "the input x" in out and "with L below this" in out
