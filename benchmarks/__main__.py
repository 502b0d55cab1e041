"""Run every benchmark and write benchmarks/RESULTS.md (`make bench` runs this).

    python -m benchmarks                     # the full run: every engine, every peer
    python -m benchmarks --quick             # one round of each at a tiny size: a smoke run
    python -m benchmarks --no-peers          # ours and the plain baselines only
    python -m benchmarks --out PATH          # write the results elsewhere
    python -m benchmarks --skip bench_gradcheck.py   # leave out one script (repeatable)
    python -m benchmarks --threads 0         # BLAS and PyTorch threads: the libraries' own

Each engine and each peer is timed in a fresh process of its own (``python -m
benchmarks.worker ENGINE WORKLOAD``), and the engines of a comparison alternate round by
round (A B, then B A, ...), so they see the same machine, and none pays for another's garbage.
A figure is the median over rounds of each round's median, with the range over rounds; a ratio
is taken round by round, between the two processes of that round, then summarised the same way.

Peers: micrograd 0.1.0 and PyTorch (CPU), when installed (``make bench`` installs them); a
peer that is missing is reported as skipped. The scripts bench_*.py beside this file also run,
each in its own process, and their output is included.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PEERS = {"micrograd": "pip install micrograd==0.1.0", "torch": "pip install torch==2.13.0"}
#: What numpy's BLAS (OpenBLAS, MKL) and OpenMP read for their number of threads.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NAMES = {
    "ours": "tinygrad_edu",
    "micrograd": "micrograd",
    "closed_form": "closed form (plain Python)",
    "numpy": "hand-written numpy",
    "torch": "PyTorch CPU",
}


@dataclass(frozen=True)
class Plan:
    """Sizes and repeats of one run."""

    #: The scaling table: (points, rounds, samples per worker). A micrograd step on 3,000 points
    #: takes minutes with the collector on, so the large sizes get fewer rounds.
    scaling: tuple[tuple[int, int, int], ...]
    small: int  # the "100 points"
    big: int  # the "1,000 points"
    rounds: int  # for every other comparison
    batch: int
    n222_number: int  # calls per sample of the 2-2-2 step
    t222_number: int  # calls per sample of the batched 2-2-2 step
    tensor_repeat: int

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(p for p, _, _ in self.scaling)


FULL = Plan(
    scaling=((30, 5, 3), (100, 5, 3), (300, 3, 1), (1000, 3, 1), (3000, 1, 1)),
    small=100, big=1000, rounds=7, batch=256, n222_number=2000, t222_number=200,
    tensor_repeat=10,
)  # fmt: skip
QUICK = Plan(
    scaling=((2, 1, 1), (5, 1, 1)), small=2, big=5, rounds=1, batch=8, n222_number=20,
    t222_number=5, tensor_repeat=2,
)  # fmt: skip


# --- running workers -----------------------------------------------------------------------------


@dataclass
class Measured:
    """One engine in one comparison: each round's figure (seconds), or why it was skipped."""

    engine: str
    rounds: list[float] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""

    @property
    def ok(self) -> bool:
        return not self.skipped and bool(self.rounds)

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)


class Runner:
    """Starts the workers, one process per engine per round, and logs progress."""

    def __init__(self, peers: bool, threads: int | None) -> None:
        self.peers = peers
        self.infos: dict[str, dict[str, Any]] = {}  # the last report of each engine
        # The BLAS libraries read these when they load; PyTorch's worker then matches numpy.
        self.env = dict(os.environ)
        if threads is not None:
            for name in THREAD_VARIABLES:
                self.env[name] = str(threads)

    def why_skipped(self, engine: str) -> str:
        if engine not in PEERS:
            return ""
        if not self.peers:
            return "skipped (--no-peers)"
        if importlib.util.find_spec(engine) is None:  # finds it without importing it
            return f"skipped: {engine} is not installed ({PEERS[engine]}; `make bench` does)"
        return ""

    def worker(self, engine: str, workload: str, *options: str) -> dict[str, Any]:
        """Run one worker; its JSON report. RuntimeError with its stderr if it fails."""
        command = [sys.executable, "-m", "benchmarks.worker", engine, workload, *options]
        done = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"{engine} {workload} failed: {tail[0]}")
        info: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        self.infos[engine] = info
        return info

    def memory(self, engine: str, points: int) -> dict[str, Any] | str:
        """Bytes per node of one step's graph, or why it was not measured."""
        log(f"  bytes per node: {engine}")
        why = self.why_skipped(engine)
        if why:
            return why
        try:
            return self.worker(engine, "scalar_mlp", f"--size={points}", "--memory")
        except RuntimeError as error:
            return f"failed: {error}"

    def compare(
        self,
        workload: str,
        engines: Sequence[str],
        *,
        size: int,
        rounds: int,
        repeat: int,
        number: int = 1,
        warmup: int = 1,
        dtype: str = "float64",
        gc_mode: str = "default",
        count: bool = False,
    ) -> dict[str, Measured]:
        """Each engine once per round, alternating the order; a round's figure is the
        median of the worker's samples."""
        measured = {e: Measured(e, skipped=self.why_skipped(e)) for e in engines}
        options = [f"--size={size}", f"--dtype={dtype}", f"--gc={gc_mode}"]
        options += [f"--repeat={repeat}", f"--number={number}", f"--warmup={warmup}"]
        for r in range(rounds):
            order = list(engines) if r % 2 == 0 else list(reversed(engines))
            for engine in order:
                m = measured[engine]
                if m.skipped:
                    continue
                extra = ["--count"] if count and r == 0 else []
                try:
                    info = self.worker(engine, workload, *options, *extra)
                except RuntimeError as error:
                    m.skipped = f"failed: {error}"
                    log(f"  {error}")
                    continue
                m.rounds.append(statistics.median(info["times"]))
                m.info = {**m.info, **info}
            figures = "  ".join(
                f"{e} {fmt_time(measured[e].rounds[-1])}" for e in engines if measured[e].ok
            )
            log(f"{workload} size {size} {dtype} gc {gc_mode}, round {r + 1}/{rounds}: {figures}")
        return measured


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- figures -------------------------------------------------------------------------------------


def _unit(seconds: float) -> tuple[float, str]:
    if seconds < 1e-3:
        return 1e6, "µs"
    if seconds < 1.0:
        return 1e3, "ms"
    return 1.0, "s"


def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def fmt_time(seconds: float) -> str:
    scale, unit = _unit(seconds)
    return f"{_num(seconds * scale)} {unit}"


def fmt_spread(values: Sequence[float], scale: float | None = None, unit: str = "") -> str:
    """'115 ms (108–130)': the median, then min–max over rounds in the same unit."""
    median = statistics.median(values)
    if scale is None:
        scale, unit = _unit(median)
    text = f"{_num(median * scale)}{' ' + unit if unit else ''}"
    if len(values) > 1:
        text += f" ({_num(min(values) * scale)}–{_num(max(values) * scale)})"
    return text


def paired(a: Measured, b: Measured) -> list[float]:
    """a ÷ b round by round: the two processes of each round."""
    return [x / y for x, y in zip(a.rounds, b.rounds)]


def fmt_ratio(ratios: Sequence[float], digits: int = 2) -> str:
    if not ratios:
        return "—"
    text = f"{statistics.median(ratios):.{digits}f}x"
    if len(ratios) > 1:
        text += f" ({min(ratios):.{digits}f}–{max(ratios):.{digits}f})"
    return text


def cell(m: Measured, scale: float | None = None, unit: str = "", per: float = 1.0) -> str:
    if not m.ok:
        return m.skipped or "—"
    return fmt_spread([t / per for t in m.rounds], scale, unit)


def met(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


# --- the machine -------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy as np  # the parent times nothing; numpy here only describes itself

    blas = "unknown"
    try:
        config: Any = np.show_config(mode="dicts")
        b = config["Build Dependencies"]["blas"]
        blas = f"{b.get('name', '?')} {b.get('version', '')}".strip()
    except (TypeError, KeyError):
        pass
    try:
        from threadpoolctl import threadpool_info

        pools = [
            f"{p['internal_api']} {p.get('version') or ''} ({p['num_threads']} threads, "
            f"{p.get('threading_layer', '?')}, {p.get('architecture', '?')})"
            for p in threadpool_info()
            if p["user_api"] == "blas"
        ]
        threads = "; ".join(pools) or "none found"
    except ImportError:
        threads = "threadpoolctl not installed"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- CPU: {cpu}; {os.cpu_count()} cores ({platform.system()} {platform.release()})",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"garbage-collector thresholds {gc.get_threshold()} (the defaults)",
        f"- numpy {np.__version__}, BLAS {blas}; by default (threadpoolctl): {threads}",
        f"- load average at the start (1, 5, 15 min): {load}",
    ]


# --- the benchmarks --------------------------------------------------------------------------


@dataclass
class Results:
    scaling: dict[tuple[int, str], dict[str, Measured]] = field(default_factory=dict)
    memory: dict[str, dict[str, Any] | str] = field(default_factory=dict)
    n222: dict[str, Measured] = field(default_factory=dict)
    tensor_mlp: dict[str, dict[str, Measured]] = field(default_factory=dict)
    t222: dict[int, dict[str, Measured]] = field(default_factory=dict)
    scripts: list[tuple[str, float, int, str]] = field(default_factory=list)


def run_all(
    runner: Runner,
    plan: Plan,
    scripts: bool,
    quick: bool,
    jobs: int = 1,
    skip: Sequence[str] = (),
) -> Results:
    """Every comparison, then every script; in order, one process at a time unless `jobs`."""
    res = Results()
    # Each task is one comparison; with jobs > 1 (smoke runs only) several run at once.
    tasks: list[tuple[Callable[[Any], None], Callable[[], Any]]] = []

    def task(store: Callable[[Any], None], fn: Callable[[], Any]) -> None:
        tasks.append((store, fn))

    for points, rounds, repeat in plan.scaling:
        for gc_mode in ("default", "off"):
            task(
                functools.partial(res.scaling.__setitem__, (points, gc_mode)),
                functools.partial(
                    runner.compare, "scalar_mlp", ["ours", "micrograd"], size=points,
                    rounds=rounds, repeat=repeat, gc_mode=gc_mode, count=True,
                ),
            )  # fmt: skip
    for engine in ("ours", "micrograd"):
        task(
            functools.partial(res.memory.__setitem__, engine),
            functools.partial(runner.memory, engine, plan.small),
        )
    task(
        functools.partial(setattr, res, "n222"),
        functools.partial(
            runner.compare, "net222", ["ours", "closed_form"], size=1, rounds=plan.rounds,
            repeat=5, number=plan.n222_number, warmup=50,
        ),
    )  # fmt: skip
    for dtype in ("float64", "float32"):
        task(
            functools.partial(res.tensor_mlp.__setitem__, dtype),
            functools.partial(
                runner.compare, "tensor_mlp", ["ours", "numpy", "torch"], size=plan.batch,
                dtype=dtype, rounds=plan.rounds, repeat=plan.tensor_repeat, warmup=3,
            ),
        )  # fmt: skip
    for n in (1, 64):
        task(
            functools.partial(res.t222.__setitem__, n),
            functools.partial(
                runner.compare, "tensor_222", ["ours", "torch"], size=n, rounds=plan.rounds,
                repeat=5, number=plan.t222_number, warmup=20,
            ),
        )  # fmt: skip
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [(store, pool.submit(fn)) for store, fn in tasks]
        for store, future in futures:
            store(future.result())

    if scripts:
        for script in sorted(HERE.glob("bench_*.py")):
            if script.name in skip:
                res.scripts.append((script.name, 0.0, 0, "skipped (--skip)"))
                continue
            log(f"{script.name}{' --quick' if quick else ''}")
            start = time.perf_counter()
            command = [sys.executable, str(script), *(["--quick"] if quick else [])]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            output = done.stdout + (f"\n[stderr]\n{done.stderr}" if done.returncode else "")
            res.scripts.append((script.name, time.perf_counter() - start, done.returncode, output))
    return res


# --- RESULTS.md ----------------------------------------------------------------------------------


def headline(res: Results, plan: Plan) -> list[str]:
    """The issue's table: measure, now, target, met?"""
    rows: list[tuple[str, str, str, str]] = []
    small, big = plan.small, plan.big
    on, off = res.scaling[small, "default"], res.scaling[small, "off"]

    def speedup(s: dict[str, Measured], target: float) -> tuple[str, str]:
        ours, peer = s["ours"], s["micrograd"]
        if not ours.ok or not peer.ok:
            return (peer.skipped or ours.skipped or "—"), met(None)
        r = paired(peer, ours)
        now = f"{fmt_ratio(r, 1)} faster ({fmt_time(ours.median)} vs {fmt_time(peer.median)})"
        return now, met(statistics.median(r) >= target)

    now, verdict = speedup(on, 10.0)
    rows.append(
        (f"scalar MLP(2,[16,16,1]) step, {small} points, default GC, vs micrograd 0.1.0",
         now, "keep ≥ 10x", verdict)
    )  # fmt: skip
    now, verdict = speedup(off, 2.0)
    rows.append(
        ("the same with the collector off during the step in both (the engines' own work)",
         now, "≥ 2x", verdict)
    )  # fmt: skip

    big_on, big_off = res.scaling[big, "default"]["ours"], res.scaling[big, "off"]["ours"]
    ours_on, ours_off = on["ours"], off["ours"]
    if all(m.ok for m in (big_on, big_off, ours_on, ours_off)):
        growth = big_on.median / ours_on.median
        share = 1 - big_off.median / big_on.median
        nodes = big_on.info.get("nodes", 0)
        limit = 1.6 * big / small
        now = (
            f"{growth:.1f}x the time for {big / small:.0f}x the work "
            f"({fmt_time(ours_on.median)} → {fmt_time(big_on.median)}; "
            f"{ours_off.median / small * 1e3:.2f} → {big_off.median / big * 1e3:.2f} ms/point "
            f"with the collector off); the collector's share at {nodes:,} nodes: {share:.0%}"
        )
        ok: bool | None = growth <= limit and share <= 0.5
    else:
        now, ok = "—", None
    rows.append(
        (f"growth: {big:,} points vs {small} points, default GC", now,
         f"≤ {1.6 * big / small:.0f}x; the collector's share at {big:,} points ≤ 50%", met(ok))
    )  # fmt: skip

    mem_ours, mem_peer = res.memory.get("ours"), res.memory.get("micrograd")
    if isinstance(mem_ours, dict) and isinstance(mem_peer, dict):
        b_ours, b_peer = mem_ours["bytes_per_node"], mem_peer["bytes_per_node"]
        now = f"{b_ours:.0f} vs {b_peer:.0f} ({b_peer / b_ours:.1f}x smaller)"
        ok = b_peer / b_ours >= 5
    else:
        now = str(mem_peer if isinstance(mem_ours, dict) else mem_ours)
        ok = None
    rows.append(("bytes per scalar node vs micrograd", now, "≥ 5x smaller", met(ok)))

    ours, closed = res.n222["ours"], res.n222["closed_form"]
    if ours.ok and closed.ok:
        r = paired(ours, closed)
        now = f"{fmt_ratio(r, 1)} ({fmt_time(ours.median)} vs {fmt_time(closed.median)})"
        ok = statistics.median(r) <= 15
    else:
        now, ok = ours.skipped or closed.skipped, None
    rows.append(
        ("2-2-2 training step (zero_grad, forward, backward, SGD) vs the plain-Python "
         "closed-form step, as the seeds' notebook writes it", now, "≤ 15x", met(ok))
    )  # fmt: skip

    for dtype, (t_np, t_torch) in (("float64", (1.1, 1.25)), ("float32", (1.1, 1.5))):
        s = res.tensor_mlp[dtype]
        parts, oks = [], []
        for peer, target in (("numpy", t_np), ("torch", t_torch)):
            if s["ours"].ok and s[peer].ok:
                r = paired(s["ours"], s[peer])
                parts.append(fmt_ratio(r))
                oks.append(statistics.median(r) <= target)
            else:
                parts.append(s[peer].skipped or s["ours"].skipped)
        computed = s["ours"].info.get("dtype", "?")
        now = " / ".join(parts)
        if dtype != "float64" and computed != dtype:
            now += f"; **ours computed in {computed}**: `Tensor({dtype} array)` did not keep it"
            oks.append(False)
        name = (
            f"Tensor MLP 784-256-10 step, batch {plan.batch}, float64, vs hand-written numpy / "
            "PyTorch CPU"
            if dtype == "float64"
            else "the same in float32"
        )
        target = f"{'keep ' if dtype == 'float64' else ''}≤ {t_np}x / ≤ {t_torch}x"
        rows.append((name, now, target, met(all(oks) if oks else None)))

    parts, oks = [], []
    times = []
    for n in (1, 64):
        s = res.t222[n]
        if s["ours"].ok and s["torch"].ok:
            r = paired(s["torch"], s["ours"])
            parts.append(f"{fmt_ratio(r)} as fast at N = {n}")
            times.append(f"{fmt_time(s['ours'].median)} vs {fmt_time(s['torch'].median)}")
            oks.append(statistics.median(r) > 1)
        else:
            parts.append(s["torch"].skipped or s["ours"].skipped)
    now = " and ".join(parts) + (f" ({'; '.join(times)})" if times else "")
    rows.append(
        ("batched 2-2-2 step on Tensors (the per-op overhead), N = 1 and N = 64, vs PyTorch "
         "float64", now, "faster than PyTorch at both", met(all(oks) if len(oks) == 2 else None))
    )  # fmt: skip

    lines = ["| measure | now | target | met? |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return lines


def scaling_tables(res: Results, plan: Plan) -> list[str]:
    lines = [
        "µs per node: median over rounds (min–max). Each engine counts the nodes of its own "
        "graph (parameters, inputs and constants included).",
        "",
        "| points | nodes: ours / micrograd | ours, GC on | ours, GC off | micrograd, GC on "
        "| micrograd, GC off |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for points in plan.points:
        on, off = res.scaling[points, "default"], res.scaling[points, "off"]
        n_ours = on["ours"].info.get("nodes") or off["ours"].info.get("nodes")
        n_peer = on["micrograd"].info.get("nodes") or off["micrograd"].info.get("nodes")
        per = {e: n for e, n in (("ours", n_ours), ("micrograd", n_peer))}
        cells = []
        for m in (on["ours"], off["ours"], on["micrograd"], off["micrograd"]):
            n = per[m.engine]
            cells.append(cell(m, 1e6, "", per=n) if n else (m.skipped or "—"))
        lines.append(
            f"| {points:,} | {n_ours or 0:,} / {n_peer or 0:,} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "Step times and ratios, round by round (micrograd ÷ ours, both processes of a round); "
        "the collector's share is 1 − (GC off ÷ GC on), from the medians.",
        "",
        "| points | ours, GC on | ours, GC off | micrograd, GC on | micrograd, GC off "
        "| micrograd ÷ ours, GC on | GC off | collector's share: ours / micrograd |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for points in plan.points:
        on, off = res.scaling[points, "default"], res.scaling[points, "off"]
        shares = []
        for e in ("ours", "micrograd"):
            ok = on[e].ok and off[e].ok
            shares.append(f"{1 - off[e].median / on[e].median:.0%}" if ok else "—")
        lines.append(
            f"| {points:,} | {cell(on['ours'])} | {cell(off['ours'])} | {cell(on['micrograd'])} "
            f"| {cell(off['micrograd'])} | {fmt_ratio(paired(on['micrograd'], on['ours']), 1)} "
            f"| {fmt_ratio(paired(off['micrograd'], off['ours']), 1)} | {' / '.join(shares)} |"
        )
    return lines


def comparison_table(measured: dict[str, Measured], base: str, per: str = "step") -> list[str]:
    lines = [
        f"| engine | version | dtype computed | time per {per} | ÷ {NAMES[base]}, round by round |",
        "|---|---|---|---:|---:|",
    ]
    for engine, m in measured.items():
        ratio = "1" if engine == base else fmt_ratio(paired(m, measured[base]))
        if not m.ok:
            ratio = "—"
        dtype = m.info.get("dtype", "")
        version = m.info.get("version", "")
        n = m.info.get("threads", 0)
        threads = f", {n} thread{'' if n == 1 else 's'}" if engine == "torch" and m.ok else ""
        lines.append(f"| {NAMES[engine]} | {version}{threads} | {dtype} | {cell(m)} | {ratio} |")
    return lines


def agreement(res: Results) -> list[str]:
    """Every engine's first loss, per comparison: they start from the same weights."""
    groups: list[tuple[str, dict[str, Measured], float]] = [
        (f"scalar MLP, {p} points", res.scaling[p, "default"], 1e-9)
        for p, g in res.scaling
        if g == "default"
    ]
    groups.append(("2-2-2 step", res.n222, 1e-12))
    groups += [(f"Tensor MLP {d}", s, 1e-9 if d == "float64" else 1e-4) for d, s in
               res.tensor_mlp.items()]  # fmt: skip
    groups += [(f"batched 2-2-2, N = {n}", s, 1e-9) for n, s in res.t222.items()]
    lines = ["| workload | first loss of each engine | agree? |", "|---|---|---|"]
    for name, measured, tol in groups:
        losses = {e: m.info["first_loss"] for e, m in measured.items() if "first_loss" in m.info}
        if not losses:
            continue
        ref = next(iter(losses.values()))
        agree = all(abs(v - ref) <= tol * max(1.0, abs(ref)) for v in losses.values())
        shown = ", ".join(f"{NAMES[e]} {v:.10g}" for e, v in losses.items())
        lines.append(f"| {name} | {shown} | {'yes' if agree else f'**no** (tolerance {tol:g})'} |")
    return lines


def render(
    res: Results,
    plan: Plan,
    infos: dict[str, dict[str, Any]],
    threads: int,
    quick: bool,
    started: str,
    seconds: float,
) -> str:
    """RESULTS.md: the issue's table first, then the machine, the method and every figure."""
    ver = {e: i.get("version", "") for e, i in infos.items()}
    out = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks` (`make bench`); do not edit by hand. "
        "How to run it and what it measures: [docs/performance.md](../docs/performance.md).",
        "",
    ]
    if quick:
        out += ["**A `--quick` smoke run: tiny sizes, one round. These figures mean nothing.**", ""]
    out += [f"Run on {started}, in {seconds / 60:.1f} minutes.", ""]
    out += ["## Issue 13's table", ""]
    out += headline(res, plan)
    out += [
        "",
        "Ratios are taken round by round between the two processes of the same round, then "
        'summarised as median (min–max). "x faster" and "as fast" are the peer\'s time ÷ '
        "ours; the other ratios are our time ÷ the other's.",
        "",
        "## The machine",
        "",
        *machine(),
        f"- peers: micrograd {ver.get('micrograd') or 'not run'}, PyTorch "
        f"{ver.get('torch') or 'not run'}",
        f"- threads in the workers: numpy's BLAS {infos.get('ours', {}).get('threads', '?')}"
        + (
            f", PyTorch {infos['torch']['threads']} (`torch.set_num_threads`, set to numpy's)"
            if "torch" in infos
            else ""
        )
        + (
            f"; set with `--threads {threads}` ({', '.join(THREAD_VARIABLES)}). On this shared "
            "2-core machine two BLAS threads made the Tensor timings bimodal (one thread "
            "descheduled, the other waiting for it), so the default is one"
            if threads
            else "; the libraries' own defaults (`--threads 0`)"
        ),
        "",
        "## How it is measured",
        "",
        "- Each engine and each peer runs in a fresh process of its own "
        "(`python -m benchmarks.worker ENGINE WORKLOAD`): never two engines in one process. "
        "The engines of a comparison alternate round by round (A B, B A, ...).",
        "- A worker builds its model, runs warm-up calls, then times `repeat` samples (each "
        "the mean of `number` calls); its round's figure is the median sample.",
        "- *GC on* is Python's default garbage-collector settings, as users run it. *GC off*: "
        "the worker calls `gc.collect()` (not timed), turns the collector off for the timed "
        "calls only, and back on after each sample. The library never changes the collector.",
        "- Everyone starts from the same weights and data; the first losses are compared below.",
        "- micrograd's recursive topological sort needs more than Python's default 1,000 "
        "frames past about 250 points: its worker raises `sys.setrecursionlimit` (nothing else "
        "changes).",
        "",
        "## Scalar MLP(2, [16, 16, 1]) step: scaling with the graph's size",
        "",
        "Forward over N points, loss Σ ½(y − t)², backward, SGD; relu, relu, linear, as "
        "micrograd's `MLP` builds it, in both engines.",
        "",
        *scaling_tables(res, plan),
        "",
        "## Bytes per node",
        "",
        f"One step's graph on {plan.small} points, kept alive after backward, measured with "
        "tracemalloc in each engine's own process.",
        "",
        "| engine | nodes | bytes per node |",
        "|---|---:|---:|",
    ]
    for engine in ("ours", "micrograd"):
        m = res.memory.get(engine)
        if isinstance(m, dict):
            out.append(f"| {NAMES[engine]} | {m['nodes']:,} | {m['bytes_per_node']:.0f} |")
        else:
            out.append(f"| {NAMES[engine]} | {m} | |")
    out += [
        "",
        "## The 2-2-2 step against the notebook's closed form",
        "",
        "`Net222` at the seeds' example: `zero_grad`, forward, `backward`, `SGD.step`; next to "
        "the seeds' notebook's loop body in plain Python (forward, dw1..dw8, w ← w − lr·dw).",
        "",
        *comparison_table(res.n222, "closed_form"),
        "",
        f"## Tensor MLP 784-256-10, batch {plan.batch}",
        "",
        "relu, then linear; cross-entropy (mean), backward, SGD. Hand-written numpy is the floor.",
        "",
    ]
    for dtype, measured in res.tensor_mlp.items():
        out += [f"### {dtype}", "", *comparison_table(measured, "ours"), ""]
    out += [
        "## Batched 2-2-2 on Tensors (per-op overhead)",
        "",
        "`TensorNet222` on N input pairs: forward, E_total = Σ ½(t − a_o)², backward, SGD; "
        "PyTorch the same in float64.",
        "",
    ]
    for n, measured in res.t222.items():
        out += [f"### N = {n}", "", *comparison_table(measured, "ours"), ""]
    out += ["## Checks: every engine computes the same loss", "", *agreement(res), ""]
    if res.scripts:
        out += [
            "## The scripts",
            "",
            "Each `benchmarks/bench_*.py` also runs on its own "
            "(`python benchmarks/bench_value.py`); here each ran once, in its own process. They "
            "time alternatives within one process, so read their ratios between our own code "
            "paths only.",
            "",
        ]
        for name, seconds, code, output in res.scripts:
            status = "" if code == 0 else f", **exited {code}**"
            took = f" ({seconds:.0f} s{status})" if seconds else ""
            out += [f"### {name}{took}", "", "```text", output.rstrip(), "```"]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round: smoke run")
    parser.add_argument("--no-peers", action="store_true", help="skip micrograd and PyTorch")
    parser.add_argument("--no-scripts", action="store_true", help="skip bench_*.py")
    parser.add_argument(
        "--skip", action="append", default=[], metavar="SCRIPT", help="skip this bench_*.py"
    )
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS threads in every worker, PyTorch's too (default 1; 0: the libraries' own)",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="comparisons run at once: >1 only for smoke runs"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    start = time.perf_counter()
    runner = Runner(peers=not args.no_peers, threads=args.threads or None)
    res = run_all(runner, plan, not args.no_scripts, args.quick, jobs=args.jobs, skip=args.skip)
    seconds = time.perf_counter() - start
    text = render(res, plan, runner.infos, args.threads, args.quick, started, seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
