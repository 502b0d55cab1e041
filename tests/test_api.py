"""The public surface is deliberate: pinned here, documented everywhere."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import tinygrad_edu
from tinygrad_edu import cli, graph, losses, net222, nn, optim, tensor, testing, train, value, viz
from tinygrad_edu import explain as explain_module
from tinygrad_edu import primitives as primitives_module
from tinygrad_edu import sheet as sheet_module
from tinygrad_edu.testing import pytest_plugin, strategies

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


# Every module with a page in the API reference (docs/api/): their public names are its entries.
DOCUMENTED = (
    tinygrad_edu, graph, value, tensor, nn, losses, optim, net222, explain_module, viz, train,
    sheet_module, stepper_module, primitives_module, testing, strategies, pytest_plugin, cli,
)  # fmt: skip
# A summary is the docstring's first paragraph: one sentence that says what the name is (with
# its formula, where it has one), read in the API reference's entry and in `help()`. Lines are
# at most 100 characters (ruff), so three lines are about as long as one sentence should be.
SUMMARY_LINES = 3


def public_objects() -> list[tuple[str, object]]:
    """(qualified name, object) of every public class and function of the documented modules."""
    found = []
    for module in DOCUMENTED:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found.append((f"{module.__name__}.{name}", obj))
    return found


@pytest.mark.parametrize(("name", "obj"), public_objects(), ids=lambda v: str(v))
def test_every_public_name_has_a_summary_line(name: str, obj: object) -> None:
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    summary = doc.split("\n\n")[0]
    first = summary.splitlines()[0]
    assert first.strip() and not first.startswith((">>>", "-", " ")), (name, first)
    assert len(summary.splitlines()) <= SUMMARY_LINES, (name, summary)
    assert summary.rstrip().endswith((".", ")", ":", "…")), (name, summary)


def test_every_documented_module_has_a_summary_and_an_api_page() -> None:
    pages = Path(__file__).resolve().parent.parent / "docs" / "api"
    text = "\n".join(page.read_text(encoding="utf-8") for page in pages.glob("*.md"))
    for module in DOCUMENTED:
        doc = inspect.getdoc(module)
        assert doc and doc.splitlines()[0].strip(), module.__name__
        if module is not tinygrad_edu:
            assert f"::: {module.__name__}\n" in text, f"{module.__name__} has no API page"


@pytest.mark.parametrize("name", tinygrad_edu.__all__)
def test_every_exported_class_and_function_has_a_runnable_example(name: str) -> None:
    """What the package exports is what learners use first: each shows itself at work.

    The examples run as doctests (pytest's --doctest-modules), so they are true.
    """
    obj = getattr(tinygrad_edu, name)
    if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj)):
        return  # SEED and __version__: values, documented where they are defined
    doc = inspect.getdoc(obj) or ""
    assert ">>> " in doc, f"tinygrad_edu.{name} has no example (a >>> line) in its docstring"


def test_the_checks_catch_a_missing_docstring_or_summary() -> None:
    def undocumented() -> None:
        pass

    def rambling() -> None:
        """One.
        Two.
        Three.
        Four, all one paragraph."""

    with pytest.raises(AssertionError, match="has no docstring"):
        test_every_public_name_has_a_summary_line("undocumented", undocumented)
    with pytest.raises(AssertionError, match="rambling"):
        test_every_public_name_has_a_summary_line("rambling", rambling)
