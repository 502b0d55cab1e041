"""Training and experiments: a training loop with a history, the 2-2-2 spreadsheet, and
learning-rate sweeps with their summary table and plots.

Iterations count from 0, and iteration k always means *the parameters after k updates*:

- ``history.loss[k]`` is the loss at iteration k. The training step that computed it then made
  update k + 1: w ← w − lr·∂loss/∂w (unless it stopped there, see ``until``).
- ``spreadsheet_rows`` gives one row per iteration: the weights at iteration k, the forward pass
  and E_total at those weights, and dw1..dw8 there. The next row's weights are w − lr·dw.
- ``history.curve[k]`` is the loss after k updates for k = 0 … ``history.updates``: the loss
  column, plus the loss at the final weights. A sweep of ``steps`` iterations has curves of
  ``steps + 1`` points, and "the first iteration below a threshold" is the number of updates
  it took.

>>> history = train_net222(lr=0.5, steps=3)           # the seeds' example, three iterations
>>> [round(E, 9) for E in history.curve]               # E_total after 0, 1, 2 and 3 updates
[0.242519857, 0.235495378, 0.228620206, 0.221899353]
>>> row = spreadsheet_rows(history)[1]
>>> round(row["w1"], 9), round(row["dw1"], 9)           # w1 after one update, and ∂E_total/∂w1
(0.149905872, 0.000107813)
"""

from __future__ import annotations

import csv
import math
import numbers
import os
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from tinygrad_edu._files import write_atomically
from tinygrad_edu._format import table
from tinygrad_edu.graph import no_grad
from tinygrad_edu.net222 import BIAS_NAMES, SEED, WEIGHT_NAMES, Net222
from tinygrad_edu.nn import Module
from tinygrad_edu.optim import SGD, Optimizer, _learning_rate
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.value import Value

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "RECORD_ALL",
    "SEED_LRS",
    "SEED_THRESHOLDS",
    "SPREADSHEET_COLUMNS",
    "History",
    "Sweep",
    "check_lr",
    "check_numbers",
    "check_output_path",
    "check_positive",
    "check_steps",
    "first_below",
    "parse_floats",
    "parse_lrs",
    "parse_thresholds",
    "report_net222",
    "save_figure",
    "show_progress",
    "spreadsheet_rows",
    "sweep",
    "sweep_model",
    "train",
    "train_net222",
    "write_csv",
    "write_table",
    "write_xlsx",
]

#: The learning rates of the seeds' experiment.
SEED_LRS = (0.1, 0.2, 0.5, 0.8, 1.0, 2.0)
#: Default thresholds of a sweep's summary: the first iteration with E_total below each.
SEED_THRESHOLDS = (0.01, 0.001)
#: What `train` can record each iteration besides the loss.
RECORD_ALL = ("params", "grads", "nodes")

_FORWARD_NAMES = ("h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total")
#: The spreadsheet's columns, as in the derivation (with biases, b_h1..b_o2 follow w8 and
#: db_h1..db_o2 follow dw8).
SPREADSHEET_COLUMNS = (
    "iteration",
    "t1", "t2", "i1", "i2",
    *WEIGHT_NAMES,
    *_FORWARD_NAMES,
    *(f"d{name}" for name in WEIGHT_NAMES),
)  # fmt: skip

_PLOT_HINT = 'plotting needs matplotlib: pip install "tinygrad-edu[plot]"'
_XLSX_HINT = 'writing .xlsx needs openpyxl: pip install "tinygrad-edu[xlsx]"'

M = TypeVar("M", bound=Module)


# --- checking arguments (the library's and the command line's) ------------------------------------


def check_lr(lr: object, what: str = "lr") -> float:
    """`lr` as a float if it is a finite number > 0, else a ValueError naming `what`.

    >>> check_lr(0.5)
    0.5
    >>> check_lr(-1, "--lr")
    Traceback (most recent call last):
    ValueError: --lr: invalid learning rate -1; it must be a finite number > 0
    """
    return _learning_rate(lr, what)


def check_positive(x: object, what: str) -> float:
    """`x` as a float if it is a finite number > 0 (a threshold, ``until``), else a ValueError.

    >>> check_positive(1e-3, "until")
    0.001
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0.0 < float(x) < math.inf:
        raise ValueError(f"{what}: must be a finite number > 0, got {x!r}")
    return float(x)


def check_steps(steps: object, what: str = "steps") -> int:
    """`steps` as an int if it is a whole number >= 1, else a ValueError naming `what`.

    >>> check_steps(100)
    100
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"{what}: must be a whole number >= 1, got {steps!r}")
    return int(steps)


def check_numbers(values: object, count: int, what: str) -> tuple[float, ...]:
    """`values` as `count` finite floats, else a ValueError naming `what` and the count.

    >>> check_numbers([0.05, 0.1], 2, "i (i1, i2)")
    (0.05, 0.1)
    >>> check_numbers([0.15] * 7, 8, "w (w1..w8)")
    Traceback (most recent call last):
    ValueError: w (w1..w8): needs 8 numbers, got 7
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ValueError(f"{what}: needs {count} numbers, got {values!r}")
    if len(values) != count:
        raise ValueError(f"{what}: needs {count} numbers, got {len(values)}")
    numbers_ = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{what}: needs finite numbers, got {v!r}")
        numbers_.append(float(v))
    return tuple(numbers_)


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

    >>> parse_lrs("0.1,0.2,0.5,0.8,1.0,2.0") == SEED_LRS
    True
    """
    return _check_lrs(parse_floats(text, what), what)


def parse_thresholds(text: str, what: str = "--thresholds") -> tuple[float, ...]:
    """Loss thresholds from "0.01,0.001": each finite and > 0.

    >>> parse_thresholds("0.01,0.001")
    (0.01, 0.001)
    """
    return _check_thresholds(parse_floats(text, what), what)


def _check_lrs(lrs: object, what: str) -> tuple[float, ...]:
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, Iterable):
        raise ValueError(f"{what}: must be a list of learning rates, got {lrs!r}")
    checked = tuple(check_lr(lr, what) for lr in lrs)
    if not checked:
        raise ValueError(f"{what}: needs at least one learning rate")
    repeated = sorted({lr for lr in checked if checked.count(lr) > 1})
    if repeated:
        raise ValueError(f"{what}: learning rate {repeated[0]!r} is given twice")
    return checked


def _check_thresholds(thresholds: object, what: str) -> tuple[float, ...]:
    if isinstance(thresholds, (str, bytes)) or not isinstance(thresholds, Iterable):
        raise ValueError(f"{what}: must be a list of numbers > 0, got {thresholds!r}")
    return tuple(check_positive(th, what) for th in thresholds)


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
    model (``model.nodes``, as Net222 has) at iteration k, before that iteration's update.
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
    #: Each parameter, and the loss, after the last update.
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
    threshold = check_positive(threshold, "first_below: threshold")
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
    steps = check_steps(steps, "train: steps")
    threshold = None if until is None else check_positive(until, "train: until")
    wanted = _record_items(record)
    if isinstance(optimizer, Optimizer):
        opt = optimizer
    else:
        opt = SGD(model.parameters(), lr=check_lr(optimizer, "train: lr"))
    params = model.parameters()
    names = _names(params)
    history = History(lr=getattr(opt, "lr", None), until=threshold)
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
            f"train: record='nodes' needs a model with a .nodes mapping of named nodes (as "
            f"Net222 has); {type(model).__name__} has none"
        )
    return {name: _copy(node.data) for name, node in nodes.items()}


# --- the 2-2-2 network: training and its spreadsheet ----------------------------------------------


def train_net222(
    w: Sequence[float] = SEED.w,
    i: Sequence[float] = SEED.i,
    t: Sequence[float] = SEED.t,
    b: Sequence[float] | None = None,
    lr: float = 0.5,
    steps: int = 1000,
    until: float | None = None,
    *,
    record: str | Collection[str] = RECORD_ALL,
    progress: bool | None = None,
) -> History:
    """Train the derivation's 2-2-2 network by SGD on E_total, w ← w − lr·∂E_total/∂w.

    w = (w1..w8), i = (i1, i2), t = (t1, t2), b = None or (b_h1, b_h2, b_o1, b_o2); the
    defaults are the seeds' example. Records everything `spreadsheet_rows` needs.

    >>> history = train_net222(lr=2.0, steps=1000, until=1e-3)
    >>> history.stopped_by, history.iterations, history.updates, round(history.final_loss, 6)
    ('until', 363, 362, 0.000996)
    """
    w = check_numbers(w, 8, "train_net222: w (w1..w8)")
    i = check_numbers(i, 2, "train_net222: i (i1, i2)")
    t = check_numbers(t, 2, "train_net222: t (t1, t2)")
    b = None if b is None else check_numbers(b, 4, "train_net222: b (b_h1, b_h2, b_o1, b_o2)")
    lr = check_lr(lr, "train_net222: lr")
    net = Net222(w, b)
    return train(
        net,
        lambda net: net(i=i, t=t),
        SGD(net.parameters(), lr=lr),
        check_steps(steps, "train_net222: steps"),
        None if until is None else check_positive(until, "train_net222: until"),
        record=record,
        progress=progress,
        desc=f"2-2-2 net, lr={lr:g}",
    )


def spreadsheet_rows(history: History) -> list[dict[str, float]]:
    """One row per iteration of a `train_net222` run, with the derivation's columns
    (`SPREADSHEET_COLUMNS`): iteration, t1, t2, i1, i2, w1..w8, h1 … E_total, dw1..dw8.

    Row k holds the weights at iteration k, the forward pass there, and ∂E_total/∂w there;
    row k + 1's weights are w − lr·dw.
    """
    if not (history.params and history.grads and history.nodes):
        raise ValueError(
            "spreadsheet_rows: the history has no recorded parameters, gradients and nodes; "
            "train with record='all' (train_net222 does by default)"
        )
    if "w1" not in history.params[0] or "E_total" not in history.nodes[0]:
        raise ValueError(
            "spreadsheet_rows: this history is not of a Net222 (it has no parameter 'w1' or no "
            "node 'E_total')"
        )
    biases = tuple(name for name in BIAS_NAMES if name in history.params[0])
    rows = []
    for k, (params, grads, nodes) in enumerate(zip(history.params, history.grads, history.nodes)):
        row: dict[str, float] = {"iteration": k}
        row.update({name: nodes[name] for name in ("t1", "t2", "i1", "i2")})
        row.update({name: params[name] for name in (*WEIGHT_NAMES, *biases)})
        row.update({name: nodes[name] for name in _FORWARD_NAMES})
        row.update({f"d{name}": grads[name] for name in (*WEIGHT_NAMES, *biases)})
        rows.append(row)
    return rows


def report_net222(history: History) -> str:
    """A short text report of a `train_net222` run: E_total before and after, and the weights."""
    if not history.loss:
        raise ValueError("report_net222: the history is empty")
    lr = "?" if history.lr is None else f"{history.lr:g}"
    if history.stopped_by == "until":
        how = f"stopped at iteration {history.iterations - 1}, where E_total < {history.until:g}"
    else:
        how = f"{history.updates} iterations"
    lines = [
        f"2-2-2 network trained by SGD with lr = {lr}: {how}",
        f"  E_total: {history.loss[0]:.12f} at iteration 0 → {history.final_loss:.12f} "
        f"after {history.updates} updates",
        "",
    ]
    names = [name for name in (*WEIGHT_NAMES, *BIAS_NAMES) if name in history.final_params]
    start = history.params[0] if history.params else {}
    lines.append(
        table(
            ["parameter", "start", "final"],
            [
                [name, f"{start[name]:.12f}" if name in start else "", f"{final:.12f}"]
                for name in names
                for final in [float(history.final_params[name])]
            ],
        )
    )
    return "\n".join(lines)


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
    lrs: Sequence[float] = SEED_LRS,
    steps: int = 100,
    thresholds: Sequence[float] = SEED_THRESHOLDS,
    *,
    optimizer: Callable[..., Optimizer] = SGD,
    loss_name: str = "loss",
    progress: bool | None = None,
) -> Sweep:
    """Train `model` from its current parameters once per learning rate, `steps` iterations
    each, with ``optimizer(model.parameters(), lr=lr)``; the model is left as it started."""
    lrs = _check_lrs(lrs, "sweep: lrs")
    steps = check_steps(steps, "sweep: steps")
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


def sweep(
    lrs: Sequence[float] = SEED_LRS,
    steps: int = 100,
    thresholds: Sequence[float] = SEED_THRESHOLDS,
    *,
    w: Sequence[float] = SEED.w,
    i: Sequence[float] = SEED.i,
    t: Sequence[float] = SEED.t,
    b: Sequence[float] | None = None,
    progress: bool | None = None,
) -> Sweep:
    """The seeds' experiment: train the 2-2-2 network from the same start once per learning
    rate, and compare the E_total curves.

    >>> result = sweep(steps=100)
    >>> result.curves[0.5][0]                   # every curve starts at the seeds' E_total
    0.24251985734837728
    >>> result.first_below(2.0, 0.01)           # lr 2.0 needs this many updates
    59
    """
    w = check_numbers(w, 8, "sweep: w (w1..w8)")
    i = check_numbers(i, 2, "sweep: i (i1, i2)")
    t = check_numbers(t, 2, "sweep: t (t1, t2)")
    b = None if b is None else check_numbers(b, 4, "sweep: b (b_h1, b_h2, b_o1, b_o2)")
    return sweep_model(
        Net222(w, b),
        lambda net: net(i=i, t=t),
        lrs,
        steps,
        thresholds,
        loss_name="E_total",
        progress=progress,
    )
