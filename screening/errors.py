"""Errors the user can act on. Each message is one line naming the file, sheet, row or rule."""

from enum import StrEnum


class ScreeningError(Exception):
    """A problem with the user's input or configuration; the CLI prints it and exits 2."""


class InputError(ScreeningError):
    """An input spreadsheet cannot be read or has no usable name column."""


class RulePackError(ScreeningError):
    """A rule pack is invalid; a compliance tool never screens with half its rules."""


class ReportError(ScreeningError):
    """A report cannot be written where the user asked."""


class ReasonCode(StrEnum):
    """Stable codes for row-level problems, shown in the report's Errors sheet."""

    MISSING_NAME = "missing_name"
    CELL_TOO_LONG = "cell_too_long"
    UNREADABLE_CELL = "unreadable_cell"
    UNKNOWN_COUNTRY = "unknown_country"
    SHEET_SKIPPED = "sheet_skipped"
    MACROS_NOT_RUN = "macros_not_run"
    MIXED_DELIMITER = "mixed_delimiter"  # a CSV row separated differently from the rest: read as one cell
    DUPLICATE_COLUMN = "duplicate_column"  # a header repeated: only the first such column gives the field  # the file carries VBA/Basic macros; only cell values are read
