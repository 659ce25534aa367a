"""Turn a sheet's text rows into a Table and its data rows, whatever format they came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ReasonCode
from ..fields import REQUIRED_FIELD
from ..model import RowError, Table
from ..text import simplify
from .headers import assign_fields, find_header, likely_header
from .limits import Limits


@dataclass
class RawSheet:
    """A sheet's non-empty rows as text, before any header is known."""

    name: str
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number as shown, cells)
    first_col: int = 0  # 0-based column of cells[0]: spreadsheet readers trim empty leading columns
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, reason code, message) met while reading


@dataclass
class SheetTable:
    table: Table
    rows: list[tuple[int, tuple[str, ...]]]  # (row number, cells aligned with table.headers)
    errors: list[RowError]


@dataclass(frozen=True)
class NoNameColumn:
    """A sheet without a recognisable name column, and what its likeliest header row holds."""

    headers: tuple[str, ...]


class SharedTexts:
    """Equal cell texts as one string object, decided as each row is read.

    A supplier master repeats its countries, cities and sectors on every row: a million rows would
    hold millions of copies. Deduplicating later frees them only after they have fragmented the heap,
    so readers pass each row through here. The table of known texts is emptied now and then so that a
    column of distinct names cannot grow it without bound (repeated texts come straight back).
    """

    __slots__ = ("_known",)
    _LIMIT = 200_000

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def row(self, cells: list[str]) -> list[str]:
        if len(self._known) > self._LIMIT:
            self._known.clear()
        setdefault = self._known.setdefault
        return list(map(setdefault, cells, cells))


def excel_column(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': column letters as Excel shows them."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def trim_row(cells: list[str]) -> list[str]:
    """Drop trailing empty cells; an all-empty row becomes []."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def build_table(
    sheet: RawSheet, input_name: str, overrides: Mapping[str, str], limits: Limits
) -> SheetTable | NoNameColumn:
    """Find the header row, name every column, and align the data rows below it."""
    texts = [cells for _, cells in sheet.rows]
    found = find_header(texts, overrides)
    if found is None:
        likely = likely_header(texts, overrides)
        return NoNameColumn(tuple(c for c in texts[likely] if c) if likely is not None else ())
    header_row, header_cells = sheet.rows[found]
    data = sheet.rows[found + 1 :]

    # The table spans every column used by the header or the data (not titles above it).
    spans = [cells for cells in [header_cells, *(cells for _, cells in data)] if cells]
    left = min(next(i for i, c in enumerate(cells) if c) for cells in spans)
    right = max(len(cells) for cells in spans)
    letters = [excel_column(sheet.first_col + column) for column in range(left, right)]
    full = [text or f"Column {letter}" for text, letter in zip(_span(header_cells, left, right), letters)]
    # Fields from the headers as written: find_header chose this row by them, and a cell-length limit
    # cut shorter than a header must not lose its name column (it raised ValueError; found by a test).
    fields = assign_fields(full, overrides).fields
    headers = tuple(_cut(text, limits) for text in full)
    table = Table(input=input_name, sheet=sheet.name, header_row=header_row, headers=headers, fields=fields)
    errors: list[RowError] = _duplicate_columns(table, letters)

    name_column = fields.index(REQUIRED_FIELD)
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in data:
        cells = _span(raw, left, right)
        # One C-level pass finds the rare row with an over-long cell; only that row is walked in Python.
        if max(map(len, cells), default=0) > limits.max_cell_chars:
            for column, text in enumerate(cells):
                if len(text) > limits.max_cell_chars:
                    cells[column] = text[: limits.max_cell_chars]
                    errors.append(RowError(input_name, sheet.name, number, ReasonCode.CELL_TOO_LONG.value, (
                        f"cell {letters[column]}{number} has {len(text):,} characters, over the "
                        f"{limits.max_cell_chars:,} limit; only the first {limits.max_cell_chars:,} are screened"
                    )))
        if not cells[name_column]:
            errors.append(RowError(input_name, sheet.name, number, ReasonCode.MISSING_NAME.value, (
                f"row has data but no name in column {letters[name_column]} ('{headers[name_column]}'); "
                "fill in the supplier name"
            )))
        rows.append((number, tuple(cells)))
    return SheetTable(table, rows, errors)


def _duplicate_columns(table: Table, letters: list[str]) -> list[RowError]:
    """A header repeated (two 'Supplier Name' columns): say which one was read, never drop it silently."""
    errors: list[RowError] = []
    keyed = [simplify(h) for h in table.headers]
    for column, (key, field_name) in enumerate(zip(keyed, table.fields)):
        if field_name or not key:
            continue
        first = next((c for c in range(column) if keyed[c] == key and table.fields[c]), None)
        if first is not None:
            errors.append(RowError(table.input, table.sheet, table.header_row, ReasonCode.DUPLICATE_COLUMN.value, (
                f"column {letters[column]} repeats the header '{table.headers[column]}' of column {letters[first]}; "
                f"only column {letters[first]} is read as {table.fields[first]}; rename one or choose with --map"
            )))
    return errors


def _span(cells: list[str], left: int, right: int) -> list[str]:
    """cells[left:right], padded with "" to the full width."""
    part = cells[left:right]
    return part + [""] * (right - left - len(part))


def _cut(text: str, limits: Limits) -> str:
    return text[: limits.max_cell_chars]
