"""Map header texts onto canonical fields and find the header row of a sheet.

Synonyms live in headers.yaml (vocabulary as data, logic here). Both sides are compared after
screening.text.simplify(), so case, accents, width and punctuation never matter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..fields import FIELDS, REQUIRED_FIELD
from ..text import simplify

HEADER_SCAN_ROWS = 30  # titles, notes and logos above a header rarely take more rows
MAX_HEADER_CHARS = 80  # a longer cell is an instruction or a value, not a column header
MAX_HEADER_WORDS = 8
_SENTENCE_END = tuple(".!?。！？")
_NUMBER_SIGNS = re.compile(r"[#№＃]")

# Scripts written without spaces between words (Han, kana, and Korean compounds such as
# '공급업체명'): their synonyms match any run of characters, not whole words.
_UNSPACED = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Synonym:
    field: str | None  # None: a header known not to be a field ('Vendor ID')
    weak: bool  # a generic noun ('Supplier') that only counts when nothing better is in the header
    text: str  # as written in headers.yaml, for error messages


@dataclass(frozen=True)
class Match:
    """The synonym that decided a header's field."""

    field: str | None
    exact: bool  # the whole header is the synonym
    weak: bool
    length: int  # characters of the synonym: longer is more specific

    @property
    def rank(self) -> tuple[bool, bool, int]:
        return (self.exact, not self.weak, self.length)


class Vocabulary:
    """Synonyms indexed for exact and contained lookup."""

    def __init__(self, synonyms: Mapping[str, Synonym]) -> None:
        self.words: dict[str, Synonym] = {}  # simplified text -> synonym (spaced scripts)
        self.chars: dict[str, Synonym] = {}  # simplified text without spaces -> synonym (CJK)
        for key, synonym in synonyms.items():
            if _UNSPACED.search(key):
                compact = key.replace(" ", "")
                other = self.chars.get(compact)
                if other and other.field != synonym.field:  # '근로자 국적' and '근로자국적' are one key
                    raise ValueError(f"headers.yaml: {synonym.text!r} clashes with {other.text!r}")
                self.chars[compact] = synonym
            else:
                self.words[key] = synonym
        self._max_words = max((k.count(" ") + 1 for k in self.words), default=1)
        self._max_chars = max((len(k) for k in self.chars), default=1)
        self._cache: dict[str, Match | None] = {}

    def match(self, header: str) -> Match | None:
        """The best synonym in `header`: exact first, then the longest contained one."""
        if header in self._cache:
            return self._cache[header]
        result = self._match(header)
        if len(self._cache) < 100_000:  # data rows are scanned too; keep the cache bounded
            self._cache[header] = result
        return result

    def _match(self, header: str) -> Match | None:
        if len(header) > MAX_HEADER_CHARS or _is_prose(header):
            return None
        # '#' and '№' mark a number column ('Vendor #' is an id, not the vendor's name); simplify()
        # would drop them as punctuation, so spell them out first.
        text = simplify(_NUMBER_SIGNS.sub(" no ", header))
        compact = text.replace(" ", "")
        if not text:
            return None
        exact = self.words.get(text) or self.chars.get(compact)
        if exact:
            return Match(exact.field, True, exact.weak, len(compact))
        found: list[tuple[Synonym, int, int]] = []  # (synonym, length, end) for tie-breaking
        tokens = text.split()
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + self._max_words) + 1):
                synonym = self.words.get(" ".join(tokens[i:j]))
                if synonym:
                    found.append((synonym, len("".join(tokens[i:j])), len("".join(tokens[:j]))))
        if self.chars:
            for i in range(len(compact)):
                for j in range(i + 1, min(len(compact), i + self._max_chars) + 1):
                    synonym = self.chars.get(compact[i:j])
                    if synonym:
                        found.append((synonym, j - i, j))
        strong = [f for f in found if not f[0].weak]
        pool = strong or found
        if not pool:
            return None
        # Longest wins; on a tie the later one, as the head noun usually ends the header.
        synonym, length, _ = max(pool, key=lambda f: (f[1], f[2]))
        return Match(synonym.field, False, synonym.weak, length)


def _is_prose(header: str) -> bool:
    """'2. Use the official legal name.' on an Instructions sheet mentions a field but is no header."""
    words = len(header.split())
    return words > MAX_HEADER_WORDS or (words >= 4 and header.rstrip().endswith(_SENTENCE_END))


def parse_vocabulary(text: str) -> Vocabulary:
    """Build a Vocabulary from headers.yaml text; ValueError names any mistake in it."""
    data = yaml.safe_load(text)
    fields = data.get("fields") or {}
    unknown = sorted(set(fields) - set(FIELDS))
    missing = [f for f in FIELDS if f not in fields]
    if unknown or missing:
        raise ValueError(f"headers.yaml: unknown fields {unknown}, fields without synonyms {missing}")
    synonyms: dict[str, Synonym] = {}

    def add(raw: object, field: str | None, weak: bool) -> None:
        key = simplify(str(raw))
        if not key:
            raise ValueError(f"headers.yaml: synonym {raw!r} of {field} is only punctuation")
        previous = synonyms.get(key)
        if previous and (previous.field, previous.weak) != (field, weak):
            raise ValueError(
                f"headers.yaml: {raw!r} ({field or 'unmapped'}) clashes with "
                f"{previous.text!r} ({previous.field or 'unmapped'})"
            )
        synonyms[key] = Synonym(field, weak, str(raw))

    for field in FIELDS:
        entry = fields[field]
        extra = set(entry) - {"synonyms", "weak"}
        if extra:
            raise ValueError(f"headers.yaml: {field} has unknown keys {sorted(extra)}")
        for raw in entry.get("synonyms") or ():
            add(raw, field, False)
        for raw in entry.get("weak") or ():
            add(raw, field, True)
    for raw in data.get("unmapped") or ():
        add(raw, None, False)
    return Vocabulary(synonyms)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped synonyms (headers.yaml beside this module)."""
    return parse_vocabulary(resources.files(__package__).joinpath("headers.yaml").read_text("utf-8"))


# ---------------------------------------------------------------- columns and header rows


@dataclass(frozen=True)
class Assignment:
    """Fields of one candidate header row."""

    fields: tuple[str | None, ...]
    exact: int  # how many mapped columns matched a whole synonym or an override

    @property
    def mapped(self) -> int:
        return sum(1 for f in self.fields if f)

    @property
    def has_name(self) -> bool:
        return REQUIRED_FIELD in self.fields


def assign_fields(headers: Sequence[str], overrides: Mapping[str, str], vocab: Vocabulary | None = None) -> Assignment:
    """Give each field to at most one column: an override, else the best match, else the first.

    `overrides` maps simplified header text to a field.
    """
    vocab = vocab or vocabulary()
    best: dict[str, tuple[tuple[bool, bool, bool, int], int]] = {}  # field -> (rank, column)
    for column, header in enumerate(headers):
        key = simplify(header) if header else ""
        if not key:
            continue
        if key in overrides:
            rank, field = (True, True, True, len(key)), overrides[key]
        else:
            match = vocab.match(header)
            if match is None or match.field is None:
                continue
            rank, field = (False, *match.rank), match.field
        if field not in best or rank > best[field][0]:  # strict: the first column wins a tie
            best[field] = (rank, column)
    fields: list[str | None] = [None] * len(headers)
    exact = 0
    for field, (rank, column) in best.items():
        fields[column] = field
        exact += rank[1]
    return Assignment(tuple(fields), exact)


def find_header(rows: Sequence[Sequence[str]], overrides: Mapping[str, str]) -> int | None:
    """Index of the header among the first non-empty rows: most fields mapped, `name` among them."""
    best: tuple[int, int, int] | None = None
    best_index = None
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        assignment = assign_fields(cells, overrides)
        if not assignment.has_name:
            continue
        score = (assignment.mapped, assignment.exact, sum(1 for c in cells if c))
        if best is None or score > best:
            best, best_index = score, index
    return best_index


def likely_header(rows: Sequence[Sequence[str]], overrides: Mapping[str, str]) -> int | None:
    """For messages when no row has a name column: the row that looks most like a header."""
    scored = [
        (assign_fields(cells, overrides).mapped, sum(1 for c in cells if c), -index)
        for index, cells in enumerate(rows[:HEADER_SCAN_ROWS])
    ]
    return -max(scored)[2] if scored else None
