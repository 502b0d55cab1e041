"""Training: the loop and its history, the 2-2-2 spreadsheet, sweeps, plots, files, arguments.

Reference numbers are computed here, independently: the 2-2-2 network by a hand-written loop
over `closed_form` and the update rule w ← w − lr·dw, exactly as the seeds' notebooks do.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import MLP, SEED, Adam, Module, TensorMLP, Value, closed_form
from tinygrad_edu._checks import reals, whole
from tinygrad_edu.losses import cross_entropy, mse
from tinygrad_edu.net222 import (
    BIAS_NAMES,
    SEED_LRS,
    SPREADSHEET_COLUMNS,
    WEIGHT_NAMES,
    report_net222,
    spreadsheet_rows,
    sweep,
    train_net222,
)
from tinygrad_edu.testing import CLOSED_FORM_ATOL, CLOSED_FORM_RTOL, ULP_RTOL, close
from tinygrad_edu.train import (
    History,
    Sweep,
    check_output_path,
    first_below,
    parse_floats,
    parse_lrs,
    parse_thresholds,
    save_figure,
    show_progress,
    sweep_model,
    train,
    write_csv,
    write_table,
    write_xlsx,
)

#: E_total at the seeds' example, as the seeds' spreadsheets give it.
SEED_E_TOTAL = 0.24251985734837728
FORWARD = ("h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total")


def by_hand(
    lr: float, steps: int, w: Any = SEED.w, b: Any = None
) -> tuple[list[dict[str, float]], list[float]]:
    """The seeds' loop: closed_form at the current weights, then w ← w − lr·dw, `steps` times.

    Returns each iteration's weights, biases and closed-form values, and the E_total curve
    (steps + 1 points: after 0 … steps updates).
    """
    w, b = list(w), None if b is None else list(b)
    rows, curve = [], []
    for _ in range(steps):
        ref = closed_form(SEED.i, SEED.t, w, b)
        row = {**dict(zip(WEIGHT_NAMES, w)), **ref}
        if b is not None:
            row.update(dict(zip(BIAS_NAMES, b)))
        rows.append(row)
        curve.append(ref["E_total"])
        w = [wk - lr * ref[f"d{name}"] for wk, name in zip(w, WEIGHT_NAMES)]
        if b is not None:
            b = [bk - lr * ref[f"d{name}"] for bk, name in zip(b, BIAS_NAMES)]
    curve.append(closed_form(SEED.i, SEED.t, w, b)["E_total"])
    return rows, curve


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- the spreadsheet --------------------------------------------------------------------------


def test_csv_of_three_iterations_holds_closed_form_and_update_rule(tmp_path: Path) -> None:
    lr = 0.5
    path = write_csv(spreadsheet_rows(train_net222(lr=lr, steps=3)), tmp_path / "seed.csv")
    header, rows = read_csv(path)
    assert header == list(SPREADSHEET_COLUMNS)
    assert header[1:] == [
        "t1", "t2", "i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8",
        "h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total",
        "dw1", "dw2", "dw3", "dw4", "dw5", "dw6", "dw7", "dw8",
    ]  # fmt: skip
    expected, _ = by_hand(lr, 3)
    assert len(rows) == 3
    for k, (row, ref) in enumerate(zip(rows, expected)):
        assert row["iteration"] == str(k)
        assert (float(row["t1"]), float(row["t2"])) == SEED.t
        assert (float(row["i1"]), float(row["i2"])) == SEED.i
        for name in (*WEIGHT_NAMES, *FORWARD, *(f"d{w}" for w in WEIGHT_NAMES)):
            assert close(float(row[name]), ref[name], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (
                k,
                name,
                row[name],
                ref[name],
            )
    # The rows follow the update rule exactly, as written: next w = w − lr·dw.
    for row, following in itertools.pairwise(rows):
        for name in WEIGHT_NAMES:
            assert float(following[name]) == float(row[name]) - lr * float(row[f"d{name}"])
    # Row 0 is the seeds' example itself.
    assert tuple(float(rows[0][name]) for name in WEIGHT_NAMES) == SEED.w
    assert close(float(rows[0]["E_total"]), SEED_E_TOTAL, ULP_RTOL, 0.0)


def test_csv_reads_back_every_float_exactly(tmp_path: Path) -> None:
    rows = spreadsheet_rows(train_net222(lr=2.0, steps=20))
    _, read = read_csv(write_csv(rows, tmp_path / "t.csv"))
    assert [{k: float(v) for k, v in row.items()} for row in read] == rows


def test_spreadsheet_with_biases_adds_their_columns_and_gradients() -> None:
    b = (0.35, 0.35, 0.6, 0.6)
    rows = spreadsheet_rows(train_net222(b=b, lr=0.5, steps=4))
    columns = list(rows[0])
    assert columns.index("b_h1") == columns.index("w8") + 1
    assert columns[-4:] == ["db_h1", "db_h2", "db_o1", "db_o2"]
    expected, _ = by_hand(0.5, 4, b=b)
    for row, ref in zip(rows, expected):
        for name in (*BIAS_NAMES, *(f"d{n}" for n in BIAS_NAMES), "E_total"):
            assert close(row[name], ref[name], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), name


def test_xlsx_holds_the_same_numbers(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rows = spreadsheet_rows(train_net222(steps=5))
    path = write_table(rows, tmp_path / "seed.xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        values = list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()
    assert list(values[0]) == list(SPREADSHEET_COLUMNS)
    # openpyxl writes numbers with 16 significant digits ("%.16g"; Excel shows 15), so a cell
    # holds each value rounded to 16 digits: exactly that, and nothing else. The CSV is exact.
    expected = [{k: float(f"{v:.16g}") for k, v in row.items()} for row in rows]
    assert [dict(zip(values[0], line)) for line in values[1:]] == expected
    assert leftovers(tmp_path) == []


def test_xlsx_without_openpyxl_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad-edu\[xlsx\]"'):
        write_xlsx([{"a": 1.0}], tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_spreadsheet_needs_a_recorded_net222_history() -> None:
    with pytest.raises(ValueError, match="spreadsheet_rows: the history has no recorded"):
        spreadsheet_rows(train_net222(steps=2, record=()))
    net = MLP(2, [2], seed=0)
    history = train(net, lambda m: m([1.0, 2.0])[0], 0.1, steps=2, record=("params", "grads"))
    history.nodes = [{}] * 2
    with pytest.raises(ValueError, match="not of a Net222"):
        spreadsheet_rows(history)


def test_report_shows_the_start_and_the_end() -> None:
    history = train_net222(lr=0.5, steps=3)
    report = report_net222(history)
    assert "lr = 0.5: 3 iterations" in report
    assert f"E_total: 0.242519857348 at iteration 0 → {history.final_loss:.12f}" in report
    w1 = next(line.split() for line in report.splitlines() if line.split()[:1] == ["w1"])
    assert w1 == ["w1", "0.150000000000", f"{history.final_params['w1']:.12f}"]
    stopped = report_net222(train_net222(lr=2.0, until=0.01))
    assert "stopped at iteration 59, where E_total < 0.01" in stopped


# --- writing files whole or not at all ----------------------------------------------------------


def test_writing_into_a_missing_folder_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "t.csv"
    with pytest.raises(
        ValueError, match=r"cannot write '.*t\.csv': folder '.*such' does not exist"
    ):
        write_csv([{"a": 1.0}], missing)
    with pytest.raises(ValueError, match="is a folder"):
        write_csv([{"a": 1.0}], tmp_path)
    with pytest.raises(ValueError, match=r"must end in \.csv or \.xlsx"):
        write_table([{"a": 1.0}], tmp_path / "t.txt")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is not a folder"):
        write_csv([{"a": 1.0}], tmp_path / "file" / "t.csv")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("old\n")

    def fail(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_csv([{"a": 1.0}], path)
    assert path.read_text() == "old\n"
    assert leftovers(tmp_path) == []


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("old\n")
    write_csv([{"a": 1.5, "b": None, "c": "x"}, {"a": 2}], path)
    assert path.read_text() == "a,b,c\n1.5,,x\n2,,\n"
    assert leftovers(tmp_path) == []


# --- the training loop ----------------------------------------------------------------------------


def xor_loss(net: MLP) -> Value:
    points = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]
    return mse([net(x)[0] for x, _ in points], [t for _, t in points], reduction="half_sum")


def test_train_on_values_records_what_sgd_did() -> None:
    lr = 0.5
    net = MLP(2, [3, 1], activation=["tanh", "sigmoid"], seed=3)
    start = [p.data for p in net.parameters()]
    history = train(net, xor_loss, lr, steps=30, record=("params", "grads"))
    assert history.iterations == history.updates == 30
    assert history.lr == lr
    assert history.params[0] == dict(zip((p.label for p in net.parameters()), start))
    # Each step moved every parameter by exactly −lr·(its recorded gradient).
    for before, grads, after in zip(history.params, history.grads, history.params[1:]):
        assert after == {name: w - lr * grads[name] for name, w in before.items()}
    assert history.final_params == {p.label: p.data for p in net.parameters()}
    assert history.final_loss == xor_loss(net).data
    assert history.curve == [*history.loss, history.final_loss]
    assert history.loss[-1] < history.loss[0]


def test_train_on_tensors_with_adam_keeps_copies_of_the_parameters() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    y = (X[:, 0] > X[:, 1]).astype(int)
    net = TensorMLP(2, [8, 2], activation=["tanh", "linear"], seed=0)
    history = train(
        net,
        lambda m: cross_entropy(m(X), y),
        Adam(net.parameters(), lr=0.05),
        steps=40,
        record=("params", "grads"),
    )
    assert history.loss[-1] < 0.5 * history.loss[0]
    first, last = history.params[0]["L1.weight"], history.final_params["L1.weight"]
    assert not np.array_equal(first, last)
    assert np.array_equal(last, net.layers[0].weight.data)
    assert last is not net.layers[0].weight.data
    assert history.grads[0]["L1.weight"].shape == (8, 2)


def test_train_on_a_sequential_with_unlabelled_parameters_names_them() -> None:
    class Line(Module):
        def __init__(self) -> None:
            self.w, self.b = Value(0.0), Value(0.0)

        def parameters(self) -> list[Any]:
            return [self.w, self.b]

    model = Line()
    history = train(model, lambda m: (m.w * 2.0 + m.b - 5.0) ** 2, 0.05, steps=3, record="params")
    assert list(history.params[0]) == ["p0", "p1"]


@settings(max_examples=30)
@given(
    lr=st.floats(0.05, 3.0),
    steps=st.integers(1, 60),
    until=st.floats(0.005, 0.25),
)
def test_until_stops_at_the_first_iteration_below_and_keeps_its_weights(
    lr: float, steps: int, until: float
) -> None:
    full = train_net222(lr=lr, steps=steps, record=())
    assert full.iterations == full.updates == steps
    assert len(full.curve) == steps + 1
    stopped = train_net222(lr=lr, steps=steps, until=until, record=())
    k = first_below(full.loss, until)
    if k is None:
        assert stopped.stopped_by == "steps"
        assert stopped.loss == full.loss
    else:
        assert stopped.stopped_by == "until"
        assert stopped.iterations == k + 1
        assert stopped.updates == k
        assert stopped.loss == full.loss[: k + 1]
        assert stopped.final_loss == stopped.loss[-1] < until
        assert stopped.first_below(until) == k
        assert all(loss >= until for loss in stopped.loss[:-1])


def test_until_is_strict_and_may_stop_before_any_update() -> None:
    full = train_net222(lr=0.5, steps=10, record=())
    # A loss equal to `until` is not below it: the run goes one iteration further.
    at = train_net222(lr=0.5, steps=10, until=full.loss[5], record=())
    assert (at.iterations, at.updates, at.stopped_by) == (7, 6, "until")
    # Already below at the start: iteration 0 is recorded and nothing is updated.
    start = train_net222(lr=0.5, steps=10, until=0.5)
    assert (start.iterations, start.updates, start.curve) == (1, 0, [full.loss[0]])
    assert start.final_params == start.params[0]


def test_first_below_is_strict_and_checks_its_threshold() -> None:
    assert first_below([0.5, 0.01, 0.009], 0.01) == 2
    assert first_below([0.001, 0.5], 0.01) == 0
    assert first_below([0.01], 0.01) is None
    assert first_below([], 0.01) is None
    with pytest.raises(ValueError, match="first_below: threshold: must be a finite number > 0"):
        first_below([0.5], -1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": 0}, ValueError, r"train: steps: must be a whole number >= 1, got 0"),
        ({"steps": 2.5}, TypeError, r"train: steps: must be a whole number >= 1, got 2.5"),
        ({"steps": True}, TypeError, r"train: steps: .* got True"),
        ({"optimizer": -0.1}, ValueError, r"train: lr: invalid learning rate -0.1"),
        ({"optimizer": 0.0}, ValueError, r"invalid learning rate 0.0"),
        ({"optimizer": math.nan}, ValueError, r"invalid learning rate nan"),
        ({"optimizer": math.inf}, ValueError, r"invalid learning rate inf"),
        ({"until": -1.0}, ValueError, r"train: until: must be a finite number > 0, got -1.0"),
        ({"record": ["weights"]}, ValueError, r"train: cannot record 'weights'"),
        ({"record": "nodes"}, ValueError, r"needs a model with a \.nodes mapping"),
        ({"loss_fn": lambda m: 1.0}, TypeError, r"must return a Value or a one-element Tensor"),
        ({"loss_fn": 3}, TypeError, r"train: loss_fn must be a function"),
        ({"model": object()}, TypeError, r"train: model must be a Module, got object"),
        ({"progress": "yes"}, TypeError, r"progress must be True, False or None"),
    ],
)
def test_train_rejects_bad_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    arguments: dict[str, Any] = {
        "model": MLP(2, [2, 1], seed=0),
        "loss_fn": xor_loss,
        "optimizer": 0.1,
        "steps": 2,
        **kwargs,
    }
    with pytest.raises(error, match=message):
        train(**arguments)


def test_train_needs_a_scalar_tensor_loss() -> None:
    net = TensorMLP(2, [2], activation="linear", seed=0)
    with pytest.raises(ValueError, match=r"returned a Tensor of shape \(3, 2\); it must be a"):
        train(net, lambda m: m(np.ones((3, 2))), 0.1, steps=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"w": SEED.w[:7]}, r"train_net222: w \(w1..w8\): needs 8 numbers, got 7"),
        ({"i": (0.05, 0.1, 0.2)}, r"train_net222: i \(i1, i2\): needs 2 numbers, got 3"),
        ({"t": (0.01,)}, r"train_net222: t \(t1, t2\): needs 2 numbers, got 1"),
        ({"b": (0.35, 0.35, 0.6)}, r"train_net222: b \(b_h1, b_h2, b_o1, b_o2\): needs 4"),
        ({"w": (*SEED.w[:7], math.nan)}, r"w \(w1..w8\) takes a finite number, got nan"),
        ({"lr": -0.5}, r"train_net222: lr: invalid learning rate -0.5"),
        ({"steps": 0}, r"train_net222: steps: must be a whole number >= 1"),
        ({"until": 0.0}, r"train_net222: until: must be a finite number > 0"),
    ],
)
def test_train_net222_names_the_bad_argument(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        train_net222(**kwargs)


# --- the progress bar -----------------------------------------------------------------------------


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return self.tty


def test_progress_bar_only_on_a_terminal_unless_forced() -> None:
    assert show_progress(None, Stream(tty=True)) is True
    assert show_progress(None, Stream(tty=False)) is False
    assert show_progress(False, Stream(tty=True)) is False
    assert show_progress(True, Stream(tty=False)) is True
    closed = Stream(tty=True)
    closed.close()
    assert show_progress(None, closed) is False
    assert show_progress(None, object()) is False
    assert show_progress(None) is False  # pytest captures stderr: not a terminal


def test_progress_bar_is_drawn_when_asked_and_never_otherwise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    train_net222(steps=5, progress=None)
    train_net222(steps=5, progress=False)
    assert capsys.readouterr().err == ""
    train_net222(steps=5, progress=True)
    assert "2-2-2 net, lr=0.5" in capsys.readouterr().err


# --- sweeps ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_sweep() -> Sweep:
    return sweep(SEED_LRS, steps=100)


def test_sweep_curves_start_together_and_match_the_hand_loop(seeds_sweep: Sweep) -> None:
    assert seeds_sweep.lrs == SEED_LRS
    starts = {curve[0] for curve in seeds_sweep.curves.values()}
    assert len(starts) == 1
    assert close(starts.pop(), SEED_E_TOTAL, ULP_RTOL, 0.0)
    for lr in SEED_LRS:
        _, expected = by_hand(lr, 100)
        curve = seeds_sweep.curves[lr]
        assert len(curve) == 101
        for k, (E, ref) in enumerate(zip(curve, expected)):
            assert close(E, ref, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (lr, k, E, ref)


def test_a_larger_learning_rate_never_ends_higher(seeds_sweep: Sweep) -> None:
    ends = [seeds_sweep.curves[lr][-1] for lr in sorted(SEED_LRS)]
    assert all(later <= earlier for earlier, later in itertools.pairwise(ends)), ends


def test_summary_is_consistent_with_the_curves(seeds_sweep: Sweep) -> None:
    rows = seeds_sweep.summary_rows()
    assert list(rows[0]) == [
        "lr",
        "E_total after 100 steps",
        "first iteration < 0.01",
        "first iteration < 0.001",
    ]
    for row in rows:
        lr = row["lr"]
        assert isinstance(lr, float)
        _, expected = by_hand(lr, 100)
        assert row["E_total after 100 steps"] == seeds_sweep.curves[lr][-1]
        for th in (0.01, 0.001):
            k = row[f"first iteration < {th:g}"]
            curve = seeds_sweep.curves[lr]
            if k is None:
                assert min(curve) >= th
            else:
                assert isinstance(k, int)
                assert curve[k] < th <= min(curve[:k], default=math.inf)
                # The hand loop crosses at the same iteration (unless it is a rounding away).
                assert expected[k] < th <= min(expected[:k], default=math.inf)
    # Among the seeds' learning rates only 2.0 gets below 0.01 within 100 steps.
    crossings = {row["lr"]: row["first iteration < 0.01"] for row in rows}
    assert [lr for lr, k in crossings.items() if k is not None] == [2.0]


def test_summary_table_lists_every_learning_rate(seeds_sweep: Sweep) -> None:
    text = seeds_sweep.summary_table()
    lines = text.splitlines()
    assert [cell.strip() for cell in lines[0].split("  ") if cell.strip()] == [
        "lr",
        "E_total after 100 steps",
        "first iteration < 0.01",
        "first iteration < 0.001",
    ]
    body = [line.split() for line in lines[2:]]
    assert [float(cells[0]) for cells in body] == list(SEED_LRS)
    for cells, lr in zip(body, SEED_LRS):
        assert cells[1] == f"{seeds_sweep.curves[lr][-1]:.12f}"
        k = seeds_sweep.first_below(lr, 0.01)
        assert cells[2] == ("never" if k is None else str(k))
    assert str(seeds_sweep) == text


def test_sweep_csv_has_one_column_per_learning_rate(seeds_sweep: Sweep, tmp_path: Path) -> None:
    header, rows = read_csv(seeds_sweep.write_csv(tmp_path / "curves.csv"))
    assert header == ["iteration", *(f"lr={lr!r}" for lr in SEED_LRS)]
    assert len(rows) == 101
    for lr in SEED_LRS:
        assert [float(row[f"lr={lr!r}"]) for row in rows] == list(seeds_sweep.curves[lr])


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's signature and IHDR chunk, or AssertionError."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", head[:8]
    assert head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_plot_writes_a_real_png_and_svg(seeds_sweep: Sweep, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    png = seeds_sweep.plot(tmp_path / "sweep.png")
    width, height = png_size(png)
    assert 800 <= width <= 3000 and 600 <= height <= 3000, (width, height)
    assert png.stat().st_size > 20_000  # six panels and an overlay, not a blank canvas
    svg = seeds_sweep.plot(tmp_path / "sweep.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert svg.count("lr = ") >= 2 * len(SEED_LRS)  # in the legend and the panel titles
    assert leftovers(tmp_path) == []
    with pytest.raises(ValueError, match=r"must end in \.png or \.svg"):
        seeds_sweep.plot(tmp_path / "sweep.jpg")


def test_plot_without_matplotlib_says_how_to_install(
    seeds_sweep: Sweep, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad-edu\[plot\]"'):
        seeds_sweep.plot(tmp_path / "sweep.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_is_atomic_and_checks_the_folder(tmp_path: Path) -> None:
    figure_module = pytest.importorskip("matplotlib.figure")
    fig = figure_module.Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    assert png_size(save_figure(fig, tmp_path / "f.png", dpi=50)) == (100, 50)
    with pytest.raises(ValueError, match=r"folder .* does not exist"):
        save_figure(fig, tmp_path / "missing" / "f.png")


def test_sweep_model_restarts_each_run_and_restores_the_model() -> None:
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 2))
    y = (X.sum(axis=1) > 0).astype(int)
    net = TensorMLP(2, [4, 2], activation=["tanh", "linear"], seed=0)
    start = [p.data.copy() for p in net.parameters()]
    result = sweep_model(
        net, lambda m: cross_entropy(m(X), y), lrs=(0.01, 0.1), steps=10, optimizer=Adam
    )
    assert result.curves[0.01][0] == result.curves[0.1][0]
    assert result.curves[0.01][-1] != result.curves[0.1][-1]
    assert all(np.array_equal(p.data, s) for p, s in zip(net.parameters(), start))
    # The same run again gives the same numbers: each learning rate starts afresh.
    again = sweep_model(net, lambda m: cross_entropy(m(X), y), lrs=(0.1,), steps=10, optimizer=Adam)
    assert again.curves[0.1] == result.curves[0.1]
    assert result.loss_name == "loss"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lrs": (0.1, -0.2)}, ValueError, r"sweep: lrs: invalid learning rate -0.2"),
        ({"lrs": ()}, ValueError, r"sweep: lrs: needs at least one learning rate"),
        ({"lrs": (0.5, 0.5)}, ValueError, r"sweep: lrs: learning rate 0.5 is given twice"),
        ({"lrs": "0.1,0.2"}, TypeError, r"sweep: lrs: needs a list, got str"),
        ({"steps": 0}, ValueError, r"sweep: steps: must be a whole number >= 1, got 0"),
        (
            {"thresholds": (0.01, 0.0)},
            ValueError,
            r"sweep: thresholds: must be a finite number > 0",
        ),
        ({"w": SEED.w[:7]}, ValueError, r"sweep: w \(w1..w8\): needs 8 numbers, got 7"),
    ],
)
def test_sweep_names_the_bad_argument(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        sweep(**kwargs)


# --- parsing command-line arguments ------------------------------------------------------------


def test_parsers_read_comma_separated_numbers() -> None:
    assert parse_lrs("0.1,0.2,0.5,0.8,1.0,2.0") == SEED_LRS
    assert parse_lrs(" 2 ") == (2.0,)
    assert parse_thresholds("0.01,1e-3") == (0.01, 0.001)
    assert parse_floats("1,2", "--i", count=2) == (1.0, 2.0)
    # The library's own checks take numpy's numbers too.
    assert reals(np.array([1.0, 2.0]), "i", count=2) == (1.0, 2.0)
    assert whole(np.int64(5), "steps") == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.1,abc", r"--lrs: 'abc' is not a number"),
        ("", r"--lrs: '' is not a number"),
        ("0.1,", r"--lrs: '' is not a number"),
        ("-1", r"--lrs: invalid learning rate -1.0; it must be a finite number > 0"),
        ("0", r"--lrs: invalid learning rate 0.0"),
        ("nan", r"--lrs: 'nan' is not a finite number"),
        ("0.1,0.1", r"--lrs: learning rate 0.1 is given twice"),
    ],
)
def test_parse_lrs_rejects_bad_lists(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_lrs(text)


def test_other_parsers_and_checks_name_their_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--thresholds: must be a finite number > 0, got -0.01"):
        parse_thresholds("0.01,-0.01")
    with pytest.raises(ValueError, match=r"--w: needs 8 numbers, got 7"):
        parse_floats("1,2,3,4,5,6,7", "--w", count=8)
    with pytest.raises(TypeError, match=r"--w: needs a list of 8 numbers, got 'abc'"):
        reals("abc", "--w", count=8)
    with pytest.raises(TypeError, match=r"--i takes a real number .*got bool"):
        reals([True, 1.0], "--i", count=2)
    with pytest.raises(ValueError, match=r"--csv: cannot write .* folder .* does not exist"):
        check_output_path(tmp_path / "nope" / "x.csv", "--csv")
    assert check_output_path(tmp_path / "x.csv", "--csv") == tmp_path / "x.csv"


def test_history_repr_is_short() -> None:
    assert repr(History()) == "History(empty)"
    text = repr(train_net222(steps=3))
    assert text.startswith("History(3 iterations, 3 updates, loss 0.24252 → ")
    assert text.endswith("stopped by steps)")


def test_the_docs_show_this_summary_table(seeds_sweep: Sweep) -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "training.md"
    assert seeds_sweep.summary_table() in page.read_text(encoding="utf-8")
