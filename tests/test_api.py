"""The public surface is deliberate: pinned here, documented everywhere."""

from __future__ import annotations

import importlib
import inspect

import tinygrad_edu
from tinygrad_edu import cli, graph, losses, net222, nn, optim, tensor, testing, train, value, viz
from tinygrad_edu import sheet as sheet_module

# The module, not the function `tinygrad_edu.stepper` that the package exports under its name.
stepper_module = importlib.import_module("tinygrad_edu.stepper")

PUBLIC = {
    "MLP", "SEED", "SGD", "Adam", "Layer", "Layout", "Linear", "Module", "Net222", "Neuron", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "Tanh", "Tensor", "TensorMLP", "TensorNet222", "Value",
    "__version__", "closed_form", "concatenate", "is_grad_enabled", "losses", "no_grad", "stack",
    "topological_order", "AdamW", "one_hot", "where", "stepper", "to_spreadsheet",
}  # fmt: skip


def test_public_api_is_pinned() -> None:
    assert set(tinygrad_edu.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(tinygrad_edu, name)


def test_every_public_function_and_method_has_a_docstring() -> None:
    missing = []
    modules = (graph, value, tensor, nn, optim, losses, net222, testing, train, viz, cli)
    for module in (*modules, stepper_module, sheet_module):
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not inspect.getdoc(obj):
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr not in ("__init__", "__call__"):
                        continue
                    defined_here = getattr(member, "__qualname__", "").startswith(f"{name}.")
                    if callable(member) and defined_here and not inspect.getdoc(member):
                        missing.append(f"{module.__name__}.{name}.{attr}")
    assert missing == []
