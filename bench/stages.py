"""Where a `screening screen` run spends CPU and memory, stage by stage, on one input.

    python bench/stages.py /tmp/screening-bench/suppliers-100000.xlsx --lists /tmp/empty-store --out r.json
    python bench/stages.py suppliers.csv --lists STORE --out r.xlsx --rules-detail

Runs the same steps as `screening screen` in this process (rule packs, intake, every rule, row results,
links, report) and prints, per stage, the CPU seconds (user + system of this process and of any worker
processes it waited for), the wall seconds, the RSS when the stage ended and the peak RSS so far.
`--rules-detail` adds one line per rule (CPU seconds). The same figures are printed as JSON at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc (ru_maxrss where /proc is absent)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak
    values = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")}
    return values.get("VmRSS", 0) / 1024, values.get("VmHWM", 0) / 1024


class Stages:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        cpu, wall = _cpu(), time.perf_counter()
        yield
        rss, peak = _rss_mb()
        self.rows.append({"stage": name, "cpu_s": round(_cpu() - cpu, 2), "wall_s": round(time.perf_counter() - wall, 2),
                          "rss_mb": round(rss), "peak_mb": round(peak)})
        print(f"{name:<28} {self.rows[-1]['cpu_s']:>8.2f} {self.rows[-1]['wall_s']:>8.2f} {rss:>8.0f} {peak:>8.0f}",
              flush=True)


def _timed_rules(rules: list[Any], per_rule: dict[str, float], grown: dict[str, float]) -> list[Any]:
    """The compiled rules with evaluators that add their CPU seconds to `per_rule` and RSS growth to `grown`."""
    from dataclasses import replace

    def timed(rule_id: str, evaluate: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(frame: Any) -> Any:
            start, rss = _cpu(), _rss_mb()[0]
            try:
                return evaluate(frame)
            finally:
                per_rule[rule_id] = per_rule.get(rule_id, 0.0) + _cpu() - start
                grown[rule_id] = grown.get(rule_id, 0.0) + _rss_mb()[0] - rss
        return run

    return [replace(rule, evaluate=timed(rule.info.id, rule.evaluate)) for rule in rules]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--lists", type=Path, help="list store (an empty folder: no list matching)")
    parser.add_argument("--rules", action="append", type=Path, default=[])
    parser.add_argument("--out", type=Path, required=True, help="report (format from the suffix)")
    parser.add_argument("--rules-detail", action="store_true", help="CPU seconds per rule")
    args = parser.parse_args(argv)

    from screening import screen as pipeline
    from screening.engine import compile_packs
    from screening.engine.lists import ListCatalog
    from screening.intake import read_inputs
    from screening.reports import write_report

    stages = Stages()
    print(f"{'stage':<28} {'cpu s':>8} {'wall s':>8} {'rss MB':>8} {'peak MB':>8}")
    total_cpu, total_wall = _cpu(), time.perf_counter()
    per_rule: dict[str, float] = {}
    grown: dict[str, float] = {}
    with stages.stage("lists + rule packs"):
        lists = pipeline.lists_from_store(args.lists)
        packs = pipeline.load_packs(args.rules or [pipeline.default_rules_dir()])
        compiled = compile_packs(packs, ListCatalog(lists.entries))
        if args.rules_detail:
            compiled = _timed_rules(compiled, per_rule, grown)
    # The pipeline's own screen() with its steps timed: intake, evaluate, row results.
    original_read, original_eval, original_rows = pipeline.read_inputs, pipeline.evaluate, pipeline._row_results
    original_compile = pipeline.compile_packs

    def staged(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*a: Any, **k: Any) -> Any:
            with stages.stage(name):
                return function(*a, **k)
        return run

    pipeline.compile_packs = lambda *_a, **_k: compiled  # already compiled (and timed) above
    pipeline.read_inputs = staged("intake", read_inputs)
    pipeline.evaluate = staged("rules", original_eval)
    pipeline._row_results = staged("row results", original_rows)
    try:
        with stages.stage("screen (all of the above)"):
            result = pipeline.screen(args.inputs, args.rules, lists=lists)
    finally:
        pipeline.read_inputs, pipeline.evaluate, pipeline._row_results = original_read, original_eval, original_rows
        pipeline.compile_packs = original_compile
    with stages.stage("report"):
        write_report(result, args.out, inputs=args.inputs)
    rows = len(result.rows)
    cpu, wall = _cpu() - total_cpu, time.perf_counter() - total_wall
    _, peak = _rss_mb()
    print(f"{'total':<28} {cpu:>8.2f} {wall:>8.2f} {'':>8} {peak:>8.0f}")
    print(f"{rows:,} rows; {rows / max(cpu, 1e-9):,.0f} rows per CPU second; peak RSS {peak:,.0f} MB")
    if args.rules_detail:
        print("\nCPU seconds and RSS growth (MB; the first rule on a field builds its shared index) per rule:")
        for rule_id, seconds in sorted(per_rule.items(), key=lambda p: -p[1]):
            print(f"  {rule_id:<24} {seconds:>7.2f} {grown[rule_id]:>7.0f}")
    print(json.dumps({"inputs": [str(p) for p in args.inputs], "rows": rows, "cpu_s": round(cpu, 2),
                      "wall_s": round(wall, 2), "peak_rss_mb": round(peak), "stages": stages.rows,
                      "rules_cpu_s": {k: round(v, 2) for k, v in per_rule.items()}, "cores": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
