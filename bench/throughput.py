"""End-to-end throughput of `screening screen` against every OFAC and UN name, beside the naive method.

    python bench/throughput.py                                   # 100k and 1M rows, xlsx in, json out
    python bench/throughput.py --rows 200000 --input csv         # the issue's CSV -> JSON comparison
    python bench/throughput.py --rows 10000 --naive-sample 500   # a quick look

For each size, in one run:
  1. supplier masters from bench/suppliers.py (deterministic; cached in --data, reused across runs);
  2. a list store with OFAC SDN, OFAC consolidated and the UN 1718 list from ../shared/data (imported once);
  3. `screening screen INPUT --lists STORE --out report.<fmt>` in a fresh process: seconds, rows per second,
     peak RSS (ru_maxrss: the largest process) and the peak of the summed PSS of the process and its workers
     (its real footprint: forked workers share the parent's pages, which their RSS counts again);
  4. the naive method on a sample of rows: rapidfuzz.process.cdist of every sampled name against every list
     name and alias (with default_process, cutoff at the tool's threshold), on all cores, extrapolated to all
     rows, once per rapidfuzz scorer: fuzz.ratio (cdist's default, the fastest), token_sort_ratio, and on a
     smaller sample the slow ones closer to what a name matcher needs, token_set_ratio and WRatio. Each one's
     hits are compared with the tool's on the same rows, and the tool's own search of the same sample (all
     cores, cold caches) gives the matching speed-up;
  5. the tool's own scorer run exhaustively (every sampled name against every list name, no index, no bounds)
     on a smaller sample: its hits must equal the indexed search's. This is the 'identical hits' check.
Prints a table and the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import suppliers  # noqa: E402  (bench/suppliers.py)

LISTS = (("ofac_sdn_latest", "ofac-sdn"), ("ofac_consolidated_nonsdn", "ofac-cons"),
         ("un_consolidated/consolidated.xml", "un"))

# A fresh wrapper process per run, so RUSAGE_CHILDREN reports that run's peak alone (workers included).
_MEASURE = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print('maxrss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def screening_command() -> list[str]:
    return [sys.executable, "-m", "screening"]


def environment() -> dict[str, str]:
    return {**os.environ, "SCREENING_NO_PROGRESS": "1", "PYTHONPATH": str(ROOT)}


def ensure_store(store: Path) -> Path:
    """A list store holding OFAC SDN, OFAC consolidated and UN from ../shared/data (imported once)."""
    if (store / "un").is_dir():
        return store
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} is missing: the benchmark screens against the shared OFAC and UN files")
    for relative, source in LISTS:
        done = subprocess.run([*screening_command(), "lists", "import", str(SHARED / relative), "--source", source,
                               "--lists", str(store)], env=environment(), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"lists import {relative} failed: {done.stderr.strip()}")
    return store


def ensure_input(folder: Path, rows: int, kind: str) -> Path:
    path = folder / f"suppliers-{rows}.{kind}"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(f".partial.{kind}")
        suppliers.write(partial, rows)
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def run_screen(path: Path, out: Path, store: Path, rules: list[str]) -> tuple[float, int, int]:
    """Seconds, peak RSS of the largest process, and peak PSS of the whole process tree (bytes) of one
    `screening screen` run.

    The forked workers map the parent's pages, so each one's RSS counts memory they share; PSS shares each
    page among the processes mapping it, and its sum over the tree is the run's real footprint.
    """
    command = [*screening_command(), "screen", str(path), "--lists", str(store), "--out", str(out),
               *(f"--rules={r}" for r in rules)]
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", _MEASURE, *command], env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_pss
        while not done.wait(2.0):  # reading smaps walks page tables (kernel CPU): every 2 s
            peak_pss = max(peak_pss, tree_pss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise SystemExit(f"screening failed: {stderr.strip()}")
    peak_kib = int(stderr.rsplit("maxrss_kib", 1)[1].split()[0])
    return seconds, peak_kib * 1024, peak_pss


def tree_pss(root: int) -> int:
    """Sum of the proportional set size (bytes) of `root` and its descendants (Linux; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def flagged_by_lists(report: Path) -> dict[int, str]:
    """Spreadsheet row -> list entry matched, from a JSON report (rules reading the sanctions lists)."""
    data = json.loads(report.read_text(encoding="utf-8"))
    found: dict[int, str] = {}
    for row in data["rows"]:
        for hit in row["hits"]:
            if hit["rule"].startswith("SANC-") and hit["evidence"]["matched"]:
                found.setdefault(row["row"], hit["evidence"]["matched"].split(":")[0])
    return found


NAIVE_SCORERS = ("ratio", "token_sort_ratio", "token_set_ratio", "WRatio")
SLOW_SCORERS = frozenset({"token_set_ratio", "WRatio"})  # 50-100x slower: run on --slow-sample names


def naive(names: list[str], list_names: list[str], threshold: float, scorer: str) -> tuple[float, set[int]]:
    """Seconds of cdist over all cores, and the positions of the names with any list name at the threshold."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    started = time.perf_counter()
    scores = process.cdist(names, list_names, scorer=getattr(fuzz, scorer), processor=utils.default_process,
                           score_cutoff=threshold, dtype=np.uint8, workers=-1)
    seconds = time.perf_counter() - started
    return seconds, set(np.flatnonzero(scores.max(axis=1) >= threshold).tolist())


def load_index(store: Path):  # -> (ListIndex, build seconds)
    from screening.matching.lists import ListIndex
    from screening.screen import lists_from_store

    entries = lists_from_store(store).entries
    started = time.perf_counter()
    index = ListIndex(entries)
    return index, time.perf_counter() - started


def search_ours(index, names: list[str]) -> tuple[float, set[int]]:  # noqa: ANN001
    """Seconds of the tool's indexed search (all cores, cold cache) and the positions of the names it matched."""
    index.forget()
    started = time.perf_counter()
    found = index.search_many(names, [None] * len(names), limit=1)
    seconds = time.perf_counter() - started
    index.close()
    return seconds, {k for k, matches in enumerate(found) if matches}


def exhaustive_equals_index(index, names: list[str], countries: list[str | None]) -> tuple[int, int, float]:  # noqa: ANN001
    """(names checked, differences, seconds): the tool's scorer on every list name vs the indexed search."""
    import numpy as np

    from screening.matching.lists import DEFAULT_THRESHOLD
    from screening.matching.normalize import normalize_name
    from screening.matching.score import compare, qualify

    indexed = index.search_many(names, countries, limit=1)
    started = time.perf_counter()
    differences = 0
    for name, country, found in zip(names, countries, indexed):
        best: tuple[float, str] | None = None
        for part in index._partitions:
            query = normalize_name(name, part.person)
            if not query.tokens:
                continue
            everything = np.arange(len(part.forms), dtype=np.int32)
            views = part.scorer.views_many([query], np.zeros(len(everything), dtype=np.int32), everything,
                                           part.person)
            for position in np.flatnonzero((views >= DEFAULT_THRESHOLD - 3 - 1e-6) | part.scorer.short):
                raw = compare(query, part.forms[position]).score
                entry = index.entries[int(part.entry[position])]
                score, _ = qualify(raw, part.name[position].strength, country, entry.countries)
                if score >= DEFAULT_THRESHOLD and (best is None or score > best[0]):
                    best = (score, f"{entry.source} {entry.id}")
        expected = best[1] if best else None
        got = f"{found[0].entry.source} {found[0].entry.id}" if found else None
        if (expected is None) != (got is None) or (best and found and abs(best[0] - found[0].score) > 1e-6):
            differences += 1
            print(f"  exhaustive/indexed differ for {name!r}: {expected} vs {got}", file=sys.stderr)
    return len(names), differences, time.perf_counter() - started


def list_names(store: Path) -> list[str]:
    from screening.screen import lists_from_store

    return sorted({n.name for e in lists_from_store(store).entries for n in e.names})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--input", choices=["csv", "xlsx"], default="xlsx")
    parser.add_argument("--output", choices=["json", "xlsx", "csv"], default="json")
    parser.add_argument("--naive-sample", type=int, default=10_000,
                        help="rows matched the naive way with the fast scorers, and by the tool (0: skip)")
    parser.add_argument("--slow-sample", type=int, default=300, help="rows matched with token_set_ratio and WRatio")
    parser.add_argument("--exhaustive-sample", type=int, default=100, help="rows checked exhaustively (0: skip)")
    parser.add_argument("--rules", nargs="*", default=[], help="rule packs (default: the bundled ones)")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "screening-bench")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    store = ensure_store(args.data / "lists")
    threshold = 88.0
    names_listed = list_names(store) if args.naive_sample else []
    index, build_seconds = load_index(store) if args.naive_sample else (None, 0.0)

    results = []
    for count in args.rows:
        path = ensure_input(args.data, count, args.input)
        report = args.data / f"report-{count}-{args.input}.{args.output}"
        seconds, peak, pss = run_screen(path, report, store, args.rules)
        result = {"rows": count, "input": args.input, "output": args.output, "seconds": round(seconds, 1),
                  "rows_per_second": round(count / seconds), "peak_rss_mb": round(peak / 2**20),
                  "peak_pss_total_mb": round(pss / 2**20)}
        if args.naive_sample:
            rows = list(suppliers.generate(count))
            rng = random.Random(count)
            sample = sorted(rng.sample(range(count), min(args.naive_sample, count)))
            names = [rows[i][1] for i in sample]
            ours_seconds, ours_matched = search_ours(index, names)
            ours_by_row = flagged_by_lists(report) if args.output == "json" else {}
            ours = {k for k, i in enumerate(sample) if i + 2 in ours_by_row}  # data starts on row 2
            result.update({
                "sample": len(sample), "list_names": len(names_listed),
                "index_build_seconds": round(build_seconds, 1),
                "ours_matching_seconds_sample": round(ours_seconds, 2),
                "ours_matching_us_per_name": round(1e6 * ours_seconds / len(sample)),
                "hits_sample_ours_search": len(ours_matched), "hits_sample_ours_report": len(ours),
                "naive": [],
            })
            for scorer in NAIVE_SCORERS:
                size = min(len(sample), args.slow_sample) if scorer in SLOW_SCORERS else len(sample)
                if size <= 0:
                    continue
                naive_seconds, naive_hits = naive(names[:size], names_listed, threshold, scorer)
                ours_here = {k for k in ours if k < size}
                per_name = naive_seconds / size
                result["naive"].append({
                    "scorer": scorer, "sample": size, "seconds_sample": round(naive_seconds, 2),
                    "us_per_name": round(1e6 * per_name),
                    "seconds_extrapolated": round(per_name * count, 1),
                    "speedup_matching": round(per_name / (ours_seconds / len(sample)), 1),
                    "speedup_end_to_end": round(per_name * count / seconds, 1),
                    "hits_ours": len(ours_here), "hits_naive": len(naive_hits),
                    "hits_only_ours": [names[k] for k in sorted(ours_here - naive_hits)][:5],
                    "hits_only_naive": [names[k] for k in sorted(naive_hits - ours_here)][:5],
                })
            if args.exhaustive_sample:
                picked = sample[: args.exhaustive_sample]
                checked, differences, exhaustive_seconds = exhaustive_equals_index(
                    index, [rows[i][1] for i in picked], [None] * len(picked))
                per_name = exhaustive_seconds / max(checked, 1)
                result.update({
                    "exhaustive_checked": checked, "exhaustive_differences": differences,
                    # the same scorer on every list name, one core (numpy over all 41k names per query)
                    "exhaustive_us_per_name_one_core": round(1e6 * per_name),
                    "speedup_vs_exhaustive": round(per_name / (ours_seconds / len(sample)), 1),
                })
        results.append(result)
        print(json.dumps(result), file=sys.stderr)

    print(f"cores: {os.cpu_count()}")
    print(f"{'rows':>9} {'in':>5} {'out':>5} {'seconds':>8} {'rows/s':>8} {'max RSS MB':>11} {'tree PSS MB':>12} "
          f"{'ours us/name':>13}")
    for r in results:
        print(f"{r['rows']:>9} {r['input']:>5} {r['output']:>5} {r['seconds']:>8} {r['rows_per_second']:>8} "
              f"{r['peak_rss_mb']:>11} {r['peak_pss_total_mb']:>12} {r.get('ours_matching_us_per_name', '-'):>13}")
    for r in results:
        if "exhaustive_checked" in r:
            print(f"identical hits: the tool's scorer on every list name ({r['exhaustive_checked']} names, one core, "
                  f"{r['exhaustive_us_per_name_one_core']} us/name) vs the index: {r['exhaustive_differences']} "
                  f"differences; the index is {r['speedup_vs_exhaustive']}x faster")
    print(f"\n{'rows':>9} {'naive scorer':>17} {'sample':>7} {'us/name':>8} {'extrap. s':>10} {'match x':>8} "
          f"{'end-to-end x':>13} {'hits ours/naive':>16}")
    for r in results:
        for n in r.get("naive", []):
            print(f"{r['rows']:>9} {n['scorer']:>17} {n['sample']:>7} {n['us_per_name']:>8} "
                  f"{n['seconds_extrapolated']:>10} {n['speedup_matching']:>8} {n['speedup_end_to_end']:>13} "
                  f"{str(n['hits_ours']) + '/' + str(n['hits_naive']):>16}")
    print(json.dumps({"cores": os.cpu_count(), "results": results}))


if __name__ == "__main__":
    main()
