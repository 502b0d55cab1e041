"""The ``tinygrad-edu`` command line (also ``python -m tinygrad_edu``).

Errors in what the user typed print one line, ``tinygrad-edu: error: …``, and exit with code 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from tinygrad_edu import __version__
from tinygrad_edu._format import table
from tinygrad_edu.net222 import SEED, WEIGHT_NAMES, Net222, closed_form
from tinygrad_edu.optim import SGD, _learning_rate
from tinygrad_edu.train import (
    SEED_LRS,
    SEED_THRESHOLDS,
    check_output_path,
    check_positive,
    check_steps,
    parse_lrs,
    parse_thresholds,
    report_net222,
    spreadsheet_rows,
    sweep,
    train_net222,
    write_table,
)
from tinygrad_edu.value import Value
from tinygrad_edu.viz import FORMATS, GraphvizNotFoundError

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


def _command(
    commands: Any, name: str, help: str, description: str, examples: Sequence[str]
) -> argparse.ArgumentParser:
    """A sub-command whose --help ends with examples."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog="examples:\n" + "\n".join(f"  {PROG} {e}" for e in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse type from a checker that raises ValueError with a full message."""

    def convert(text: str) -> Any:
        try:
            return check(text)
        except ValueError as error:
            # argparse names the option itself ("argument --lrs: …"): don't say it twice.
            message = str(error)
            if message.startswith("--") and ": " in message:
                message = message.split(": ", 1)[1]
            raise argparse.ArgumentTypeError(message) from None

    return convert


def _number(what: str) -> Callable[[str], float]:
    """A finite float, or an error naming the option."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{what}: {text!r} is not a finite number")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task."""
    parser = _Parser(
        prog=PROG,
        description="tinygrad_edu: backpropagation you can see, check and explain.",
        epilog=(
            "examples:\n  tinygrad-edu demo\n  tinygrad-edu derive --all\n"
            "  tinygrad-edu explain w1\n  tinygrad-edu graph --highlight w1 --out w1.svg\n"
            "  tinygrad-edu train --lr 0.5 --steps 1000 --csv training.csv\n"
            "  tinygrad-edu sweep --plot sweep.png"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Not required=True: argparse would then report a missing command before an unknown
    # option, which misleads; main() says a command is missing itself.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = _command(
        commands,
        "demo",
        "the 2-2-2 network at the seeds' example: forward, gradients, explanations, a sweep",
        "Build the derivation's 2-2-2 sigmoid network at its worked example, print the forward "
        "pass, the autograd gradients next to the hand-derived closed form, the chain rule for "
        "one weight of each layer, one SGD step, and the learning-rate sweep of the seeds. "
        "With --out, also write the pictures, the sweep plot and the training spreadsheet.",
        ["demo", "demo --lr 1.0", "demo --out demo-output"],
    )
    demo.add_argument(
        "--lr", type=_positive_float, default=0.5, help="learning rate of the step (default 0.5)"
    )
    demo.add_argument("--out", metavar="FOLDER", help="write pictures, plot and CSV here")

    graph = _command(
        commands,
        "graph",
        "draw the 2-2-2 network's computation graph (or its network diagram)",
        "Draw the 2-2-2 network at the seeds' example after backward, with Graphviz: the "
        "computation graph (every value, operation and gradient), or with --network the "
        "textbook picture of the network. --highlight draws every chain-rule path from E_total "
        "to a node in red, each edge labelled with its local derivative.",
        [
            "graph --out graph.svg",
            "graph --highlight w1 --formulas --out w1.png",
            "graph --network --format pdf --out network.pdf",
            "graph --format dot",
        ],
    )
    graph.add_argument("--network", action="store_true", help="the network diagram instead")
    graph.add_argument("--highlight", metavar="NODE", help="a node such as w1, a_h1 or o2")
    graph.add_argument(
        "--formulas", action="store_true", help="label highlighted edges with formulas too"
    )
    graph.add_argument(
        "--format", choices=FORMATS, default=None, help="default: from --out, or svg"
    )
    graph.add_argument(
        "--out", metavar="PATH", help="file to write (default: graph.svg; dot prints to stdout)"
    )

    explain_ = _command(
        commands,
        "explain",
        "every chain-rule path from E_total to a node, with local derivatives",
        "List every path from E_total down to a node of the 2-2-2 network at the seeds' "
        "example, each edge's local derivative as a formula and a number, each path's product, "
        "and their sum, checked against autograd's gradient.",
        ["explain w1", "explain w5 --format md", "explain a_h1 --format latex"],
    )
    explain_.add_argument("node", help="a node of the network: w1..w8, i1, h1, a_h1, o1, a_o1, …")
    explain_.add_argument("--format", choices=("text", "md", "latex"), default="text")

    derive_ = _command(
        commands,
        "derive",
        "the closed-form gradient formulas of the 2-2-2 network",
        "Derive ∂E_total/∂node in closed form from the graph, in the derivation's notation: "
        "sums over paths, factored where they share a tail.",
        ["derive w1", "derive w1 w5 a_h1", "derive --all", "derive --all --format latex"],
    )
    derive_.add_argument("nodes", nargs="*", metavar="NODE", help="nodes such as w1 or a_h1")
    derive_.add_argument(
        "--all", action="store_true", help="w1..w8, then ∂E_total/∂a_h1 and ∂E_total/∂a_h2"
    )
    derive_.add_argument("--format", choices=("text", "latex"), default="text")

    train_ = _command(
        commands,
        "train",
        "train the 2-2-2 network by SGD and write the spreadsheet",
        "Train the derivation's 2-2-2 network by gradient descent, w ← w − lr·∂E_total/∂w, "
        "from the seeds' example (or the numbers given), and optionally write one row per "
        "iteration with the derivation's columns (CSV, or XLSX for a .xlsx path).",
        [
            "train",
            "train --lr 0.5 --steps 3 --csv training.csv",
            "train --until 1e-3 --lr 2",
            "train --w 0.15 0.2 0.25 0.3 0.4 0.45 0.5 0.55 --i 0.05 0.1 --t 0.01 0.99",
            "train --bias 0.35 0.35 0.6 0.6 --csv with_biases.xlsx",
        ],
    )
    train_.add_argument("--lr", type=_positive_float, default=0.5, help="default 0.5")
    train_.add_argument(
        "--steps", type=_checked(lambda s: check_steps(_integer(s, "--steps"), "--steps")),
        default=1000, help="updates at most (default 1000)",
    )  # fmt: skip
    train_.add_argument(
        "--until", type=_checked(lambda s: check_positive(_number("--until")(s), "--until")),
        help="stop at the first iteration with E_total below this",
    )  # fmt: skip
    train_.add_argument("--csv", metavar="PATH", help="write the spreadsheet (.csv or .xlsx)")
    train_.add_argument("--w", nargs=8, type=_number("--w"), metavar="W", help="w1 … w8")
    train_.add_argument("--i", nargs=2, type=_number("--i"), metavar="I", help="i1 i2")
    train_.add_argument("--t", nargs=2, type=_number("--t"), metavar="T", help="t1 t2")
    train_.add_argument(
        "--bias", nargs=4, type=_number("--bias"), metavar="B", help="b_h1 b_h2 b_o1 b_o2"
    )
    train_.add_argument("--quiet", action="store_true", help="no progress bar")

    sweep_ = _command(
        commands,
        "sweep",
        "the seeds' learning-rate experiment: E_total curves, summary, plot",
        "Train the 2-2-2 network from the same start once per learning rate; print the final "
        "E_total and the first iteration below each threshold; optionally plot the curves "
        "(PNG or SVG) and write them as CSV.",
        [
            "sweep",
            "sweep --steps 1000 --thresholds 0.01,0.001",
            "sweep --lrs 0.1,0.5,2.0 --plot sweep.png --csv curves.csv",
        ],
    )
    sweep_.add_argument(
        "--lrs", type=_checked(parse_lrs), default=SEED_LRS,
        help="comma-separated (default: the seeds' 0.1,0.2,0.5,0.8,1.0,2.0)",
    )  # fmt: skip
    sweep_.add_argument(
        "--steps", type=_checked(lambda s: check_steps(_integer(s, "--steps"), "--steps")),
        default=100, help="updates per learning rate (default 100)",
    )  # fmt: skip
    sweep_.add_argument("--thresholds", type=_checked(parse_thresholds), default=SEED_THRESHOLDS,
                        help="comma-separated E_total thresholds (default 0.01,0.001)")  # fmt: skip
    sweep_.add_argument("--plot", metavar="PATH", help="write the plot (.png or .svg)")
    sweep_.add_argument("--csv", metavar="PATH", help="write the curves as CSV")
    sweep_.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a whole number") from None


def _seed_network() -> tuple[Net222, Value]:
    """The 2-2-2 network at the seeds' example, after one forward and backward pass."""
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    return net, E_total


def _node(net: Net222, name: str) -> Value:
    """The node of the network called `name`, or a usage error listing the names."""
    nodes: dict[str, Value] = {w.label: w for w in net.weights}
    nodes.update(net.nodes)
    if name not in nodes:
        raise UsageError(f"unknown node {name!r}; choose one of {', '.join(nodes)}")
    return nodes[name]


def demo(lr: float = 0.5, sweep_steps: int = 100) -> str:
    """The demo's report: forward table, autograd vs closed-form gradients, the chain rule for
    w1 and w5, one SGD step, and the seeds' learning-rate sweep."""
    from tinygrad_edu.explain import explain

    net, E_total = _seed_network()
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
        "The chain rule, path by path, for one weight of each layer (tinygrad-edu explain w1)",
        "",
        explain(E_total, net.weights[4]).text(),
        "",
        explain(E_total, net.weights[0]).text(),
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
    result = sweep(steps=sweep_steps, progress=False)
    out += [
        "",
        f"The seeds' learning-rate sweep: {sweep_steps} SGD steps from the same start",
        result.summary_table(),
    ]
    return "\n".join(out)


def demo_files(folder: str, lr: float = 0.5, sweep_steps: int = 100) -> list[str]:
    """Write the demo's files into `folder`; returns one line per file (or per skipped file)."""
    from tinygrad_edu.viz import demo_pictures

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {folder!r} is a file, not a folder")
    if not out.parent.is_dir():
        raise UsageError(f"--out: cannot create {folder!r}: folder {str(out.parent)!r} is missing")
    out.mkdir(exist_ok=True)
    lines = []
    try:
        paths = demo_pictures(out)
        lines += [f"  {p}" for p in paths]
    except GraphvizNotFoundError as error:
        lines.append(f"  (pictures skipped: {error})")
    lines.append(f"  {sweep(steps=sweep_steps, progress=False).plot(out / 'sweep.png')}")
    history = train_net222(lr=lr, steps=sweep_steps, progress=False)
    lines.append(f"  {write_table(spreadsheet_rows(history), out / 'training.csv')}")
    return lines


def graph_command(args: argparse.Namespace) -> str | None:
    """Draw and write the picture; returns DOT source to print when no --out was given."""
    from tinygrad_edu.viz import draw_graph, draw_network, render

    net, E_total = _seed_network()
    fmt = args.format
    if args.network:
        if args.highlight or args.formulas:
            raise UsageError(
                "--highlight and --formulas draw on the computation graph, not --network"
            )
        picture = draw_network(net)
    else:
        target = _node(net, args.highlight) if args.highlight else None
        picture = draw_graph(E_total, highlight=target, formulas=args.formulas, model=net)
    if args.out is None:
        if fmt == "dot":
            return str(picture.source)
        args.out = f"{'network' if args.network else 'graph'}.{fmt or 'svg'}"
    path = check_output_path(args.out, "--out")
    print(f"wrote {render(picture, path, fmt)}")
    return None


def explain_command(name: str, fmt: str) -> str:
    """The explanation of ∂E_total/∂name in the chosen format."""
    from tinygrad_edu.explain import explain

    net, E_total = _seed_network()
    explanation = explain(E_total, _node(net, name))
    return {"text": explanation.text, "md": explanation.markdown, "latex": explanation.latex}[
        fmt
    ]().rstrip("\n")


def derive_command(names: Sequence[str], all_: bool, fmt: str) -> str:
    """∂E_total/∂node in closed form, one line per node."""
    from tinygrad_edu.explain import derive

    if all_ and names:
        raise UsageError("give node names or --all, not both")
    if not all_ and not names:
        raise UsageError("name a node (e.g. derive w1) or give --all")
    net, E_total = _seed_network()
    if all_:
        names = [*WEIGHT_NAMES, "a_h1", "a_h2"]
    nodes = [_node(net, name) for name in names]
    lines = []
    for node in nodes:
        derivation = derive(E_total, node)
        if fmt == "latex":
            lines.append(
                rf"\frac{{\partial E_{{total}}}}{{\partial {_latex_name(derivation.wrt)}}} = "
                f"{derivation.latex()}"
            )
        else:
            lines.append(str(derivation))
    return "\n".join(lines)


def _latex_name(name: str) -> str:
    import sympy

    from tinygrad_edu.explain import _latex

    return _latex(sympy.Symbol(name))


def train_command(args: argparse.Namespace) -> str:
    """Train, write the spreadsheet if asked, and report."""
    csv_path = None
    if args.csv is not None:
        csv_path = check_output_path(args.csv, "--csv", (".csv", ".xlsx"))
    history = train_net222(
        w=args.w or SEED.w,
        i=args.i or SEED.i,
        t=args.t or SEED.t,
        b=args.bias,
        lr=args.lr,
        steps=args.steps,
        until=args.until,
        # Every parameter, gradient and node of every step only when a spreadsheet is wanted.
        record="all" if csv_path else ("params",),
        progress=False if args.quiet else None,
    )
    report = report_net222(history)
    if csv_path is not None:
        report += f"\nwrote {write_table(spreadsheet_rows(history), csv_path)}"
    return report


def sweep_command(args: argparse.Namespace) -> str:
    """Run the sweep, write plot and CSV if asked, and print the summary."""
    plot = csv_path = None
    if args.plot is not None:
        plot = check_output_path(args.plot, "--plot", (".png", ".svg"))
    if args.csv is not None:
        csv_path = check_output_path(args.csv, "--csv", (".csv",))
    result = sweep(args.lrs, args.steps, args.thresholds, progress=False if args.quiet else None)
    lines = [result.summary_table()]
    if plot is not None:
        lines.append(f"wrote {result.plot(plot)}")
    if csv_path is not None:
        lines.append(f"wrote {result.write_csv(csv_path)}")
    return "\n".join(lines)


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
            raise UsageError(
                "a command is required: demo, graph, explain, derive, train or sweep "
                "(see tinygrad-edu --help)"
            )
        if args.command == "demo":
            files = demo_files(args.out, args.lr) if args.out is not None else None
            print(demo(lr=args.lr))
            if files is not None:
                print(f"\nFiles written to {args.out}/:", *files, sep="\n")
        elif args.command == "graph":
            source = graph_command(args)
            if source is not None:
                print(source, end="")
        elif args.command == "explain":
            print(explain_command(args.node, args.format))
        elif args.command == "derive":
            print(derive_command(args.nodes, args.all, args.format))
        elif args.command == "train":
            print(train_command(args))
        elif args.command == "sweep":
            print(sweep_command(args))
        return 0
    except (UsageError, ValueError, GraphvizNotFoundError) as error:
        # ValueError: the library's own argument checks (a path, a count), already one line.
        message = " ".join(str(error).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except ImportError as error:  # an optional extra (matplotlib, openpyxl) is missing
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. the output is a full disk or a closed pipe
        print(f"{PROG}: error: cannot write the output: {error}", file=sys.stderr)
        return 2
