"""A row's canonical fields read straight from its cells, so a million rows need no dict each."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

T = TypeVar("T")


class RowFields(Mapping[str, str]):
    """{field: cell text} for one row, as RowResult.fields: a read-only view of the row's `cells`.

    `columns` (field -> cell index, in report order) is one dict shared by every row of a sheet; a
    per-row dict of eight fields costs about 360 bytes, this view about 56.
    """

    __slots__ = ("_columns", "_cells")

    def __init__(self, columns: Mapping[str, int], cells: tuple[str, ...]) -> None:
        self._columns = columns
        self._cells = cells

    @property
    def columns(self) -> Mapping[str, int]:
        """field -> index in `cells`, shared by the rows of a sheet (reports encode its keys once)."""
        return self._columns

    @property
    def cells(self) -> tuple[str, ...]:
        return self._cells

    def __getitem__(self, key: str) -> str:
        return self._cells[self._columns[key]]

    def get(self, key: str, default: T | None = None) -> str | T | None:  # type: ignore[override]
        index = self._columns.get(key)
        return default if index is None else self._cells[index]

    def __contains__(self, key: object) -> bool:
        return key in self._columns

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        """(field, text) pairs in field order; a list, built in one step (reports call it on every row)."""
        cells = self._cells
        return [(key, cells[index]) for key, index in self._columns.items()]

    def values(self) -> list[str]:  # type: ignore[override]
        cells = self._cells
        return [cells[index] for index in self._columns.values()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[type[RowFields], tuple[dict[str, int], tuple[str, ...]]]:
        return RowFields, (dict(self._columns), self._cells)
