"""What the tabular reports (CSV, xlsx, HTML) show per row: shared so the three always agree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from screening.fields import FIELDS
from screening.model import Evidence, Hit, RowResult, ScreeningResult
from screening.text import cell_text

UNVERIFIED = "unverified"

# Our own column names, in CSV spelling and xlsx spelling; an original header equal to one of
# them is renamed so a reader never confuses the supplier's "Score" with ours.
FIXED_COLUMNS = ("input", "sheet", "row", "band", "score", "rules", "reasons", "evidence")
REVIEW_COLUMNS = ("Disposition", "Reviewer", "Comment")

# Band colours shared by the xlsx fills and the HTML page: clear green, review yellow, high orange, critical red.
BAND_COLOURS = {"clear": "C6EFCE", "review": "FFEB9C", "high": "F4B183", "critical": "FF7C80"}


@dataclass(frozen=True)
class Columns:
    """Canonical fields present and the unmapped original columns (union over all tables)."""

    fields: tuple[str, ...]
    extras: tuple[str, ...]  # display header of each unmapped original column
    extra_slots: tuple[tuple[tuple[int, int], ...], ...]  # per table: (cell index, position in extras)
    unverified: frozenset[str]  # ids of rules whose confidence is 'unverified'

    def field_values(self, row: RowResult) -> list[str]:
        return [_text(row.fields.get(f, "")) for f in self.fields]

    def extra_values(self, row: RowResult) -> list[str]:
        values = [""] * len(self.extras)
        if 0 <= row.table < len(self.extra_slots):
            cells = row.cells
            for cell_index, pos in self.extra_slots[row.table]:
                if cell_index < len(cells):
                    values[pos] = _text(cells[cell_index])
        return values

    def reasons(self, row: RowResult) -> str:
        return "; ".join(self.reason(h) for h in row.hits)

    def reason(self, hit: Hit) -> str:
        unverified = hit.confidence == UNVERIFIED or hit.rule in self.unverified
        return f"{hit.title} (unverified)" if unverified else hit.title


class HitTexts:
    """A row's rule ids, reasons and evidence lines joined by `sep`, worked out once per hits tuple.

    Rows with the same hits share one tuple (screening.screen._row_results), so a million rows need
    these texts only once per distinct combination. Keyed by the tuple's identity, kept alive here.
    """

    def __init__(self, cols: Columns, sep: str) -> None:
        self._cols = cols
        self._sep = sep
        self._known: dict[int, tuple[tuple[Hit, ...], tuple[str, str, str]]] = {}

    def __call__(self, hits: tuple[Hit, ...]) -> tuple[str, str, str]:
        known = self._known.get(id(hits))
        if known is None:
            sep, cols = self._sep, self._cols
            texts = (sep.join(h.rule for h in hits), sep.join(cols.reason(h) for h in hits),
                     sep.join(evidence_line(h.evidence) for h in hits))
            if len(self._known) >= 100_000:  # rows with distinct hits (a name matched per row): stay bounded
                self._known.clear()
            known = self._known[id(hits)] = (hits, texts)
        return known[1]


def columns_for(result: ScreeningResult) -> Columns:
    present: dict[str, None] = {}
    for table in result.tables:
        present.update((f, None) for f in table.fields if f)
    for row in result.rows:
        present.update((f, None) for f in row.fields)
    known = [f for f in FIELDS if f in present]
    fields = tuple(known + [f for f in present if f not in FIELDS])

    taken = {c.casefold() for c in (*FIXED_COLUMNS, *fields, *REVIEW_COLUMNS)}
    extras: dict[str, int] = {}
    slots: list[tuple[tuple[int, int], ...]] = []
    for table in result.tables:
        seen: Counter[str] = Counter()
        table_slots = []
        for i, (header, field) in enumerate(zip(table.headers, table.fields)):
            if field:
                continue
            label = header.strip() or f"(column {i + 1})"
            seen[label] += 1
            if seen[label] > 1:  # the same header twice in one sheet: keep both columns
                label = f"{label} ({seen[label]})"
            if label.casefold() in taken:
                label = f"{label} (original)"
            table_slots.append((i, extras.setdefault(label, len(extras))))
        slots.append(tuple(table_slots))

    unverified = frozenset(r.id for r in result.rules if r.confidence == UNVERIFIED)
    return Columns(fields, tuple(extras), tuple(slots), unverified)


def rule_ids(row: RowResult) -> str:
    return "; ".join(h.rule for h in row.hits)


def evidence_line(ev: Evidence) -> str:
    """One readable line: `country='Russia' -> RU (93.5% similar)`."""
    value = _one_line(ev.value) if ev.value is not None else None
    if ev.field and value is not None:
        text = f"{ev.field}='{value}'"
    else:
        text = ev.field or (f"'{value}'" if value is not None else "")
    if ev.matched:
        text = f"{text} -> {_one_line(ev.matched)}" if text else _one_line(ev.matched)
    if ev.similarity is not None and ev.similarity == ev.similarity:  # skip NaN
        text += f" ({round(float(ev.similarity), 1):g}% similar)"
    return text


def suppressed_text(row: RowResult, sep: str = "; ") -> str:
    """Hits set aside by a confirmed false-positive decision, each with who, when and why."""
    return sep.join(
        f"{s.hit.rule}: {evidence_line(s.hit.evidence)} [false positive #{s.decision_id}, proposed by "
        f"{s.proposed_by}, confirmed by {s.confirmed_by} {s.confirmed_at}: {s.reason}]"
        for s in row.suppressed
    )


def has_suppressed(result: ScreeningResult) -> bool:
    """Reports add their Suppressed column only when decisions set a hit aside (other reports stay as they were)."""
    return any(row.suppressed for row in result.rows)


def evidence_text(row: RowResult) -> str:
    return "; ".join(evidence_line(h.evidence) for h in row.hits)


def review_order(rows: Iterable[RowResult]) -> list[RowResult]:
    """Flagged rows, worst band first, then highest score, then input order."""
    indexed = [(i, r) for i, r in enumerate(rows) if r.flagged]
    indexed.sort(key=lambda p: (-int(p[1].band), -p[1].score, p[0]))
    return [r for _, r in indexed]


def hit_counts(result: ScreeningResult) -> Counter[str]:
    return Counter(h.rule for r in result.rows for h in r.hits)


def _text(value: object) -> str:
    # Fields are str by contract; a stray NaN or number from pandas still renders as the user saw it.
    return value if isinstance(value, str) else cell_text(value)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
