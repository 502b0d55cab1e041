"""The command line: the demo's tables, and one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tinygrad_edu import SEED, Net222, closed_form
from tinygrad_edu.cli import main
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
        ([], "a command is required: demo"),
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
