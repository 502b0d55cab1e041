"""The spreadsheet of live formulas: written from the graph, recomputed by LibreOffice Calc.

The proof is a real spreadsheet engine: every workbook below is recalculated by LibreOffice in
headless mode (one run for all of them), read back, and every forward and gradient cell of
every iteration is compared with the engine's own training run. Tests that need LibreOffice
skip without ``soffice``, except under CI=true, where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu import MLP, SEED, SGD, Net222, Tensor, Value
from tinygrad_edu.explain import forward_order, node_names
from tinygrad_edu.net222 import WEIGHT_NAMES, sheet_net222, train_net222
from tinygrad_edu.primitives import CATALOGUE, MATMUL, SIGMOID
from tinygrad_edu.sheet import (
    FIRST_ROW,
    HEADER_ROW,
    Formula,
    SpreadsheetMath,
    spreadsheet_formula,
    to_spreadsheet,
)

openpyxl = pytest.importorskip("openpyxl")

#: Every cell agrees with the engine to this relative difference. LibreOffice computes in the
#: same IEEE doubles with the same libm, and the forward formulas keep the engine's order of
#: operations; the backward cells are derive's factored sums, the same products added in
#: another order, so they differ by rounding (about 1e-16), as do the weights they update; and
#: LibreOffice writes 15 significant digits into the file (5e-16 more). Where a cell is a
#: difference of nearly equal numbers — a loss near 0, a gradient crossing 0 — those roundings
#: are amplified relative to the cell itself, but not relative to the numbers subtracted: the
#: XOR net below, whose gradients sum four samples of opposite signs, is held to RTOL times the
#: largest value of each column (measured: 7e-11 relative to the cell itself, at a gradient
#: that passes through zero).
RTOL = 1e-12

BIASES = (0.35, 0.35, 0.6, 0.6)


# --- the engine's run: what every cell must equal -------------------------------------------------


def engine_run(
    build: Callable[[], Value], params: Sequence[Value], lr: float, iterations: int
) -> list[dict[str, float]]:
    """Gradient descent by the engine: per iteration, every named node's value, and
    d<name> = ∂root/∂node for every parameter and named node, by backward()."""
    optimizer = SGD(list(params), lr=lr)
    rows = []
    for _ in range(iterations):
        optimizer.zero_grad()
        root = build()
        root.backward()
        names = node_names(root)
        row = {}
        for node in forward_order(root):
            if node.label or node._op is not None:
                row[names[id(node)]] = node.data
                row["d" + names[id(node)]] = node.grad
        rows.append(row)
        optimizer.step()
    return rows


def net222_build(net: Net222) -> Callable[[], Value]:
    return lambda: net(i=SEED.i, t=SEED.t)


def tanh_231() -> tuple[MLP, Callable[[], Value]]:
    """A 2-3-1 net of tanh units with biases, on one sample: L = ½(a2_1 − t)²."""
    net = MLP(2, [3, 1], activation="tanh", seed=7)

    def build() -> Value:
        (y,) = net([Value(0.5, "x1"), Value(-0.3, "x2")])
        L = 0.5 * (y - Value(0.7, "t")) ** 2
        L.label = "L"
        return L

    return net, build


XOR = (((0.5, 0.5), -0.5), ((0.5, -0.5), 0.5), ((-0.5, 0.5), 0.5), ((-0.5, -0.5), -0.5))


def tanh_231_xor() -> tuple[MLP, Callable[[], Value]]:
    """The same kind of net on the four samples of XOR: L = Σ_k ½(y_k − t_k)²."""
    net = MLP(2, [3, 1], activation="tanh", seed=2)

    def build() -> Value:
        total = Value(0.0)
        for k, ((x1, x2), t) in enumerate(XOR, start=1):
            (y,) = net([Value(x1, f"x1_{k}"), Value(x2, f"x2_{k}")])
            E = 0.5 * (y - Value(t, f"t{k}")) ** 2
            E.label = f"E{k}"
            total = total + E
        total.label = "L"
        return total

    return net, build


def every_primitive() -> tuple[list[Value], Callable[[], Value]]:
    """One graph using every scalar primitive of the catalogue, away from kinks."""
    x = Value(0.7, "x", requires_grad=True)
    y = Value(-0.4, "y", requires_grad=True)

    def build() -> Value:
        c = Value(1.3, "c")
        parts = {
            "a": (x * c).exp(), "b": (x * x + 1).log(), "s": (x * x + 0.5).sqrt(),
            "t": (y * c).tanh(), "g": (x - y).sigmoid(), "r": (x + y).relu(), "m": y.abs(),
            "sp": (x * y).softplus(), "mx": x.maximum(y), "mn": x.minimum(y),
            "e": (x * 0.5).erf(), "lk": y.leaky_relu(0.1), "p": x**y, "q": 2.0**x,
            "d": x / (y - 1), "n": -y, "sq": (x - y) ** 2,
        }  # fmt: skip
        total = Value(0.0)
        for name, node in parts.items():
            node.label = name
            total = total + node
        total.label = "L"
        return total

    return [x, y], build


# --- LibreOffice --------------------------------------------------------------------------------


def soffice() -> str:
    """The LibreOffice command, or a skip (a failure under CI=true)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        message = "LibreOffice is not installed (sudo apt-get install libreoffice-calc)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it to prove the spreadsheet")
        pytest.skip(message)
    return found


# A private profile that recalculates every formula when a file is loaded, whatever values the
# file carries (the default keeps an .xlsx file's own values).
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(files: Sequence[Path], folder: Path) -> dict[str, Path]:
    """Open each workbook in LibreOffice Calc, recalculate it and save it into `folder` (one
    LibreOffice run for all); {file name: recalculated file}."""
    command = soffice()
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    out = folder / "recalculated"
    started = time.perf_counter()
    result = subprocess.run(
        [command, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
         *map(str, files)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    print(
        f"LibreOffice recalculated {len(files)} workbooks in {time.perf_counter() - started:.1f} s"
    )
    written = {f.name: out / f.name for f in files}
    missing = [name for name, path in written.items() if not path.exists()]
    assert result.returncode == 0 and not missing, (result.stdout, result.stderr, missing)
    return written


# --- reading a sheet ----------------------------------------------------------------------------


def read(path: Path, values: bool = True) -> dict[str, list[Any]]:
    """{header: the column's cells, one per iteration} of the sheet "iterations"."""
    sheet = openpyxl.load_workbook(path, data_only=values)["iterations"]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    headers, body = rows[0], rows[FIRST_ROW - HEADER_ROW :]
    return {h: [row[k] for row in body] for k, h in enumerate(headers) if h is not None}


def worst(
    sheet: dict[str, list[Any]], engine: list[dict[str, float]], columnwise: bool = False
) -> tuple[float, str]:
    """The largest relative difference between the sheet and the engine, over every cell of
    every column and iteration, and where it is: relative to each cell, or with `columnwise`
    to the largest value of its column."""
    assert len(sheet["iteration"]) == len(engine)
    largest, where = 0.0, ""
    for name, cells in sheet.items():
        if name == "iteration":
            continue
        column_scale = max(abs(row[name]) for row in engine)
        for k, (cell, row) in enumerate(zip(cells, engine)):
            assert isinstance(cell, (int, float)) and not isinstance(cell, bool), (name, k, cell)
            expected = row[name]
            scale = column_scale if columnwise else max(abs(cell), abs(expected))
            difference = 0.0 if scale == 0.0 else abs(cell - expected) / scale
            if difference > largest or not where:
                largest, where = difference, f"{name} at iteration {k}"
    return largest, where


# --- the workbooks, recalculated once -------------------------------------------------------------


class Case:
    """A workbook to recalculate and the engine's run it must reproduce (run once: training
    moves the model's weights)."""

    def __init__(self, path: Path, run: Callable[[], list[dict[str, float]]]) -> None:
        self.path = path
        self.run = run
        self.rows: list[dict[str, float]] | None = None

    def engine(self) -> list[dict[str, float]]:
        if self.rows is None:
            self.rows = self.run()
        return self.rows


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    soffice()  # skip (or fail, on CI) before writing anything
    folder = tmp_path_factory.mktemp("sheets")
    found: dict[str, Case] = {}

    path = sheet_net222(folder / "seed.xlsx", lr=0.5, iterations=100)
    net = Net222(SEED.w)
    found["seed"] = Case(path, lambda: engine_run(net222_build(net), net.weights, 0.5, 100))

    path = sheet_net222(folder / "biases.xlsx", b=BIASES, iterations=100, every_node=True)
    with_b = Net222(SEED.w, BIASES)
    found["biases"] = Case(
        path,
        lambda: engine_run(net222_build(with_b), with_b.weights + with_b.biases, 0.5, 100),
    )

    net231, build = tanh_231()
    path = to_spreadsheet(build(), folder / "tanh231.xlsx", iterations=100, lr=0.05)
    found["tanh231"] = Case(path, lambda: engine_run(build, net231.parameters(), 0.05, 100))

    xor, build_xor = tanh_231_xor()
    path = to_spreadsheet(build_xor(), folder / "xor.xlsx", iterations=100, lr=0.1)
    found["xor"] = Case(path, lambda: engine_run(build_xor, xor.parameters(), 0.1, 100))

    params, build_all = every_primitive()
    path = to_spreadsheet(build_all(), folder / "primitives.xlsx", iterations=20, lr=0.001)
    found["primitives"] = Case(path, lambda: engine_run(build_all, params, 0.001, 20))

    # η changed in the sheet itself, as a student would: the same workbook, another number.
    workbook = openpyxl.load_workbook(found["seed"].path)
    workbook["iterations"]["B1"] = 2.0
    workbook.save(folder / "eta2.xlsx")
    again = Net222(SEED.w)
    found["eta2"] = Case(
        folder / "eta2.xlsx", lambda: engine_run(net222_build(again), again.weights, 2.0, 100)
    )

    recalculated = recalculate([c.path for c in found.values()], folder)
    for case in found.values():
        case.path = recalculated[case.path.name]
    return found


@pytest.mark.parametrize("name", ["seed", "biases", "tanh231", "primitives", "eta2"])
def test_libreoffice_recomputes_the_engines_numbers_in_every_cell(
    cases: dict[str, Case], name: str
) -> None:
    largest, where = worst(read(cases[name].path), cases[name].engine())
    print(f"{name}: largest relative difference {largest:.2e} ({where})")
    assert largest <= RTOL, where


def test_libreoffice_recomputes_a_net_on_four_samples_up_to_its_cancellations(
    cases: dict[str, Case],
) -> None:
    sheet, engine = read(cases["xor"].path), cases["xor"].engine()
    assert engine[-1]["L"] < engine[0]["L"] / 2
    largest, where = worst(sheet, engine, columnwise=True)
    print(f"xor: largest difference relative to its column {largest:.2e} ({where})")
    assert largest <= RTOL, where
    cellwise, where = worst(sheet, engine)
    print(f"xor: largest difference relative to the cell {cellwise:.2e} ({where})")


def test_libreoffice_recomputes_a_file_whose_saved_numbers_are_stale(
    cases: dict[str, Case], tmp_path: Path
) -> None:
    # LibreOffice's copy carries the numbers it computed at η = 0.5. Change only η, in the
    # file's XML, and every saved number is stale: the private profile's recalculation on load
    # must replace them all (LibreOffice's default would show the stale ones).
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(cases["seed"].path) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'(<c r="B1"[^>]*><v>)0.5(</v>)', rb"\g<1>2\g<2>", data)
                assert count == 1
            target.writestr(item, data)
    assert read(stale)["E_total"] == read(cases["seed"].path)["E_total"]  # stale
    recalculated = recalculate([stale], tmp_path)["stale.xlsx"]
    largest, where = worst(read(recalculated), cases["eta2"].engine())
    assert largest <= RTOL, where


def test_the_written_workbook_has_formulas_and_no_numbers_for_them(tmp_path: Path) -> None:
    # So every number read back from LibreOffice's copy was computed by LibreOffice.
    path = sheet_net222(tmp_path / "seed.xlsx", iterations=3)
    values = read(path)
    assert values["w1"] == [0.15, None, None]
    assert values["E_total"] == [None, None, None]
    assert values["dw1"] == [None, None, None]


def test_the_seed_sheet_starts_where_the_derivation_does_and_its_loss_falls(
    cases: dict[str, Case],
) -> None:
    sheet = read(cases["seed"].path)
    assert sheet["E_total"][0] == pytest.approx(0.24251985734837728, rel=1e-14)
    history = train_net222(lr=0.5, steps=100, progress=False)
    assert sheet["E_total"] == pytest.approx(history.loss, rel=RTOL)
    faster = read(cases["eta2"].path)["E_total"]
    assert faster[0] == sheet["E_total"][0] and faster[-1] < sheet["E_total"][-1] / 2


def test_every_scalar_primitive_is_in_the_primitive_workbook() -> None:
    _, build = every_primitive()
    used = {node.primitive for node in forward_order(build()) if node._op is not None}
    scalar = {p for p in CATALOGUE if p.scalar is not None}
    assert scalar == used


# --- the formulas, as text ----------------------------------------------------------------------


def test_a_row_of_the_2_2_2_holds_the_derivations_formulas(tmp_path: Path) -> None:
    sheet = read(sheet_net222(tmp_path / "seed.xlsx", iterations=2), values=False)
    assert list(sheet) == [
        "iteration", "t1", "t2", "i1", "i2", *WEIGHT_NAMES,
        "h1", "h2", "a_h1", "a_h2", "o1", "o2", "a_o1", "a_o2", "E1", "E2", "E_total",
        *(f"d{w}" for w in WEIGHT_NAMES),
    ]  # fmt: skip
    row = {name: cells[1] for name, cells in sheet.items()}
    assert row["t1"] == "=B4"
    assert row["w1"] == "=F4-eta*Y4"
    assert row["h1"] == "=F5*D5+G5*E5"
    assert row["a_h1"] == "=IF(N5>=0,1/(1+EXP(-N5)),EXP(N5)/(1+EXP(N5)))"
    assert row["E1"] == "=0.5*(B5-T5)^2"
    assert row["E_total"] == "=V5+W5"
    # ∂E_total/∂w1 = ((a_o1 − t1)·a_o1·(1 − a_o1)·w5 + (a_o2 − t2)·a_o2·(1 − a_o2)·w7)·a_h1·(1 − a_h1)·i1
    assert row["dw1"] == "=((T5-B5)*T5*(1-T5)*J5+(U5-C5)*U5*(1-U5)*L5)*P5*(1-P5)*D5"
    assert row["dw5"] == "=(T5-B5)*T5*(1-T5)*P5"


def test_the_workbook_has_eta_comments_the_formulas_sheet_a_chart_and_frozen_panes(
    tmp_path: Path,
) -> None:
    workbook = openpyxl.load_workbook(sheet_net222(tmp_path / "seed.xlsx", lr=0.8, iterations=5))
    sheet = workbook["iterations"]
    assert workbook.defined_names["eta"].attr_text == "iterations!$B$1"
    assert sheet["B1"].value == 0.8
    assert sheet.freeze_panes == "B4"
    assert sheet["F4"].number_format == "0.000000000E+00"  # 10 significant digits
    comments = {c.value: c.comment.text for c in sheet[HEADER_ROW] if c.comment}
    assert comments["dw5"].startswith("∂E_total/∂w5 = (a_o1 − t1)·a_o1·(1 − a_o1)·a_h1")
    assert comments["h1"] == "h1 = w1*i1+w2*i2"
    formulas = {row[1]: row for row in workbook["formulas"].iter_rows(values_only=True)}
    assert formulas["dw1"][3] == (
        "∂E_total/∂w1 = ((a_o1 − t1)·a_o1·(1 − a_o1)·w5 + (a_o2 − t2)·a_o2·(1 − a_o2)·w7)"
        "·a_h1·(1 − a_h1)·i1"
    )
    assert formulas["a_h1"][4] == "=IF(N5>=0,1/(1+EXP(-N5)),EXP(N5)/(1+EXP(N5)))"
    assert "chart" in workbook.sheetnames


def test_formulas_keep_the_engines_order_and_the_spreadsheets_precedence() -> None:
    a, b, c = Formula("A1"), Formula("B1"), Formula("C1")
    assert str(a - (b - c)) == "A1-(B1-C1)"
    assert str((a - b) - c) == "A1-B1-C1"
    assert str(a * (b * c)) == "A1*(B1*C1)"
    assert str(-(a**2)) == "-(A1^2)"  # in a spreadsheet -A1^2 is (-A1)^2
    assert str((-a) ** 2) == "(-A1)^2"
    assert str(a ** (-b)) == "A1^(-B1)"
    assert str(a * -0.5) == "A1*(-0.5)"
    assert str(Formula.of(1e-05) + 0.1) == "1E-05+0.1"


def test_every_primitive_with_a_formula_has_a_spreadsheet_formula() -> None:
    for primitive in CATALOGUE:
        operands = [Formula(f"{letter}4") for letter in "BC"[: primitive.arity or 1]]
        if primitive.formula is None:
            with pytest.raises(ValueError, match=primitive.name):
                spreadsheet_formula(primitive, *operands)
            continue
        assert spreadsheet_formula(primitive, *operands).text
        assert primitive.derivative is not None
        assert primitive.derivative(SpreadsheetMath, Formula("D4"), *operands)


def test_a_primitive_without_a_spreadsheet_formula_is_named() -> None:
    with pytest.raises(ValueError, match=r"matrix product \(@\) has no spreadsheet formula"):
        spreadsheet_formula(MATMUL, Formula("B4"), Formula("C4"))
    with pytest.raises(ValueError, match="takes 1 operands, got 2"):
        spreadsheet_formula(SIGMOID, Formula("B4"), Formula("C4"))


# --- bad input ----------------------------------------------------------------------------------


def simple() -> tuple[Value, Value, Value]:
    x, w = Value(0.5, "x"), Value(0.8, "w", requires_grad=True)
    y = (w * x).sigmoid()
    y.label = "y"
    return y, x, w


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.csv"), ValueError, "must end in .xlsx"),
        (lambda p, y, x, w: to_spreadsheet(Tensor([1.0]), p / "a.xlsx"), TypeError, "root must be a Value"),
        (lambda p, y, x, w: to_spreadsheet(w, p / "a.xlsx"), ValueError, "root is a leaf"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", iterations=0), ValueError, "iterations: must be a whole number >= 1"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", iterations=2.5), TypeError, "whole number"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", iterations=10**7), ValueError, "do not fit in a worksheet"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", lr=-1), ValueError, "invalid learning rate -1"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=[Value(1.0, "z")]), ValueError, r"params\[0\] \(z\) is not in the graph of y"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=[y]), ValueError, "computed by sigmoid; only leaves"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=[w, w]), ValueError, "listed twice"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=w), TypeError, "params must be a list of Values"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=[]), ValueError, "params is empty"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", inputs=[w]), ValueError, r"inputs\[0\] \(w\) is a parameter"),
        (lambda p, y, x, w: to_spreadsheet(y, p / "a.xlsx", params=[w], every_node="yes"), TypeError, "every_node"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(
    tmp_path: Path, call: Callable[..., Any], error: type[Exception], message: str
) -> None:
    y, x, w = simple()
    with pytest.raises(error, match=message):
        call(tmp_path, y, x, w)
    assert not (tmp_path / "a.xlsx").exists()


def test_an_unlabelled_parameter_must_be_labelled(tmp_path: Path) -> None:
    w = Value(0.8, requires_grad=True)
    y = (w * 2.0).tanh()
    y.label = "y"
    with pytest.raises(ValueError, match=r"params\[0\] has no label; label it"):
        to_spreadsheet(y, tmp_path / "a.xlsx", params=[w])
    with pytest.raises(ValueError, match="has no parameters"):
        to_spreadsheet(y, tmp_path / "a.xlsx")


def test_without_openpyxl_the_error_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    y, _, _ = simple()
    with pytest.raises(ImportError, match=r'pip install "tinygrad-edu\[xlsx\]"'):
        to_spreadsheet(y, tmp_path / "a.xlsx")


def test_an_unnamed_graph_gets_a_column_per_node(tmp_path: Path) -> None:
    a = Value(2.0, "a", requires_grad=True)
    y = (a * a + 1).log()
    sheet = read(to_spreadsheet(y, tmp_path / "y.xlsx", iterations=2), values=False)
    # n3 is the constant 1: a number in the formula of n4, not a column.
    assert list(sheet) == ["iteration", "a", "n2", "n4", "n5", "da"]
    assert sheet["n4"][0] == "=C4+1"
    assert sheet["n5"][0] == "=LN(D4)"
    assert sheet["da"][0] == "=2*(1/D4)*B4"  # derive: ∂n5/∂a = 2·1/n4·a
    assert math.isclose(y.data, math.log(5.0))


# --- the command line ---------------------------------------------------------------------------


def test_the_sheet_command_writes_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tinygrad_edu.__main__ import main

    out = tmp_path / "net.xlsx"
    assert main(["sheet", "--lr", "0.8", "--iterations", "4", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert workbook["iterations"]["B1"].value == 0.8
    assert workbook["iterations"].max_row == FIRST_ROW + 3


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sheet", "--out", "net.csv"], "must end in .xlsx"),
        (["sheet", "--iterations", "0"], "iterations: must be a whole number >= 1, got 0"),
        (["sheet", "--lr", "0"], "invalid learning rate '0'"),
        (["sheet", "--out", "/no/such/folder/net.xlsx"], "folder '/no/such/folder' does not exist"),
    ],
)
def test_the_sheet_command_reports_mistakes_in_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tinygrad_edu.__main__ import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
