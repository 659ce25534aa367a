"""The pipeline, one way: rule packs -> intake -> evaluate -> score -> ScreeningResult."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening import __version__
from screening.engine import CompiledRule, compile_packs, evaluate
from screening.engine.links import collect_links
from screening.engine.lists import ListCatalog
from screening.fields import FIELDS
from screening.intake import ChecksAhead, Limits, read_inputs
from screening.lists.model import ListEntry
from screening.memory import forget_caches, gc_paused, release_freed_heap
from screening.model import Band, Hit, Intake, ListInfo, Manifest, PackInfo, RowResult, ScreeningResult, Source, Table
from screening.rulepacks import RulePack, load_packs
from screening.rulepacks.schema import Thresholds
from screening.scoring import pack_score, row_score

Progress = Callable[[str, int], None]
"""Called with (stage, total steps) when a stage starts and ("", n) for n steps done; the steps are rows."""


@dataclass(frozen=True)
class Lists:
    """The sanctions lists a run screens against, with the versions the manifest records."""

    infos: tuple[ListInfo, ...] = ()
    entries: tuple[ListEntry, ...] = ()


def lists_from_store(option: str | os.PathLike[str] | None = None) -> Lists:
    """The current version of every list in the store (--lists, SCREENING_LISTS_DIR or the user's)."""
    from screening.lists.store import ListStore

    store = ListStore.locate(Path(option) if option is not None else None)
    infos: list[ListInfo] = []
    entries: list[ListEntry] = []
    with gc_paused():  # tens of thousands of entries, no cycles: collections would rescan them again and again
        for stored in store.current():
            infos.append(ListInfo(stored.source, stored.published, stored.sha256, stored.entries))
            entries.extend(store.load_entries(stored))
    return Lists(tuple(infos), tuple(entries))


def default_rules_dir() -> Path:
    """The `rules/` folder of a source checkout, else the copy bundled inside the installed package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "rules", here / "_bundled_rules"):
        if candidate.is_dir():
            return candidate
    return here.parent / "rules"


def created_at_now() -> str:
    """UTC time of the run; SOURCE_DATE_EPOCH pins it for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else dt.datetime.now(dt.UTC)
    )
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def screen(
    inputs: Sequence[str | os.PathLike[str]],
    rules: Sequence[str | os.PathLike[str]] = (),
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    lists: Lists | None = None,
    progress: Progress | None = None,
) -> ScreeningResult:
    """Screen the inputs with the rule packs (the bundled ones by default) and the lists; see the module doc.

    The cyclic garbage collector is paused for the run: it makes next to no reference cycles, and with a
    million rows and the list index alive every full collection rescans all of them (6.9 s of collections in
    a 1M run, by the collector's own callbacks; 0.6 s paused).
    """
    with gc_paused():
        return _screen(inputs, rules, sheet=sheet, overrides=overrides, lists=lists, progress=progress)


def _screen(
    inputs: Sequence[str | os.PathLike[str]],
    rules: Sequence[str | os.PathLike[str]],
    *,
    sheet: str | None,
    overrides: Mapping[str, str] | None,
    lists: Lists | None,
    progress: Progress | None,
) -> ScreeningResult:
    # Rules first: a broken pack stops the run before any input is read.
    packs = load_packs(rules or [default_rules_dir()])
    lists = lists or Lists()
    catalog = ListCatalog(lists.entries)
    compiled = compile_packs(packs, catalog)
    limits: Limits | None = None
    ahead: ChecksAhead | None = None
    try:
        input_bytes = _input_bytes(inputs)
        if catalog.prepares(input_bytes):  # the workbook checks run in a child while the index is built
            limits = Limits.from_env()
            ahead = ChecksAhead(inputs, limits)
        catalog.prepare(input_bytes)  # for a big input, list workers start before it fills memory
        intake = read_inputs(inputs, sheet=sheet, overrides=overrides, limits=limits, ahead=ahead,
                             names_found=catalog.start_names if ahead is not None else None)

        rows_read = len(intake.records)
        if progress:
            progress("Screening rows", rows_read)
        catalog.start(intake.records)  # list names scored on every core while the other rules run (the rest)
        hits_per_row = evaluate(compiled, intake.records,
                                _rows_done(progress, rows_read, len(compiled)) if progress else None)
    finally:
        catalog.close()
        if ahead is not None:
            ahead.close()
    # The list index (catalog.close) and the rules' caches, hundreds of MB at a million rows, are done with:
    # freed before the row results and the report are built, which is when a large run reaches its peak.
    forget_caches()
    release_freed_heap()

    thresholds = {pack.id: pack.spec.pack.thresholds for pack in packs}
    rows = _row_results(intake, hits_per_row, thresholds)
    del hits_per_row

    manifest = Manifest(
        tool_version=__version__,
        created_at=created_at_now(),
        inputs=tuple(intake.files),
        rule_packs=tuple(pack_info(p) for p in packs),
        lists=lists.infos,
        options=_options(sheet, overrides),
    )
    return ScreeningResult(
        manifest=manifest,
        rows=rows,
        tables=intake.tables,
        rules=[c.info for c in compiled],
        sources=_sources(packs),
        errors=intake.errors,
        links=collect_links(rows),
    )


def _input_bytes(inputs: Sequence[str | os.PathLike[str]]) -> int:
    """Total size of the input files (0 for those that cannot be read: read_inputs reports them)."""
    total = 0
    for path in inputs:
        try:
            total += os.path.getsize(path)
        except OSError:
            pass
    return total


def _rows_done(progress: Progress, rows: int, rules: int) -> Callable[[int], None]:
    """Rules run over whole columns, so each finished rule counts as its share of the rows: the bar then
    shows rows, rows per second and a time left that mean something to the user."""
    done_rules = 0
    reported = 0

    def advance(finished: int) -> None:
        nonlocal done_rules, reported
        done_rules += finished
        now = rows if done_rules >= rules else rows * done_rules // max(rules, 1)
        if now > reported:
            progress("", now - reported)
            reported = now

    return advance


def _row_results(
    intake: Intake, hits_per_row: list[list[tuple[CompiledRule, Hit]]], thresholds: Mapping[str, Thresholds]
) -> list[RowResult]:
    """One RowResult per intake record, in input order.

    A million rows make this a hot loop: a row's fields are a view of its cells (one field -> column map
    per sheet), and rows with the same hits (the same Hit objects: rules share them per distinct cell
    value) share one hits tuple and one score. `intake.records` is emptied (same columns, no rows): the
    rows hold everything the reports need.
    """
    from screening.rowfields import RowFields

    records = intake.records
    provenance = zip(records["input"].tolist(), records["sheet"].tolist(), records["row"].tolist(),
                     records["table"].tolist(), records["cells"].tolist(), hits_per_row)
    # The rows keep the cells (and so every field): the frame's columns can go before a million rows are built.
    intake.records = records = records.iloc[:0].copy()  # a copy: a slice would keep the columns alive
    columns = [_field_columns(table) for table in intake.tables]
    combos: dict[tuple[int, ...], tuple[tuple[Hit, ...], int, Band]] = {}
    scores: dict[tuple[tuple[int, int], ...], tuple[int, Band]] = {}
    clear = row_score(())
    rows: list[RowResult] = []
    with gc_paused():  # a million new objects, none cyclic: collections would only rescan the rows
        for input_name, sheet, number, table, cells, row_hits in provenance:
            if row_hits:
                combo = tuple(map(id, row_hits))
                found = combos.get(combo)
                if found is None:
                    found = combos[combo] = _scored(row_hits, scores, thresholds)
                hits, score, band = found
            else:
                hits, (score, band) = (), clear
            cells = cells if type(cells) is tuple else tuple(cells)
            rows.append(RowResult(input_name, sheet, number, table, RowFields(columns[table], cells), cells,
                                  score, band, hits))
    return rows


def _field_columns(table: Table) -> dict[str, int]:
    """field -> column of a sheet's cells, in report order (FIELDS); the last column wins, as in intake."""
    positions = {field: column for column, field in enumerate(table.fields) if field}
    return {f: positions[f] for f in FIELDS if f in positions}


def _scored(
    row_hits: list[tuple[CompiledRule, Hit]],
    scores: dict[tuple[tuple[int, int], ...], tuple[int, Band]],
    thresholds: Mapping[str, Thresholds],
) -> tuple[tuple[Hit, ...], int, Band]:
    """A row's hits, score and band; the score computed once per distinct set of fired rules and weights."""
    key = tuple((id(compiled_rule), hit.weight) for compiled_rule, hit in row_hits)
    scored = scores.get(key)
    if scored is None:
        per_pack: dict[str, list[tuple[int, str | None]]] = {}
        for compiled_rule, hit in row_hits:
            per_pack.setdefault(compiled_rule.pack.id, []).append((hit.weight, compiled_rule.rule.band))
        scored = scores[key] = row_score(pack_score(fired, thresholds[pack_id]) for pack_id, fired in per_pack.items())
    return tuple(hit for _, hit in row_hits), scored[0], scored[1]


def pack_info(pack: RulePack) -> PackInfo:
    meta = pack.spec.pack
    return PackInfo(
        id=meta.id,
        version=meta.version,
        sha256=pack.sha256,
        path=str(pack.path),
        title=meta.title,
        thresholds=(("review", meta.thresholds.review), ("high", meta.thresholds.high)),
    )


def _sources(packs: Sequence[RulePack]) -> list[Source]:
    seen: dict[tuple[str, str], Source] = {}
    for pack in packs:
        for doc in pack.spec.sources:
            seen.setdefault((doc.id, doc.title), Source(doc.id, doc.title, doc.issuer, doc.date, doc.url))
    return list(seen.values())


def _options(sheet: str | None, overrides: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    options: list[tuple[str, str]] = []
    if sheet:
        options.append(("sheet", sheet))
    for header, field in sorted((overrides or {}).items()):
        options.append(("map", f"{header}={field}"))
    return tuple(options)
