"""The ``tinygrad-edu`` command line (also ``python -m tinygrad_edu``), for any worked example.

The commands (demo, graph, explain, derive, train, sweep, sheet, step) work on a `WorkedExample`: a
model at fixed numbers, its named nodes, its experiments and the texts that present them. This
module knows none in particular; ``tinygrad_edu.__main__`` runs it on the 2-2-2 network's.

Errors in what the user typed print one line, ``tinygrad-edu: error: …``, and exit with code 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, Protocol

from tinygrad_edu import __version__
from tinygrad_edu._checks import learning_rate, positive, whole
from tinygrad_edu.nn import Module
from tinygrad_edu.train import (
    History,
    Sweep,
    check_output_path,
    parse_lrs,
    parse_thresholds,
    write_table,
)
from tinygrad_edu.viz import FORMATS, GraphvizNotFoundError

__all__ = ["PROG", "UsageError", "WorkedExample", "build_parser", "main"]

PROG = "tinygrad-edu"


class WorkedExample(Protocol):
    """What the command line needs from a worked example: the 2-2-2 network's is the one
    ``tinygrad-edu`` runs (see ``tinygrad_edu.__main__``)."""

    @property
    def loss_name(self) -> str:
        """The root's name, as the texts write it: "E_total"."""

    @property
    def lrs(self) -> tuple[float, ...]:
        """The learning rates `sweep` compares by default."""

    @property
    def thresholds(self) -> tuple[float, ...]:
        """The losses whose first crossing `sweep` reports by default."""

    @property
    def derive_all(self) -> Sequence[str]:
        """The nodes ``derive --all`` derives, in order."""

    @property
    def numbers(self) -> Sequence[tuple[str, int, str, str]]:
        """``train``'s numbers, one option each: (name, how many, metavar, help)."""

    @property
    def examples(self) -> Sequence[str]:
        """Example command lines for ``--help``."""

    @property
    def help(self) -> Mapping[str, tuple[str, str, Sequence[str]]]:
        """Each command's (one-line summary, description, example command lines); an example
        without "sheet" has no ``sheet`` command."""

    @property
    def option_help(self) -> Mapping[str, str]:
        """Help of options that name the example's nodes ("graph --highlight", "explain node",
        "derive nodes", "derive --all", "sweep --lrs"); a generic text where none is given."""

    def network(self) -> tuple[Module, Any, Mapping[str, Any]]:
        """The model at the example's numbers after backward, its loss, and its nodes by name."""

    def demo(self, lr: float, sweep_steps: int = 100) -> str:
        """The demo's report, one SGD step taken with `lr`."""

    def demo_files(self, folder: str, lr: float, sweep_steps: int = 100) -> list[str]:
        """Write the demo's files into `folder`; one line per file written (or skipped)."""

    def train(
        self,
        numbers: Mapping[str, Sequence[float] | None],
        lr: float,
        steps: int,
        until: float | None,
        *,
        record: str | Collection[str],
        progress: bool | None,
    ) -> History:
        """Train from the numbers given ({name: numbers or None}), the example's for the rest."""

    def training_report(self, history: History) -> str:
        """What ``train`` prints about a run."""

    def spreadsheet_rows(self, history: History) -> list[dict[str, float]]:
        """One row per iteration of a run recorded with record="all", for ``--csv``."""

    def sweep(
        self, lrs: Sequence[float], steps: int, thresholds: Sequence[float], progress: bool | None
    ) -> Sweep:
        """Train from the same start once per learning rate."""

    def sheet(self, path: Path, lr: float, iterations: int, every_node: bool) -> Path:
        """Write the training as a workbook of live formulas; returns the path written."""


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line and exit code 2, instead of argparse's usage block."""
        raise UsageError(message)


def _positive_float(text: str) -> float:
    try:
        return learning_rate(float(text), "--lr")
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
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):  # argparse names the option: the message need not
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        return value

    return convert


def build_parser(example: WorkedExample) -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task, its texts from `example`."""
    parser = _Parser(
        prog=PROG,
        description="tinygrad_edu: backpropagation you can see, check and explain.",
        epilog="examples:\n" + "\n".join(f"  {PROG} {e}" for e in example.examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Not required=True: argparse would then report a missing command before an unknown
    # option, which misleads; main() says a command is missing itself.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    loss = example.loss_name

    def command(name: str) -> argparse.ArgumentParser:
        summary, description, examples = example.help[name]
        return _command(commands, name, summary, description, examples)

    def option_help(key: str, generic: str) -> str:
        return example.option_help.get(key, generic)

    demo = command("demo")
    demo.add_argument(
        "--lr", type=_positive_float, default=0.5, help="learning rate of the step (default 0.5)"
    )
    demo.add_argument("--out", metavar="FOLDER", help="write pictures, plot and CSV here")

    graph = command("graph")
    graph.add_argument("--network", action="store_true", help="the network diagram instead")
    graph.add_argument(
        "--highlight", metavar="NODE", help=option_help("graph --highlight", "a node's name")
    )
    graph.add_argument(
        "--formulas", action="store_true", help="label highlighted edges with formulas too"
    )
    graph.add_argument(
        "--format", choices=FORMATS, default=None, help="default: from --out, or svg"
    )
    graph.add_argument(
        "--out", metavar="PATH", help="file to write (default: graph.svg; dot prints to stdout)"
    )

    # An example whose help says nothing of `step` gets these texts: the page needs no more
    # than its network.
    summary, description, examples = example.help.get("step", _STEP_HELP)
    step = _command(commands, "step", summary, description, examples)
    step.add_argument(
        "--highlight",
        metavar="NODE",
        help=option_help("step --highlight", "a node whose paths to keep in focus"),
    )
    step.add_argument(
        "--out", metavar="PATH", default="backprop.html", help="default: backprop.html"
    )

    explain_ = command("explain")
    explain_.add_argument("node", help=option_help("explain node", "a node of the network"))
    explain_.add_argument("--format", choices=("text", "md", "latex"), default="text")

    derive_ = command("derive")
    derive_.add_argument(
        "nodes", nargs="*", metavar="NODE", help=option_help("derive nodes", "nodes' names")
    )
    derive_.add_argument(
        "--all", action="store_true", help=option_help("derive --all", "every node it knows")
    )
    derive_.add_argument("--format", choices=("text", "latex"), default="text")

    train_ = command("train")
    train_.add_argument("--lr", type=_positive_float, default=0.5, help="default 0.5")
    train_.add_argument(
        "--steps", type=_checked(_steps), default=1000,
        help=f"updates at most (default 1000, at most {MAX_STEPS:,})",
    )  # fmt: skip
    train_.add_argument(
        "--until", type=_checked(lambda s: positive(_number("--until")(s), "--until")),
        help=f"stop at the first iteration with {loss} below this",
    )  # fmt: skip
    train_.add_argument("--csv", metavar="PATH", help="write the spreadsheet (.csv or .xlsx)")
    for name, count, metavar, text in example.numbers:
        train_.add_argument(
            f"--{name}", nargs=count, type=_number(f"--{name}"), metavar=metavar, help=text
        )
    train_.add_argument("--quiet", action="store_true", help="no progress bar")

    sweep_ = command("sweep")
    lrs = ",".join(map(str, example.lrs))
    sweep_.add_argument(
        "--lrs", type=_checked(parse_lrs), default=example.lrs,
        help=option_help("sweep --lrs", f"comma-separated (default: {lrs})"),
    )  # fmt: skip
    sweep_.add_argument(
        "--steps", type=_checked(_steps), default=100,
        help=f"updates per learning rate (default 100, at most {MAX_STEPS:,})",
    )  # fmt: skip
    thresholds = ",".join(f"{th:g}" for th in example.thresholds)
    sweep_.add_argument(
        "--thresholds", type=_checked(parse_thresholds), default=example.thresholds,
        help=f"comma-separated {loss} thresholds (default {thresholds})",
    )  # fmt: skip
    sweep_.add_argument("--plot", metavar="PATH", help="write the plot (.png or .svg)")
    sweep_.add_argument("--csv", metavar="PATH", help="write the curves as CSV")
    sweep_.add_argument("--quiet", action="store_true", help="no progress bar")

    if "sheet" in example.help:  # an example that has a spreadsheet
        sheet = command("sheet")
        sheet.add_argument(
            "--lr", type=_positive_float, default=0.5,
            help="η, in the sheet's cell named eta (default 0.5)",
        )  # fmt: skip
        sheet.add_argument(
            "--iterations", type=_checked(_iterations), default=100,
            help="rows, one per iteration (default 100)",
        )  # fmt: skip
        sheet.add_argument(
            "--out", metavar="PATH", default="net.xlsx", help="the workbook (default net.xlsx)"
        )
        sheet.add_argument(
            "--every-node", action="store_true", help=f"also ∂{loss}/∂node for every named node"
        )
    return parser


_STEP_HELP = (
    "watch backpropagation step by step: one HTML page",
    "Write one self-contained HTML page (no network needed) that replays the forward pass "
    "operation by operation, then the backward pass edge by edge, each step's chain rule "
    "written out with the engine's numbers; open it in a browser.",
    ("step", "step --highlight NODE --out backprop.html"),
)


#: The longest run the command line starts: its loss curve alone is then 8 MB. A longer run is
#: a job for `tinygrad_edu.train.train` in Python, where the caller decides what to keep.
MAX_STEPS = 1_000_000


def _steps(text: str) -> int:
    """--steps: a whole number from 1 to MAX_STEPS."""
    steps = whole(_integer(text, "--steps"), "--steps")
    if steps > MAX_STEPS:
        raise ValueError(
            f"--steps: {steps:,} is more than the command line runs ({MAX_STEPS:,}); "
            "for longer runs call tinygrad_edu.train.train from Python"
        )
    return steps


def _iterations(text: str) -> int:
    """--iterations: a whole number >= 1 (the sheet says if it has too many rows)."""
    return whole(_integer(text, "--iterations"), "--iterations")


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a whole number") from None


def _node(nodes: Mapping[str, Any], name: str) -> Any:
    """The node of the network called `name`, or a usage error listing the names."""
    if name not in nodes:
        raise UsageError(f"unknown node {name!r}; choose one of {', '.join(nodes)}")
    return nodes[name]


def graph_command(args: argparse.Namespace, example: WorkedExample) -> str | None:
    """Draw and write the picture; returns DOT source to print when no --out was given."""
    from tinygrad_edu.viz import draw_graph, draw_network, render

    model, loss, nodes = example.network()
    fmt = args.format
    if args.network:
        if args.highlight is not None or args.formulas:
            raise UsageError(
                "--highlight and --formulas draw on the computation graph, not --network"
            )
        picture = draw_network(model)
    else:
        target = _node(nodes, args.highlight) if args.highlight is not None else None
        picture = draw_graph(loss, highlight=target, formulas=args.formulas, model=model)
    if args.out is None:
        if fmt == "dot":
            return str(picture.source)
        args.out = f"{'network' if args.network else 'graph'}.{fmt or 'svg'}"
    suffix = Path(args.out).suffix.lower().lstrip(".")
    if suffix and suffix not in FORMATS:
        raise UsageError(
            f"--out: {args.out!r} ends in .{suffix}, a format Graphviz is not asked to write "
            f"here; end it in {', '.join('.' + f for f in FORMATS)}"
        )
    path = check_output_path(args.out, "--out")
    print(f"wrote {render(picture, path, fmt)}")
    return None


def step_command(args: argparse.Namespace, example: WorkedExample) -> str:
    """Write the step-by-step page (`tinygrad_edu.stepper`); returns what to print."""
    from tinygrad_edu.stepper import stepper

    model, loss, nodes = example.network()
    target = _node(nodes, args.highlight) if args.highlight is not None else None
    path = check_output_path(args.out, "--out", (".html", ".htm"))
    return f"wrote {stepper(loss, highlight=target, model=model).save(path)}"


def explain_command(name: str, fmt: str, example: WorkedExample) -> str:
    """The explanation of ∂loss/∂name in the chosen format."""
    from tinygrad_edu.explain import explain

    _, loss, nodes = example.network()
    explanation = explain(loss, _node(nodes, name))
    return {"text": explanation.text, "md": explanation.markdown, "latex": explanation.latex}[
        fmt
    ]().rstrip("\n")


def derive_command(names: Sequence[str], all_: bool, fmt: str, example: WorkedExample) -> str:
    """∂loss/∂node in closed form, one line per node."""
    from tinygrad_edu.explain import derive, latex_symbol

    if all_ and names:
        raise UsageError("give node names or --all, not both")
    if not all_ and not names:
        raise UsageError("name a node (e.g. derive w1) or give --all")
    _, loss, nodes = example.network()
    if all_:
        names = list(example.derive_all)
    wrt = [_node(nodes, name) for name in names]
    lines = []
    for node in wrt:
        derivation = derive(loss, node)
        if fmt == "latex":
            lines.append(
                rf"\frac{{\partial {latex_symbol(loss.label)}}}"
                rf"{{\partial {latex_symbol(derivation.wrt)}}} = {derivation.latex()}"
            )
        else:
            lines.append(str(derivation))
    return "\n".join(lines)


def train_command(args: argparse.Namespace, example: WorkedExample) -> str:
    """Train, write the spreadsheet if asked, and report."""
    csv_path = None
    if args.csv is not None:
        csv_path = check_output_path(args.csv, "--csv", (".csv", ".xlsx"))
    history = example.train(
        {name: getattr(args, name) for name, *_ in example.numbers},
        args.lr,
        args.steps,
        args.until,
        # Every parameter, gradient and node of every step only when a spreadsheet is wanted;
        # otherwise only the loss (8 bytes a step): the report needs the first and last weights.
        record="all" if csv_path else (),
        progress=False if args.quiet else None,
    )
    report = example.training_report(history)
    if csv_path is not None:
        report += f"\nwrote {write_table(example.spreadsheet_rows(history), csv_path)}"
    return report


def sweep_command(args: argparse.Namespace, example: WorkedExample) -> str:
    """Run the sweep, write plot and CSV if asked, and print the summary."""
    plot = csv_path = None
    if args.plot is not None:
        plot = check_output_path(args.plot, "--plot", (".png", ".svg"))
    if args.csv is not None:
        csv_path = check_output_path(args.csv, "--csv", (".csv",))
    result = example.sweep(
        args.lrs, args.steps, args.thresholds, progress=False if args.quiet else None
    )
    lines = [result.summary_table()]
    if plot is not None:
        lines.append(f"wrote {result.plot(plot)}")
    if csv_path is not None:
        lines.append(f"wrote {result.write_csv(csv_path)}")
    return "\n".join(lines)


def sheet_command(args: argparse.Namespace, example: WorkedExample) -> str:
    """Write the workbook of live formulas."""
    path = check_output_path(args.out, "--out", (".xlsx",))
    return f"wrote {example.sheet(path, args.lr, args.iterations, args.every_node)}"


def main(argv: Sequence[str] | None = None, *, example: WorkedExample) -> int:
    """Run the command line on `example`; returns the exit code (2 for a usage error)."""
    # The tables use σ, ½ and →: on a terminal that cannot show them, show "?" rather than fail.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        parser = build_parser(example)
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(
                "a command is required: demo, graph, explain, derive, train, sweep, sheet or "
                "step (see tinygrad-edu --help)"
            )
        if args.command == "demo":
            files = example.demo_files(args.out, args.lr) if args.out is not None else None
            print(example.demo(lr=args.lr))
            if files is not None:
                print(f"\nFiles written to {args.out}/:", *files, sep="\n")
        elif args.command == "graph":
            source = graph_command(args, example)
            if source is not None:
                print(source, end="")
        elif args.command == "step":
            print(step_command(args, example))
        elif args.command == "explain":
            print(explain_command(args.node, args.format, example))
        elif args.command == "derive":
            print(derive_command(args.nodes, args.all, args.format, example))
        elif args.command == "train":
            print(train_command(args, example))
        elif args.command == "sweep":
            print(sweep_command(args, example))
        elif args.command == "sheet":
            print(sheet_command(args, example))
        return 0
    except (UsageError, ValueError, ArithmeticError, GraphvizNotFoundError) as error:
        # ValueError: the library's own argument checks (a path, a count), already one line;
        # ArithmeticError: numbers that overflow float64 (--w 1e308 …), named by the engine.
        message = " ".join(str(error).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except ImportError as error:  # an optional extra (matplotlib, openpyxl) is missing
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # e.g. the output is a full disk or a closed pipe
        print(f"{PROG}: error: cannot write the output: {error}", file=sys.stderr)
        return 2
