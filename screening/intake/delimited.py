"""Read delimited text (CSV, TSV, TXT) as text cells: encoding and delimiter are guessed."""

from __future__ import annotations

import codecs
import csv
import io
import os
import unicodedata

from charset_normalizer import from_bytes

from ..errors import InputError, ReasonCode
from .limits import Limits
from .tables import RawSheet, SharedTexts, trim_row

DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 512 * 1024
_CHUNK_BYTES = 1024 * 1024
_DELIMITER_SAMPLE_CHARS = 64 * 1024
_SAVE_AS_UTF8 = "save it from Excel as 'CSV UTF-8'"
_CONTROL_BYTES = bytes([*range(9), *range(14, 32), 127])  # not tab, newlines or form feed

_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Legacy encodings suppliers' Excel actually saves CSV in, in order of preference on a tie
# (Western first: cp1252 and cp1250 decode most Latin text identically).
LEGACY_ENCODINGS: tuple[str, ...] = tuple(
    codecs.lookup(name).name
    for name in ("cp1252", "cp1250", "cp1251", "koi8_r", "cp1254", "cp1257", "cp1258",
                 "gb18030", "big5", "cp949", "cp932")
)
_LATIN_SINGLE_BYTE = frozenset(codecs.lookup(n).name for n in ("cp1252", "cp1250", "cp1254", "cp1257", "cp1258"))
# Symbols that a wrong single-byte code page puts inside words: Polish 'ł' read as cp1252 is '³'.
_WORD_SYMBOL_CATEGORIES = frozenset({"No", "Sc", "Sk", "Sm", "So"})
_ORDINARY_SYMBOLS = frozenset("©®™°€")


def read_delimited(path: str, limits: Limits) -> RawSheet:
    """Every record of the file, cells as stripped text; the sheet is named after the file's stem.

    Damage is kept to its row: NUL bytes are dropped and bytes that are not UTF-8 in an
    otherwise UTF-8 file become U+FFFD, each noted in RawSheet.problems with its row.
    """
    encoding, errors = detect_text_encoding(path)
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        delimiter = detect_delimiter(f.read(_DELIMITER_SAMPLE_CHARS).replace("\0", ""))
    if csv.field_size_limit() < 4 * limits.max_cell_chars:
        csv.field_size_limit(4 * limits.max_cell_chars)  # long cells get truncated, not refused
    sheet = RawSheet(name=os.path.splitext(os.path.basename(path))[0])
    shared = SharedTexts()  # a country repeated a million times is stored once
    number = 0
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        lines = _NulFreeLines(f)
        try:
            for number, record in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
                if number > limits.max_rows:
                    raise InputError(
                        f"{path}: more than {limits.max_rows:,} rows, over the limit; split it into smaller files "
                        "or raise SCREENING_MAX_ROWS"
                    )
                cells = trim_row([value.strip() for value in record])  # as cell_text() does for text
                if lines.dropped_nul:
                    lines.dropped_nul = False
                    sheet.problems.append((number, ReasonCode.UNREADABLE_CELL.value,
                                           "row held NUL bytes (removed); check the row in the source file"))
                if errors == "replace" and any("\ufffd" in cell for cell in cells):
                    sheet.problems.append((number, ReasonCode.UNREADABLE_CELL.value, (
                        "row holds bytes that are not valid UTF-8, shown as \ufffd; check the spelling in the source "
                        f"file or {_SAVE_AS_UTF8}"
                    )))
                if cells:
                    sheet.rows.append((number, shared.row(cells)))
        except csv.Error as exc:
            raise InputError(
                f"{path} row {number + 1}: not readable as CSV ({exc}); check for an unclosed quote"
            ) from None
    _note_mixed_delimiters(sheet, delimiter)
    return sheet


class _NulFreeLines:
    """The file's lines without NUL bytes (csv refuses them), remembering that some were dropped."""

    def __init__(self, f: io.TextIOBase) -> None:
        self.f, self.dropped_nul = f, False

    def __iter__(self) -> _NulFreeLines:
        return self

    def __next__(self) -> str:
        line = next(self.f)
        if "\0" in line:
            self.dropped_nul = True
            return line.replace("\0", "")
        return line


def _note_mixed_delimiters(sheet: RawSheet, delimiter: str) -> None:
    """A one-cell row that splits into the table's width on another delimiter was typed differently."""
    widths = [len(cells) for _, cells in sheet.rows if len(cells) > 1]
    if not widths:
        return
    width = max(set(widths), key=widths.count)
    for number, cells in sheet.rows:
        if len(cells) != 1:
            continue
        other = next((d for d in DELIMITERS if d != delimiter and len(cells[0].split(d)) >= min(width, 2)
                      and cells[0].count(d) == width - 1), None)
        if other:
            shown = "TAB" if other == "\t" else other
            used = "TAB" if delimiter == "\t" else delimiter
            sheet.problems.append((number, ReasonCode.MIXED_DELIMITER.value, (
                f"row separates its fields with '{shown}' while the file uses '{used}': it was read as one cell; "
                "fix the row in the source file"
            )))


# ---------------------------------------------------------------- encoding


def detect_encoding(path: str) -> str:
    """BOM, else strict UTF-8, else BOM-less UTF-16, else the likeliest legacy code page."""
    return detect_text_encoding(path)[0]


def detect_text_encoding(path: str) -> tuple[str, str]:
    """detect_encoding() and the decoding errors mode: 'replace' for UTF-8 with a few bad bytes.

    A UTF-8 file with one damaged byte would otherwise be read in a legacy code page and every
    Chinese or Cyrillic name in it garbled; better to lose the bad bytes and say in which rows.
    """
    try:
        return detect_strict_encoding(path), "strict"
    except InputError:
        if _mostly_utf8(path):
            return "utf-8", "replace"
        raise


def _mostly_utf8(path: str) -> bool:
    with open(path, "rb") as f:
        sample = f.read(_SAMPLE_BYTES)
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if "\x80" <= ch and ch != "\ufffd")
    return multibyte >= 1 and bad <= 2 + multibyte // 20


def detect_strict_encoding(path: str) -> str:
    with open(path, "rb") as f:
        sample = f.read(_SAMPLE_BYTES)
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return _verified(path, [encoding])
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return _verified(path, [utf16])
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(16, len(sample) // 100):  # text never has many; binary files have plenty
        raise InputError(f"{path}: not a spreadsheet or text file (unknown format); re-save it from Excel as .xlsx")
    if _decodes(path, "utf-8"):
        return "utf-8"
    return _verified(path, legacy_candidates(sample))


def _utf16_without_bom(sample: bytes) -> str | None:
    """Mostly-ASCII UTF-16 has a NUL in every other byte; which half tells the byte order."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def legacy_candidates(sample: bytes) -> list[str]:
    """Plausible legacy encodings for `sample`, best first."""
    chaos = {codecs.lookup(m.encoding).name: m.chaos for m in from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS))}
    chaos = {enc: value for enc, value in chaos.items() if enc in LEGACY_ENCODINGS}
    latin = [value for enc, value in chaos.items() if enc in _LATIN_SINGLE_BYTE]
    if latin:  # the detector often returns only one of the near-identical Latin code pages
        for enc in _LATIN_SINGLE_BYTE:
            chaos.setdefault(enc, min(latin))

    def rank(enc: str) -> tuple[int, float, int]:
        text = sample.decode(enc, errors="replace")
        return (_symbols_in_words(text), round(chaos[enc], 2), LEGACY_ENCODINGS.index(enc))

    return sorted(chaos, key=rank)


def _symbols_in_words(text: str) -> int:
    """How many odd symbols touch a letter: the mark of a wrong single-byte code page."""
    count = 0
    for i, ch in enumerate(text):
        if ch < "\x80" or ch in _ORDINARY_SYMBOLS or unicodedata.category(ch) not in _WORD_SYMBOL_CATEGORIES:
            continue
        if (i > 0 and text[i - 1].isalpha()) or (i + 1 < len(text) and text[i + 1].isalpha()):
            count += 1
    return count


def _verified(path: str, candidates: list[str]) -> str:
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise InputError(f"{path}: cannot tell the text encoding; {_SAVE_AS_UTF8}")


def _decodes(path: str, encoding: str) -> bool:
    """Whether the whole file decodes strictly, read in chunks to keep memory flat."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# ---------------------------------------------------------------- delimiter


def detect_delimiter(sample: str) -> str:
    """csv.Sniffer limited to , ; TAB |, checked against a count of fields per record."""
    if "\n" in sample.rstrip("\r\n"):
        sample = sample[: sample.rfind("\n") + 1]  # drop a record cut off by the sample's end
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _consistency(sample, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    if scores[best][1] == 0:
        return ","  # a single column: any delimiter reads it the same
    # The sniffer weighs quoting better; trust it unless it splits fewer records evenly.
    return sniffed if sniffed in scores and scores[sniffed][0] >= scores[best][0] else best


def _consistency(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of records with the commonest field count, that count); (0, 0) when it never splits."""
    # newline="": a bare CR (old Mac "CSV (Macintosh)" files) ends a record, as in read_delimited.
    try:
        widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)]
    except csv.Error:  # e.g. a NUL byte: this delimiter cannot be judged; read_delimited reports the row
        return (0.0, 0)
    counts: dict[int, int] = {}
    for width in widths:
        if width > 1:
            counts[width] = counts.get(width, 0) + 1
    if not counts:
        return (0.0, 0)
    width = max(counts, key=lambda w: (counts[w], w))
    return (counts[width] / len(widths), width)
