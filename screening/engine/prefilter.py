"""The texts a regular expression may match, found first with plain substring search.

A pattern rule runs Python's re on every distinct value of its fields (hundreds of thousands of supplier
names), one call per value: about a microsecond each, most of it the call. Nearly every pattern cannot
match without one of a few words ('workers', 'contract', 'зарплат', '工资'): those are read off the
pattern, looked for in all the values at once with str.find (C speed), and the pattern then runs only on
the values that hold one. The outcome is the same, since a value without any of them cannot match; a
pattern with no such words (or too short ones) runs on every value as before.

The values are folded text (screening.text.fold: NFKC, case-folded), and the pattern is compiled with
IGNORECASE: a letter of the pattern then matches the text's letter only if both case-fold to it. Letters
whose case folding is not one letter (İ, ß, ligatures) or not stable (Cherokee) are not used as words.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate

from re import _constants as sre  # type: ignore[attr-defined]  # the parser's opcodes (stable since 3.11)
from re import _parser as sre_parse  # type: ignore[attr-defined]

__all__ = ["Prefilter", "required_words"]

MIN_WORD_CHARS = 2
"""Words shorter than this would be found in most values: the pattern then runs on every value."""

MAX_WORDS = 64
"""More alternatives than this cost more to look for than they save."""

_SEPARATOR = "\n"
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


def required_words(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Words one of which is in every text the pattern matches (as the folded text writes them), or None
    when the pattern has no useful such set (or cannot be read: then every text is a candidate)."""
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001  (another Python's parser: no shortcut, never a wrong answer)
        return None
    words = _needed(list(parsed))
    if not words or len(words) > MAX_WORDS or min(map(len, words)) < MIN_WORD_CHARS:
        return None
    spellings = {form for word in words for form in (word, word.lower(), word.casefold())}
    return None if any(_SEPARATOR in word for word in spellings) else frozenset(spellings)


def _needed(items: list[tuple[object, object]]) -> set[str] | None:
    """For a sequence of parsed items: a set of strings, one of which every match contains; None if unknown.

    Every item of a sequence is required, so any one item's set will do: the one with the longest shortest
    word, then the fewest words. A run of literal letters is one word; a group or a repeat of at least one
    gives its content's set; an alternation the union of its branches' sets (unknown if one is unknown).
    """
    choices: list[set[str]] = []
    run: list[str] = []
    for op, argument in [*items, (None, None)]:
        if op is sre.LITERAL:
            letter = chr(argument)  # type: ignore[arg-type]
            if _plain(letter):
                run.append(letter)
                continue
        if run:
            choices.append({"".join(run)})
            run = []
        found: set[str] | None = None
        if op is sre.SUBPATTERN:
            _, add_flags, del_flags, content = argument  # type: ignore[misc]
            found = None if add_flags or del_flags else _needed(list(content))
        elif op is sre.BRANCH:
            branches = [_needed(list(branch)) for branch in argument[1]]  # type: ignore[index]
            found = None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
        elif op in _REPEATS:
            least, _, content = argument  # type: ignore[misc]
            found = _needed(list(content)) if least >= 1 else None
        if found:
            choices.append(found)
    if not choices:
        return None
    return max(choices, key=lambda words: (min(map(len, words)), -len(words)))


def _plain(letter: str) -> bool:
    """A letter the folded text holds as its case folding, whatever case the pattern or the cell wrote it in."""
    folded = letter.casefold()
    return len(folded) == 1 and folded.casefold() == folded and not ("\u13a0" <= letter <= "\u13ff" or
                                                                     "\uab70" <= letter <= "\uabbf")


class Prefilter:
    """regex.search limited to the texts that hold one of its required words."""

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self.words = required_words(regex)

    def candidates(self, texts: Sequence[str], positions: Iterable[int]) -> list[int]:
        """The positions (of `positions`, in order) whose text may match; all of them without words."""
        chosen = list(positions)
        if self.words is None or len(chosen) < 2:
            return chosen
        picked = [texts[i] for i in chosen]
        joined = _SEPARATOR.join(picked)
        starts = [0, *accumulate(len(text) + 1 for text in picked)]
        holding: set[int] = set()
        for word in self.words:
            at = joined.find(word)
            while at >= 0:
                k = bisect_right(starts, at) - 1
                holding.add(k)
                at = joined.find(word, starts[k + 1])  # on to the next text: one finding is enough
        return [chosen[k] for k in sorted(holding)]
