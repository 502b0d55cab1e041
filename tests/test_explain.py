"""Explanations: chain-rule paths, derived closed forms and the trace table."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from tests.catalogue import CASES, OpCase
from tinygrad_edu import SEED, Net222, Tensor, TensorNet222, Value, topological_order
from tinygrad_edu import net222 as net222_module
from tinygrad_edu import primitives as prim
from tinygrad_edu.explain import (
    MAX_PATHS,
    PathError,
    derive,
    explain,
    local_formula,
    node_names,
    trace_table,
)
from tinygrad_edu.net222 import WEIGHT_NAMES, closed_form
from tinygrad_edu.testing import CLOSED_FORM_ATOL, CLOSED_FORM_RTOL, close
from tinygrad_edu.testing.strategies import Expression, expressions

S = sympy.symbols("i1 i2 t1 t2 w1 w2 w3 w4 w5 w6 w7 w8 a_h1 a_h2 a_o1 a_o2")
i1, i2, t1, t2, w1, w2, w3, w4, w5, w6, w7, w8, a_h1, a_h2, a_o1, a_o2 = S


def net_at_seed() -> tuple[Net222, Value]:
    net = Net222()
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    return net, E_total


@pytest.fixture
def symbolic_closed_form(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """`closed_form` itself, run on sympy symbols: each σ(·) call returns the derivation's
    symbol for that activation (a_h1 for σ(w1·i1 + w2·i2), ...), so its formulas come out in
    the derivation's vocabulary."""
    sigma_of = {
        w1 * i1 + w2 * i2: a_h1,
        w3 * i1 + w4 * i2: a_h2,
        w5 * a_h1 + w6 * a_h2: a_o1,
        w7 * a_h1 + w8 * a_h2: a_o2,
    }

    def symbolic_sigmoid(x: Any) -> Any:
        return sigma_of[sympy.expand(x)]

    monkeypatch.setattr(net222_module, "_sigmoid", symbolic_sigmoid)
    return closed_form((i1, i2), (t1, t2), (w1, w2, w3, w4, w5, w6, w7, w8), b=(0, 0, 0, 0))


# --- derive on the 2-2-2 network ----------------------------------------------------------------


@pytest.mark.parametrize("k", range(8))
def test_derive_equals_closed_form_symbolically(
    k: int, symbolic_closed_form: dict[str, Any]
) -> None:
    net, E_total = net_at_seed()
    derivation = derive(E_total, net.weights[k])
    difference = sympy.expand(derivation.sympy() - symbolic_closed_form[f"dw{k + 1}"])
    assert difference == 0, f"{WEIGHT_NAMES[k]}: {derivation} differs by {difference}"
    # ... and it evaluates to autograd's number.
    assert close(derivation.evaluate(), net.weights[k].grad, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


@pytest.mark.parametrize("name", ["a_h1", "a_h2"])
def test_derive_hidden_activations(name: str, symbolic_closed_form: dict[str, Any]) -> None:
    net, E_total = net_at_seed()
    derivation = derive(E_total, net.nodes[name])
    assert sympy.expand(derivation.sympy() - symbolic_closed_form[f"dE_total/d{name}"]) == 0


def test_derive_prints_the_derivations_formulas() -> None:
    net, E_total = net_at_seed()
    texts = [str(derive(E_total, w)) for w in net.weights]
    assert texts[0] == (
        "∂E_total/∂w1 = ((a_o1 − t1)·a_o1·(1 − a_o1)·w5 + (a_o2 − t2)·a_o2·(1 − a_o2)·w7)"
        "·a_h1·(1 − a_h1)·i1"
    )
    assert texts[4] == "∂E_total/∂w5 = (a_o1 − t1)·a_o1·(1 − a_o1)·a_h1"
    assert texts[7] == "∂E_total/∂w8 = (a_o2 − t2)·a_o2·(1 − a_o2)·a_h2"
    latex = derive(E_total, net.weights[4]).latex()
    assert (
        latex
        == r"\left(a_{o1} - t_{1}\right) \cdot a_{o1} \cdot \left(1 - a_{o1}\right) \cdot a_{h1}"
    )


def test_derive_with_biases_matches_closed_form_numbers() -> None:
    b = (0.35, 0.35, 0.6, 0.6)
    net = Net222(SEED.w, b)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    reference = closed_form(SEED.i, SEED.t, SEED.w, b)
    for param, name in zip(net.biases, ("db_h1", "db_h2", "db_o1", "db_o2")):
        value = derive(E_total, param).evaluate()
        assert close(value, reference[name], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


# --- explain on the 2-2-2 network ---------------------------------------------------------------


def path_rows(markdown: str) -> list[list[str]]:
    """The path table's rows of `explain(...).markdown()`: [path, factors, product]."""
    rows = []
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and "→" in cells[0]:
            rows.append(cells)
    return rows


def test_markdown_shows_the_derivations_factor_structure() -> None:
    net, E_total = net_at_seed()
    w5_rows = path_rows(explain(E_total, net.weights[4]).markdown())
    assert len(w5_rows) == 1  # dw5: one path ...
    assert w5_rows[0][1].split(" × ") == ["(a_o1 − t1)", "a_o1·(1 − a_o1)", "a_h1"]  # ... of 3
    w1_rows = path_rows(explain(E_total, net.weights[0]).markdown())
    assert [row[0] for row in w1_rows] == [
        "E_total → E1 → a_o1 → o1 → a_h1 → h1 → w1",
        "E_total → E2 → a_o2 → o2 → a_h1 → h1 → w1",
    ]
    assert w1_rows[1][1].split(" × ") == [
        "(a_o2 − t2)", "a_o2·(1 − a_o2)", "w7", "a_h1·(1 − a_h1)", "i1",
    ]  # fmt: skip


def test_explain_numbers_match_the_closed_form() -> None:
    net, E_total = net_at_seed()
    reference = closed_form(SEED.i, SEED.t, SEED.w)
    for w, name in zip(net.weights, WEIGHT_NAMES):
        e = explain(E_total, w)
        assert e.total is not None
        assert close(e.total, reference["d" + name], CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)
        assert close(sum(p.value or 0.0 for p in e.paths), e.total, CLOSED_FORM_RTOL, 0.0)
    # Each edge's number is its formula evaluated at the graph's values.
    values = {name: node.data for name, node in net.nodes.items()}
    values.update({w.label: w.data for w in net.weights})
    for path in explain(E_total, net.weights[0]).paths:
        for edge in path.edges:
            assert edge.expr is not None and edge.value is not None
            at = float(edge.expr.evalf(subs={s: values[s.name] for s in edge.expr.free_symbols}))
            assert close(at, edge.value, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL)


def test_explain_renders_text_and_latex() -> None:
    net, E_total = net_at_seed()
    text = explain(E_total, net.weights[0]).text()
    assert "2 paths from E_total to w1." in text
    assert "∂E1/∂a_o1     a_o1 − t1" in text
    assert "They agree." in text
    latex = explain(E_total, net.weights[4]).latex()
    assert latex.startswith(r"\begin{aligned}")
    assert r"\frac{\partial E_{total}}{\partial w_{5}}" in latex
    assert r"\left(a_{o1} - t_{1}\right) \cdot a_{o1} \cdot \left(1 - a_{o1}\right)" in latex


def test_a_gradient_that_disagrees_is_a_loud_error() -> None:
    net, E_total = net_at_seed()
    E_total.backward()  # a second pass: the leaves' gradients have doubled
    with pytest.raises(
        PathError, match=r"sum over the 2 paths from E_total to w1 .* Leaf gradients accumulate"
    ):
        explain(E_total, net.weights[0])


def test_no_path_means_zero_with_a_message() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * x
    z.backward()
    e = explain(z, y)
    assert e.path_count == 0 and e.total == 0.0 and y.grad == 0.0
    assert "no path from n2 to y" in e.text()
    assert derive(z, y).text() == "0"


# --- any graph ----------------------------------------------------------------------------------

# Random graphs with shared subexpressions, from the public kit: the operations an explanation
# meets most, on three inputs in ±2.
GRAPH_OPS = [prim.TANH, prim.SIGMOID, prim.NEG, prim.EXP, prim.ADD, prim.SUB, prim.MUL]


@given(
    e=expressions(max_nodes=10, ops=GRAPH_OPS, n_inputs=3, bound=2.0),
    labels=st.lists(st.booleans(), min_size=1, max_size=4),
    fold=st.sampled_from([None, True, False]),
)
def test_paths_and_derivation_equal_autograd_on_any_graph(
    e: Expression, labels: list[bool], fold: bool | None
) -> None:
    leaves = [Value(x, f"x{k}") for k, x in enumerate(e.inputs)]
    root = e.f(*leaves)
    if root._op is None:
        return  # no operation: the output is an input
    inner = [node for node in topological_order(root) if node._op is not None]
    for k, node in enumerate(inner):
        if labels[k % len(labels)]:
            node.label = f"v{k}"  # labelled nodes are where explanations fold
    root.backward()
    for leaf in leaves:
        e = explain(root, leaf, fold=fold)  # raises PathError if Σ paths ≠ leaf.grad
        assert e.total is not None
        assert close(e.total, leaf.grad, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL) or (
            abs(e.total - leaf.grad) <= 1e-12
        )
        if e.path_count <= len(e.paths):  # every path listed: their products add up
            listed = sum(p.value or 0.0 for p in e.paths)
            scale = sum(abs(p.value or 0.0) for p in e.paths)
            assert abs(listed - leaf.grad) <= CLOSED_FORM_RTOL * scale + CLOSED_FORM_ATOL
        derived = derive(root, leaf, fold=fold).evaluate()
        assert abs(derived - leaf.grad) <= CLOSED_FORM_RTOL * max(1.0, abs(leaf.grad))


@pytest.mark.parametrize("case", [c for c in CASES if c.name not in ("add", "sub")], ids=str)
@given(data=st.data())
def test_local_formula_of_every_primitive_matches_its_local_derivative(
    case: OpCase, data: st.DataObject
) -> None:
    args = [data.draw(domain) for domain in case.domain]
    nodes = [Value(a, f"x{k}") if k not in case.constants else a for k, a in enumerate(args)]
    out = case.apply(*nodes)
    out.label = "out"
    values = {f"x{k}": a for k, a in enumerate(args)} | {"out": out.data}
    for k, local in enumerate(out.local_grads()):
        parent = out.parents[k]
        if not parent.label:
            continue  # a constant
        text = local_formula(out, k).replace("·", "*").replace("−", "-").replace("^", "**")
        for digit, superscript in zip("23456789", "²³⁴⁵⁶⁷⁸⁹"):
            text = text.replace(superscript, f"**{digit}")
        formula = sympy.sympify(
            text,
            locals={name: sympy.Symbol(name) for name in values},
        )
        at = complex(formula.evalf(subs={sympy.Symbol(n): v for n, v in values.items()}))
        assert close(at.real, local, CLOSED_FORM_RTOL, CLOSED_FORM_ATOL), (case.name, k)


def test_path_counts_can_explode_and_stay_usable() -> None:
    # A ladder: y ← a + b with a = ½y and b = ½y, 1,500 times: 2^1500 paths through the
    # labelled a's and b's, 7,501 nodes; the gradient is 1.
    x = Value(1.0, "x")
    y = x
    for k in range(1500):
        a, b = 0.5 * y, 0.5 * y
        a.label, b.label = f"a{k}", f"b{k}"
        y = a + b
        y.label = f"y{k}"
    y.backward()
    e = explain(y, x)
    assert e.path_count == 2**1500
    assert len(e.paths) == MAX_PATHS
    assert f"Only the first {MAX_PATHS} are listed" in e.text()
    assert e.total == 1.0 == x.grad
    assert len(explain(y, x, max_paths=3).paths) == 3


def test_derive_refuses_an_expression_too_long_to_print() -> None:
    # Diamonds: y ← a·b with a = y·c, b = y·d. Written out without sharing, each level
    # doubles the expression: 2^30 copies of the top by the bottom.
    x = Value(0.9, "x")
    y = x
    for k in range(30):
        a, b = y * 1.01, y * 0.99
        a.label, b.label = f"a{k}", f"b{k}"
        y = a * b
        y.label = f"y{k}"
    y.backward()
    with pytest.raises(ValueError, match=r"would run past .* characters; use explain"):
        derive(y, x)
    assert explain(y, x).path_count == 2**30


def test_big_unlabelled_regions_get_names_instead_of_folding() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(40):
        y = (y * y).sigmoid()  # unlabelled: folding it all would double the formula each step
    y.label = "y"
    y.backward()
    e = explain(y, x)
    assert all(len(edge.formula) < 400 for path in e.paths for edge in path.edges)
    assert len(e.paths[0].edges) > 1  # named helper nodes along the way
    assert abs(derive(y, x).evaluate() - x.grad) <= CLOSED_FORM_RTOL * abs(x.grad) + 1e-300


# --- names and the trace table ------------------------------------------------------------------


def test_generated_names_are_stable_and_unique() -> None:
    a = Value(2.0, "a")
    b = Value(3.0, "a")  # the same label twice
    c = a * b + a
    first, second = node_names(c), node_names(c)
    assert first == second
    assert sorted(first.values()) == ["a", "a#2", "n3", "n4"]


def test_trace_table_lists_every_node_in_order_with_values_and_grads() -> None:
    net, E_total = net_at_seed()
    trace = trace_table(E_total)
    rows = list(csv.reader(io.StringIO(trace.csv())))
    assert rows[0] == ["node", "op", "inputs", "value", "grad"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) - 1 == 39  # 15 named nodes, 8 weights, 12 helpers, 4 constants
    for name, node in net.nodes.items():
        assert float(by_name[name][3]) == node.data
        assert float(by_name[name][4]) == node.grad
    assert by_name["a_h1"][1:3] == ["sigmoid", "h1"]
    assert by_name["E_total"][1:3] == ["+", "E1, E2"]
    names = [row[0] for row in rows[1:]]
    assert names.index("h1") < names.index("a_h1") < names.index("o1") < names.index("E_total")
    assert "| a_h1 | sigmoid | h1 |" in trace.markdown()
    assert "a_h1" in trace.text()


def test_tensor_graphs_get_paths_and_shapes() -> None:
    net = TensorNet222()
    E_total = net(i=np.array([SEED.i]), t=np.array([SEED.t]))
    E_total.backward()
    W_h = net.weights[0]
    e = explain(E_total, W_h)
    assert e.path_count == 1 and e.total is None
    assert e.paths[0].nodes()[0] == "E_total" and e.paths[0].nodes()[-1] == "w1..w4"
    assert e.shapes is not None and e.shapes["w1..w4"] == (2, 2) and e.shapes["a_h"] == (1, 2)
    assert "2×2" in e.text()
    with pytest.raises(TypeError, match="derive: closed forms are derived on Value graphs"):
        derive(E_total, W_h)
    rows = trace_table(E_total).csv().splitlines()
    assert any(row.startswith("a_h,sigmoid,h,") for row in rows)


def test_bad_arguments_name_the_function() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="explain: root must be a Value or a Tensor, got float"):
        explain(1.0, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="both be Values or both be Tensors"):
        explain(x, Tensor([1.0]))
    with pytest.raises(ValueError, match="max_paths must be an int >= 0"):
        explain(x * x, x, max_paths=-1)
    with pytest.raises(ValueError, match="local_formula: x is a leaf"):
        local_formula(x)


def test_explain_a_part_of_the_graph_whose_backward_started_elsewhere() -> None:
    from tinygrad_edu.explain import PathError, derive

    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    E1, w1 = net.nodes["E1"], net.weights[0]
    with pytest.raises(PathError, match=r"w1\.grad is"):  # w1.grad is ∂E_total/∂w1, not ∂E1/∂w1
        explain(E1, w1)
    part = explain(E1, w1, check=False)
    assert part.grad is None and part.path_count == 1
    assert part.total == pytest.approx(derive(E1, w1).evaluate())
    assert "Sum over paths: ∂E1/∂w1 = " in part.text() and "agree" not in part.text()
    with pytest.raises(TypeError, match="explain: check"):
        explain(E1, w1, check="no")  # type: ignore[arg-type]
