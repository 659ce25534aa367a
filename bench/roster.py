"""Roster screening at scale: a 100,000-row contractor roster through the cross-row rules.

    python bench/roster.py                          # 100,000 rows, it-worker-roster pack, JSON report
    python bench/roster.py --rows 20000 --all-packs # every bundled pack

The roster comes from fixtures/make_roster.py (seeded: the same rows every run), with its planted clusters
and traps, written as an .xlsx like the HR exports it imitates. The screening runs in a child process
(`screening screen ... --out report.json`) so the peak RSS is that of the screening alone. Prints a table
and the same figures as JSON; also checks that every planted cluster was linked, so a fast run that found
nothing cannot pass for a result.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("make_roster", ROOT / "fixtures" / "make_roster.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_roster"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="ordinary workers (planted rows come on top)")
    parser.add_argument("--all-packs", action="store_true", help="screen with every bundled pack, not only the roster pack")
    args = parser.parse_args()

    make_roster = _generator()
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        data, plants = make_roster.rows(args.rows)
        roster = folder / f"roster-{args.rows}.xlsx"
        make_roster.write_roster(roster, data, "Benchmark roster (generated)")
        generated = time.perf_counter() - started

        report = folder / "report.json"
        rules = ROOT / "rules" if args.all_packs else ROOT / "rules" / "it-worker-roster.yaml"
        command = [sys.executable, "-m", "screening", "screen", str(roster), "--rules", str(rules),
                   "--lists", str(folder / "empty-store"), "--out", str(report)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            sys.exit(f"screening failed ({done.returncode}): {done.stderr.strip()}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_kib = usage.ru_maxrss  # Linux: KiB
        cpu = usage.ru_utime + usage.ru_stime  # what the run cost, whatever else shares the cores

        result = json.loads(report.read_text(encoding="utf-8"))
        linked_rules = {rule for link in result.get("links", []) for rule in link["rules"]}
        missing = sorted({p.rule for p in plants if p.rule} - linked_rules)
        bands: dict[str, int] = {}
        for row in result["rows"]:
            bands[row["band"]] = bands.get(row["band"], 0) + 1

    figures = {
        "rows": len(data),
        "packs": "all bundled" if args.all_packs else "it-worker-roster",
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "rows_per_second": round(len(data) / seconds),
        "peak_rss_mib": round(peak_kib / 1024),
        "links": len(result.get("links", [])),
        "bands": bands,
        "planted_clusters_missed": missing,
        "generate_seconds": round(generated, 1),
        "cpus": os.cpu_count(),
    }
    print(f"{'rows':>8} {'packs':>18} {'seconds':>8} {'cpu s':>6} {'rows/s':>8} {'peak RSS':>9} {'links':>6}")
    print(f"{figures['rows']:>8} {figures['packs']:>18} {figures['seconds']:>8} {figures['cpu_seconds']:>6} "
          f"{figures['rows_per_second']:>8} {figures['peak_rss_mib']:>5} MiB {figures['links']:>6}")
    print(json.dumps(figures))
    if missing:
        sys.exit(f"planted clusters not linked: {missing}")


if __name__ == "__main__":
    main()
