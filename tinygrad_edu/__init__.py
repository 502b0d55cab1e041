"""tinygrad_edu: a small, exact, fast and explained reverse-mode autograd engine.

>>> from tinygrad_edu import Value
>>> x = Value(3.0, "x")
>>> y = x * x + 2 * x          # y = x² + 2x
>>> y.backward()
>>> x.grad                     # ∂y/∂x = 2x + 2
8.0
"""

from tinygrad_edu.graph import is_grad_enabled, no_grad, topological_order
from tinygrad_edu.net222 import SEED, Net222, closed_form
from tinygrad_edu.nn import MLP, Layer, Module, Neuron
from tinygrad_edu.optim import SGD
from tinygrad_edu.value import Value

__version__ = "0.1.0"

__all__ = [
    "MLP",
    "SEED",
    "SGD",
    "Layer",
    "Module",
    "Net222",
    "Neuron",
    "Value",
    "__version__",
    "closed_form",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]
