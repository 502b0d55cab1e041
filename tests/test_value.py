"""Value: construction, graph structure, backward semantics, no_grad and clear errors."""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np
import pytest

from tinygrad_edu import Value, is_grad_enabled, no_grad, topological_order
from tinygrad_edu import value as value_module
from tinygrad_edu.testing import ULP_RTOL, close

# --- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data", [3, 2.5, -0.0, np.float64(1.5), np.float32(0.25), np.int64(7), Fraction(1, 4)]
)
def test_value_stores_real_numbers_as_float(data: object) -> None:
    v = Value(data, "x")  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == float(data)  # type: ignore[arg-type]
    assert (v.grad, v.label, v.op, v.parents) == (0.0, "x", "", ())


@pytest.mark.parametrize(
    ("data", "type_name"),
    [("1.0", "str"), (None, "NoneType"), (True, "bool"), (1j, "complex"), ([1.0], "list"),
     (np.bool_(True), "bool"), (np.array([1.0]), "ndarray")],
)  # fmt: skip
def test_value_rejects_non_real_data_naming_the_type(data: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=f"Value takes a real number.*{type_name}"):
        Value(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_data(data: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        Value(data)


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_repr_and_float() -> None:
    v = Value(2.0, "w1")
    assert repr(v) == "Value(data=2.0, grad=0.0, label='w1')"
    assert float(v * 3) == 6.0
    assert "op='*'" in repr(v * 3)


def test_node_is_small_with_slots() -> None:
    v = Value(1.0) + 2.0
    assert not hasattr(v, "__dict__")
    assert sys.getsizeof(v) <= 80  # 6 slots (two of them the operands) + object and GC headers


# --- graph structure --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "op"),
    [(lambda a, b: a + b, "+"), (lambda a, b: a - b, "-"), (lambda a, b: a * b, "*"),
     (lambda a, b: a / b, "/"), (lambda a, b: a**b, "**")],
)  # fmt: skip
def test_binary_ops_record_op_and_parents_in_operand_order(build: object, op: str) -> None:
    a, b = Value(3.0, "a"), Value(2.0, "b")
    out = build(a, b)  # type: ignore[operator]
    assert out.op == op
    assert out.parents == (a, b)


def test_numbers_on_either_side_become_constant_leaves() -> None:
    a = Value(3.0, "a")
    for out, expected in [
        (a + 2, 5.0), (2 + a, 5.0), (a - 2, 1.0), (2 - a, -1.0), (a * 2, 6.0), (2 * a, 6.0),
        (a / 2, 1.5), (6 / a, 2.0), (a**2, 9.0), (2**a, 8.0), (np.float64(2) * a, 6.0),
    ]:  # fmt: skip
        assert isinstance(out, Value)
        assert out.data == expected
        assert a in out.parents
        (constant,) = [p for p in out.parents if p is not a]
        assert constant.op == "" and constant.parents == ()
    # Reflected operators keep the operand order of the expression: 2 − a is (2, a).
    assert [p.data for p in (2 - a).parents] == [2.0, 3.0]


def test_a_plus_a_has_two_parents() -> None:
    a = Value(1.5)
    assert (a + a).parents == (a, a)


@pytest.mark.parametrize(
    ("method", "op"), [("exp", "exp"), ("log", "log"), ("tanh", "tanh"), ("sigmoid", "sigmoid"),
                       ("relu", "relu"), ("__neg__", "neg")]
)  # fmt: skip
def test_unary_ops_record_op_and_parent(method: str, op: str) -> None:
    a = Value(0.5)
    out = getattr(a, method)()
    assert (out.op, out.parents) == (op, (a,))


@pytest.mark.parametrize("other", ["2", None, [1.0], True, 1j])
def test_mixing_with_non_numbers_is_a_type_error(other: object) -> None:
    a = Value(1.0)
    for build in (lambda: a + other, lambda: other * a, lambda: a**other, lambda: a / other):
        with pytest.raises(TypeError):
            build()


def test_topological_order_lists_parents_first_and_root_last() -> None:
    a, b = Value(1.0, "a"), Value(2.0, "b")
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order[-1] is d
    assert len(order) == len({id(n) for n in order}) == 4
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:
        assert all(position[id(p)] < position[id(node)] for p in node.parents)


# --- backward ---------------------------------------------------------------------------------


def test_backward_gives_root_grad_one_and_chain_rule() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b + a  # ∂c/∂a = b + 1, ∂c/∂b = a
    c.backward()
    assert (c.grad, a.grad, b.grad) == (1.0, -2.0, 2.0)


def test_shared_subexpression() -> None:
    a = Value(3.0)
    b = a + a  # b = 2a
    c = b * b  # c = 4a², ∂c/∂a = 8a
    c.backward()
    assert a.grad == 24.0
    assert b.grad == 12.0  # ∂c/∂b = 2b


def test_each_local_backward_runs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[int, int] = {}
    original = value_module._Binary.backward

    def counting(self: object, out: Value) -> None:
        calls[id(out)] = calls.get(id(out), 0) + 1
        original(self, out)  # type: ignore[arg-type]

    monkeypatch.setattr(value_module._Binary, "backward", counting)
    x = Value(0.5)
    y = x * x
    # y reaches the root along 2 ** 10 paths; each node must still run once.
    z = y
    for _ in range(10):
        z = z + z
    z.backward()
    assert set(calls.values()) == {1}
    assert len(calls) == 11
    assert x.grad == 1024 * 2 * 0.5


def test_second_backward_accumulates_in_leaves_like_pytorch() -> None:
    a, b = Value(2.0), Value(5.0)
    c = a * b
    h = c * c  # interior node c: ∂h/∂c = 2c = 20
    h.backward()
    first = (a.grad, b.grad, c.grad)
    h.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert c.grad == first[2]  # interior gradients describe one pass only
    assert h.grad == 1.0
    # Reset, as documented, and the next pass is fresh.
    for node in topological_order(h):
        node.grad = 0.0
    h.backward()
    assert (a.grad, b.grad) == first[:2]


def test_backward_on_a_leaf_accumulates_one() -> None:
    x = Value(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_million_node_chain_backpropagates_without_recursion() -> None:
    limit = sys.getrecursionlimit()
    x = Value(1.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # (−1)^1,000,000
    assert y.data == 1.5
    assert sys.getrecursionlimit() == limit
    del y  # freeing a deep chain must not overflow the C stack either


def test_no_grad_builds_no_graph_and_restores_mode() -> None:
    a = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        b = (a * 3).sigmoid() + 1
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert b.parents == () and b.op == ""
    assert close(b.data, 1 / (1 + math.exp(-6)) + 1, ULP_RTOL, 0.0)
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError("boom")
    assert is_grad_enabled()


# --- clear errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_names_op_and_operand(x: float) -> None:
    with pytest.raises(ValueError, match=r"log: operand must be > 0, got -?[01]\.0.*x = "):
        Value(x, "x").log()


def test_division_by_zero_names_op_and_operand() -> None:
    with pytest.raises(ZeroDivisionError, match=r"division: divisor is zero.*d = 0\.0"):
        Value(1.0) / Value(0.0, "d")
    with pytest.raises(ZeroDivisionError, match="division"):
        1 / Value(0.0)


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(ZeroDivisionError, match=r"power: 0\.0 \*\* -1\.0"):
        Value(0.0) ** -1
    with pytest.raises(ZeroDivisionError, match="power"):
        Value(0.0) ** Value(-2.0)


def test_negative_base_with_fractional_exponent() -> None:
    with pytest.raises(ValueError, match=r"power: -8\.0 \*\* 0.5 has no real value"):
        Value(-8.0) ** 0.5


def test_exp_overflow_is_a_clear_error() -> None:
    with pytest.raises(OverflowError, match=r"exp: exp\(1000\.0\) overflows float64.*709\.78"):
        Value(1000.0).exp()
    with pytest.raises(OverflowError, match="power"):
        Value(10.0) ** 400


def test_infinite_derivative_of_sqrt_at_zero_is_reported() -> None:
    x = Value(0.0)
    y = x**0.5
    assert y.data == 0.0
    with pytest.raises(ValueError, match=r"infinite at x = 0\.0"):
        y.backward()


def test_exponent_gradient_of_a_negative_base_is_reported() -> None:
    x, n = Value(-2.0), Value(3.0)
    y = x**n
    assert y.data == -8.0
    with pytest.raises(ValueError, match="with respect to the exponent"):
        y.backward()


def test_constant_integer_power_of_negative_base_is_fine() -> None:
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0


def test_arithmetic_overflow_is_an_error_not_a_silent_inf() -> None:
    with pytest.raises(OverflowError, match=r"multiplication: 1e\+308 \* 10.0 overflows float64"):
        Value(1e308) * Value(10.0)
    with pytest.raises(OverflowError, match="addition"):
        Value(1.7e308) + 1.7e308
    y = Value(1.0) / Value(1e-200, "d")  # fine forward: 1e200 ...
    with pytest.raises(OverflowError, match=r"backward: the gradient of d \(data 1e-200\) is -inf"):
        y.backward()  # ... but ∂y/∂d = −1e400 is not a float64


def test_numbers_too_large_for_float64_are_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match=r"Value takes a finite number; 100000000000… \(401 digits\) is too large"
    ):
        Value(10**400)
    with pytest.raises(ValueError, match=r"addition \(\+\) takes a finite number"):
        Value(1.0) + 10**400


def test_a_constant_base_is_not_differentiated() -> None:
    y = Value(0.5)
    out = 0.0**y  # ∂(0 ** y)/∂y = 0 for y > 0; the base 0 is a constant, so no 0^(y−1) term
    out.backward()
    assert (out.data, y.grad) == (0.0, 0.0)
    z = Value(3.0)
    (2**z).backward()
    assert close(z.grad, 8.0 * math.log(2.0), ULP_RTOL, 0.0)


def test_graphs_hold_no_reference_cycles() -> None:
    # Nodes hold no closures, so a dropped graph is freed by reference counting alone and the
    # cyclic collector finds nothing to do.
    import gc

    from tinygrad_edu import Net222

    gc.collect()
    gc.disable()
    try:
        net = Net222()
        for _ in range(3):
            net.zero_grad()
            net(i=(0.05, 0.1), t=(0.01, 0.99)).backward()
        net.nodes = {}
        del net
        assert gc.collect() == 0
    finally:
        gc.enable()
