"""Does gradcheck cry wolf? A script, not a test: it counts false failures, and catches.

    python benchmarks/bench_gradcheck.py                  # 100,000 draws (~3 min on 2 CPUs)
    python benchmarks/bench_gradcheck.py --draws 20000 --jobs 2

`make bench` runs it too (``python -m benchmarks`` runs every bench_*.py).
    python benchmarks/bench_gradcheck.py --quick          # smoke run (a few seconds)

1. False failures: `gradcheck` on N Hypothesis draws, a third each from
   - the catalogue: every primitive with a scalar rule on operands from `floats_in` (a point
     where the primitive is not differentiable within gradcheck's step — a tie of maximum — is
     skipped and counted apart: there is no gradient to get wrong);
   - `expressions()`: random DAGs over Values;
   - `mlps()`: Value MLPs and TensorMLPs with a squared-error loss (`check_module_grads`).
   Autograd is right on all of them, so every GradcheckError is a false failure. Target: 0.
2. Catches: each primitive's derivative made wrong (a sign, ×1.001, a lost factor 2, see
   `strategies.MUTATIONS`) inside `expressions(ops=[it, +, ·, tanh])`. Wherever the wrong
   derivative changes a gradient by more than 1e-5 relative, gradcheck must fail and name the
   primitive. Target: a catch rate of 100%.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tinygrad_edu import Value
from tinygrad_edu import primitives as prim
from tinygrad_edu.testing import GRADCHECK_STEP, GradcheckError, gradcheck
from tinygrad_edu.testing.strategies import (
    MUTATIONS,
    Expression,
    _constants,
    _smooth,
    apply_primitive,
    check_expression,
    elementwise_primitives,
    expressions,
    floats_in,
    mlps,
    wrong_derivative,
)

QUICK_DRAWS = 300
QUICK_MUTATION_DRAWS = 6
MUTATION_DRAWS = 60
#: Draws per task: progress is printed (to stderr) as each task ends.
CHUNK = 1_000
#: A wrong derivative "matters" in a graph when it moves some gradient by more than this.
MATTERS_RTOL = 1e-5
MATTERS_ATOL = 1e-8


def _settings(draws: int, seed_: int) -> Callable[[Any], Any]:
    """Hypothesis settings for counting: generate only, no database, no health checks."""

    def decorate(test: Any) -> Any:
        return seed(seed_)(
            settings(
                max_examples=draws,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )(test)
        )

    return decorate


def _catalogue_case() -> st.SearchStrategy[tuple[prim.Primitive, tuple[float, ...]]]:
    return st.sampled_from(elementwise_primitives()).flatmap(
        lambda p: st.tuples(st.just(p), st.tuples(*(floats_in(p, k) for k in range(p.arity or 0))))
    )


def _check_primitive(case: tuple[prim.Primitive, tuple[float, ...]]) -> bool:
    """gradcheck of one primitive at drawn operands; False when the point is not smooth."""
    p, xs = case
    constant = _constants(p)
    radii = [0.0 if c else 2 * GRADCHECK_STEP * max(abs(x), 1.0) for x, c in zip(xs, constant)]
    try:
        if not _smooth(p, xs, radii):
            return False
    except (ArithmeticError, ValueError):
        return False
    variables = [x for x, c in zip(xs, constant) if not c]

    def f(*values: Any) -> Any:
        it = iter(values)
        return apply_primitive(p, *(x if c else next(it) for x, c in zip(xs, constant)))

    gradcheck(f, *variables)
    return True


def count_false_failures(family: str, draws: int, seed_: int) -> tuple[int, int, list[str], float]:
    """(draws checked, false failures, their first reports, seconds) for one family."""
    checked, failures, reports = 0, 0, []
    start = time.perf_counter()
    strategy: Any = {
        "catalogue": _catalogue_case(),
        "expressions": expressions(),
        "mlps": mlps(),
    }[family]

    @_settings(draws, seed_)
    @given(strategy)
    def run(case: Any) -> None:
        nonlocal checked, failures
        try:
            if family == "catalogue":
                if not _check_primitive(case):
                    return
            elif family == "expressions":
                check_expression(case)
            else:
                case.check()
        except GradcheckError as error:
            failures += 1
            if len(reports) < 3:
                reports.append(f"{case!r}\n{error}")
        checked += 1

    run()
    return checked, failures, reports, time.perf_counter() - start


def count_catches(primitive_index: int, draws: int, seed_: int) -> dict[str, tuple[int, int]]:
    """{mutation: (caught, mattered)} for one primitive, over `draws` expressions each."""
    p = elementwise_primitives()[primitive_index]
    return {mutation: _catches(p, mutation, draws, seed_) for mutation in MUTATIONS}


def _catches(p: prim.Primitive, mutation: str, draws: int, seed_: int) -> tuple[int, int]:
    """(caught, mattered): of the draws where the wrong derivative changes a gradient, how many
    gradcheck fails with the primitive named as a suspect."""
    caught = mattered = 0

    @_settings(draws, seed_)
    @given(expressions(max_nodes=5, ops=[p, prim.ADD, prim.MUL, prim.TANH]))
    def run(e: Expression) -> None:
        nonlocal caught, mattered
        if p not in e.primitives:
            return
        right = _grads(e)
        with wrong_derivative(p, mutation):
            wrong = _grads(e)
            if not _differ(right, wrong):
                return
            mattered += 1
            try:
                check_expression(e)
            except GradcheckError as error:
                caught += f"suspect: {p.name} ({p.symbol})" in str(error)

    run()
    return caught, mattered


def _grads(e: Expression) -> list[float]:
    leaves = [Value(x) for x in e.inputs]
    out = e.f(*leaves)
    out.backward()
    return [leaf.grad for leaf in leaves]


def _differ(right: list[float], wrong: list[float]) -> bool:
    return any(abs(a - b) > MATTERS_RTOL * abs(a) + MATTERS_ATOL for a, b in zip(right, wrong))


def _indexed(item: tuple[int, tuple[Any, ...]]) -> tuple[int, Any]:
    return item[0], _star(item[1])


def _star(args: tuple[Any, ...]) -> Any:
    function, rest = args[0], args[1:]
    return function(*rest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=100_000, help="false-failure draws")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DRAWS} draws, a smoke run")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)"
    )
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed")
    args = parser.parse_args(argv)
    draws = QUICK_DRAWS if args.quick else args.draws
    mutation_draws = QUICK_MUTATION_DRAWS if args.quick else MUTATION_DRAWS
    jobs = max(1, args.jobs)
    print(f"gradcheck over {draws:,} Hypothesis draws  (Python {platform.python_version()}, "
          f"{jobs} job{'s' if jobs > 1 else ''})")  # fmt: skip
    families = ("catalogue", "expressions", "mlps")
    tasks = []
    for k, family in enumerate(families):
        share = draws // 3 + (1 if k < draws % 3 else 0)
        for j, first in enumerate(range(0, share, CHUNK)):
            n = min(CHUNK, share - first)
            tasks.append((count_false_failures, family, n, args.seed + 1000 * j))
    primitives = elementwise_primitives()
    catch_tasks = [(count_catches, k, mutation_draws, args.seed) for k in range(len(primitives))]
    start = time.perf_counter()
    results: list[Any] = [None] * len(tasks)
    with multiprocessing.Pool(jobs) as pool:
        catching = pool.map_async(_star, catch_tasks)
        for index, result in pool.imap_unordered(_indexed, list(enumerate(tasks))):
            results[index] = result
            done = [r for r in results if r is not None]
            print(
                f"  … {sum(r[0] for r in done):,} checked, {sum(r[1] for r in done)} false "
                f"failures, {time.perf_counter() - start:.0f} s",
                file=sys.stderr,
                flush=True,
            )
        catches = catching.get()
    total_checked = total_failures = 0
    print(f"  {'family':<14}{'checked':>10}{'false failures':>16}{'rate':>10}{'time':>10}")
    for family in families:
        mine = [r for t, r in zip(tasks, results) if t[1] == family]
        checked = sum(r[0] for r in mine)
        failures = sum(r[1] for r in mine)
        seconds = max(r[3] for r in mine)
        total_checked += checked
        total_failures += failures
        rate = failures / checked if checked else 0.0
        print(f"  {family:<14}{checked:>10,}{failures:>16,}{rate:>10.1e}{seconds:>9.1f}s")
        for r in mine:
            for report in r[2]:
                print("    " + report.replace("\n", "\n    "))
    rate = total_failures / total_checked if total_checked else 0.0
    print(f"  {'total':<14}{total_checked:>10,}{total_failures:>16,}{rate:>10.1e}")
    verdict = "ok" if not total_failures else "MISSED"
    print(f"  false failures  {total_failures}  (target 0)  {verdict}")
    caught = mattered = 0
    print(f"wrong derivatives injected ({', '.join(MUTATIONS)}), {mutation_draws} draws each:")
    missed = []
    for p, found in zip(primitives, catches):
        for mutation, (c, m) in found.items():
            caught, mattered = caught + c, mattered + m
            if c < m:
                missed.append(f"{p.name} ({p.symbol}) {mutation}: {c}/{m}")
    for line in missed:
        print(f"    missed: {line}")
    catch_rate = caught / mattered if mattered else 1.0
    print(f"  caught          {caught:,} of {mattered:,} that changed a gradient")
    verdict = "ok" if caught == mattered else "MISSED"
    print(f"  catch rate      {catch_rate:.2%}  (target 100%)  {verdict}")
    print(f"  time            {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
