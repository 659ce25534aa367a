"""Run one fuzz target under atheris (libFuzzer): python -m tests.fuzz.run TARGET [options].

    python -m tests.fuzz.run xlsx-sheet --seconds 60             # seeds in a temporary folder
    python -m tests.fuzz.run csv --runs 2000 --corpus /tmp/c     # keep and grow a corpus
    python -m tests.fuzz.run --list

The process exits non-zero, with the Python traceback and the crashing input saved as
crash-<hash> in the current folder, when the target raises anything but ScreeningError.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["screening"]):
    import screening.intake  # noqa: F401  (instrumented for coverage feedback)
    import screening.lists  # noqa: F401
    from screening.lists import PARSERS

    for module in {spec.partition(":")[0] for spec in PARSERS.values()}:
        __import__(module)

from tests.fuzz.targets import TARGETS, run_one, write_seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", nargs="?", choices=sorted(TARGETS))
    parser.add_argument("--seconds", type=int, default=0, help="stop after this many seconds")
    parser.add_argument("--runs", type=int, default=0, help="stop after this many inputs")
    parser.add_argument("--corpus", type=Path, help="corpus folder (seeded, then grown); default: a temporary one")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer's random seed, for repeatable runs")
    parser.add_argument("--list", action="store_true", help="list the targets")
    args = parser.parse_args()
    if args.list or not args.target:
        print("\n".join(sorted(TARGETS)))
        return
    corpus = write_seeds(args.target, args.corpus or Path(tempfile.mkdtemp(prefix=f"fuzz-{args.target}-")))
    flags = [f"-seed={args.seed}", "-rss_limit_mb=3072", "-max_len=65536", "-timeout=60", "-print_final_stats=1"]
    if args.seconds:
        flags.append(f"-max_total_time={args.seconds}")
    if args.runs:
        flags.append(f"-runs={args.runs}")
    target = args.target
    atheris.Setup([sys.argv[0], *flags, str(corpus)], lambda data: run_one(target, data))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
