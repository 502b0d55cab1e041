"""Where does a workload's time go? cProfile on one engine's step, plus the collector's time.

    python -m benchmarks.profile_workloads scalar_mlp --size 100            # GC on
    python -m benchmarks.profile_workloads scalar_mlp --size 1000 --gc off
    python -m benchmarks.profile_workloads net222 --number 2000
    python -m benchmarks.profile_workloads tensor_222 --size 1 --number 2000

Prints the functions with the most time of their own, and (GC on) how many collections of
each generation ran during the profiled calls and how long they took, measured with
`gc.callbacks` — the collector's share without switching it off. cProfile slows Python calls
down (several times for the scalar engine), so read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time

from benchmarks.workloads import WORKLOADS


class CollectorClock:
    """Counts garbage collections per generation and the seconds they take (gc.callbacks)."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._start

    def __enter__(self) -> CollectorClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--engine", default="ours")
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--gc", choices=["default", "off"], default="default")
    parser.add_argument("--number", type=int, default=1, help="calls profiled")
    parser.add_argument("--top", type=int, default=25, help="functions listed; 0: no cProfile")
    args = parser.parse_args(argv)

    step = WORKLOADS[args.workload](args.engine, args.size, args.dtype)
    step.run()  # warm-up
    step.run()

    # First without the profiler: the plain time, and the collector's part of it.
    if args.gc == "off":
        gc.collect()
        gc.disable()
    with CollectorClock() as clock:
        start = time.perf_counter()
        for _ in range(args.number):
            step.run()
        wall = time.perf_counter() - start
    gc.enable()
    in_gc = sum(clock.seconds)
    print(
        f"{args.engine} {args.workload} size {args.size} gc {args.gc}: "
        f"{wall / args.number * 1e3:.3f} ms per call unprofiled; collector: "
        f"{in_gc / wall:.0%} of it ({clock.count[0]} / {clock.count[1]} / {clock.count[2]} "
        f"collections of generation 0 / 1 / 2, taking "
        f"{clock.seconds[0]:.3f} / {clock.seconds[1]:.3f} / {clock.seconds[2]:.3f} s)"
    )

    if args.top == 0:
        return 0
    if args.gc == "off":
        gc.collect()
        gc.disable()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.number):
        step.run()
    profile.disable()
    gc.enable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
