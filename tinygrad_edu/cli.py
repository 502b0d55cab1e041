"""The ``tinygrad-edu`` command line (also ``python -m tinygrad_edu``).

Errors in what the user typed print one line, ``tinygrad-edu: error: …``, and exit with code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from tinygrad_edu import __version__
from tinygrad_edu._format import table
from tinygrad_edu.net222 import SEED, WEIGHT_NAMES, Net222, closed_form
from tinygrad_edu.optim import SGD, _learning_rate

PROG = "tinygrad-edu"

# The forward pass as the derivation writes it, shown beside each node's value.
FORMULAS = {
    "h1": "w1·i1 + w2·i2",
    "a_h1": "σ(h1)",
    "h2": "w3·i1 + w4·i2",
    "a_h2": "σ(h2)",
    "o1": "w5·a_h1 + w6·a_h2",
    "a_o1": "σ(o1)",
    "o2": "w7·a_h1 + w8·a_h2",
    "a_o2": "σ(o2)",
    "E1": "½(t1 − a_o1)²",
    "E2": "½(t2 − a_o2)²",
    "E_total": "E1 + E2",
}


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line and exit code 2, instead of argparse's usage block."""
        raise UsageError(message)


def _positive_float(text: str) -> float:
    try:
        return _learning_rate(float(text), "--lr")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid learning rate {text!r}: it must be a finite number > 0"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task."""
    parser = _Parser(
        prog=PROG,
        description="tinygrad_edu: backpropagation you can see, check and explain.",
        epilog="examples:\n  tinygrad-edu demo\n  tinygrad-edu demo --lr 1.0",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Not required=True: argparse would then report a missing command before an unknown
    # option, which misleads; main() says a command is missing itself.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="the 2-2-2 network at the seeds' example: forward, gradients, one SGD step",
        description=(
            "Build the derivation's 2-2-2 sigmoid network at its worked example, print the "
            "forward pass, the autograd gradients next to the hand-derived closed form, and "
            "the weights after one SGD step."
        ),
        epilog="example:\n  tinygrad-edu demo --lr 0.5",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--lr", type=_positive_float, default=0.5, help="learning rate of the step (default 0.5)"
    )
    return parser


def demo(lr: float = 0.5) -> str:
    """The demo's report: forward table, autograd vs closed-form gradients, one SGD step."""
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    reference = closed_form(SEED.i, SEED.t, SEED.w)
    i1, i2 = SEED.i
    t1, t2 = SEED.t
    out = [
        "tinygrad_edu demo: the 2-2-2 sigmoid network of the derivation, at its worked example",
        f"  inputs i1 = {i1}, i2 = {i2};  targets t1 = {t1}, t2 = {t2}",
        "",
        "Forward pass",
        table(
            ["node", "formula", "value"],
            [[name, formula, f"{net.nodes[name].data:.12f}"] for name, formula in FORMULAS.items()],
        ),
        "",
        "Backward pass: ∂E_total/∂w by autograd and by the derivation's closed form",
        table(
            ["weight", "value", "autograd", "closed form", "|difference|"],
            [
                [
                    w.label,
                    f"{w.data:g}",
                    f"{w.grad:.15e}",
                    f"{reference['d' + name]:.15e}",
                    f"{abs(w.grad - reference['d' + name]):.1e}",
                ]
                for w, name in zip(net.weights, WEIGHT_NAMES)
            ],
        ),
        "",
        f"One SGD step with lr = {lr:g}:  w ← w − lr · ∂E_total/∂w",
    ]
    before = [w.data for w in net.weights]
    SGD(net.parameters(), lr=lr).step()
    out.append(
        table(
            ["weight", "before", "gradient", "after"],
            [
                [w.label, f"{old:.12f}", f"{w.grad:.12f}", f"{w.data:.12f}"]
                for w, old in zip(net.weights, before)
            ],
        )
    )
    E_after = net(i=SEED.i, t=SEED.t).data
    out.append(f"  E_total: {E_total.data:.12f} → {E_after:.12f}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for a usage error)."""
    # The tables use σ, ½ and →: on a terminal that cannot show them, show "?" rather than fail.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required: demo (see tinygrad-edu --help)")
        if args.command == "demo":
            print(demo(lr=args.lr))
        return 0
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. the output is a full disk or a closed pipe
        print(f"{PROG}: error: cannot write the output: {error}", file=sys.stderr)
        return 2
