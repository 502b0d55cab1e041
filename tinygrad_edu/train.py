"""Training and experiments: a training loop with a history, and learning-rate sweeps with
their summary table and plots, for any model.

Iterations count from 0, and iteration k always means *the parameters after k updates*:

- ``history.loss[k]`` is the loss at iteration k. The training step that computed it then made
  update k + 1: w ← w − lr·∂loss/∂w (unless it stopped there, see ``until``).
- ``history.params[k]`` and ``history.grads[k]`` (when recorded) are the parameters at
  iteration k and the gradients there; the next iteration's parameters are w − lr·grad.
- ``history.curve[k]`` is the loss after k updates for k = 0 … ``history.updates``: the loss
  column, plus the loss at the final weights. A sweep of ``steps`` iterations has curves of
  ``steps + 1`` points, and "the first iteration below a threshold" is the number of updates
  it took.

>>> from tinygrad_edu import MLP
>>> net = MLP(1, [1], activation="linear", seed=0)              # y = w·x + b
>>> def loss(net):                                               # (y − 3)² at x = 1
...     return (net([1.0])[0] - 3.0) ** 2
>>> history = train(net, loss, 0.1, steps=3, record=("params", "grads"))
>>> [round(E, 6) for E in history.curve]                        # the loss after 0 … 3 updates
[5.341443, 1.92292, 0.692251, 0.24921]
>>> w, dw = history.params[0]["L1.N1.w1"], history.grads[0]["L1.N1.w1"]
>>> round(w, 6), round(dw, 6), round(history.params[1]["L1.N1.w1"], 6)   # w − 0.1·dw
(0.688844, -4.622313, 1.151075)

The worked example's spreadsheet, report and learning-rate sweep build on these.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from tinygrad_edu._checks import learning_rate, positive, sequence_of, whole
from tinygrad_edu._files import write_atomically
from tinygrad_edu._format import table
from tinygrad_edu.graph import no_grad
from tinygrad_edu.nn import Module
from tinygrad_edu.optim import SGD, Optimizer
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.value import Value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "RECORD_ALL",
    "History",
    "Sweep",
    "check_output_path",
    "first_below",
    "parse_floats",
    "parse_lrs",
    "parse_thresholds",
    "save_figure",
    "show_progress",
    "sweep_model",
    "train",
    "write_csv",
    "write_table",
    "write_xlsx",
]

#: What `train` can record each iteration besides the loss.
RECORD_ALL = ("params", "grads", "nodes")

_PLOT_HINT = 'plotting needs matplotlib: pip install "tinygrad-edu[plot]"'
_XLSX_HINT = 'writing .xlsx needs openpyxl: pip install "tinygrad-edu[xlsx]"'

M = TypeVar("M", bound=Module)


# --- reading lists of numbers (the library's and the command line's) -----------------------------


def parse_floats(text: str, what: str, count: int | None = None) -> tuple[float, ...]:
    """Comma-separated numbers, "0.1,0.2" → (0.1, 0.2); a ValueError naming `what` otherwise.

    >>> parse_floats("0.1, 0.2,0.5", "--lrs")
    (0.1, 0.2, 0.5)
    >>> parse_floats("0.1,,0.2", "--lrs")
    Traceback (most recent call last):
    ValueError: --lrs: '' is not a number (give numbers separated by commas, e.g. 0.1,0.2)
    """
    values = []
    for item in str(text).split(","):
        try:
            value = float(item)
        except ValueError:
            raise ValueError(
                f"{what}: {item.strip()!r} is not a number "
                "(give numbers separated by commas, e.g. 0.1,0.2)"
            ) from None
        if not math.isfinite(value):
            raise ValueError(f"{what}: {item.strip()!r} is not a finite number")
        values.append(value)
    if count is not None and len(values) != count:
        raise ValueError(f"{what}: needs {count} numbers, got {len(values)}")
    return tuple(values)


def parse_lrs(text: str, what: str = "--lrs") -> tuple[float, ...]:
    """Learning rates from "0.1,0.2,0.5": each finite and > 0, none repeated.

    >>> parse_lrs("0.1,0.2,0.5,0.8,1.0,2.0")
    (0.1, 0.2, 0.5, 0.8, 1.0, 2.0)
    """
    return _check_lrs(parse_floats(text, what), what)


def parse_thresholds(text: str, what: str = "--thresholds") -> tuple[float, ...]:
    """Loss thresholds from "0.01,0.001": each finite and > 0.

    >>> parse_thresholds("0.01,0.001")
    (0.01, 0.001)
    """
    return _check_thresholds(parse_floats(text, what), what)


def _check_lrs(lrs: object, what: str) -> tuple[float, ...]:
    """Learning rates: a non-empty list, each finite and > 0, none given twice."""
    checked = tuple(learning_rate(lr, what) for lr in sequence_of(lrs, what))
    if not checked:
        raise ValueError(f"{what}: needs at least one learning rate")
    repeated = sorted({lr for lr in checked if checked.count(lr) > 1})
    if repeated:
        raise ValueError(f"{what}: learning rate {repeated[0]!r} is given twice")
    return checked


def _check_thresholds(thresholds: object, what: str) -> tuple[float, ...]:
    """Loss thresholds: a list, each a finite number > 0."""
    return tuple(positive(th, what) for th in sequence_of(thresholds, what))


def check_output_path(
    path: str | os.PathLike[str], what: str = "path", suffixes: Collection[str] | None = None
) -> Path:
    """`path` as a Path whose folder exists and which is not a folder itself, else a ValueError.

    `suffixes` (e.g. ``(".png", ".svg")``), when given, are the endings allowed.
    """
    out = Path(path)
    if not out.name or out.is_dir():
        raise ValueError(f"{what}: {str(path)!r} is a folder; give a file name")
    if suffixes is not None and out.suffix.lower() not in suffixes:
        raise ValueError(
            f"{what}: {str(path)!r} must end in {' or '.join(sorted(suffixes))}, "
            f"not {out.suffix or 'nothing'!r}"
        )
    folder = out.parent
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise ValueError(f"{what}: cannot write {str(path)!r}: folder {str(folder)!r} {reason}")
    return out


# --- the progress bar -----------------------------------------------------------------------------


def show_progress(progress: bool | None, stream: object = None) -> bool:
    """Whether to draw a progress bar: `progress` when True or False; when None, whether
    `stream` (default sys.stderr) is an interactive terminal, so piped output gets none.

    >>> import io
    >>> show_progress(False), show_progress(None, stream=io.StringIO())   # not a terminal
    (False, False)
    """
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True, False or None, got {progress!r}")
        return progress
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def _progress_bar(progress: bool | None, total: int, desc: str) -> Any:
    """A tqdm bar on stderr, or None when `show_progress` says no."""
    if not show_progress(progress):
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, unit="it", leave=False)


# --- the training loop ----------------------------------------------------------------------------


@dataclass(repr=False)
class History:
    """What a training run recorded, iteration by iteration (iteration k: after k updates).

    ``loss[k]`` is the loss at iteration k; ``params[k]``, ``grads[k]`` and ``nodes[k]`` (when
    recorded) are {name: value} of every parameter, its gradient, and every named node of the
    model (``model.nodes``, for models that name theirs) at iteration k, before that
    iteration's update.
    Values are floats for Value models and array copies for Tensor models.
    """

    loss: list[float] = field(default_factory=list)
    params: list[dict[str, Any]] = field(default_factory=list)
    grads: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    #: How many updates were made: ``len(loss)``, or one fewer when stopped by ``until``.
    updates: int = 0
    #: "steps" when every step ran, "until" when the loss fell below ``until``.
    stopped_by: str = "steps"
    #: The optimiser's learning rate (None if it has none), and the ``until`` threshold.
    lr: float | None = None
    until: float | None = None
    #: Each parameter before the first update and after the last one (always kept: two
    #: copies, whatever `record` says, so a report needs no per-step recording).
    initial_params: dict[str, Any] = field(default_factory=dict)
    final_params: dict[str, Any] = field(default_factory=dict)
    final_loss: float = math.nan

    @property
    def iterations(self) -> int:
        """The number of iterations recorded: ``len(loss)``."""
        return len(self.loss)

    @property
    def curve(self) -> list[float]:
        """The loss after 0, 1, …, ``updates`` updates: ``updates + 1`` points."""
        return [*self.loss, self.final_loss] if self.updates == len(self.loss) else list(self.loss)

    def first_below(self, threshold: float) -> int | None:
        """The first iteration k with curve[k] < `threshold` (None if there is none)."""
        return first_below(self.curve, threshold)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(empty)"
        return (
            f"History({self.iterations} iterations, {self.updates} updates, loss "
            f"{self.loss[0]:.6g} → {self.final_loss:.6g}, stopped by {self.stopped_by})"
        )


def first_below(curve: Sequence[float], threshold: float) -> int | None:
    """The first k with curve[k] < threshold, or None: "iterations until the loss fell below".

    >>> first_below([0.3, 0.02, 0.009, 0.004], 0.01)
    2
    >>> first_below([0.3, 0.02], 0.01) is None
    True
    """
    threshold = positive(threshold, "first_below: threshold")
    return next((k for k, loss in enumerate(curve) if loss < threshold), None)


def train(
    model: M,
    loss_fn: Callable[[M], Any],
    optimizer: Optimizer | float,
    steps: int = 1000,
    until: float | None = None,
    *,
    record: str | Collection[str] = (),
    progress: bool | None = None,
    desc: str = "training",
) -> History:
    """Gradient descent on ``loss_fn(model)``: each step zeroes the gradients, computes the
    loss, back-propagates it and updates the parameters (w ← w − lr·∂loss/∂w for SGD).

    `loss_fn` takes the model and returns a scalar: a Value, or a Tensor of one element.
    `optimizer` is an Optimizer, or a learning rate for plain ``SGD(model.parameters(), lr)``.
    Runs `steps` iterations, or stops at the first iteration whose loss is below `until` (that
    iteration is recorded, and no update follows it). `record` adds "params", "grads" and/or
    "nodes" (or "all") to the history. `progress`: see `show_progress`.

    >>> from tinygrad_edu import MLP
    >>> net = MLP(1, [1], activation="linear", seed=0)            # y = w·x + b
    >>> data = [(1.0, 3.0), (2.0, 5.0)]                             # y = 2x + 1
    >>> def loss(net):
    ...     return sum(((net([x])[0] - y) ** 2 for x, y in data), Value(0.0))
    >>> history = train(net, loss, 0.1, steps=500)                  # SGD with lr = 0.1
    >>> [round(p.data, 6) for p in net.parameters()], history.final_loss < 1e-12
    ([2.0, 1.0], True)
    """
    if not isinstance(model, Module):
        raise TypeError(f"train: model must be a Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"train: loss_fn must be a function of the model, got {loss_fn!r}")
    steps = whole(steps, "train: steps")
    threshold = None if until is None else positive(until, "train: until")
    wanted = _record_items(record)
    if isinstance(optimizer, Optimizer):
        opt = optimizer
    else:
        opt = SGD(model.parameters(), lr=learning_rate(optimizer, "train: lr"))
    params = model.parameters()
    names = _names(params)
    history = History(lr=getattr(opt, "lr", None), until=threshold)
    history.initial_params = {n: _copy(p.data) for n, p in zip(names, params)}
    bar = _progress_bar(progress, steps, desc)
    try:
        for _ in range(steps):
            model.zero_grad()
            opt.zero_grad()
            loss = loss_fn(model)
            value = _scalar(loss)
            if "nodes" in wanted:
                history.nodes.append(_node_values(model))
            if "params" in wanted:
                history.params.append({n: _copy(p.data) for n, p in zip(names, params)})
            loss.backward()
            if "grads" in wanted:
                history.grads.append({n: _grad(p) for n, p in zip(names, params)})
            history.loss.append(value)
            if bar is not None:
                bar.set_postfix(loss=f"{value:.6g}", refresh=False)
                bar.update(1)
            if threshold is not None and value < threshold:
                history.stopped_by = "until"
                break
            opt.step()
            history.updates += 1
            del loss  # free this step's graph before the next one is built
    finally:
        if bar is not None:
            bar.close()
    history.final_params = {n: _copy(p.data) for n, p in zip(names, params)}
    if history.stopped_by == "until":
        history.final_loss = history.loss[-1]
    else:
        with no_grad():
            history.final_loss = _scalar(loss_fn(model))
    return history


def _record_items(record: str | Collection[str]) -> frozenset[str]:
    items = {record} if isinstance(record, str) else set(record)
    if "all" in items:
        items = (items - {"all"}) | set(RECORD_ALL)
    unknown = sorted(items - set(RECORD_ALL))
    if unknown:
        raise ValueError(
            f"train: cannot record {unknown[0]!r}; record any of "
            f"{', '.join(map(repr, RECORD_ALL))} or 'all'"
        )
    return frozenset(items)


def _names(params: Sequence[Any]) -> list[str]:
    """Each parameter's label, or "p{k}" where the label is empty or shared."""
    labels = [p.label for p in params]
    return [
        label if label and labels.count(label) == 1 else f"p{k}" for k, label in enumerate(labels)
    ]


def _scalar(loss: object) -> float:
    """The loss as a float, or an error saying what `loss_fn` should return."""
    if isinstance(loss, Value):
        return loss.data
    if isinstance(loss, Tensor):
        if loss.data.size != 1:
            raise ValueError(
                f"train: loss_fn returned a Tensor of shape {loss.shape}; it must be a single "
                "number (reduce it, e.g. with .sum() or .mean())"
            )
        return float(loss.data.reshape(()))
    raise TypeError(
        f"train: loss_fn must return a Value or a one-element Tensor, got {type(loss).__name__}"
    )


def _copy(data: Any) -> Any:
    """A float stays a float; an array is copied (optimisers update Tensors in place)."""
    return data.copy() if isinstance(data, np.ndarray) else data


def _grad(p: Any) -> Any:
    """p's gradient: a float, or an array (zeros when a Tensor received none)."""
    if isinstance(p, Tensor):
        return np.zeros_like(p.data) if p.grad is None else p.grad.copy()
    return p.grad


def _node_values(model: Module) -> dict[str, Any]:
    nodes = getattr(model, "nodes", None)
    if not isinstance(nodes, Mapping):
        raise ValueError(
            "train: record='nodes' needs a model with a .nodes mapping of named nodes; "
            f"{type(model).__name__} has none"
        )
    return {name: _copy(node.data) for name, node in nodes.items()}


# --- writing files, whole or not at all -----------------------------------------------------------


def _columns(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None) -> list[str]:
    if columns is not None:
        return list(columns)
    found: dict[str, None] = {}
    for row in rows:
        found.update(dict.fromkeys(row))
    return list(found)


def _cell(value: object) -> str:
    """Numbers as the shortest text that reads back as the same float; None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    return str(value)


def write_csv(
    rows: Sequence[Mapping[str, object]],
    path: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
) -> Path:
    """Write `rows` (dicts) as CSV with a header line, atomically; floats are written in full
    (``repr``), so they read back exactly. `columns` default: the keys, in order of appearance.
    """
    out = check_output_path(path, "write_csv: path")
    header = _columns(rows, columns)

    def write(temporary: Path) -> None:
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(row.get(name)) for name in header])

    write_atomically(out, write)
    return out


def write_xlsx(
    rows: Sequence[Mapping[str, object]],
    path: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
    sheet: str = "training",
) -> Path:
    """Write `rows` as an Excel workbook (one sheet, a header row, numbers as numbers),
    atomically. Needs the optional extra: ``pip install "tinygrad-edu[xlsx]"``."""
    out = check_output_path(path, "write_xlsx: path", (".xlsx",))
    try:
        from openpyxl import Workbook
    except ImportError as error:
        raise ImportError(_XLSX_HINT) from error
    header = _columns(rows, columns)

    def write(temporary: Path) -> None:
        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        worksheet.freeze_panes = "A2"
        worksheet.append(header)
        for row in rows:
            worksheet.append([_xlsx_cell(row.get(name)) for name in header])
        workbook.save(temporary)

    write_atomically(out, write)
    return out


def _xlsx_cell(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def write_table(
    rows: Sequence[Mapping[str, object]],
    path: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
) -> Path:
    """Write `rows` as CSV or XLSX, chosen by the path's suffix (.csv or .xlsx)."""
    out = check_output_path(path, "write_table: path", (".csv", ".xlsx"))
    if out.suffix.lower() == ".xlsx":
        return write_xlsx(rows, out, columns)
    return write_csv(rows, out, columns)


# --- learning-rate sweeps -------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Sweep:
    """Training curves from one start, one per learning rate.

    ``curves[lr][k]`` is the loss after k updates, k = 0 … steps.
    """

    lrs: tuple[float, ...]
    steps: int
    thresholds: tuple[float, ...]
    curves: dict[float, tuple[float, ...]]
    loss_name: str = "loss"

    def first_below(self, lr: float, threshold: float) -> int | None:
        """The first iteration at which the curve of `lr` is below `threshold` (None: never)."""
        return first_below(self.curves[lr], threshold)

    def summary_rows(self) -> list[dict[str, float | int | None]]:
        """Per learning rate: the final loss, and the first iteration below each threshold."""
        rows: list[dict[str, float | int | None]] = []
        for lr in self.lrs:
            row: dict[str, float | int | None] = {
                "lr": lr,
                f"{self.loss_name} after {self.steps} steps": self.curves[lr][-1],
            }
            for th in self.thresholds:
                row[f"first iteration < {th:g}"] = self.first_below(lr, th)
            rows.append(row)
        return rows

    def summary_table(self) -> str:
        """`summary_rows` as a text table ("never": not within the sweep's steps)."""
        rows = self.summary_rows()
        headers = list(rows[0])
        cells = [
            [
                repr(row["lr"]),
                f"{row[headers[1]]:.12f}",
                *("never" if row[h] is None else str(row[h]) for h in headers[2:]),
            ]
            for row in rows
        ]
        return table(headers, cells)

    def curve_rows(self) -> list[dict[str, float]]:
        """The curves side by side: one row per iteration, one column per learning rate."""
        return [
            {"iteration": k, **{f"lr={lr!r}": self.curves[lr][k] for lr in self.lrs}}
            for k in range(self.steps + 1)
        ]

    def write_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write `curve_rows` as CSV (or XLSX, by suffix), atomically."""
        return write_table(self.curve_rows(), path)

    def figure(self) -> Figure:
        """A matplotlib Figure: every curve on one axis (with the thresholds dashed), and
        below it one small panel per learning rate, as in the seeds."""
        n = len(self.lrs)
        columns = min(3, n)
        rows = math.ceil(n / columns)
        fig = _new_figure(figsize=(4.0 * columns, 3.6 + 2.4 * rows), layout="constrained")
        grid = fig.add_gridspec(1 + rows, columns, height_ratios=[1.6] + [1.0] * rows)
        iterations = np.arange(self.steps + 1)
        overlay = fig.add_subplot(grid[0, :])
        for k, lr in enumerate(self.lrs):
            overlay.plot(iterations, self.curves[lr], color=f"C{k % 10}", label=f"lr = {lr:g}")
        for th, style in zip(self.thresholds, [":", "--", "-."] * len(self.thresholds)):
            overlay.axhline(
                th, color="0.4", linestyle=style, linewidth=1.0, label=f"{self.loss_name} = {th:g}"
            )
        overlay.set_title(f"{self.loss_name} against iterations, for {n} learning rates")
        overlay.set_xlabel("iteration")
        overlay.set_ylabel(self.loss_name)
        overlay.grid(alpha=0.3)
        overlay.legend(ncols=min(n + len(self.thresholds), 4), fontsize="small")
        for k, lr in enumerate(self.lrs):
            panel = fig.add_subplot(grid[1 + k // columns, k % columns])
            panel.plot(iterations, self.curves[lr], color=f"C{k % 10}")
            panel.set_title(f"lr = {lr:g}", fontsize="medium")
            panel.set_xlabel("iteration", fontsize="small")
            panel.set_ylabel(self.loss_name, fontsize="small")
            panel.tick_params(labelsize="small")
            panel.grid(alpha=0.3)
        return fig

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """Draw `figure` to `path`, PNG or SVG by its suffix, atomically."""
        out = check_output_path(path, "Sweep.plot: path", (".png", ".svg"))
        return save_figure(self.figure(), out)

    def __str__(self) -> str:
        return self.summary_table()

    def __repr__(self) -> str:
        lrs = ", ".join(f"{lr:g}" for lr in self.lrs)
        return f"Sweep(lrs=({lrs}), steps={self.steps}, thresholds={self.thresholds})"


def _new_figure(**kwargs: Any) -> Figure:
    """A matplotlib Figure drawn by the Agg canvas: no pyplot, no global backend switch."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(_PLOT_HINT) from error
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Write a matplotlib Figure to `path` as PNG or SVG (by suffix), atomically."""
    out = check_output_path(path, "save_figure: path", (".png", ".svg"))
    kind = out.suffix.lower()[1:]
    # No date or version stamps: the same figure gives the same bytes.
    metadata: dict[str, Any] = {"Date": None} if kind == "svg" else {"Software": None}

    def write(temporary: Path) -> None:
        fig.savefig(temporary, format=kind, dpi=dpi, metadata=metadata)

    write_atomically(out, write)
    return out


def sweep_model(
    model: M,
    loss_fn: Callable[[M], Any],
    lrs: Sequence[float],
    steps: int = 100,
    thresholds: Sequence[float] = (),
    *,
    optimizer: Callable[..., Optimizer] = SGD,
    loss_name: str = "loss",
    progress: bool | None = None,
) -> Sweep:
    """Train `model` from its current parameters once per learning rate, `steps` iterations
    each, with ``optimizer(model.parameters(), lr=lr)``; the model is left as it started."""
    lrs = _check_lrs(lrs, "sweep: lrs")
    steps = whole(steps, "sweep: steps")
    thresholds = _check_thresholds(thresholds, "sweep: thresholds")
    if not isinstance(model, Module):
        raise TypeError(f"sweep: model must be a Module, got {type(model).__name__}")
    start = [_copy(p.data) for p in model.parameters()]
    curves: dict[float, tuple[float, ...]] = {}
    try:
        for lr in lrs:
            model.set_parameters([_copy(v) for v in start])
            history = train(
                model,
                loss_fn,
                optimizer(model.parameters(), lr=lr),
                steps,
                progress=progress,
                desc=f"lr={lr:g}",
            )
            curves[lr] = tuple(history.curve)
    finally:
        model.set_parameters([_copy(v) for v in start])
    return Sweep(lrs, steps, thresholds, curves, loss_name)
