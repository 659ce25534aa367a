"""Name-matching quality and speed: screening.matching against a plain rapidfuzz ratio and nomenklatura.

    python bench/name_quality.py                 # every category: a table, then the same figures as JSON
    python bench/name_quality.py --quick         # skip nomenklatura's matchers on the search categories
    python bench/name_quality.py --sweep         # also print our P/R/F1 at thresholds 80..95

Categories (data read in place from ../shared/data, see shared/data/SOURCES.md section 3):

a  nomenklatura name_bench_cases.csv: 826 labelled pairs (people, companies, vessels); pairwise scores.
b  yente: each cgb_positives_un_treated name searched among the untreated UN names (must find its own row);
   validation_negatives_global/us and every 25th cgb_negatives_global/us name searched the same way (any hit
   is a false positive).
c  watchman cross_script_pairs.csv: 22 positive pairs across scripts (recall only).
d  DPRK-derived: every name and alias of every DPRK-program OFAC entry and KP UN entry, and deterministic
   perturbations of them (one typo, token order, legal-form swap, apostrophes/hyphens removed, case),
   searched among ALL OFAC SDN + UN names (must find its own entry); negatives are ordinary company names
   (generic 'Korea ... Trading' names, names built from Korean/Chinese syllables at least two edits away
   from every list word, real South Korean and Chinese firms) - any hit is a false positive.

Matchers: ours (ListIndex.search / score.compare at DEFAULT_THRESHOLD), `rapidfuzz.fuzz.ratio` on
default-processed strings at its best threshold per category (an optimistic baseline), and nomenklatura's
logic-v2 (threshold 0.7, as yente) and ofac (0.8) matchers when nomenklatura is installed. For the search
categories nomenklatura gets the TOP_K best list names by token_sort_ratio as candidates (yente retrieves
candidates with a search index the same way). The frozen logic-v2 outcomes shipped with the nomenklatura
benchmark are reported for category a as well.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.lists.model import EntryType, ListEntry, ListName
from screening.matching.lists import DEFAULT_THRESHOLD, ListIndex
from screening.matching.normalize import normalize_name
from screening.matching.score import compare
from tests.matching_support import (
    DATA,
    all_entries,
    digest,
    dprk_entries,
    perturbations,
)

TOP_K = 20
"""Candidates given to nomenklatura's matchers per search query (yente scores limit x 10 candidates)."""

FLOOR = 50.0
"""Scores below this are not kept when searching; every threshold evaluated is above it."""

NK_THRESHOLDS = {"logic-v2": 70.0, "ofac": 80.0}
"""nomenklatura's matchers at their usual cut-offs (yente's default 0.7 for logic-v2)."""

SWEEP = tuple(range(80, 96))

# ------------------------------------------------------------------------------------------ metrics


@dataclass
class Outcome:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, object]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "precision": _round(self.precision), "recall": _round(self.recall), "f1": _round(self.f1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class Case:
    """A positive (must find `target`) or negative (must find nothing) query, or a labelled pair."""

    query: str
    label: bool
    target: str | None = None  # entry key for search cases, the other name for pairs
    group: str = ""
    schema: str = "Company"


@dataclass
class Scores:
    """Per case: for search cases {entry key: best score}; for pairs {'pair': score}."""

    values: list[dict[str, float]] = field(default_factory=list)


def outcome(cases: Sequence[Case], scores: Scores, threshold: float, pairwise: bool) -> Outcome:
    out = Outcome()
    for case, found in zip(cases, scores.values):
        if pairwise:
            hit = found.get("pair", 0.0) >= threshold
            if case.label:
                out.tp += hit
                out.fn += not hit
            else:
                out.fp += hit
                out.tn += not hit
        elif case.label:
            own = found.get(case.target or "", 0.0) >= threshold
            out.tp += own
            out.fn += not own
        else:
            hit = any(s >= threshold for s in found.values())
            out.fp += hit
            out.tn += not hit
    return out


def best_threshold(cases: Sequence[Case], scores: Scores, pairwise: bool) -> tuple[float, Outcome]:
    best: tuple[float, float, Outcome] | None = None
    for t in range(50, 101):
        o = outcome(cases, scores, t, pairwise)
        f = o.f1 if o.f1 is not None else (o.recall or 0.0)
        if best is None or f > best[1]:
            best = (float(t), f, o)
    assert best is not None
    return best[0], best[2]


# ------------------------------------------------------------------------------------------ matchers


def _person(schema: str) -> bool:
    return schema == "Person"


def ours_pairs(cases: Sequence[Case]) -> Scores:
    out = Scores()
    for case in cases:
        person = _person(case.schema)
        score = compare(normalize_name(case.query, person), normalize_name(case.target or "", person)).score
        out.values.append({"pair": score})
    return out


def ratio_pairs(cases: Sequence[Case]) -> Scores:
    return Scores([{"pair": fuzz.ratio(c.query, c.target or "", processor=utils.default_process)}
                   for c in cases])


class Nomenklatura:
    """nomenklatura's matchers over followthemoney entities (fresh ids: it caches per entity id)."""

    def __init__(self) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        self._model = model
        self._config = ScoringConfig.defaults()
        self._get = get_algorithm
        self._ids = itertools.count()
        self._entities: dict[tuple[str, str], object] = {}

    def entity(self, schema: str, name: str) -> object:
        key = (schema, name)
        entity = self._entities.get(key)
        if entity is None:
            entity = self._model.make_entity(schema)
            entity.id = f"e{next(self._ids)}"
            entity.add("name", name)
            self._entities[key] = entity
        return entity

    def score(self, algorithm: str, schema: str, query: str, candidate: str) -> float:
        matcher = self._get(algorithm)
        result = matcher.compare(self.entity(schema, query), self.entity(schema, candidate), self._config)
        return 100.0 * result.score


def nk_pairs(nk: Nomenklatura, algorithm: str, cases: Sequence[Case]) -> Scores:
    return Scores([{"pair": nk.score(algorithm, c.schema, c.query, c.target or "")} for c in cases])


_SCHEMA = {EntryType.INDIVIDUAL: "Person", EntryType.ENTITY: "Organization", EntryType.VESSEL: "Vessel",
           EntryType.AIRCRAFT: "Airplane"}


class Flat:
    """Every list name as a row: for the baseline and for nomenklatura's candidate retrieval."""

    def __init__(self, entries: Sequence[ListEntry]) -> None:
        self.names: list[str] = []
        self.keys: list[str] = []
        self.schemas: list[str] = []
        for entry in entries:
            for listed in entry.names:
                self.names.append(listed.name)
                self.keys.append(entry_key(entry))
                self.schemas.append(_SCHEMA[entry.type])
        self.processed = [utils.default_process(n) for n in self.names]

    def ratio_scores(self, queries: Sequence[str]) -> Scores:
        out = Scores()
        processed = [utils.default_process(q) for q in queries]
        for start in range(0, len(processed), 256):
            block = process.cdist(processed[start:start + 256], self.processed, scorer=fuzz.ratio,
                                  dtype=np.uint8, workers=-1, score_cutoff=FLOOR)
            for row in block:
                found: dict[str, float] = {}
                for i in np.flatnonzero(row):
                    key = self.keys[i]
                    found[key] = max(found.get(key, 0.0), float(row[i]))
                out.values.append(found)
        return out

    def nk_scores(self, nk: Nomenklatura, algorithm: str, queries: Sequence[str]) -> Scores:
        out = Scores()
        processed = [utils.default_process(q) for q in queries]
        for start in range(0, len(processed), 256):
            block = process.cdist(processed[start:start + 256], self.processed, scorer=fuzz.token_sort_ratio,
                                  dtype=np.uint8, workers=-1)
            for qi, row in enumerate(block):
                query = queries[start + qi]
                found: dict[str, float] = {}
                for i in np.argpartition(-row.astype(np.int16), min(TOP_K, len(row) - 1))[:TOP_K]:
                    score = nk.score(algorithm, self.schemas[i], query, self.names[i])
                    key = self.keys[i]
                    if score >= FLOOR:
                        found[key] = max(found.get(key, 0.0), score)
                out.values.append(found)
        return out


def entry_key(entry: ListEntry) -> str:
    return f"{entry.source}:{entry.id.strip()}"


def ours_search(index: ListIndex, queries: Sequence[str]) -> tuple[Scores, float]:
    started = time.perf_counter()
    results = index.search_many(list(queries), threshold=FLOOR, limit=10_000)
    seconds = time.perf_counter() - started
    return Scores([{entry_key(m.entry): m.score for m in found} for found in results]), seconds


# ------------------------------------------------------------------------------------------ data sets


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def nomenklatura_cases() -> list[Case]:
    rows = _read_csv(DATA / "eval_nomenklatura" / "name_bench_cases.csv")
    return [Case(r["name1"], r["is_match"].lower() == "true", r["name2"], r["case_group"], r["schema"])
            for r in rows]


def frozen_logicv2() -> Outcome:
    out = Outcome()
    for row in _read_csv(DATA / "eval_nomenklatura" / "name_bench_logicv2_frozen_scores.csv"):
        setattr(out, row["outcome"].lower(), getattr(out, row["outcome"].lower()) + 1)
    return out


def yente_cases() -> tuple[list[ListEntry], list[Case]]:
    folder = DATA / "eval_yente"
    untreated = _read_csv(folder / "cgb_positives_un_untreated.csv")
    treated = _read_csv(folder / "cgb_positives_un_treated.csv")
    entries = [ListEntry("un", f"row{i}", EntryType.INDIVIDUAL, (ListName(r["full_name"]),))
               for i, r in enumerate(untreated)]
    cases = [Case(t["full_name"], True, f"un:row{i}", "positives", "Person") for i, t in enumerate(treated)]
    negatives: dict[str, str] = {}
    for name in ("validation_negatives_global", "validation_negatives_us"):
        for row in _read_csv(folder / f"{name}.csv"):
            negatives.setdefault(row["full_name"], name)
    for name in ("cgb_negatives_global", "cgb_negatives_us"):
        for i, row in enumerate(_read_csv(folder / f"{name}.csv")):
            if i % 25 == 0:
                negatives.setdefault(row["full_name"], name)
    cases += [Case(n, False, None, g, "Person") for n, g in negatives.items() if n.strip()]
    return entries, cases


def watchman_cases() -> list[Case]:
    path = DATA / "eval_watchman" / "cross_script_pairs.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(line for line in handle if line.strip() and not line.startswith("#"))]
    return [Case(r[0], True, r[1], r[3], "Person") for r in rows if len(r) >= 2]


def dprk_positive_cases() -> list[Case]:
    cases: list[Case] = []
    for entry in dprk_entries():
        key = entry_key(entry)
        for listed in entry.names:
            cases.append(Case(listed.name, True, key, "alias"))
            cases += [Case(variant, True, key, kind) for kind, variant in perturbations(entry, listed)]
    return cases


GENERIC_PREFIXES = ("Korea", "Korean", "Chosun", "Hanguk", "Daehan", "DPRK", "North Korea", "Asia",
                    "Pacific", "Global", "International", "General", "United", "Sino-Korea", "China-Korea",
                    "Golden", "Silver", "New", "Eastern", "Far East", "Northeast Asia")
SECTORS = ("Trading", "General Trading", "International Trading", "Industrial", "Shipping", "Seafood",
           "Textile", "Garment", "Construction", "Mining", "Electronics", "Technology", "Logistics",
           "Import Export", "Food", "Fishery", "Marine", "Investment", "Development", "Engineering")
FORMS = ("Co., Ltd.", "Corporation", "LLC", "Limited", "Company", "JSC", "Group", "Holdings Ltd")
KOREAN_SYLLABLES = ("dae", "han", "sam", "sung", "jin", "kwang", "myong", "song", "hwa", "il", "chon", "kum",
                    "ryong", "pyong", "un", "hae", "san", "dong", "nam", "buk", "se", "young", "min", "hyun",
                    "jae", "woo", "tae", "kyung", "seo", "ho", "chang", "bong", "mi", "rae", "gu", "won")
CHINESE_SYLLABLES = ("hua", "xin", "yuan", "jin", "hai", "heng", "tai", "li", "hong", "da", "fu", "xing",
                     "sheng", "long", "an", "kang", "tian", "rui", "feng", "chang", "ming", "guang", "bao",
                     "hao", "wei", "yu", "jia", "de", "shun", "tong")
PLACES = ("Dandong", "Shenyang", "Hunchun", "Yanji", "Dalian", "Qingdao", "Vladivostok", "Nakhodka",
          "Busan", "Incheon", "Seoul", "Ulsan", "Tianjin", "Shanghai", "Shenzhen", "Jilin", "Harbin")
REAL_FIRMS = (
    "Hyundai Corporation", "Samsung C&T Corporation", "LG International Corp.", "SK Networks Co., Ltd.",
    "Hanjin Shipping Co., Ltd.", "Daewoo International Corporation", "Lotte Corporation", "Kia Corporation",
    "POSCO International Corporation", "Doosan Enerbility Co., Ltd.", "Hanwha Corporation",
    "Hyosung Corporation", "Korea Zinc Co., Ltd.", "Korea Electric Power Corporation",
    "Korea Gas Corporation", "Korea Trade-Investment Promotion Agency",
    "Korea Shipbuilding & Offshore Engineering Co., Ltd.",
    "Hyundai Glovis Co., Ltd.", "CJ Logistics Corporation", "Pan Ocean Co., Ltd.",
    "HMM Co., Ltd.", "Sinokor Merchant Marine Co., Ltd.", "Korea Line Corporation", "Kumho Tire Co., Inc.",
    "Hansol Paper Co., Ltd.", "Youngone Corporation", "Sejin Textile Co., Ltd.", "Shinsung Tongsang Co.",
    "Dandong Port Group Co., Ltd.", "China Ocean Shipping Company", "Sinotrans Limited",
    "Shenyang Brilliance Jinbei Automobile Co., Ltd.", "Anshan Iron and Steel Group", "Yanbian Seafood Co.",
    "Hunchun Border Economic Cooperation Zone", "Qingdao Haier Co., Ltd.", "Dalian Wanda Group",
    "Jilin Chemical Industrial Co., Ltd.", "Fesco Transportation Group", "Sovcomflot PJSC",
    "Pyongyang Restaurant Bangkok", "Korea Trading Co., Ltd.", "Korea General Trading Corporation",
    "International Trading Company", "Korea Industrial Group", "Korean Seafood Trading Co., Ltd.",
)


def _syllable_words(syllables: Sequence[str], count: int, seed: str) -> list[str]:
    words = []
    for i in range(count * 3):
        h = digest(f"{seed}{i}")
        a, b = syllables[h % len(syllables)], syllables[(h >> 16) % len(syllables)]
        if a != b:
            words.append((a + b).capitalize())
    return list(dict.fromkeys(words))


def dprk_negative_cases(entries: Sequence[ListEntry]) -> tuple[list[Case], dict[str, int]]:
    """Ordinary company names that are not list names (see the module docstring)."""
    from screening.matching.normalize import deletion_variants, token_key

    list_tokens: set[str] = set()
    listed_names: set[tuple[str, ...]] = set()
    for entry in entries:
        for listed in entry.names:
            form = normalize_name(listed.name, entry.type == EntryType.INDIVIDUAL)
            list_tokens.update(form.keys)
            listed_names.add(tuple(sorted(form.tokens)))
    near = set().union(*(deletion_variants(k) for k in list_tokens))

    def far_from_lists(word: str) -> bool:
        return deletion_variants(token_key(word.lower())).isdisjoint(near)

    cases: list[Case] = []
    for i, (prefix, sector) in enumerate(itertools.product(GENERIC_PREFIXES, SECTORS)):
        cases.append(Case(f"{prefix} {sector} {FORMS[i % len(FORMS)]}", False, None, "generic"))
    korean = [w for w in _syllable_words(KOREAN_SYLLABLES, 200, "ko") if far_from_lists(w)]
    chinese = [w for w in _syllable_words(CHINESE_SYLLABLES, 200, "zh") if far_from_lists(w)]
    for i, word in enumerate(korean):
        cases.append(Case(f"{GENERIC_PREFIXES[i % 6]} {word} {SECTORS[i % len(SECTORS)]} {FORMS[i % 8]}",
                          False, None, "korean-words"))
    for i, word in enumerate(chinese):
        cases.append(Case(f"{PLACES[i % len(PLACES)]} {word} {SECTORS[(i * 7) % len(SECTORS)]} "
                          f"{FORMS[(i * 3) % 8]}", False, None, "chinese-words"))
    cases += [Case(name, False, None, "real-firms") for name in REAL_FIRMS]
    kept = [c for c in cases if tuple(sorted(normalize_name(c.query).tokens)) not in listed_names]
    return kept, {"generated": len(cases), "dropped_as_listed_names": len(cases) - len(kept)}


# ------------------------------------------------------------------------------------------ run


def table(rows: Iterable[Sequence[object]], header: Sequence[str]) -> str:
    rows = [[("-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)) for v in r] for r in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="no nomenklatura on search categories")
    parser.add_argument("--sweep", action="store_true", help="print our P/R/F1 at thresholds 80..95")
    parser.add_argument("--json", type=Path, help="also write the JSON report to this file")
    args = parser.parse_args(argv)

    try:
        nk: Nomenklatura | None = Nomenklatura()
    except ImportError:
        nk = None
    threshold = DEFAULT_THRESHOLD
    report: dict[str, object] = {"threshold": threshold, "categories": {}, "performance": {}}
    rows: list[list[object]] = []

    def record(category: str, cases: Sequence[Case], results: dict[str, tuple[Scores, float | None]],
               pairwise: bool) -> None:
        entry: dict[str, object] = {"cases": len(cases), "positives": sum(c.label for c in cases)}
        for matcher, (scores, fixed) in results.items():
            if fixed is None:
                t, o = best_threshold(cases, scores, pairwise)
            else:
                t, o = fixed, outcome(cases, scores, fixed, pairwise)
            entry[matcher] = {"threshold": t, **o.as_dict()}
            rows.append([category, matcher, t, o.precision, o.recall, o.f1, o.tp, o.fp, o.fn])
            if matcher == "ours" and args.sweep:
                entry["sweep"] = {s: outcome(cases, scores, s, pairwise).as_dict() for s in SWEEP}
        groups = sorted({c.group for c in cases})
        if len(groups) > 1 and "ours" in results:
            entry["by_group"] = {
                g: outcome([c for c in cases if c.group == g],
                           Scores([v for c, v in zip(cases, results["ours"][0].values) if c.group == g]),
                           threshold, pairwise).as_dict()
                for g in groups
            }
        report["categories"][category] = entry  # type: ignore[index]

    # a: nomenklatura pairs
    cases_a = nomenklatura_cases()
    results_a: dict[str, tuple[Scores, float | None]] = {
        "ours": (ours_pairs(cases_a), threshold), "ratio": (ratio_pairs(cases_a), None)}
    if nk is not None:
        for algorithm, cut in NK_THRESHOLDS.items():
            results_a[algorithm] = (nk_pairs(nk, algorithm, cases_a), cut)
    record("a nomenklatura", cases_a, results_a, pairwise=True)
    frozen = frozen_logicv2()
    rows.append(["a nomenklatura", "logic-v2 frozen", 70.0, frozen.precision, frozen.recall, frozen.f1,
                 frozen.tp, frozen.fp, frozen.fn])
    report["categories"]["a nomenklatura"]["logic-v2 frozen"] = frozen.as_dict()  # type: ignore[index]

    # b: yente
    entries_b, cases_b = yente_cases()
    index_b = ListIndex(entries_b)
    flat_b = Flat(entries_b)
    queries_b = [c.query for c in cases_b]
    results_b: dict[str, tuple[Scores, float | None]] = {
        "ours": (ours_search(index_b, queries_b)[0], threshold), "ratio": (flat_b.ratio_scores(queries_b), None)}
    if nk is not None and not args.quick:
        for algorithm, cut in NK_THRESHOLDS.items():
            results_b[algorithm] = (flat_b.nk_scores(nk, algorithm, queries_b), cut)
    record("b yente", cases_b, results_b, pairwise=False)

    # c: watchman cross-script
    cases_c = watchman_cases()
    results_c: dict[str, tuple[Scores, float | None]] = {
        "ours": (ours_pairs(cases_c), threshold), "ratio": (ratio_pairs(cases_c), 80.0)}
    if nk is not None:
        for algorithm, cut in NK_THRESHOLDS.items():
            results_c[algorithm] = (nk_pairs(nk, algorithm, cases_c), cut)
    record("c watchman cross-script", cases_c, results_c, pairwise=True)

    # d: DPRK-derived, against every OFAC SDN + UN name
    entries = all_entries()
    started = time.perf_counter()
    index = ListIndex(entries)
    build = time.perf_counter() - started
    positives = dprk_positive_cases()
    negatives, negative_stats = dprk_negative_cases(entries)
    cases_d = positives + negatives
    queries_d = [c.query for c in cases_d]
    scores_d, seconds = ours_search(index, queries_d)
    flat = Flat(entries)
    results_d: dict[str, tuple[Scores, float | None]] = {"ours": (scores_d, threshold),
                                                         "ratio": (flat.ratio_scores(queries_d), None)}
    if nk is not None and not args.quick:
        for algorithm, cut in NK_THRESHOLDS.items():
            results_d[algorithm] = (flat.nk_scores(nk, algorithm, queries_d), cut)
    record("d DPRK-derived", cases_d, results_d, pairwise=False)
    report["categories"]["d DPRK-derived"]["negatives"] = negative_stats  # type: ignore[index]
    others = [sum(1 for k, s in found.items() if k != c.target and s >= threshold)
              for c, found in zip(cases_d, scores_d.values) if c.label]
    report["categories"]["d DPRK-derived"]["other_entries_per_positive"] = round(  # type: ignore[index]
        sum(others) / max(1, len(others)), 3)

    # performance at the shipped threshold: cold queries (no cached normalisation), repeats, suppliers
    fresh = ListIndex(entries)  # no query scored yet
    _cold()
    started = time.perf_counter()
    fresh.search_many(queries_d, threshold=threshold)
    dprk_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fresh.search_many(queries_d, threshold=threshold)
    repeat_seconds = time.perf_counter() - started
    suppliers = supplier_names(20_000)
    _cold()
    started = time.perf_counter()
    fresh.search_many(suppliers, threshold=threshold)
    supplier_seconds = time.perf_counter() - started
    report["performance"] = {
        "list_entries": len(entries), "list_names_indexed": index.names, "index_build_s": round(build, 2),
        "dprk_queries": len(queries_d), "dprk_queries_per_s": round(len(queries_d) / dprk_seconds, 1),
        "repeated_queries_per_s": round(len(queries_d) / repeat_seconds, 1),
        "supplier_names": len(suppliers), "supplier_queries_per_s": round(len(suppliers) / supplier_seconds, 1),
        "search_seconds_at_floor_50": round(seconds, 1),
    }

    print(table(rows, ["category", "matcher", "threshold", "precision", "recall", "F1", "TP", "FP", "FN"]))
    print()
    for name, value in report["performance"].items():  # type: ignore[union-attr]
        print(f"{name:28} {value}")
    if args.sweep:
        print("\nours on d, by threshold:")
        sweep = report["categories"]["d DPRK-derived"]["sweep"]  # type: ignore[index]
        print(table([[t, o["precision"], o["recall"], o["f1"], o["fp"], o["fn"]] for t, o in sweep.items()],
                    ["threshold", "precision", "recall", "F1", "FP", "FN"]))
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print("\n" + text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


def _cold() -> None:
    """Forget cached normalisations, so that timed queries pay for theirs (list names are indexed already)."""
    from screening.matching import normalize

    for cached in (normalize.normalize_name, normalize.transliterate, normalize.token_key,
                   normalize.deletion_variants, normalize.is_minor, normalize.skeleton):
        cached.cache_clear()


def supplier_names(count: int) -> list[str]:
    """Deterministic supplier-like names (place + word + sector + legal form), like bench/throughput.py."""
    words = _syllable_words(KOREAN_SYLLABLES, 400, "sup") + _syllable_words(CHINESE_SYLLABLES, 400, "sup")
    out = []
    for i in range(count):
        h = digest(f"s{i}")
        out.append(f"{PLACES[h % len(PLACES)]} {words[(h >> 8) % len(words)]} "
                   f"{SECTORS[(h >> 20) % len(SECTORS)]} {FORMS[(h >> 28) % len(FORMS)]}")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
