"""Time one engine on one workload, in this fresh process, and print the timings as JSON.

    python -m benchmarks.worker ENGINE WORKLOAD [--size N] [--dtype float32] [--gc off]
        [--warmup 1] [--repeat 5] [--number 1] [--count] [--memory]

`python -m benchmarks` starts one of these per engine per round, so no engine ever runs in a
process another engine has used: micrograd leaves every graph in reference cycles, and in a
shared process whichever code allocated next would pay the garbage collector for them.

``--gc off`` turns the cyclic garbage collector off *only around the timed calls*, after a
``gc.collect()`` that is not timed, and turns it back on after each sample: it measures the
engine's own work. The library's settings are never touched. Untimed calls (warm-up, counting
nodes) always run with the collector off, after a collection (at a few thousand points a
micrograd step takes minutes with it on); so the first timed call starts, as every step of a
training loop does, with the previous step's graph let go but not yet collected.
``--memory`` measures bytes per node instead (tracemalloc, one step's graph kept alive).

A PyTorch worker sets ``torch.set_num_threads`` to the number of threads numpy's BLAS uses
(read with threadpoolctl when it is installed, else the number of cores).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

from benchmarks.workloads import WORKLOADS, Step

T = TypeVar("T")


def blas_threads() -> int:
    """Threads numpy's BLAS runs with: threadpoolctl's reading, else what the environment
    asks for (OPENBLAS_NUM_THREADS, as `python -m benchmarks` sets it), else the cores."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count() or 1)
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    return max(counts, default=os.cpu_count() or 1)


def engine_version(engine: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    package = {"ours": "tinygrad-edu", "micrograd": "micrograd", "torch": "torch"}.get(engine)
    if package is None:
        return f"Python {sys.version.split()[0]}" if engine == "closed_form" else ""
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def untimed(fn: Callable[[], T]) -> T:
    """fn(), with the collector off after a collection: for calls that are not timed."""
    gc.collect()
    gc.disable()
    try:
        return fn()
    finally:
        gc.enable()


def time_step(step: Step, gc_off: bool, repeat: int, number: int) -> list[float]:
    """Seconds per call: `repeat` samples, each the mean of `number` calls."""
    times = []
    for _ in range(repeat):
        if gc_off:
            gc.collect()  # not timed: the last samples' garbage is not this sample's work
            gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(number):
                step.run()
            times.append((time.perf_counter() - start) / number)
        finally:
            if gc_off:
                gc.enable()
    return times


def bytes_per_node(step: Step) -> tuple[int, float]:
    """(nodes, bytes per node) of one step's graph, measured with tracemalloc while it lives."""
    if step.graph is None or step.count is None:
        raise ValueError("this workload builds no graph to measure")
    step.graph()  # warm-up: caches and lazily made objects are not the graph's
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = step.graph()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    nodes = step.count(root)
    return nodes, held / nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("engine")
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--gc", choices=["default", "off"], default="default")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--number", type=int, default=1)
    parser.add_argument("--count", action="store_true", help="also count one graph's nodes")
    parser.add_argument("--memory", action="store_true", help="bytes per node, not time")
    args = parser.parse_args(argv)

    threads = blas_threads()
    if args.engine == "torch":
        import torch

        torch.set_num_threads(threads)  # the same number of threads as numpy's BLAS
        threads = torch.get_num_threads()
    step = WORKLOADS[args.workload](args.engine, args.size, args.dtype)
    result: dict[str, Any] = {
        "engine": args.engine,
        "workload": args.workload,
        "size": args.size,
        "version": engine_version(args.engine),
        "threads": threads,
        "gc": args.gc,
    }
    if args.memory:
        result["nodes"], result["bytes_per_node"] = bytes_per_node(step)
    else:
        result["first_loss"] = untimed(step.run)  # the first warm-up call
        for _ in range(args.warmup - 1):
            untimed(step.run)
        result["dtype"] = step.dtype()
        if args.count and step.graph is not None and step.count is not None:
            graph, count = step.graph, step.count
            result["nodes"] = untimed(lambda: count(graph()))
        result["times"] = time_step(step, args.gc == "off", args.repeat, args.number)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
