"""Cell texts that spreadsheet programs never evaluate (formula injection, OWASP "CSV Injection").

Supplier spreadsheets are untrusted: a cell such as `=HYPERLINK("http://x","y")` must reach the
auditor as the text it is, never as a live formula.
"""

from __future__ import annotations

import re

# OWASP: a cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# Excel refuses a whole workbook when one cell holds an XML-illegal control character.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# Excel's hard limit per cell; longer text makes it "repair" (and drop) the sheet.
EXCEL_MAX_CHARS = 32767
_TRUNCATED = " …[truncated]"


def is_risky(text: str) -> bool:
    """True when a spreadsheet program could read `text` as a formula."""
    return text.startswith(FORMULA_PREFIXES)


def csv_safe(text: str) -> str:
    """Prefix a risky CSV cell with an apostrophe so Excel shows it as text (OWASP guidance)."""
    return "'" + text if is_risky(text) else text


def excel_text(text: str) -> str:
    """Make `text` storable in an xlsx cell: no illegal control characters, within the length limit."""
    text = _ILLEGAL_XML.sub("\ufffd", text)
    # XML parsers turn a bare CR into LF anyway; doing it here keeps what we write and what
    # Excel reads the same.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > EXCEL_MAX_CHARS:
        text = text[: EXCEL_MAX_CHARS - len(_TRUNCATED)] + _TRUNCATED
    return text
