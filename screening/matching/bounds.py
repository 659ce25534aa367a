"""Upper bounds on a pair's score, cheap enough to drop most gate candidates before they are scored.

The gate (score.gate_passes) admits every list name that shares one identifying word with the query: a
supplier called 'Dandong Xiangyi Steel Group' meets every listed name with 'Dandong' in it, and nearly all
of them differ in every other word. Scoring such a pair costs tens of microseconds; these bounds cost well
under one, and they never drop a pair that could reach the floor:

* the token view is at most (A_q + A_c) / (A_q + A_c + left), where A_q is the weight of the query's words
  that have any similar word in the list name (found through `WordLinks`, which knows, for each query word,
  every list name holding a word it could pair with), A_c the heaviest words of the list name that many
  pairs could use, and `left` the weight of everything else, with the omission discount where score.py
  could apply it. Every similarity is taken as 1.
* the joined view compares whole names letter by letter: an Indel ratio is at most 2 min(la, lb) / (la + lb)
  and at most 1 - L1 / (la + lb), L1 being the distance between the names' letter counts; one typo needs
  L1 <= 2.

A list name of SHORT_NAME letters or fewer scores only when it is the query exactly (tokens in any order, the
same letters spaced differently, or for persons the same romanisation keys): that is tested directly, by
string equality over the pairs. Where a name is written in an abjad, words with the same consonant skeleton
pair too (WordLinks.names_with_bones) and equal joined skeletons bound the joined view. tests/test_matching_bounds.py checks on
real list names and perturbed queries that no bound is ever below the score it bounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from screening.matching.normalize import NameForm, skeleton, token_key
from screening.matching.score import (
    ABJAD_MATCH,
    JOINED_FACTOR,
    KEY_EDIT_FACTOR,
    KEY_MATCH,
    LENGTH_RATIO,
    MINOR_WEIGHT,
    OMISSION_MIN_TOKENS,
    OMISSION_WEIGHT,
    ONE_EDIT,
    ONE_EDIT_MIN_LEN,
    TOKEN_FLOOR,
    BatchScorer,
    _weights,
)

__all__ = ["PairBounds", "WordLinks"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SLOT = {ch: i for i, ch in enumerate(_ALPHABET)}
_OTHER = len(_ALPHABET)  # one shared slot for any other character (merging slots only lowers L1: still a bound)
_SLOT_OF_CODE = np.array([_SLOT.get(chr(code), _OTHER) for code in range(129)], dtype=np.int64)  # 128: any other
_RAW_EDITS = 1.0 - TOKEN_FLOOR  # edits allowed per letter of the longer token
_KEY_EDITS = 1.0 - TOKEN_FLOOR / KEY_EDIT_FACTOR  # edits allowed per letter between romanisation keys
_EPSILON = 1e-9
PREFETCH_BATCH = 256  # words of one length compared with the vocabulary in one numpy pass
WORD_CACHE = 400_000  # query words whose list names are kept


def _mask(text: str) -> int:
    """Bit set of the characters in `text` (one edit changes at most two bits)."""
    bits = 0
    for ch in text:
        bits |= 1 << _SLOT.get(ch, _OTHER)
    return bits


def _bigrams(text: str) -> int:
    """64-bit hashed set of the letter pairs of ^text$. One edit (OSA: an insertion, deletion, substitution
    or swap of neighbours) takes out at most three pairs and brings in at most three; hashing can only hide
    differences, so two texts e edits apart differ in at most 6e bits."""
    padded = f"^{text}$"
    bits = 0
    for a, b in zip(padded, padded[1:]):
        bits |= 1 << ((ord(a) * 7919 + ord(b)) % 64)
    return bits


def _counts(texts: Sequence[str]) -> np.ndarray:
    """Letter counts of each text, [len(texts), 37] uint16 (every character in C: texts are many)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    slots = _SLOT_OF_CODE[np.minimum(codes, len(_SLOT_OF_CODE) - 1)].astype(np.int64)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    counts = np.bincount(rows * (_OTHER + 1) + slots, minlength=len(texts) * (_OTHER + 1))
    return counts.reshape(len(texts), _OTHER + 1).astype(np.uint16)


class _Vocabulary:
    """The list vocabulary sorted by the length of one spelling (the words, or their romanisation keys),
    with bit sets of the letters and letter pairs of that spelling, so that the words within a few edits of
    a query word are found among one slice of similar lengths by a few numpy operations."""

    def __init__(self, spellings: list[str], words: list[str]) -> None:
        lengths = np.array([len(s) for s in spellings], dtype=np.int32)
        self.order = np.argsort(lengths, kind="stable")
        self.spellings = np.array(spellings, dtype=object)[self.order]
        self.lengths = lengths[self.order]
        self.word_lengths = np.array([len(w) for w in words], dtype=np.int32)[self.order]
        self.letters = np.array([_mask(s) for s in spellings], dtype=np.uint64)[self.order]
        self.pairs = np.array([_bigrams(s) for s in spellings], dtype=np.uint64)[self.order]

    def near(self, spellings: list[str], word_length: int, edits_per_letter: float) -> tuple[np.ndarray, np.ndarray]:
        """(row in `spellings`, vocabulary id) of every vocabulary spelling that may be within
        floor(edits_per_letter * longer length) edits of one of `spellings` (all of one length), and whose word
        is of a length LENGTH_RATIO allows against `word_length`."""
        length = len(spellings[0])
        low = length - int(np.floor(edits_per_letter * length + _EPSILON))
        high = int(np.ceil(length / (1.0 - edits_per_letter))) + 1
        start, stop = (int(i) for i in np.searchsorted(self.lengths, [low, high + 1]))
        if start >= stop:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        lengths = self.lengths[start:stop]
        edits = np.floor(edits_per_letter * np.maximum(lengths, length) + _EPSILON)
        word_lengths = self.word_lengths[start:stop]
        fits = ((np.abs(lengths - length) <= edits)
                & (np.minimum(word_lengths, word_length) >= LENGTH_RATIO * np.maximum(word_lengths, word_length)
                   - _EPSILON))
        columns = np.flatnonzero(fits)
        if not len(columns):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        edits = edits[columns]
        # An edit changes at most two letters of the set and six letter pairs. The letters test runs on the
        # whole (word, vocabulary) matrix; the letter pairs only on what it lets through (a few per cent).
        letters = np.bitwise_count(self.letters[start + columns][None, :]
                                   ^ np.array([_mask(s) for s in spellings], dtype=np.uint64)[:, None])
        row, column = np.nonzero(letters <= 2 * edits[None, :])
        pairs = np.bitwise_count(self.pairs[start + columns[column]]
                                 ^ np.array([_bigrams(s) for s in spellings], dtype=np.uint64)[row])
        close = pairs <= 6 * edits[column]
        return row[close], self.order[start + columns[column[close]]]


class WordLinks:
    """For a query word, the list names (positions) holding a word that token_similarity() may pair with it.

    A word pairs only with a word of similar length (LENGTH_RATIO) within TOKEN_FLOOR of edits, itself or by
    romanisation key (score.token_similarity). One edit changes the length by at most one, at most two letters
    of a word's letter set and six of its letter pairs, so bit-set tests find every such word among the list
    words of similar length (and, separately, among the keys of similar length), and rapidfuzz then confirms
    the few they let through. Results are cached per word: supplier files reuse words a lot.
    """

    def __init__(self, scorer: BatchScorer, person: bool) -> None:
        self.person = person
        words: list[str] = scorer.vocab.tolist()
        keys: list[str] = scorer.vocab_keys.tolist()
        self._words = np.array(words, dtype=object)
        self._keys = np.array(keys, dtype=object)
        self._by_words = _Vocabulary(words, words)
        self._by_keys = _Vocabulary(keys, words)
        self._digit = np.array([k.isdigit() for k in keys], dtype=bool)
        self._by_word = {w: i for i, w in enumerate(words)}
        self._by_key: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            self._by_key.setdefault(key, []).append(i)
        self._by_first: dict[str, list[int]] = {}
        for i, word in enumerate(words):
            self._by_first.setdefault(word[:1], []).append(i)
        # word id -> positions of the list names holding it (CSR over the scorer's token table)
        tokens = scorer.tokens
        names, slots = np.nonzero(tokens >= 0)
        ids = tokens[names, slots]
        order = np.argsort(ids, kind="stable")
        self._postings = names[order].astype(np.int32)
        self._starts = np.searchsorted(ids[order], np.arange(len(words) + 1))
        self._cache: dict[str, np.ndarray] = {}
        # Consonant skeletons (score.token_similarity pairs equal skeletons when a name is in an abjad).
        self._abjad_names = scorer.abjad
        self._by_skeleton: dict[str, list[int]] = {}
        for i, bones in enumerate(scorer.vocab_skel.tolist()):
            if bones:
                self._by_skeleton.setdefault(bones, []).append(i)
        self._with_bones: dict[tuple[str, bool], np.ndarray] = {}

    def names(self, word: str) -> np.ndarray:
        """Sorted positions of the list names holding a word that may pair with `word`."""
        found = self._cache.get(word)
        if found is None:
            self.prefetch([word])
            found = self._cache[word]
        return found

    def names_with_bones(self, word: str, abjad_query: bool) -> np.ndarray:
        """names(word), plus the list names holding a word of the same consonant skeleton: all of them for a
        query written in an abjad, else those written in an abjad (the pairs where skeletons count)."""
        key = (word, abjad_query)
        found = self._with_bones.get(key)
        if found is None:
            ids = self._by_skeleton.get(skeleton(word), []) if not word.isdigit() else []
            parts = [self._postings[self._starts[i]:self._starts[i + 1]] for i in ids]
            extra = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int32)
            if not abjad_query:
                extra = extra[self._abjad_names[extra]]
            found = np.union1d(self.names(word), extra).astype(np.int32) if len(extra) else self.names(word)
            if len(self._with_bones) > WORD_CACHE:
                self._with_bones.clear()
            self._with_bones[key] = found
        return found

    def prefetch(self, words: Iterable[str]) -> None:
        """Find the list names of every new word at once: one numpy pass per word length, not per word."""
        by_length: dict[int, list[str]] = {}
        for word in sorted({w for w in words if w and w not in self._cache}):
            by_length.setdefault(len(word), []).append(word)
        if len(self._cache) > WORD_CACHE:
            self._cache.clear()
        for length, group in by_length.items():
            for at in range(0, len(group), PREFETCH_BATCH):
                chunk = group[at:at + PREFETCH_BATCH]
                for word, similar in zip(chunk, self._similar(chunk)):
                    parts = [self._postings[self._starts[i]:self._starts[i + 1]] for i in sorted(similar)]
                    self._cache[word] = np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int32)

    def export(self, words: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The list names of each of `words` (worked out now where new), packed for another process as
        (words, offsets, positions): word i's names are positions[offsets[i]:offsets[i + 1]]."""
        words = [w for w in dict.fromkeys(words) if w]
        self.prefetch(words)
        found = [self._cache[w] for w in words]
        offsets = np.zeros(len(found) + 1, dtype=np.int64)
        np.cumsum([len(names) for names in found], out=offsets[1:])
        positions = np.concatenate(found) if found else np.empty(0, dtype=np.int32)
        return words, offsets, positions.astype(np.int32, copy=False)

    def absorb(self, words: Sequence[str], offsets: np.ndarray, positions: np.ndarray) -> None:
        """Take the list names of words another process worked out (export()); words known here are kept."""
        if len(self._cache) + len(words) > WORD_CACHE:
            self._cache.clear()
        for word, start, stop in zip(words, offsets[:-1].tolist(), offsets[1:].tolist()):
            self._cache.setdefault(word, positions[start:stop])

    def _similar(self, words: list[str]) -> list[set[int]]:
        """Vocabulary ids that may pair with each of `words` (all of one length)."""
        keys = [token_key(w) for w in words]
        similar: list[set[int]] = []
        for word, key in zip(words, keys):
            same = {self._by_word[word]} if word in self._by_word else set()
            same.update(self._by_key.get(key, ()))
            if self.person and word[:1] in self._by_word:
                same.add(self._by_word[word[:1]])  # a listed initial pairs with any name of that first letter
            if self.person and len(word) == 1 and not key.isdigit():  # a query initial: any word of its letter
                same.update(self._by_first.get(word, ()))
            similar.append(same)
        numbers = [w.isdigit() or k.isdigit() for w, k in zip(words, keys)]  # numbers pair only when equal
        self._confirm(similar, words, words, numbers, self._by_words, self._words, _RAW_EDITS, 1.0)
        by_key_length: dict[int, list[int]] = {}
        for i, key in enumerate(keys):
            if key:
                by_key_length.setdefault(len(key), []).append(i)
        for group in by_key_length.values():
            self._confirm([similar[i] for i in group], [keys[i] for i in group], [words[i] for i in group],
                          [numbers[i] for i in group], self._by_keys, self._keys, _KEY_EDITS, KEY_EDIT_FACTOR)
        return similar

    def _confirm(self, similar: list[set[int]], spellings: list[str], words: list[str], numbers: list[bool],
                 vocabulary: _Vocabulary, vocab_spellings: np.ndarray, edits_per_letter: float,
                 factor: float) -> None:
        """Add to similar[i] the vocabulary ids whose spelling is close enough to spellings[i]."""
        row, vocab = vocabulary.near(spellings, len(words[0]), edits_per_letter)
        keep = ~self._digit[vocab] & ~np.array(numbers, dtype=bool)[row]
        row, vocab = row[keep], vocab[keep]
        if not len(row):
            return
        sims = process.cpdist([spellings[i] for i in row.tolist()], vocab_spellings[vocab].tolist(),
                              scorer=OSA.normalized_similarity)
        close = factor * sims >= TOKEN_FLOOR - _EPSILON
        for i, j in zip(row[close].tolist(), vocab[close].tolist()):
            similar[i].add(j)


class _ExactForms:
    """What compare() requires of a list name of SHORT_NAME letters or fewer: equal tokens in any order, the
    same letters spaced differently, or (list persons) the same romanisation keys in any order."""

    def __init__(self, forms: Sequence[NameForm], person: bool) -> None:
        self.person = person
        self._sorted = np.array([_sorted_words(f.tokens) for f in forms], dtype=object)
        self._compact = np.array([f.compact for f in forms], dtype=object)
        self._compact2 = np.array([f.compacts[-1] if f.compacts else "" for f in forms], dtype=object)
        self._keys = np.array([_sorted_words(f.keys) for f in forms], dtype=object)

    def equal(self, queries: Sequence[NameForm], qi: np.ndarray, ci: np.ndarray) -> np.ndarray:
        """True for the pairs (queries[qi[k]], list name ci[k]) that compare() may score above 0."""
        used, qi = np.unique(qi, return_inverse=True)
        queries = [queries[k] for k in used.tolist()]
        q_sorted = np.array([_sorted_words(q.tokens) for q in queries], dtype=object)[qi]
        q_compact = np.array([q.compact for q in queries], dtype=object)[qi]
        q_compact2 = np.array([q.compacts[-1] if q.compacts else "" for q in queries], dtype=object)[qi]
        c_compact, c_compact2 = self._compact[ci], self._compact2[ci]
        same = (q_sorted == self._sorted[ci]) | (q_compact == c_compact) | (q_compact == c_compact2)
        same |= (q_compact2 == c_compact) | (q_compact2 == c_compact2)
        if self.person:
            same |= np.array([_sorted_words(q.keys) for q in queries], dtype=object)[qi] == self._keys[ci]
        return same.astype(bool)


def _sorted_words(words: Sequence[str]) -> str:
    return " ".join(sorted(words))


class _QueryFacts:
    """What the bounds need of each query of a batch, worked out once per batch, in arrays."""

    def __init__(self, queries: Sequence[NameForm]) -> None:
        sizes = np.fromiter((len(q.tokens) for q in queries), dtype=np.int64, count=len(queries))
        owner = np.repeat(np.arange(len(queries)), sizes)
        minor = np.fromiter((m for q in queries for m in q.minor), dtype=bool, count=int(sizes.sum()))
        light = minor & ~(np.bincount(owner, ~minor, minlength=len(queries)) == 0)[owner]  # score._weights
        weight = np.where(light, MINOR_WEIGHT, 1.0)
        self.light_weight = np.bincount(owner, weight * light, minlength=len(queries))  # summed in token order
        self.light_count = np.bincount(owner, light, minlength=len(queries)).astype(np.int64)
        self.total = np.bincount(owner, weight, minlength=len(queries))
        self.majors = np.bincount(owner, ~minor, minlength=len(queries)).astype(np.int64)
        self.syllabic = np.fromiter((q.syllabic for q in queries), dtype=bool, count=len(queries))
        self.abjad = np.fromiter((q.abjad for q in queries), dtype=bool, count=len(queries))
        self.length = np.bincount(owner, np.fromiter((len(t) for q in queries for t in q.tokens), dtype=np.int64,
                                                     count=len(owner)), minlength=len(queries)).astype(np.int64)
        self.key_length = np.bincount(owner, np.fromiter((len(k) for q in queries for k in q.keys), dtype=np.int64,
                                                         count=len(owner)), minlength=len(queries)).astype(np.int64)
        self.queries = queries


class PairBounds:
    """Upper bounds of the batch scorer's views for (query, list name) pairs of one partition."""

    def __init__(self, forms: Sequence[NameForm], scorer: BatchScorer, person: bool) -> None:
        self.links = WordLinks(scorer, person)
        self.person = person
        weights = scorer.weights
        self._total = weights.sum(axis=1)
        self._count = scorer.count.astype(np.int64)
        self._heavy = (weights >= 1.0).sum(axis=1).astype(np.int64)  # words weighing 1
        self._light = np.where(scorer.all_minor, 1.0, MINOR_WEIGHT)
        self._majors = scorer.majors.astype(np.int64)
        self._syllabic = scorer.syllabic
        self._abjad = scorer.abjad
        self._bones = scorer.bones  # each name's skeletons joined
        self._short = scorer.short
        self._exact = _ExactForms(forms, person)
        self._length = np.array([len(f.compact) for f in forms], dtype=np.int64)
        self._key_length = np.array([len("".join(f.keys)) for f in forms], dtype=np.int64)
        self._letters = _counts([f.compact for f in forms]).astype(np.int16)
        self._masks = _letter_set(self._letters)
        self._key_letters = _counts(["".join(f.keys) for f in forms]).astype(np.int16)
        self._key_masks = _letter_set(self._key_letters)

    def keep(self, queries: Sequence[NameForm], qi: np.ndarray, ci: np.ndarray, floor: float) -> np.ndarray:
        """True for the pairs (queries[qi[k]], list name ci[k]) whose views may reach `floor` (0-100)."""
        token, joined = self.possible(queries, qi, ci, floor)
        return token | joined

    def possible(self, queries: Sequence[NameForm], qi: np.ndarray, ci: np.ndarray, floor: float,
                 hope: np.ndarray | None = None, heavy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per pair: (its token view may reach `floor`, its joined view may); both True where not bounded.

        `hope` (per query, _token_hope) and `heavy` (per pair, linked_heavy) are worked out here unless the
        caller has them (the sieve counts `heavy` for a whole batch with one sparse product).
        """
        token = np.zeros(len(ci), dtype=bool)
        joined = np.zeros(len(ci), dtype=bool)
        facts = _QueryFacts(queries)
        short = self._short[ci]
        if short.any():
            token[short] = joined[short] = self._exact.equal(queries, qi[short], ci[short])
        bounded = np.flatnonzero(~short)
        if len(bounded):
            token[bounded] = False
            if hope is None:
                hope = self._token_hope(queries, floor)
            hopeful = bounded[hope[qi[bounded]]]
            if len(hopeful):
                linked = (self.linked_heavy(queries, qi[hopeful], ci[hopeful]) if heavy is None
                          else heavy[hopeful])
                token[hopeful] = self._token_possible(facts, qi[hopeful], ci[hopeful], linked, floor)
            joined[bounded] = self._joined_bound(queries, facts, qi[bounded], ci[bounded], floor) >= floor - _EPSILON
        return token, joined

    def _token_hope(self, queries: Sequence[NameForm], floor: float) -> np.ndarray:
        """Per query: may its token view reach `floor` against the best list name one could imagine?

        That name would pair every query word that pairs with any list word (WordLinks) and have no other
        word: (A + n) / (A + n + left), A the weight of those n words (light words assumed to
        pair), left the rest of the query's weight, discounted as an omission when three words or more pair.
        Against organisations it drops about a third of the queries; against persons few (the syllables of
        Chinese brand names link to listed given names), and the per-pair bound does the work there.
        """
        self.links.prefetch(t for q in queries for t, m in zip(q.tokens, q.minor) if not m or all(q.minor))
        hope = np.zeros(len(queries), dtype=bool)
        for n, query in enumerate(queries):
            weights = _weights(query)
            linked, count = 0.0, 0
            for token, weight in zip(query.tokens, weights):
                if weight < 1.0 or len(self.links.names_with_bones(token, query.abjad)):
                    linked += weight
                    count += 1
            left = sum(weights) - linked
            if count >= OMISSION_MIN_TOKENS and not query.syllabic:
                left *= OMISSION_WEIGHT
            paired = linked + count
            hope[n] = paired > 0 and paired / (paired + left) >= floor / 100.0 - _EPSILON
        return hope

    @staticmethod
    def hope(query: np.ndarray, weight: np.ndarray, linked: np.ndarray, syllabic: np.ndarray,
             floor: float) -> np.ndarray:
        """_token_hope() of many queries from their tokens flattened: per token, its query, its weight and
        whether it is linked (light words count as linked); per query, whether it is syllabic."""
        size = len(syllabic)
        linked_weight = np.bincount(query, weight * linked, minlength=size)  # summed in _token_hope's order
        count = np.bincount(query, linked, minlength=size)
        left = np.bincount(query, weight, minlength=size) - linked_weight
        left = np.where((count >= OMISSION_MIN_TOKENS) & ~syllabic, left * OMISSION_WEIGHT, left)
        paired = linked_weight + count
        with np.errstate(invalid="ignore", divide="ignore"):
            return (paired > 0) & (paired / (paired + left) >= floor / 100.0 - _EPSILON)

    def linked_heavy(self, queries: Sequence[NameForm], qi: np.ndarray, ci: np.ndarray) -> np.ndarray:
        """Per pair: how many of the query's words weighing 1 have a word in the list name they may pair
        with (a word written twice counts twice). The sieve gets the same counts from a sparse product."""
        heavy = np.zeros(len(qi), dtype=np.int64)
        order = np.argsort(qi, kind="stable")
        for rows in np.split(order, np.flatnonzero(np.diff(qi[order])) + 1):  # the pairs of one query
            if not len(rows):
                continue
            query = queries[int(qi[rows[0]])]
            names = ci[rows]
            count = np.zeros(len(rows), dtype=np.int64)
            found: dict[str, np.ndarray | None] = {}
            for token, weight in zip(query.tokens, _weights(query)):
                if weight < 1.0:
                    continue
                if token not in found:  # linked where the list name is among the word's links (sorted)
                    links = self.links.names_with_bones(token, query.abjad)
                    found[token] = (links[np.minimum(np.searchsorted(links, names), len(links) - 1)] == names
                                    if len(links) else None)
                hit = found[token]
                if hit is not None:
                    count += hit
            heavy[rows] = count
        return heavy

    def _token_possible(self, facts: _QueryFacts, qi: np.ndarray, ci: np.ndarray, heavy: np.ndarray,
                        floor: float) -> np.ndarray:
        """Per pair: may its token view reach `floor`, `heavy` (linked_heavy) of its query's words weighing 1
        being linked to the list name? First against the best list name with that many links (nearly every
        pair is ruled out there, in a few operations), then the pair's own bound."""
        level = floor / 100.0 - _EPSILON
        # The best list name pairs every linked word, has no word of its own left, and lets the query's words
        # left count as an omission: (aq + linked) / (aq + linked + discount x left_q), above the bound below.
        aq = heavy + facts.light_weight[qi]
        paired = aq + heavy + facts.light_count[qi]
        left_q = np.maximum(facts.total[qi] - aq, 0.0)
        discount = np.where(facts.syllabic[qi], 1.0, OMISSION_WEIGHT)
        with np.errstate(invalid="ignore", divide="ignore"):
            ceiling = np.where(paired > 0, paired / (paired + discount * left_q), 0.0)
        maybe = np.flatnonzero(ceiling >= level - _EPSILON)
        possible = np.zeros(len(qi), dtype=bool)
        if len(maybe):
            possible[maybe] = self._token_bound(facts, qi[maybe], ci[maybe], heavy[maybe]) >= level
        return possible

    def _token_bound(self, facts: _QueryFacts, qi: np.ndarray, ci: np.ndarray, heavy: np.ndarray) -> np.ndarray:
        """The token bound of each pair, `heavy` of its query's words weighing 1 linked to the list name (the
        light words are assumed to pair)."""
        wq, aq = facts.total[qi], heavy + facts.light_weight[qi]  # words weighing 1 weigh exactly 1
        linked_count = heavy + facts.light_count[qi]
        pairs = np.minimum(linked_count, self._count[ci])
        heavy_pairs = np.minimum(pairs, self._heavy[ci])
        ac = heavy_pairs + (pairs - heavy_pairs) * self._light[ci]
        wc = self._total[ci]
        paired = aq + ac
        left_q, left_c = np.maximum(wq - aq, 0.0), np.maximum(wc - ac, 0.0)
        syllabic = facts.syllabic[qi] | self._syllabic[ci]
        left = left_q + left_c
        omit_q = ~syllabic & (self._majors[ci] >= OMISSION_MIN_TOKENS)
        omit_c = ~syllabic & (facts.majors[qi] >= OMISSION_MIN_TOKENS)
        left = np.where(omit_q, np.minimum(left, OMISSION_WEIGHT * left_q + left_c), left)
        left = np.where(omit_c, np.minimum(left, left_q + OMISSION_WEIGHT * left_c), left)
        with np.errstate(invalid="ignore", divide="ignore"):
            bound = np.where(paired > 0, paired / (paired + left), 0.0)
        return bound

    def _joined_bound(self, queries: Sequence[NameForm], facts: _QueryFacts, qi: np.ndarray, ci: np.ndarray,
                      floor: float) -> np.ndarray:
        """Upper bound of the joined view; pairs whose lengths alone keep them under `floor` get that bound."""
        bound = self._length_bound(facts.length[qi], facts.key_length[qi], self._length[ci], self._key_length[ci])
        near = np.flatnonzero(bound >= floor - _EPSILON)  # letters are looked at for these only
        if len(near):
            bound[near] = self._letters_bound(facts, qi[near], ci[near], floor)
        abjad = np.flatnonzero(facts.abjad[qi] | self._abjad[ci])
        if len(abjad):  # equal consonant skeletons score ABJAD_MATCH in the joined view
            used, at = np.unique(qi[abjad], return_inverse=True)
            q_bones = np.array(["".join(queries[k].skeletons) for k in used.tolist()], dtype=object)[at]
            same = q_bones == self._bones[ci[abjad]]
            bound[abjad[same]] = np.maximum(bound[abjad[same]], 100.0 * ABJAD_MATCH * JOINED_FACTOR)
        return bound

    @staticmethod
    def _length_bound(q_length: np.ndarray, q_key_length: np.ndarray, c_length: np.ndarray,
                      c_key_length: np.ndarray) -> np.ndarray:
        """The joined bound from lengths only: an Indel ratio is at most 2 min(la, lb) / (la + lb)."""
        ratio = 200.0 * np.minimum(q_length, c_length) / np.maximum(q_length + c_length, 1)
        key_ratio = 200.0 * np.minimum(q_key_length, c_key_length) / np.maximum(q_key_length + c_key_length, 1)
        bound = np.maximum(JOINED_FACTOR * ratio, KEY_MATCH * JOINED_FACTOR * key_ratio)
        bound = np.where(q_length == c_length, 100.0, bound)  # maybe the same letters
        one_edit = (np.abs(q_length - c_length) <= 1) & (np.minimum(q_length, c_length) >= ONE_EDIT_MIN_LEN)
        return np.where(one_edit, np.maximum(bound, ONE_EDIT), bound)

    def _letters_bound(self, facts: _QueryFacts, qi: np.ndarray, ci: np.ndarray, floor: float) -> np.ndarray:
        """The joined bound from the letters of the names; pairs whose letter sets already keep them under
        `floor` get the bound of their sets (a letter in one name only adds at least one to the distance
        between the letter counts, so that bound is the higher one)."""
        q_length, q_key_length = facts.length[qi], facts.key_length[qi]
        c_length, c_key_length = self._length[ci], self._key_length[ci]
        used, at = np.unique(qi, return_inverse=True)  # look at the letters of these queries only
        queries = [facts.queries[k] for k in used.tolist()]
        counts = _counts([q.compact for q in queries]).astype(np.int16)
        key_counts = _counts(["".join(q.keys) for q in queries]).astype(np.int16)
        bound = _letters_formula(q_length, q_key_length, c_length, c_key_length,
                                 np.bitwise_count(_letter_set(counts)[at] ^ self._masks[ci]).astype(np.int32),
                                 np.bitwise_count(_letter_set(key_counts)[at] ^ self._key_masks[ci]).astype(np.int32))
        near = np.flatnonzero(bound >= floor - _EPSILON)  # letters are counted for these only
        if len(near):
            letters = np.abs(counts[at[near]] - self._letters[ci[near]]).sum(axis=1, dtype=np.int32)
            key_letters = np.abs(key_counts[at[near]] - self._key_letters[ci[near]]).sum(axis=1, dtype=np.int32)
            bound[near] = _letters_formula(q_length[near], q_key_length[near], c_length[near], c_key_length[near],
                                           letters, key_letters)
        return bound


_SLOT_BITS = np.left_shift(np.uint64(1), np.arange(_OTHER + 1, dtype=np.uint64))


def _letter_set(counts: np.ndarray) -> np.ndarray:
    """_mask() of each text from its letter counts."""
    return np.bitwise_or.reduce(np.where(counts > 0, _SLOT_BITS, np.uint64(0)), axis=1)


def _letters_formula(q_length: np.ndarray, q_key_length: np.ndarray, c_length: np.ndarray,
                     c_key_length: np.ndarray, letters: np.ndarray, key_letters: np.ndarray) -> np.ndarray:
    """The joined bound of pairs from their lengths and the distances between their letter counts (of the
    names joined, and of their keys joined), or lower bounds of those distances."""
    total = np.maximum(q_length + c_length, 1)
    key_total = np.maximum(q_key_length + c_key_length, 1)
    ratio = 100.0 * np.minimum(2.0 * np.minimum(q_length, c_length) / total, 1.0 - letters / total)
    key_ratio = 100.0 * np.minimum(2.0 * np.minimum(q_key_length, c_key_length) / key_total,
                                   1.0 - key_letters / key_total)
    bound = np.maximum(JOINED_FACTOR * ratio, KEY_MATCH * JOINED_FACTOR * key_ratio)
    bound = np.where((letters == 0) & (q_length == c_length), 100.0, bound)  # the same letters: maybe equal
    one_edit = (letters <= 2) & (np.abs(q_length - c_length) <= 1) & (np.minimum(q_length, c_length)
                                                                       >= ONE_EDIT_MIN_LEN)
    return np.where(one_edit, np.maximum(bound, ONE_EDIT), bound)
