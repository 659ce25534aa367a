"""End-to-end throughput of `screening screen` on generated supplier files.

    python bench/throughput.py                     # 10k and 100k rows, csv and xlsx in, json and xlsx out
    python bench/throughput.py --rows 50000 --input csv --output json

Prints a table and the same figures as JSON: rows, seconds, rows per second, peak RSS of the screening
process. The generator is deterministic (seeded), so anyone can rerun and compare.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PREFIXES = ["Golden", "Pacific", "Northern", "Blue Ocean", "Great Wall", "Sunrise", "Harbor", "Silver",
            "Eastern Star", "Baltic", "Evergreen", "Rhein", "Atlas", "Lotus", "Nordic", "Jade"]
CORES = ["Seafood", "Textile", "Construction", "Software", "Timber", "Shipyard", "Foods", "Logistics",
         "Electronics", "Apparel", "Packaging", "Machinery", "Chemicals", "Trading", "Plastics", "Furniture"]
FORMS = ["Co., Ltd.", "LLC", "GmbH", "Sp. z o.o.", "S.A.", "Inc.", "Ltd", "OOO", "有限公司", "AS", "JSC"]
PLACES = [("China", "Dalian"), ("China", "Shenzhen"), ("China", "Hunchun"), ("Russia", "Vladivostok"),
          ("Russia", "Moscow"), ("Germany", "Hamburg"), ("Poland", "Gdańsk"), ("Taiwan", "Kaohsiung"),
          ("Viet Nam", "Hai Phong"), ("Republic of Korea", "Busan"), ("Norway", "Bergen"),
          ("United States", "Seattle"), ("Malaysia", "Johor Bahru"), ("Mexico", "Monterrey"),
          ("Kuwait", "Kuwait City"), ("DPRK", "Pyongyang")]
SECTORS = ["Frozen seafood processing", "Garment manufacturing", "General construction contractor",
           "Custom software development", "Logging and sawn timber", "Ship repair", "Plastic injection moulding",
           "Freight forwarding", "Electronic components", "Corrugated packaging", "Hotel and restaurant",
           "Industrial chemicals", "Furniture manufacturing", "Fish farm (aquaculture)"]
HEADERS = ["Supplier ID", "Supplier Name", "Country", "City", "Industry", "Notes"]


def generate_rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        country, city = PLACES[rng.randrange(len(PLACES) - 1)] if rng.random() > 0.001 else PLACES[-1]
        name = f"{rng.choice(PREFIXES)} {rng.choice(CORES)} {i % 997} {rng.choice(FORMS)}"
        rows.append([f"S{i:07d}", name, country, city, rng.choice(SECTORS), ""])
    return rows


def write_input(rows: list[list[str]], folder: Path, kind: str) -> Path:
    path = folder / f"suppliers-{len(rows)}.{kind}"
    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Suppliers")
        ws.append(HEADERS)
        for row in rows:
            ws.append(row)
        wb.save(path)
    return path


# A fresh wrapper process per run, so RUSAGE_CHILDREN reports that run's peak alone.
_MEASURE = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print('maxrss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def run_screen(path: Path, out: Path, rules: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of one `screening screen` process."""
    env = {**os.environ, "SCREENING_NO_PROGRESS": "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "screening", "screen", str(path), "--out", str(out), *(f"--rules={r}" for r in rules)]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"screening failed: {done.stderr.strip()}")
    peak_kib = int(done.stderr.rsplit("maxrss_kib", 1)[1].split()[0])
    return seconds, peak_kib * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--input", choices=["csv", "xlsx"], nargs="+", default=["csv", "xlsx"])
    parser.add_argument("--output", choices=["json", "xlsx", "csv"], nargs="+", default=["json", "xlsx"])
    parser.add_argument("--rules", nargs="*", default=[], help="rule packs (default: the bundled ones)")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for count in args.rows:
            rows = generate_rows(count)
            for kind in args.input:
                path = write_input(rows, folder, kind)
                for fmt in args.output:
                    seconds, peak = run_screen(path, folder / f"report-{count}-{kind}.{fmt}", args.rules)
                    results.append({"rows": count, "input": kind, "output": fmt, "seconds": round(seconds, 2),
                                    "rows_per_second": round(count / seconds), "peak_rss_mb": round(peak / 2**20)})
    print(f"cores: {os.cpu_count()}")
    print(f"{'rows':>9} {'in':>5} {'out':>5} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
    for r in results:
        print(f"{r['rows']:>9} {r['input']:>5} {r['output']:>5} {r['seconds']:>8} {r['rows_per_second']:>9} {r['peak_rss_mb']:>8}")
    print(json.dumps({"cores": os.cpu_count(), "results": results}))


if __name__ == "__main__":
    main()
