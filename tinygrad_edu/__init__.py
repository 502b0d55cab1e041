"""tinygrad_edu: a small, exact, fast and explained reverse-mode autograd engine.

>>> from tinygrad_edu import Value
>>> x = Value(3.0, "x")
>>> y = x * x + 2 * x          # y = x² + 2x
>>> y.backward()
>>> x.grad                     # ∂y/∂x = 2x + 2
8.0
"""

from tinygrad_edu import losses
from tinygrad_edu.graph import is_grad_enabled, no_grad, topological_order
from tinygrad_edu.net222 import SEED, Net222, TensorNet222, closed_form
from tinygrad_edu.nn import (
    MLP,
    Layer,
    Layout,
    Linear,
    Module,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    TensorMLP,
)
from tinygrad_edu.optim import SGD, Adam, AdamW
from tinygrad_edu.sheet import to_spreadsheet
from tinygrad_edu.stepper import stepper
from tinygrad_edu.tensor import Tensor, concatenate, one_hot, stack, where
from tinygrad_edu.value import Parameter, Value

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SEED",
    "SGD",
    "Adam",
    "AdamW",
    "Layer",
    "Layout",
    "Linear",
    "Module",
    "Net222",
    "Neuron",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "Tensor",
    "TensorMLP",
    "TensorNet222",
    "Value",
    "__version__",
    "closed_form",
    "concatenate",
    "is_grad_enabled",
    "losses",
    "no_grad",
    "one_hot",
    "stack",
    "stepper",
    "to_spreadsheet",
    "topological_order",
    "where",
]
