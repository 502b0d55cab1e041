"""A property-based gradient test of your own MLP, in five lines of test body.

    pytest examples/test_my_net.py        # Hypothesis draws nets, batches and targets
    python examples/test_my_net.py        # the same test, run once as a script

`mlps(...)` draws MLPs of your shape — here up to 3 layers of up to 4 neurons, tanh or relu —
with weights, a batch of inputs and targets (relu's kink at 0 kept out of reach of the
finite differences). `check_module_grads` compares autograd's ∂loss/∂p for every parameter
entry with a numeric derivative and raises a readable GradcheckError if one disagrees.
"""

from hypothesis import given

from tinygrad_edu.testing import check_module_grads
from tinygrad_edu.testing.strategies import MLPCase, mlps


@given(mlps(max_layers=3, max_width=4, activations=["tanh", "relu"]))
def test_my_mlp_gradients_are_right(net: MLPCase) -> None:
    grads = check_module_grads(net.model, net.loss_fn, net.batch)
    assert len(grads) == len(net.model.parameters())


if __name__ == "__main__":
    test_my_mlp_gradients_are_right()
    print("every drawn MLP's gradients match numeric ones")
