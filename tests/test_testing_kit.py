"""The testing kit keeps its promises: gradcheck catches every wrong derivative and names it,
passes correct graphs, and the strategies draw finite, in-domain, acyclic, shrinkable graphs."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from tinygrad_edu import (
    MLP,
    SEED,
    Net222,
    Tensor,
    TensorMLP,
    Value,
    closed_form,
    topological_order,
)
from tinygrad_edu import primitives as prim
from tinygrad_edu.primitives import Primitive
from tinygrad_edu.testing import GradcheckError, check_module_grads, gradcheck
from tinygrad_edu.testing.pytest_plugin import PROFILE, gradient_property
from tinygrad_edu.testing.strategies import (
    MUTATIONS,
    Expression,
    MLPCase,
    TensorExpression,
    apply_primitive,
    elementwise_primitives,
    expressions,
    floats_in,
    mlps,
    nets222,
    tensor_expressions,
    tensors,
    wrong_derivative,
)

ROOT = Path(__file__).resolve().parent.parent
#: A wrong derivative "matters" in a graph when it moves some gradient by more than this much:
#: far above gradcheck's tolerance (1e-6 relative), far below any mutation's effect (1e-3).
MATTERS_RTOL = 1e-5
MATTERS_ATOL = 1e-8
#: The share of drawn graphs (with two or more operations) that reuse a node: promised >= 1/3.
SHARED_SHARE = 1 / 3

# Fixed draws: a mutation test that passes today passes tomorrow.
fixed = settings(derandomize=True, database=None, max_examples=30, deadline=None)
many = settings(
    derandomize=True, database=None, max_examples=1000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip


def value_grads(e: Expression) -> list[float]:
    """Autograd's gradients of the expression, as the engine computes them now."""
    leaves = [Value(x) for x in e.inputs]
    e.f(*leaves).backward()
    return [leaf.grad for leaf in leaves]


def tensor_grads(e: TensorExpression) -> list[np.ndarray]:
    leaves = [Tensor(x, requires_grad=True) for x in e.inputs]
    e.f(*leaves).backward()
    return [np.zeros_like(x) if t.grad is None else t.grad for x, t in zip(e.inputs, leaves)]


def differ(right: list[float], wrong: list[float]) -> bool:
    return any(
        np.any(np.abs(np.asarray(a) - b) > MATTERS_RTOL * np.abs(a) + MATTERS_ATOL)
        for a, b in zip(right, wrong)
    )


def ids(p: Primitive) -> str:
    """The primitive's name in the catalogue module: POW_CONST_BASE, not "power" thrice."""
    return next(name for name, v in vars(prim).items() if v is p)


# --- mutation: a wrong derivative is caught, and named -------------------------------------------


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize("primitive", elementwise_primitives(), ids=ids)
def test_a_wrong_local_derivative_is_caught_and_named(primitive: Primitive, mutation: str) -> None:
    mattered = 0

    @fixed
    @given(expressions(max_nodes=5, ops=[primitive, prim.ADD, prim.MUL, prim.TANH]))
    def property_(e: Expression) -> None:
        nonlocal mattered
        if primitive not in e.primitives:
            return
        right = value_grads(e)
        with wrong_derivative(primitive, mutation):
            if not differ(right, value_grads(e)):
                return  # e.g. relu's 0 on the negative side: wrong by nothing
            mattered += 1
            with pytest.raises(GradcheckError) as caught:
                gradcheck(e.f, *e.inputs)
        assert f"suspect: {primitive.name} ({primitive.symbol})" in str(caught.value), e

    property_()
    if mattered == 0:  # as for VJPs below: the draws missed it, a fixed case must not
        _caught_at_a_fixed_point(primitive, mutation, "value")


@pytest.mark.parametrize("mutation", ["sign", "x1.001"])
@pytest.mark.parametrize("primitive", elementwise_primitives("tensor"), ids=ids)
def test_a_wrong_vjp_is_caught_and_named(primitive: Primitive, mutation: str) -> None:
    mattered = 0

    @settings(fixed, max_examples=15)
    @given(tensor_expressions(max_nodes=3, ops=[primitive, prim.ADD, prim.MUL], max_side=2))
    def property_(e: TensorExpression) -> None:
        nonlocal mattered
        if primitive not in e.primitives:
            return
        right = tensor_grads(e)
        with wrong_derivative(primitive, mutation, engine="tensor"):
            if not differ(right, tensor_grads(e)):
                return
            mattered += 1
            with pytest.raises(GradcheckError) as caught:
                gradcheck(e.f, *e.inputs)
        assert f"suspect: {primitive.name} ({primitive.symbol})" in str(caught.value), e

    property_()
    if mattered == 0:
        # The draws can shift with what ran before them in the session; a fixed case then
        # makes sure the wrong VJP is caught and named all the same.
        _caught_at_a_fixed_point(primitive, mutation, "tensor")


def _caught_at_a_fixed_point(primitive: Primitive, mutation: str, engine: str) -> None:
    """gradcheck of `primitive` alone, at a fixed point, fails with the mutation and names it."""
    operands: list[object] = []
    for x, s, flow in zip(_inside(primitive), primitive.domain.sample, primitive.vjp):
        if flow.startswith("none") or engine == "value":
            operands.append(x)
        else:
            operands.append(np.array([x, 0.9 * x + 0.05 * (min(s.high, 2.0) - max(s.low, -2.0))]))
    constant = [flow.startswith("none") for flow in primitive.vjp]
    variable = [k for k, c in enumerate(constant) if not c]

    def f(*leaves: object) -> object:
        args = list(operands)
        for k, leaf in zip(variable, leaves):
            args[k] = leaf
        out = apply_primitive(primitive, *args)
        return out.sum() if isinstance(out, Tensor) else out

    with (
        wrong_derivative(primitive, mutation, engine=engine),
        pytest.raises(GradcheckError, match=f"suspect: {re.escape(primitive.name)}"),
    ):
        gradcheck(f, *(operands[k] for k in variable))


def _inside(primitive: Primitive) -> list[float]:
    """A point inside each operand's sample box near 0 (where σ and tanh still bend), clear of
    its avoided points (0 for 1/y)."""
    points = []
    for s in primitive.domain.sample:
        x = 0.37 * max(s.low, -2.0) + 0.63 * min(s.high, 2.0)
        clearance = max(s.gap, 1e-2) * 2
        if any(abs(x - a) < clearance for a in s.avoid):
            x += 2 * clearance
        points.append(x)
    return points


def test_every_catalogue_primitive_with_a_scalar_rule_is_mutated() -> None:
    # Read from the catalogue, so a new primitive is covered the day it is added.
    scalar = [p for p in prim.CATALOGUE if p.scalar is not None and p.arity in (1, 2)]
    assert elementwise_primitives() == tuple(scalar)
    assert set(MUTATIONS) == {"sign", "x1.001", "lost factor"}


def test_the_report_reads_like_maths() -> None:
    x, w = Value(0.7, "x"), Value(-1.2, "w")
    with wrong_derivative(prim.TANH, "lost factor"), pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, w: (w * x).tanh() + x, x, w)
    report = str(caught.value)
    assert report.splitlines()[0] == (
        "gradcheck: autograd and the numeric derivative disagree for 2 entries"
    )
    for column in ("input", "autograd", "numeric", "difference", "tolerance", "ratio"):
        assert column in report.splitlines()[1]
    assert "  f = x + tanh(w·x)" in report
    assert "suspect: tanh (tanh): ∂out/∂operand 1 at (-0.84)" in report
    assert [m.name for m in caught.value.mismatches] == ["x", "w"]
    assert all(m.ratio > 1 for m in caught.value.mismatches)


# --- correct graphs pass --------------------------------------------------------------------------


@settings(fixed, max_examples=100)
@given(expressions())
def test_gradcheck_passes_every_correct_graph(e: Expression) -> None:
    grads = gradcheck(e.f, *e.inputs)
    assert grads == pytest.approx(value_grads(e), rel=1e-12, abs=1e-300)


@settings(fixed, max_examples=50)
@given(tensor_expressions())
def test_gradcheck_passes_every_correct_tensor_graph(e: TensorExpression) -> None:
    grads = gradcheck(e.f, *e.inputs)
    assert [g.shape for g in grads] == [x.shape for x in e.inputs]


@pytest.mark.parametrize("primitive", elementwise_primitives(), ids=ids)
@settings(fixed, max_examples=20)
@given(data=st.data())
def test_every_primitive_passes_on_its_own_domain(
    primitive: Primitive, data: st.DataObject
) -> None:
    constant = [flow.startswith("none") for flow in primitive.vjp]
    xs = [data.draw(floats_in(primitive, k)) for k in range(len(constant))]
    if primitive in (prim.MAXIMUM, prim.MINIMUM):
        return  # a near-tie is a kink: expressions() keeps ties out of reach, floats_in cannot
    variables = [x for x, c in zip(xs, constant) if not c]

    def f(*values: Value) -> Value:
        it = iter(values)
        return apply_primitive(primitive, *(x if c else next(it) for x, c in zip(xs, constant)))

    gradcheck(f, *variables)


# --- the strategies keep their promises ------------------------------------------------------


@many
@given(expressions())
def test_expressions_are_acyclic_in_domain_and_finite(e: Expression) -> None:
    root = e.root()
    order = topological_order(root)
    assert len({id(node) for node in order}) == len(order)  # each node once: no cycle
    position = {id(node): k for k, node in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)
        assert math.isfinite(node.data)
        if node._op is not None:
            assert tuple(p.data for p in node.parents) in node._op.primitive.domain
    root.backward()
    assert all(math.isfinite(node.grad) for node in order)


def test_expressions_share_nodes_in_a_third_of_the_draws() -> None:
    drawn: list[Expression] = []

    @settings(many, max_examples=300)
    @given(expressions())
    def collect(e: Expression) -> None:
        if e.size >= 2:
            drawn.append(e)

    collect()
    shared = sum(e.shared for e in drawn)
    assert shared >= SHARED_SHARE * len(drawn), (shared, len(drawn))
    # ... and inputs, too, are reused on several paths.
    assert any(
        sum(ref == 0 for node in e.plan for kind, ref in node.operands if kind == "node") >= 2
        for e in drawn
    )


@settings(many, max_examples=300)
@given(tensor_expressions())
def test_tensor_expressions_broadcast_and_stay_finite(e: TensorExpression) -> None:
    leaves = [Tensor(x, requires_grad=True) for x in e.inputs]
    out = e.apply(*leaves)
    full = np.broadcast_shapes(*(x.shape for x in e.inputs))
    assert np.broadcast_shapes(out.shape, full) == full
    total = e.f(*leaves)
    total.backward()
    assert np.isfinite(total.data).all()
    assert all(t.grad is None or np.isfinite(t.grad).all() for t in leaves)


@settings(many, max_examples=200)
@given(mlps())
def test_mlps_match_their_inputs_and_targets(case: MLPCase) -> None:
    xs, ts = case.batch
    model = case.model
    assert xs.shape[1] == model.sizes[0] and ts.shape[1] == model.sizes[-1]
    loss = case.loss()
    loss.backward()
    assert np.isfinite(float(np.sum(loss.data)))
    assert all(np.isfinite(np.asarray(p.grad, dtype=float)).all() for p in model.parameters())


def test_shrinking_lands_on_small_graphs() -> None:
    assert find(expressions(), lambda e: e.size >= 1).size == 1
    assert find(expressions(), lambda e: e.shared).size == 1  # x1 + x1: an input used twice
    net = find(mlps(), lambda case: len(case.model.parameters()) >= 4)
    assert len(net.model.parameters()) == 4 and net.model.sizes == [1, 2]


def test_shrinking_a_wrong_derivative_reads_like_maths() -> None:
    def fails(e: Expression) -> bool:
        try:
            gradcheck(e.f, *e.inputs)
        except GradcheckError:
            return True
        return False

    with wrong_derivative(prim.SIGMOID, "x1.001"):
        e = find(expressions(ops=[prim.SIGMOID, prim.ADD, prim.MUL]), fails)
    assert e.size == 1
    assert repr(e) == "Expression(f = 1/(1 + exp(−x1))  at  x1 = 0.0)"  # σ(x1), as sympy writes it


def test_floats_in_keeps_away_from_the_avoided_points() -> None:
    divisor = floats_in(prim.DIV, 1)
    assert abs(find(divisor, lambda y: abs(y) < 1)) >= 0.1
    assert find(floats_in(prim.LOG), lambda x: True) > 0
    assert (
        find(floats_in(prim.RELU), lambda x: x > 0) > 0
        and find(floats_in(prim.RELU), lambda x: x < 0) <= -1e-3
    )


@settings(fixed, max_examples=20)
@given(tensors((2, 3)), tensors(st.sampled_from([(1,), (4, 1)]), dtype=np.float32))
def test_tensors_have_the_shape_and_dtype_asked_for(a: Tensor, b: Tensor) -> None:
    assert a.shape == (2, 3) and a.dtype == np.float64 and a.requires_grad
    assert b.shape in ((1,), (4, 1)) and b.dtype == np.float32


@settings(fixed, max_examples=20)
@given(nets222())
def test_nets222_draw_what_Net222_takes(case: object) -> None:
    i, t, w, b = case  # type: ignore[misc]
    assert len(i) == len(t) == 2 and len(w) == 8 and (b is None or len(b) == 4)
    check_module_grads(Net222(w, b), lambda net: net(i=i, t=t))


# --- checks on modules and on mixed inputs ----------------------------------------------------


def test_check_module_grads_on_every_kind_of_model() -> None:
    xs = np.array([[0.3, -1.2], [1.5, 0.4]])
    ts = np.array([[0.5], [-0.2]])

    def value_loss(net: MLP) -> Value:
        return sum(((net(list(x))[0] - float(t[0])) ** 2 for x, t in zip(xs, ts)), Value(0.0))

    value_net = MLP(2, [3, 1], activation=["tanh", "linear"], seed=1)
    grads = check_module_grads(value_net, value_loss)
    assert len(grads) == len(value_net.parameters()) == 13
    tensor_net = TensorMLP(2, [3, 1], activation=["tanh", "linear"], seed=1)
    grads = check_module_grads(tensor_net, lambda net, b: ((net(b[0]) - b[1]) ** 2).sum(), (xs, ts))
    assert [g.shape for g in grads] == [(3, 2), (3,), (1, 3), (1,)]
    before = [p.data.copy() for p in tensor_net.parameters()]
    assert all((a == p.data).all() for a, p in zip(before, tensor_net.parameters()))
    grads = check_module_grads(Net222(), lambda n: n(i=SEED.i, t=SEED.t))
    assert grads[4] == pytest.approx(closed_form(SEED.i, SEED.t, SEED.w)["dw5"], rel=1e-12)


def test_a_wrong_module_gradient_names_the_parameter() -> None:
    net = MLP(2, [2, 1], activation="sigmoid", seed=0)
    with wrong_derivative(prim.SIGMOID, "lost factor"), pytest.raises(GradcheckError) as caught:
        check_module_grads(net, lambda n: n([0.5, -0.25])[0] ** 2)
    names = {m.name for m in caught.value.mismatches}
    assert "L1.N1.w1" in names and str(caught.value).startswith("check_module_grads:")


def test_gradcheck_takes_values_tensors_numbers_and_arrays_in_any_mix() -> None:
    a = Value(0.5, "a")
    W = Tensor([[1.0, -2.0], [0.5, 0.25]], requires_grad=True, label="W")
    grads = gradcheck(lambda a, m, x, b: (m @ x).tanh().sum() * 2.0, a, W, np.ones(2), 0.3)
    assert grads[0] == 0.0 and grads[3] == 0.0  # Values unused by the Tensor graph: no gradient
    assert grads[1].shape == (2, 2) and grads[2].shape == (2,)
    assert a.grad == 0.0 and W.grad is None  # the inputs themselves are untouched
    grads = gradcheck(lambda a, b: (a * b).exp(), a, 2)
    assert grads == pytest.approx([2 * math.exp(1.0), 0.5 * math.exp(1.0)])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gradcheck(lambda x: x, "two"), TypeError,
         r"gradcheck: input x1 must be a Value, a Tensor, a number or an array, got str"),
        (lambda: gradcheck(lambda x: x * 2.0, np.ones(3)), TypeError,
         r"must return a Value or a one-element Tensor \(reduce it, e\.g\. with \.sum\(\)\), "
         r"got a Tensor of shape \(3,\)"),
        (lambda: check_module_grads(Net222.__new__(Net222), lambda n: n), AttributeError, "mlp"),
        (lambda: floats_in(prim.EXP, 1), ValueError, r"floats_in: exp has 1 operand\(s\)"),
        (lambda: find(expressions(ops=["nonsense"]), lambda e: True), ValueError,
         r"expressions: 'nonsense' is not a primitive graphs can use"),
        (lambda: find(mlps(activations=["bogus"]), lambda e: True), ValueError,
         r"mlps: unknown activation 'bogus'"),
    ],
)  # fmt: skip
def test_bad_input_gets_a_message_that_names_it(call: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()  # type: ignore[operator]


def test_check_module_grads_refuses_a_model_without_parameters() -> None:
    class Empty:
        def named_parameters(self) -> list[tuple[str, object]]:
            return []

    with pytest.raises(ValueError, match="check_module_grads: Empty has no parameters"):
        check_module_grads(Empty(), lambda m: Value(1.0))


# --- the pytest plugin ----------------------------------------------------------------------------


@gradient_property(expressions(max_nodes=4, ops=[prim.SIGMOID, prim.MUL, prim.ADD]))
def test_gradient_property_checks_every_drawn_graph(e: Expression) -> None:
    assert e.size <= 4


def test_gradient_property_fails_on_a_wrong_derivative() -> None:
    @settings(fixed)
    @gradient_property(expressions(max_nodes=3, ops=[prim.EXP, prim.ADD]))
    def property_(e: Expression) -> None:
        pass

    with wrong_derivative(prim.EXP, "x1.001"), pytest.raises(GradcheckError, match="suspect: exp"):
        property_()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, check=False, timeout=120, env={**os.environ, **env},
    )  # fmt: skip


BLOCK_HYPOTHESIS = """
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "hypothesis" or name.startswith("hypothesis."):
                raise ImportError(f"No module named {name!r}")
    sys.meta_path.insert(0, Block())
"""


def test_without_hypothesis_the_kit_says_how_to_install_it() -> None:
    done = run_python(
        BLOCK_HYPOTHESIS
        + """
    from tinygrad_edu.testing import gradcheck          # the checks need no Hypothesis
    from tinygrad_edu.testing import pytest_plugin      # the plugin loads, and does nothing
    assert pytest_plugin.register_profile() is False
    for load in (lambda: pytest_plugin.gradient_property(None),
                 lambda: __import__("tinygrad_edu.testing.strategies")):
        try:
            load()
        except ImportError as error:
            print(error)
    """
    )
    assert done.returncode == 0, done.stderr
    hint = 'pip install "tinygrad-edu[test]"'
    assert done.stdout.count(hint) == 2, done.stdout


def test_the_profile_has_no_deadline_and_is_derandomised_on_ci() -> None:
    code = """
        from hypothesis import settings
        from tinygrad_edu.testing import pytest_plugin
        print(settings.get_current_profile_name(), settings.default.deadline,
              settings.default.derandomize)
    """
    assert run_python(code, CI="").stdout.split() == [PROFILE, "None", "False"]
    assert run_python(code, CI="true").stdout.split() == [PROFILE, "None", "True"]


def test_a_profile_the_user_loaded_wins(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from hypothesis import settings\n"
        "settings.register_profile('mine', max_examples=7)\n"
        "settings.load_profile('mine')\n"
    )
    (tmp_path / "test_it.py").write_text(
        "from hypothesis import settings\n"
        "def test_profile():\n"
        "    assert settings.get_current_profile_name() == 'mine'\n"
        "    assert settings.default.max_examples == 7\n"
        "def test_plugin_loaded(pytestconfig):\n"
        "    assert pytestconfig.pluginmanager.has_plugin('tinygrad_edu')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, check=False, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_users_five_line_example_passes() -> None:
    source = (ROOT / "examples" / "test_my_net.py").read_text(encoding="utf-8")
    body = source.split("def test_my_mlp_gradients_are_right")[1].split("\n\n\n")[0]
    assert len(body.strip().splitlines()) - 1 <= 5  # the def line, then at most five
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "examples" / "test_my_net.py")],
        capture_output=True, text=True, check=False, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
