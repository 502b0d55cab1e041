"""The spreadsheet students build by hand, written from any graph of Values, with live formulas.

Four of the five write-ups of the 2-2-2 derivation end in a spreadsheet: one row per iteration,
columns t1, t2, i1, i2, w1..w8, h1 … E_total, dw1..dw8, each cell a formula the student typed,
the next row's weights ``= w − η·dw``. `to_spreadsheet` writes that workbook for any graph:

- the forward pass: one column per named node, each cell its primitive's formula over its
  parents' cells, ``=IF(F4>=0,1/(1+EXP(-F4)),EXP(F4)/(1+EXP(F4)))`` for σ. The formula is the
  catalogue's own (`Primitive.formula`), written in the namespace `SpreadsheetMath`, whose σ and
  softplus are the engine's overflow-free forms, so the spreadsheet recomputes the engine's
  numbers;
- the backward pass: one column per parameter (and, on request, per node), each cell the
  closed form that `tinygrad_edu.explain.derive` prints — the sums over chain-rule paths,
  factored — over the forward cells of its row;
- one row per iteration; the next row's parameters ``= w − eta·dw``, with η in the cell named
  ``eta``. Change η, or a starting value in the first row, and the spreadsheet re-runs the
  whole experiment.

Numbers that are not named (the ½ of ½(t − y)²) are written into the formulas; unnamed
helper nodes (the product w1·i1) are folded into the formula of the named node above them, as
`derive` folds them into its edges.

>>> from tinygrad_edu.primitives import SIGMOID
>>> print(spreadsheet_formula(SIGMOID, Formula("F4")))
IF(F4>=0,1/(1+EXP(-F4)),EXP(F4)/(1+EXP(F4)))
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinygrad_edu._checks import flag, learning_rate, whole
from tinygrad_edu._files import write_atomically
from tinygrad_edu.graph import topological_order
from tinygrad_edu.primitives import Primitive
from tinygrad_edu.train import check_output_path
from tinygrad_edu.value import Value

__all__ = [
    "MAX_FORMULA_CHARS",
    "MAX_ITERATIONS",
    "Formula",
    "SpreadsheetMath",
    "spreadsheet_formula",
    "to_spreadsheet",
]

_XLSX_HINT = 'writing a spreadsheet needs openpyxl: pip install "tinygrad-edu[xlsx]"'

#: The longest formula a spreadsheet cell holds (Excel's limit; LibreOffice reads it too).
MAX_FORMULA_CHARS = 8192

#: The most iterations a sheet holds: one row each, below the three rows of headers, within
#: the 1,048,576 rows of an .xlsx worksheet.
MAX_ITERATIONS = 1_048_576 - 3

#: Where things are on the first sheet: η, the header row, the first iteration's row.
ETA_CELL = "B1"
HEADER_ROW = 3
FIRST_ROW = 4

#: 10 significant digits, in the scientific form that shows them for any magnitude.
NUMBER_FORMAT = "0.000000000E+00"

_SHEET = "iterations"


# --- formulas as spreadsheet text ---------------------------------------------------------------

# How tightly each kind of expression binds, loosest first. Spreadsheets differ from Python in
# one place: unary minus binds tighter than ^, so there -x^2 means (-x)^2.
_COMPARISON, _SUM, _PRODUCT, _POWER, _NEGATION, _ATOM = range(6)


class Formula:
    """A spreadsheet formula being built, e.g. ``Formula("F4")``: its text, and how tightly it
    binds, so that arithmetic on formulas writes exactly the parentheses the spreadsheet needs
    to compute the same tree, in the same order, as the engine.

    >>> a, b = Formula("A4"), Formula("B4")
    >>> print(1 - a * (b - 2) ** 2, -(a**2))
    1-A4*(B4-2)^2 -(A4^2)
    """

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = _ATOM) -> None:
        self.text = text
        self.precedence = precedence

    @classmethod
    def of(cls, x: Formula | float) -> Formula:
        """`x` itself if it is a Formula; a number as the spreadsheet reads it back exactly."""
        if isinstance(x, Formula):
            return x
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"spreadsheet formula: expected a Formula or a number, got {x!r:.60}")
        value = float(x)
        if not math.isfinite(value):
            raise ValueError(f"spreadsheet formula: a cell cannot hold the number {value!r}")
        # repr: the shortest decimal that reads back as the same float (0.1, not 0.1000…01).
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return cls(text.upper(), _NEGATION if text.startswith("-") else _ATOM)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def _at(self, loosest: int) -> str:
        """The text, in parentheses unless it binds at least as tightly as `loosest`."""
        return self.text if self.precedence >= loosest else f"({self.text})"

    def _binary(self, symbol: str, level: int, other: Formula | float, reflected: bool) -> Formula:
        left, right = (Formula.of(other), self) if reflected else (self, Formula.of(other))
        # Left to right, as the engine computed it: the left operand may bind as loosely as the
        # operator, the right one must bind tighter (a − (b − c) keeps its parentheses). A
        # power's operands, and a negative right operand, are always in parentheses, for the
        # reader: (-x)^2, x*(-0.5).
        tightest = _ATOM if level == _POWER else level
        right_at = _ATOM if level == _POWER or right.precedence == _NEGATION else level + 1
        return Formula(f"{left._at(tightest)}{symbol}{right._at(right_at)}", level)

    def __add__(self, other: Formula | float) -> Formula:
        return self._binary("+", _SUM, other, False)

    def __radd__(self, other: Formula | float) -> Formula:
        return self._binary("+", _SUM, other, True)

    def __sub__(self, other: Formula | float) -> Formula:
        return self._binary("-", _SUM, other, False)

    def __rsub__(self, other: Formula | float) -> Formula:
        return self._binary("-", _SUM, other, True)

    def __mul__(self, other: Formula | float) -> Formula:
        return self._binary("*", _PRODUCT, other, False)

    def __rmul__(self, other: Formula | float) -> Formula:
        return self._binary("*", _PRODUCT, other, True)

    def __truediv__(self, other: Formula | float) -> Formula:
        return self._binary("/", _PRODUCT, other, False)

    def __rtruediv__(self, other: Formula | float) -> Formula:
        return self._binary("/", _PRODUCT, other, True)

    def __pow__(self, other: Formula | float) -> Formula:
        return self._binary("^", _POWER, other, False)

    def __rpow__(self, other: Formula | float) -> Formula:
        return self._binary("^", _POWER, other, True)

    def __neg__(self) -> Formula:
        return Formula(f"-{self._at(_ATOM)}", _NEGATION)


def _call(function: str, *args: Formula | float) -> Formula:
    return Formula(f"{function}({','.join(Formula.of(a).text for a in args)})")


def _compare(x: Formula | float, operator: str, y: Formula | float) -> Formula:
    left, right = Formula.of(x), Formula.of(y)
    return Formula(f"{left._at(_SUM)}{operator}{right._at(_SUM)}", _COMPARISON)


class SpreadsheetMath:
    """The functions a primitive's formulas use (``f.exp``, ``f.sigmoid``, …) as spreadsheet
    text: pass it as ``f`` to `Primitive.formula` or `Primitive.derivative`, with `Formula`
    operands, to get what a cell holds. σ and softplus are the engine's overflow-free forms.

    >>> from tinygrad_edu.primitives import TANH
    >>> print(TANH.derivative(SpreadsheetMath, Formula("G4"), Formula("F4"))[0])
    1-G4^2
    """

    pi = Formula("PI()")

    @staticmethod
    def exp(x: Formula | float) -> Formula:
        """EXP(x)."""
        return _call("EXP", x)

    @staticmethod
    def log(x: Formula | float) -> Formula:
        """LN(x), the natural logarithm."""
        return _call("LN", x)

    @staticmethod
    def tanh(x: Formula | float) -> Formula:
        """TANH(x)."""
        return _call("TANH", x)

    @staticmethod
    def sqrt(x: Formula | float) -> Formula:
        """SQRT(x)."""
        return _call("SQRT", x)

    @staticmethod
    def abs(x: Formula | float) -> Formula:
        """ABS(x)."""
        return _call("ABS", x)

    @staticmethod
    def sign(x: Formula | float) -> Formula:
        """SIGN(x): −1, 0 or 1."""
        return _call("SIGN", x)

    @staticmethod
    def erf(x: Formula | float) -> Formula:
        """ERF(x), the error function."""
        return _call("ERF", x)

    @staticmethod
    def maximum(x: Formula | float, y: Formula | float) -> Formula:
        """MAX(x,y)."""
        return _call("MAX", x, y)

    @staticmethod
    def minimum(x: Formula | float, y: Formula | float) -> Formula:
        """MIN(x,y)."""
        return _call("MIN", x, y)

    @staticmethod
    def product(x: Formula | float, y: Formula | float) -> Formula:
        """x*y."""
        return Formula.of(x) * y

    @staticmethod
    def sigmoid(x: Formula | float) -> Formula:
        """σ(x) as the engine computes it: 1/(1+e^−x) for x ≥ 0, e^x/(1+e^x) below, so that
        EXP never overflows (EXP(710) is an error in a spreadsheet)."""
        e = SpreadsheetMath.exp
        return _call("IF", _compare(x, ">=", 0), 1 / (1 + e(-Formula.of(x))), e(x) / (1 + e(x)))

    @staticmethod
    def softplus(x: Formula | float) -> Formula:
        """log(1 + e^x) as max(x, 0) + log(1 + e^−|x|), whose EXP never overflows."""
        f = SpreadsheetMath
        return f.maximum(x, 0) + f.log(1 + f.exp(-f.abs(x)))

    @staticmethod
    def relu(x: Formula | float) -> Formula:
        """MAX(x,0)."""
        return _call("MAX", x, 0)

    @staticmethod
    def step(x: Formula | float) -> Formula:
        """[x > 0]: IF(x>0,1,0) (relu's derivative, 0 at 0 by convention)."""
        return _call("IF", _compare(x, ">", 0), 1, 0)


def spreadsheet_formula(primitive: Primitive, *operands: Formula | float) -> Formula:
    """The spreadsheet formula of `primitive` over its operands' formulas: the catalogue's
    `formula`, written in `SpreadsheetMath`; a primitive without one raises a ValueError.

    >>> from tinygrad_edu.primitives import MUL
    >>> print(spreadsheet_formula(MUL, Formula("B4"), -0.5))
    B4*(-0.5)
    """
    if not isinstance(primitive, Primitive):
        raise TypeError(
            f"spreadsheet_formula: expected a Primitive, got {type(primitive).__name__}"
        )
    where = f"{primitive.name} ({primitive.symbol})"
    if primitive.formula is None:
        raise ValueError(
            f"spreadsheet_formula: {where} has no spreadsheet formula: the catalogue gives it "
            "no `formula` (it acts on whole arrays, not number by number)"
        )
    if primitive.arity is not None and len(operands) != primitive.arity:
        raise ValueError(
            f"spreadsheet_formula: {where} takes {primitive.arity} operands, got {len(operands)}"
        )
    try:
        result = primitive.formula(SpreadsheetMath, *(Formula.of(x) for x in operands))
    except AttributeError as error:
        raise ValueError(
            f"spreadsheet_formula: {where} has no spreadsheet formula: its formula uses "
            f"f.{error.name}, which SpreadsheetMath does not define"
        ) from None
    return Formula.of(result)


# --- derive's closed forms as spreadsheet text --------------------------------------------------


_RELATIONS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "==": "=", "!=": "<>"}


def _sympy_functions() -> dict[Any, str]:
    """{sympy function: its name in SymbolicMath}: each is written with the SpreadsheetMath
    function of the same name, so the two namespaces stay one vocabulary."""
    import sympy

    from tinygrad_edu.explain import SymbolicMath

    functions = {}
    for name in dir(SymbolicMath):
        value = getattr(SymbolicMath, name)
        if isinstance(value, type) and issubclass(value, sympy.Basic):
            functions[value] = name
    return functions


class _FromSympy:
    """Sympy expressions over the graph's names → spreadsheet formulas over cells."""

    def __init__(self, cell: Callable[[str], Formula]) -> None:
        import sympy

        self.sympy = sympy
        self.cell = cell
        self.functions = _sympy_functions()

    def signed(self, expr: Any) -> tuple[bool, list[Formula]]:
        """(whether it is negative, its magnitude as factors to multiply in order): a product
        is written factor by factor, as derive prints it; a sum keeps its own order."""
        negative = False
        if (expr.is_Number and expr < 0) or (
            expr.is_Mul and expr.args[0].is_Number and expr.args[0] < 0
        ):
            negative, expr = True, -expr
        if not expr.is_Mul:
            return negative, [self(expr)]
        top = [self(a) for a in expr.args if not self._denominator(a)]
        bottom = [self(a.base ** (-a.exp)) for a in expr.args if self._denominator(a)]
        if bottom:
            return negative, [_product(top) / _product(bottom)]
        return negative, top

    def _denominator(self, expr: Any) -> bool:
        return bool(expr.is_Pow and expr.exp.is_Integer and expr.exp < 0)

    def __call__(self, expr: Any) -> Formula:
        sympy = self.sympy
        if expr.is_Symbol:
            return self.cell(expr.name)
        if expr is sympy.pi:
            return SpreadsheetMath.pi
        if expr.is_Number:
            return Formula.of(float(expr))
        if expr.is_Mul:
            negative, factors = self.signed(expr)
            return -_product(factors) if negative else _product(factors)
        if expr.is_Add:
            terms = [self.signed(t) for t in expr.args]
            return _add_up([(negative, _product(factors)) for negative, factors in terms])
        if expr.is_Pow:
            if expr.exp == sympy.Rational(1, 2):
                return SpreadsheetMath.sqrt(self(expr.base))
            if self._denominator(expr):
                return 1 / self(expr.base ** (-expr.exp))
            return self(expr.base) ** self(expr.exp)
        if isinstance(expr, sympy.Piecewise):
            *cases, (last, otherwise) = expr.args
            if otherwise != sympy.true:
                raise ValueError(f"to_spreadsheet: {expr} has no value in some cases")
            result = self(last)
            for value, condition in reversed(cases):
                result = _call("IF", self(condition), self(value), result)
            return result
        if expr.is_Relational:
            return _compare(self(expr.lhs), _RELATIONS[expr.rel_op], self(expr.rhs))
        name = self.functions.get(expr.func)
        if name is not None and hasattr(SpreadsheetMath, name):
            function: Callable[..., Formula] = getattr(SpreadsheetMath, name)
            return function(*(self(a) for a in expr.args))
        raise ValueError(f"to_spreadsheet: {expr} cannot be written as a spreadsheet formula")


def _product(factors: list[Formula]) -> Formula:
    """f1*f2*…, left to right, leaving out factors of 1."""
    kept = [f for f in factors if f.text != "1"] or [Formula("1")]
    result = kept[0]
    for factor in kept[1:]:
        result = result * factor
    return result


def _add_up(terms: list[tuple[bool, Formula]]) -> Formula:
    """±t1 ± t2 ± …, left to right: a negative term is subtracted."""
    negative, result = terms[0]
    if negative:
        result = -result
    for negative, term in terms[1:]:
        result = result - term if negative else result + term
    return result


def _tree_formula(tree: Any, convert: _FromSympy) -> Formula:
    """A tree of `derive` (sums and products of sympy expressions) as one formula, printed as
    derive prints it: products in chain order, sums in parentheses. Without recursion: derived
    trees can be deep."""
    from tinygrad_edu.explain import _Prod, _Sum

    done: dict[int, tuple[bool, list[Formula]]] = {}
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        item, ready = stack.pop()
        if id(item) in done:
            continue
        if not isinstance(item, (_Sum, _Prod)):
            done[id(item)] = convert.signed(item)
            continue
        children = item.terms if isinstance(item, _Sum) else item.factors
        if not ready:
            stack.append((item, True))
            stack.extend((child, False) for child in children)
        elif isinstance(item, _Sum):
            terms = [(done[id(c)][0], _product(done[id(c)][1])) for c in children]
            done[id(item)] = False, [_add_up(terms)]
        else:
            negative, factors = False, []
            for child in children:
                sign, parts = done[id(child)]
                negative ^= sign
                factors += parts
            done[id(item)] = negative, factors
    negative, factors = done[id(tree)]
    result = _product(factors)
    return -result if negative else result


# --- what goes where --------------------------------------------------------------------------


@dataclass
class _Column:
    """One column of the sheet: its header, what it holds, and how its cells are written."""

    name: str
    kind: str  # "data", "parameter", "forward" or "gradient"
    node: Value | None
    letter: str = ""
    # Forward and gradient cells: the formula, with "@" where the row number goes.
    formula: Formula | None = None
    reading: str = ""  # the formula in the graph's names (derive's text, for gradients)
    of: _Column | None = None  # a parameter's gradient column


_GROUPS = {
    "data": "data (the first row's values, in every row)",
    "parameter": "parameters (row {first}: the start; then w − η·dw of the row above)",
    "forward": "forward pass",
    "gradient": "backward pass: ∂{root}/∂…",
}


def _natural(name: str) -> list[Any]:
    """A sort key that puts w2 before w10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _plan(
    root: Value, params: Sequence[Value] | None, inputs: Sequence[Value] | None, every_node: bool
) -> list[_Column]:
    """The sheet's columns, from the graph as `derive` sees it, with their formulas."""
    from openpyxl.utils import get_column_letter

    from tinygrad_edu.explain import _View, derive

    view = _View(root, root, None, "to_spreadsheet")
    order, name = view.order, view.name
    leaves = [n for n in order if n._op is None and n.label]
    learning = _parameters(params, leaves, view, name)
    learning_ids = {id(p) for p in learning}
    data = _inputs(inputs, [n for n in leaves if id(n) not in learning_ids], view)
    forward = _layer_by_layer(root, [n for n in order if n._op is not None and view.visible(n)])
    taken = {name(n) for n in order}
    wanted = [*learning, *(n for n in (*data, *forward) if every_node and n is not root)]

    def gradient_name(node: Value) -> str:
        plain = f"d{name(node)}"
        return plain if plain not in taken else f"∂{name(root)}/∂{name(node)}"

    columns = [
        *(_Column(name(n), "data", n) for n in data),
        *(_Column(name(n), "parameter", n) for n in learning),
        *(_Column(name(n), "forward", n) for n in forward),
        *(_Column(gradient_name(n), "gradient", n) for n in wanted),
    ]
    for k, column in enumerate(columns, start=2):  # column A is the iteration
        column.letter = get_column_letter(k)
    letters = {
        name(c.node): c.letter for c in columns if c.kind != "gradient" and c.node is not None
    }
    gradients = {id(c.node): c for c in columns if c.kind == "gradient"}
    computed = {id(c.node): c for c in columns if c.kind == "forward"}
    for column in columns:
        if column.kind == "parameter":
            column.of = gradients[id(column.node)]

    # The forward pass: each named node's primitive over its operands, where an operand is a
    # cell (a named node), a number (an unnamed leaf) or an unnamed helper written out in full.
    in_cells: dict[int, Formula] = {}
    in_names: dict[int, Formula] = {}
    for node in order:
        key = id(node)
        if node._op is None:
            if node.label:
                in_cells[key], in_names[key] = (
                    Formula(f"{letters[name(node)]}@"),
                    Formula(name(node)),
                )
            else:
                in_cells[key] = in_names[key] = Formula.of(node.data)
            continue
        primitive = node.primitive
        if primitive is None:  # pragma: no cover - every Value operation has a primitive
            raise ValueError(f"to_spreadsheet: {name(node)} has no primitive")
        cells = _formula_of(primitive, [in_cells[id(p)] for p in node.parents], name(node))
        names = _formula_of(primitive, [in_names[id(p)] for p in node.parents], name(node))
        if view.visible(node):
            column = computed[key]
            column.formula, column.reading = cells, names.text
            in_cells[key], in_names[key] = Formula(f"{column.letter}@"), Formula(name(node))
        else:
            in_cells[key], in_names[key] = cells, names

    # The backward pass: derive's closed form of ∂root/∂node, over the forward cells.
    def cell(symbol: str) -> Formula:
        return Formula(f"{letters[symbol]}@")

    convert = _FromSympy(cell)
    for column in columns:
        if column.kind == "gradient":
            assert column.node is not None
            derivation = derive(root, column.node)
            column.formula = _tree_formula(derivation.tree, convert)
            column.reading = str(derivation)
    for column in columns:
        if column.formula is not None and len(column.formula.text) + 8 > MAX_FORMULA_CHARS:
            raise ValueError(
                f"to_spreadsheet: the formula of {column.name} has {len(column.formula.text):,} "
                f"characters, more than a spreadsheet cell holds ({MAX_FORMULA_CHARS:,}); "
                "write the sheet for a smaller graph, or label fewer nodes"
            )
    return columns


def _layer_by_layer(root: Value, nodes: list[Value]) -> list[Value]:
    """Named nodes layer by layer, as a derivation lists them (h1, h2, a_h1, a_h2, o1, …):
    by how many named nodes lie below them, then in the graph's order."""
    named = {id(n) for n in nodes}
    depth: dict[int, int] = {}
    for node in topological_order(root):
        below = max((depth[id(p)] for p in node.parents), default=0)
        depth[id(node)] = below + (id(node) in named)
    return sorted(nodes, key=lambda n: depth[id(n)])  # stable: the graph's order within a layer


def _formula_of(primitive: Primitive, operands: list[Formula], node: str) -> Formula:
    try:
        return spreadsheet_formula(primitive, *operands)
    except ValueError as error:
        raise ValueError(f"to_spreadsheet: node {node}: {error}") from None


def _parameters(
    params: Sequence[Value] | None, leaves: list[Value], view: Any, name: Callable[[Any], str]
) -> list[Value]:
    """The parameters: as given (checked), else every leaf with requires_grad, by name."""
    root = name(view.root)
    if params is None:
        found = sorted((n for n in leaves if n.requires_grad), key=lambda n: _natural(name(n)))
        if not found:
            raise ValueError(
                f"to_spreadsheet: the graph below {root} has no parameters (Values with "
                "requires_grad=True); pass params=[...] to say which leaves learn"
            )
        return found
    if isinstance(params, (str, Value)) or not isinstance(params, Sequence):
        raise TypeError(
            f"to_spreadsheet: params must be a list of Values, got {type(params).__name__}"
        )
    if not params:
        raise ValueError("to_spreadsheet: params is empty; name at least one leaf that learns")
    _check_leaves(params, view, "params")
    return list(params)


def _inputs(inputs: Sequence[Value] | None, data: list[Value], view: Any) -> list[Value]:
    """The data leaves: those in `inputs` first, in that order, then the others."""
    if inputs is None:
        return data
    if isinstance(inputs, (str, Value)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"to_spreadsheet: inputs must be a list of Values, got {type(inputs).__name__}"
        )
    _check_leaves(inputs, view, "inputs")
    ids = {id(n) for n in data}
    for k, node in enumerate(inputs):
        if id(node) not in ids:
            raise ValueError(
                f"to_spreadsheet: inputs[{k}] ({node.label}) is a parameter; inputs are the "
                "leaves that do not learn"
            )
    listed = {id(n) for n in inputs}
    return [*inputs, *(n for n in data if id(n) not in listed)]


def _check_leaves(nodes: Sequence[Any], view: Any, what: str) -> None:
    seen: set[int] = set()
    root = view.name(view.root)
    for k, node in enumerate(nodes):
        if not isinstance(node, Value):
            raise TypeError(
                f"to_spreadsheet: {what}[{k}] must be a Value, got {type(node).__name__}"
            )
        label = node.label or "an unlabelled Value"
        if id(node) not in view.names:
            raise ValueError(f"to_spreadsheet: {what}[{k}] ({label}) is not in the graph of {root}")
        if node._op is not None:
            raise ValueError(
                f"to_spreadsheet: {what}[{k}] ({label}) is computed by {node.op}; only leaves "
                "(Values made directly from numbers) can be set row by row"
            )
        if not node.label:
            raise ValueError(
                f"to_spreadsheet: {what}[{k}] has no label; label it (x.label = 'w1') so the "
                "sheet can name its column and the formulas can refer to it"
            )
        if id(node) in seen:
            raise ValueError(f"to_spreadsheet: {what}[{k}] ({label}) is listed twice")
        seen.add(id(node))


# --- the workbook -----------------------------------------------------------------------------


def to_spreadsheet(
    root: Value,
    path: str | os.PathLike[str],
    *,
    iterations: int = 100,
    lr: float = 0.5,
    params: Sequence[Value] | None = None,
    inputs: Sequence[Value] | None = None,
    every_node: bool = False,
) -> Path:
    """Write gradient descent on `root` as a workbook of live formulas (see the module):
    row k is iteration k, its parameters ``= w − eta·dw`` of row k − 1.

    `params` are the leaves that learn (default: every leaf with requires_grad, by name);
    `inputs` orders the data leaves' columns; `every_node` adds ∂root/∂node for every named
    node. Needs the optional extra: ``pip install "tinygrad-edu[xlsx]"``.

    >>> import pathlib, tempfile
    >>> x, w = Value(0.5, "x"), Value(0.8, "w", requires_grad=True)
    >>> y = (w * x).sigmoid()
    >>> y.label = "y"
    >>> L = 0.5 * (y - 1.0) ** 2
    >>> L.label = "L"
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     to_spreadsheet(L, pathlib.Path(folder, "L.xlsx"), iterations=3).name
    'L.xlsx'
    """
    out = check_output_path(path, "to_spreadsheet: path", (".xlsx",))
    if not isinstance(root, Value):
        raise TypeError(
            f"to_spreadsheet: root must be a Value (one number per cell), got "
            f"{type(root).__name__}; write a Tensor model's training with train.write_table"
        )
    if root._op is None:
        raise ValueError("to_spreadsheet: root is a leaf; give the Value your graph computes")
    count = whole(iterations, "to_spreadsheet: iterations")
    if count > MAX_ITERATIONS:
        raise ValueError(
            f"to_spreadsheet: iterations: {count:,} rows do not fit in a worksheet "
            f"(at most {MAX_ITERATIONS:,})"
        )
    eta = learning_rate(lr, "to_spreadsheet: lr")
    every = flag(every_node, "to_spreadsheet: every_node")
    try:
        import openpyxl  # noqa: F401
    except ImportError as error:
        raise ImportError(_XLSX_HINT) from error
    columns = _plan(root, params, inputs, every)
    root_name = root.label or next(c.name for c in columns if c.node is root)
    write_atomically(out, lambda temporary: _write(temporary, columns, root, root_name, count, eta))
    return out


def _write(
    path: Path, columns: list[_Column], root: Value, root_name: str, iterations: int, lr: float
) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.workbook.defined_name import DefinedName

    bold = Font(bold=True)
    given = PatternFill("solid", fgColor="FFF2CC")  # the cells to change: η and the start
    last = FIRST_ROW + iterations - 1
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _SHEET

    sheet["A1"] = "η (learning rate)"
    sheet["A1"].font = bold
    sheet[ETA_CELL] = lr
    sheet[ETA_CELL].fill = given
    sheet[ETA_CELL].number_format = NUMBER_FORMAT
    workbook.defined_names["eta"] = DefinedName("eta", attr_text=f"{_SHEET}!$B$1")
    sheet["D1"] = (
        f"Gradient descent on {root_name}, one row per iteration. Every cell below row "
        f"{FIRST_ROW} is a formula: change η (the cell named eta) or a yellow starting value, "
        "and the sheet recomputes every iteration. The sheet 'formulas' lists them."
    )
    sheet["A3"] = "iteration"
    sheet["A3"].font = bold
    previous_kind = ""
    for column in columns:
        if column.kind != previous_kind:
            group = _GROUPS[column.kind].format(first=FIRST_ROW, root=root_name)
            sheet[f"{column.letter}2"] = group
            sheet[f"{column.letter}2"].font = bold
            previous_kind = column.kind
        header = sheet[f"{column.letter}{HEADER_ROW}"]
        header.value = column.name
        header.font = bold
        header.alignment = Alignment(horizontal="center")
        header.comment = Comment(_explanation(column), "tinygrad_edu", width=420, height=160)
        sheet.column_dimensions[column.letter].width = 17

    for k in range(iterations):
        row = FIRST_ROW + k
        sheet.cell(row, 1, k)
        for column in columns:
            cell = sheet[f"{column.letter}{row}"]
            cell.value = _cell(column, row)
            cell.number_format = NUMBER_FORMAT
            if row == FIRST_ROW and column.kind in ("data", "parameter"):
                cell.fill = given
    sheet.freeze_panes = f"B{FIRST_ROW}"
    sheet.column_dimensions["A"].width = 18
    # Printed (or saved as PDF): landscape, every page with the headers and the iteration.
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    sheet.print_title_cols = "A:A"

    _formulas_sheet(workbook.create_sheet("formulas"), columns)

    loss = next(c for c in columns if c.node is root and c.kind == "forward")
    chart = ScatterChart()
    chart.title = f"{root_name} against the iteration"
    chart.style = 13
    chart.x_axis.title = "iteration"
    chart.y_axis.title = root_name
    chart.x_axis.delete = False  # newer Excel hides axes openpyxl does not mark as shown
    chart.y_axis.delete = False
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0, max(iterations - 1, 1)
    chart.y_axis.number_format = "General"  # the axis, unlike the cells, needs few digits
    chart.legend = None
    xs = Reference(sheet, min_col=1, min_row=FIRST_ROW, max_row=last)
    ys = Reference(sheet, min_col=_index(loss.letter), min_row=HEADER_ROW, max_row=last)
    series = Series(ys, xs, title_from_data=True)
    series.marker.symbol = "none"
    series.smooth = False
    chart.series.append(series)
    chart.width, chart.height = 24, 12
    chart_sheet = workbook.create_sheet("chart")
    chart_sheet.page_setup.orientation = "landscape"
    chart_sheet.add_chart(chart, "A1")
    workbook.save(path)


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return int(column_index_from_string(letter))


def _cell(column: _Column, row: int) -> Any:
    """What the cell of `column` in `row` holds: a number (the first row's data and
    parameters) or a formula."""
    node = column.node
    if column.kind in ("data", "parameter") and row == FIRST_ROW:
        assert node is not None
        return node.data
    if column.kind == "data":
        return f"={column.letter}{row - 1}"
    if column.kind == "parameter":
        assert column.of is not None
        return f"={column.letter}{row - 1}-eta*{column.of.letter}{row - 1}"
    assert column.formula is not None
    return "=" + column.formula.text.replace("@", str(row))


def _explanation(column: _Column) -> str:
    """The header's comment: what the column holds, in the graph's names."""
    if column.kind == "data":
        return f"{column.name}: data, the same in every row (change it in row {FIRST_ROW})."
    if column.kind == "parameter":
        assert column.of is not None
        return (
            f"{column.name}: a parameter. Row {FIRST_ROW} is where it starts (change it there); "
            f"each later row is {column.name} − η·{column.of.name} of the row above."
        )
    if column.kind == "forward":
        return f"{column.name} = {column.reading}"
    return f"{column.reading}\n(the sum over chain-rule paths, as derive prints it)"


def _formulas_sheet(sheet: Any, columns: list[_Column]) -> None:
    """Every column's formula, in the graph's names and as the first row's cells hold it."""
    from openpyxl.styles import Font

    headers = ("column", "name", "holds", "formula in the graph's names", "formula of the cell")
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    row = FIRST_ROW + 1  # a row whose parameters are already formulas
    for column in columns:
        if column.kind == "data":
            reading = "data"
        elif column.kind == "parameter":
            assert column.of is not None
            reading = f"{column.name} − η·{column.of.name} (of the row above)"
        else:
            reading = column.reading
        text = _cell(column, row)
        sheet.append([column.letter, column.name, column.kind, reading, None])
        cell = sheet.cell(sheet.max_row, 5)
        cell.value = text
        cell.data_type = "s"  # the formula as text: "=…" would be computed
    for letter, width in zip("ABCDE", (8, 12, 10, 90, 90)):
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.orientation = "landscape"
