#!/usr/bin/env python3
"""compare.py: lockstep's real mode against Go and std::thread, in one sitting.

    bench/compare.py [--build build/release] [--reps 5] [--blocked 10000,100000,1000000]
                     [--blocked-reps 3] [--max-goroutines N] [--out DIR]
    bench/compare.py --render DIR        print the table again from a saved run

Runs, one after the other and alternating so that all see the same machine
load: bench/real_bench (C++: lockstep and std::thread, Google Benchmark, one
repetition per round) and bench/lockstep-go-bench (Go, GOMAXPROCS=1 and 2, one
timed run per round), --reps rounds; then, --blocked-reps times, a fresh
process per count and implementation of bench/blocked_goroutines and
lockstep-go-bench -blocked. It keeps every raw output in --out (default
BUILD/bench/compare) and prints one Markdown table of medians and ratios.

std::thread runs the blocked figure at 10,000 threads at most. lockstep runs
it up to --max-goroutines (default: $LOCKSTEP_BENCH_MAX_GOROUTINES, else
10,000, since the thread runtime needs one OS thread per blocked goroutine);
larger counts show as skipped. Go is optional: without the Go binary its
columns stay empty.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

STD_THREAD_MAX = 10_000
TIMEOUT_S = 1800

# (figure, what one item is) in table order; blocked figures are appended.
FIGURES = [
    ("pingpong_unbuffered", "ns per round trip"),
    ("spawn_wave1000", "ns per goroutine"),
    ("chan64_1p1c", "ns per value"),
    ("chan64_8p8c", "ns per value"),
    ("mutex_2", "ns per lock"),
    ("mutex_8", "ns per lock"),
    ("mutex_32", "ns per lock"),
]
BLOCKED_METRICS = [
    ("rss_kib_per_goroutine", "RSS KiB per goroutine"),
    ("spawn_ns_per_goroutine", "ns per goroutine to spawn"),
    ("release_ns_per_goroutine", "ns per goroutine to release + join"),
]
COLUMNS = [("lockstep", None), ("go", 1), ("go", 2), ("std_thread", None)]


def log(msg):
    print(f"compare: {msg}", file=sys.stderr, flush=True)


def run(cmd, out_path, env=None):
    """Runs cmd, stdout to out_path; stderr is shown. Returns seconds taken."""
    start = time.monotonic()
    with open(out_path, "w") as out:
        subprocess.run(cmd, stdout=out, check=True, timeout=TIMEOUT_S, env=env)
    return time.monotonic() - start


def json_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def google_benchmark_records(path):
    """Turns a Google Benchmark JSON file into {name, impl, ns_per_op} records."""
    with open(path) as f:
        data = json.load(f)
    records = []
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration" or "per_item" not in b:
            continue
        figure, impl = b["run_name"].split("/")[:2]
        records.append({"name": figure, "impl": impl, "ns_per_op": b["per_item"] * 1e9})
    return records


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def measure(args, out_dir):
    bench_dir = pathlib.Path(args.build) / "bench"
    real_bench = bench_dir / "real_bench"
    blocked = bench_dir / "blocked_goroutines"
    go_bench = bench_dir / "lockstep-go-bench"
    for binary in (real_bench, blocked):
        if not binary.exists():
            sys.exit(f"compare: {binary} is missing: build the bench targets first")
    have_go = go_bench.exists()
    if not have_go:
        log(f"{go_bench} is missing (no go at configure time?): the Go columns stay empty")
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.json*"):
        old.unlink()
    meta = {"load_before": loadavg(), "nproc": os.cpu_count(), "reps": args.reps,
            "blocked_reps": args.blocked_reps, "max_goroutines": args.max_goroutines,
            "started": time.strftime("%Y-%m-%d %H:%M:%S")}

    for r in range(args.reps):
        t = run([str(real_bench), "--benchmark_format=json", f"--benchmark_min_time={args.min_time}"],
                out_dir / f"real_bench.{r}.json")
        log(f"round {r + 1}/{args.reps}: real_bench (C++) {t:.0f} s")
        if have_go:
            t = run([str(go_bench), "-reps", "1", "-procs", "1,2"], out_dir / f"go.{r}.jsonl")
            log(f"round {r + 1}/{args.reps}: lockstep-go-bench (Go) {t:.0f} s")

    env = dict(os.environ, LOCKSTEP_BENCH_MAX_GOROUTINES=str(args.max_goroutines))
    for r in range(args.blocked_reps):
        for count in args.blocked:
            runs = [("lockstep", [str(blocked), str(count), "lockstep"])]
            if count <= STD_THREAD_MAX:
                runs.append(("std_thread", [str(blocked), str(count), "std_thread"]))
            if have_go:
                for p in (1, 2):
                    runs.append((f"go{p}", [str(go_bench), "-blocked", str(count), "-procs", str(p)]))
            for tag, cmd in runs:
                t = run(cmd, out_dir / f"blocked.{count}.{tag}.{r}.jsonl", env)
                log(f"blocked round {r + 1}/{args.blocked_reps}: {count} {tag} {t:.1f} s")

    meta["load_after"] = loadavg()
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    if have_go:
        meta["go_version"] = json_lines(out_dir / "go.0.jsonl")[0].get("go_version", "")
    with open(out_dir / "meta.json", "w") as f:
        json.dump(meta, f)


def collect(out_dir):
    """All records of a run: {(name, impl, gomaxprocs): {metric: [values]}}, skips."""
    records = []
    for path in sorted(out_dir.glob("real_bench.*.json")):
        records += google_benchmark_records(path)
    for path in sorted(out_dir.glob("*.jsonl")):
        records += json_lines(path)
    values, skipped = {}, {}
    for rec in records:
        key = (rec["name"], rec["impl"], rec.get("gomaxprocs"))
        if "skipped" in rec:
            skipped[key] = rec["skipped"]
            continue
        for metric, value in rec.items():
            if isinstance(value, (int, float)) and metric != "gomaxprocs":
                values.setdefault(key, {}).setdefault(metric, []).append(value)
    return values, skipped


def fmt(x):
    if x is None:
        return "—"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if x >= 1 else f"{x:.2f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "—"


def render(out_dir):
    values, skipped = collect(out_dir)
    meta = json.loads((out_dir / "meta.json").read_text()) if (out_dir / "meta.json").exists() else {}

    def cell(name, impl, procs, metric):
        v = values.get((name, impl, procs), {}).get(metric)
        return statistics.median(v) if v else None

    def spread(name, metric):
        v = values.get((name, "lockstep", None), {}).get(metric)
        return f"{fmt(min(v))}–{fmt(max(v))}" if v else "—"

    rows = [(name, unit, "ns_per_op") for name, unit in FIGURES]
    counts = sorted({int(k[0].split("_")[1]) for k in list(values) + list(skipped)
                     if k[0].startswith("blocked_")})
    for count in counts:
        rows += [(f"blocked_{count}", unit, metric) for metric, unit in BLOCKED_METRICS]

    print(f"lockstep real mode vs Go vs std::thread — medians; {meta.get('reps', '?')} rounds, "
          f"blocked figures {meta.get('blocked_reps', '?')} rounds; {meta.get('nproc', '?')} cores, "
          f"load average {meta.get('load_before', '?')} before, {meta.get('load_after', '?')} after; "
          f"{meta.get('go_version', 'no Go')}; {meta.get('started', '')}")
    print("Ratios are lockstep ÷ peer: above 1× lockstep costs more. The last column is the range of\n"
          "lockstep's rounds (how far to trust its median).\n")
    print("| figure | unit | lockstep | Go P=1 | Go P=2 | std::thread | ÷ Go P=1 | ÷ Go P=2 | ÷ std::thread "
          "| lockstep min–max |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    notes = set()
    for name, unit, metric in rows:
        cells = [cell(name, impl, procs, metric) for impl, procs in COLUMNS]
        shown = [fmt(c) for c in cells]
        if cells[0] is None and (name, "lockstep", None) in skipped:
            shown[0] = "skipped"
            notes.add(f"{name} lockstep: {skipped[(name, 'lockstep', None)]}")
        ratios = [ratio(cells[0], peer) for peer in cells[1:]]
        print(f"| {name} | {unit} | " + " | ".join(shown + ratios + [spread(name, metric)]) + " |")
    if notes:
        print()
    for note in sorted(notes):
        print(f"skipped: {note}")
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build/release", help="the CMake build directory")
    p.add_argument("--reps", type=int, default=5, help="rounds of real_bench and the Go figures")
    p.add_argument("--min-time", type=float, default=0.5, help="real_bench's --benchmark_min_time")
    p.add_argument("--blocked", default="10000,100000,1000000", help="blocked goroutine counts")
    p.add_argument("--blocked-reps", type=int, default=3, help="rounds of the blocked figures")
    p.add_argument("--max-goroutines", type=int,
                   default=int(os.environ.get("LOCKSTEP_BENCH_MAX_GOROUTINES") or 10_000),
                   help="largest blocked count lockstep runs (others are skipped)")
    p.add_argument("--out", help="where raw outputs go (default BUILD/bench/compare)")
    p.add_argument("--render", metavar="DIR", help="only print the table of a saved run")
    args = p.parse_args()
    if args.render:
        render(pathlib.Path(args.render))
        return
    args.blocked = [int(c) for c in args.blocked.split(",") if c]
    if args.reps < 1 or args.blocked_reps < 0 or any(c < 1 for c in args.blocked):
        p.error("--reps must be at least 1, --blocked-reps at least 0, counts positive")
    out_dir = pathlib.Path(args.out or pathlib.Path(args.build) / "bench" / "compare")
    measure(args, out_dir)
    render(out_dir)
    log(f"raw outputs in {out_dir}; print the table again with: {sys.argv[0]} --render {out_dir}")


if __name__ == "__main__":
    main()
