"""Name similarity (0-100) between a query name and a list name, and the qualifiers applied after it.

The score is the better of two views of the same pair, each of which forgives one kind of difference:

* tokens: the tokens of both names are paired one to one, most similar first (token_similarity: equal 1,
  same romanisation key KEY_MATCH for Jong/Chong or Ri/Lee, else 1 - edits/length above TOKEN_FLOOR), and
  the share of paired weight is the score. Generic words ('korea', 'trading', 'general') weigh
  MINOR_WEIGHT, other words 1, so a shared 'Korea ... Trading' adds little while a missing or different
  distinctive word costs a lot. Words one name adds to another found whole in it (an omission, from
  OMISSION_MIN_TOKENS distinctive words) cost OMISSION_WEIGHT; a word against another word (a substitution)
  costs in full. Order-free.
* joined: the names with all spaces removed, compared letter by letter (Indel ratio, times JOINED_FACTOR,
  and never above the same ratio of their identifying words alone), for words split or merged ('KORYOLINK'
  / 'Koryo Link', 'CHONG CHON GANG' / 'Chongchongang'); a single typo anywhere in a name of ONE_EDIT_MIN_LEN
  letters scores ONE_EDIT, since in a Korean syllable of two letters a typo is half the token but a small
  part of the name. Person names turned round ('KIM, Jong Un') are also joined in their written order.

Before any of that, a gate (nomenklatura's blocking idea made part of the score, as OFAC's first-letter
rule is part of its): the two names must share an identifying token (not a generic word) by romanisation
key or by a one-deletion variant (which every single typo gives), or their identifying words joined must be
equal, or, for names in an abjad, a consonant skeleton. Names made only of generic words meet other names on
exact words only. A pair that fails the gate scores 0; the candidate index (index.py) enumerates exactly the
list names that pass it, so searching the index and scoring every list name give the same hits at any
threshold.

After the name score: numbers must agree ('WON SAN 2' is not 'WON SAN 3'), list names of SHORT_NAME letters
or fewer must be matched exactly ('RGB'), then the qualifiers: a weak alias is multiplied by
WEAK_ALIAS_FACTOR, and a query country raises the score when the entry has it and lowers it when the entry
has other countries. compare() is the reference; BatchScorer computes the same views for many pairs at
once and is used to find the few pairs worth a compare().
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from screening.lists.model import Strength
from screening.matching.normalize import NameForm, deletion_variants, skeleton, token_key

__all__ = [
    "COUNTRY_MATCH_BONUS", "COUNTRY_MISMATCH_PENALTY", "KEY_MATCH", "MINOR_WEIGHT", "NUMBER_MISMATCH",
    "SHORT_NAME", "TOKEN_FLOOR", "WEAK_ALIAS_FACTOR", "BatchScorer", "NameScore", "best_view", "compare",
    "gate_passes", "qualify", "token_similarity",
]

MINOR_WEIGHT = 0.2
"""Weight of a generic word against 1 for a distinctive one: 'Korea Daesong Trading' vs 'Korea Daesong
Bank' differ in a word that says what the firm does, not which firm it is."""

KEY_MATCH = 0.95
"""Token similarity when only the romanisation differs (Jong/Chong/Jeong, Kim/Gim, Ri/Lee, Pak/Park)."""

KEY_EDIT_FACTOR = 0.95
"""Edits between romanisation keys count, discounted by this, as well as edits between the tokens."""

TOKEN_FLOOR = 0.75
"""Token pairs less similar than this count as unpaired: one edit is allowed from four letters, two from
eight; shorter tokens must agree (a typo there is caught by the joined view)."""

INITIAL_MATCH = 0.85

ABJAD_MATCH = 0.9
"""Token similarity when a name written in Arabic, Hebrew or Syriac script has the same consonants as the
other ('mhmd' / 'Mohamed', 'dvd' / 'David'): those scripts leave short vowels out."""
"""A person's initial against a name with that first letter ('J. Smith' / 'John Smith')."""

LENGTH_RATIO = 0.7
"""Tokens whose lengths differ more than this ratio are not paired ('un' / 'jung', 'kim' / 'kimball')."""

JOINED_FACTOR = 0.95
"""The joined view is a fallback for split or merged words: it forgives word boundaries, so it is trusted a
little less ('CHONGSONG' and 'CHONG BONG' differ by one letter out of nine)."""

ONE_EDIT = 90.0
"""Score of two names one typo apart (one letter added, dropped, changed, or two neighbours swapped) when
the joined name is long enough: 'Pak Il-Gyu' / 'Pak Il-yGu', 'Ho Yong Il' / 'Ho Yong Jl'. Short Korean
syllables make a typo a third of a token; OFAC's own search flags such names too."""

ONE_EDIT_MIN_LEN = 6
"""Joined names shorter than this are not given ONE_EDIT for one typo ('Kim Un' / 'Kim Um')."""

OMISSION_WEIGHT = 0.3
"""Weight of the words one name adds to another found whole in it, when that one has at least
OMISSION_MIN_TOKENS distinctive words: 'GUL AHMAD HAKIMI' in 'GUL AHMAD WAZIRI HAKIMI'. A word put in
place of another is no omission and keeps its full weight."""

OMISSION_MIN_TOKENS = 3
"""Fewer distinctive words are not enough to be sure the rest is an omission: 'Kim Jong' is not 'Kim Jong
Un', one Korean syllable dropped is another given name. Names written in Hangul or Han never count as
omissions: their tokens are syllables ('영철 하윤 김' is not 'KIM YONG CHOL' with two words more)."""

SHORT_NAME = 4
"""List names this short or shorter (joined) must be matched exactly, token order aside (persons also by
romanisation key): one edit in 'KOMID' or 'RGB' is a different name."""

NUMBER_MISMATCH = 0.6
"""Factor when both names have numbers and none agree: 'HWANG GUM SAN 2' and '... 3' are different ships."""

WEAK_ALIAS_FACTOR = 0.9
"""OFAC and UN 'weak' / 'low quality' aliases are too short or too common to rely on: an exact match still
scores 90, a near miss falls under the threshold."""

COUNTRY_MATCH_BONUS = 3.0
"""Points added when the query's country is one of the entry's (nationality, address, flag)."""

COUNTRY_MISMATCH_PENALTY = 5.0
"""Points removed when the entry has countries and the query's is not among them. Small: DPRK fronts are
registered in China, Hong Kong or Russia and the lists do not always say so."""


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float  # 0-100, before qualifiers
    view: str  # tokens | joined | sorted | exact | gate | short | empty
    notes: tuple[str, ...] = ()


def gate_passes(query: NameForm, candidate: NameForm) -> bool:
    """True when the names share an identifying token (by romanisation key or within one typo), or when
    their identifying tokens written together are equal ('KORYO LINK' ~ 'KORYOLINK'); for a name written in
    an abjad, also when a consonant skeleton is shared ('محمد' ~ 'Mohamed')."""
    if (query.gate | query.joined) & (candidate.gate | candidate.joined):
        return True
    if (query.abjad or candidate.abjad) and query.bones & candidate.bones:
        return True
    if not query.gate or not candidate.gate:
        return False
    variants = set().union(*(deletion_variants(k) for k in candidate.gate))
    return any(not deletion_variants(k).isdisjoint(variants) for k in query.gate)


def token_similarity(
    a: str, b: str, ka: str, kb: str, person: bool, exact: bool = False, bones: bool = False, sa: str = "",
    sb: str = "",
) -> float:
    """Similarity of two tokens, 0-1: equal 1, same romanisation key KEY_MATCH, else 1 - edits / length
    (optimal string alignment: a swap of neighbours is one edit) of the tokens or, discounted, of their keys;
    0 under TOKEN_FLOOR. Edits rather than Jaro-Winkler: JW rewards a shared beginning, and different
    surnames often share one (Lukashevich / Lukashenko, Castillo / Castro)."""
    if a == b:
        return 1.0
    if ka == kb:
        return KEY_MATCH
    if exact or ka.isdigit() or kb.isdigit():
        return 0.0
    if bones and sa and sa == sb:
        return ABJAD_MATCH
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        return INITIAL_MATCH if person and a[0] == b[0] else 0.0
    if min(la, lb) < LENGTH_RATIO * max(la, lb):
        return 0.0
    sim = max(OSA.normalized_similarity(a, b), KEY_EDIT_FACTOR * OSA.normalized_similarity(ka, kb))
    return sim if sim >= TOKEN_FLOOR else 0.0


def _weights(form: NameForm) -> list[float]:
    if all(form.minor):
        return [1.0] * len(form.tokens)
    return [MINOR_WEIGHT if m else 1.0 for m in form.minor]


def _token_view(query: NameForm, candidate: NameForm) -> float:
    """Weighted share of both names' tokens paired one-to-one (best pairs first) with similar tokens."""
    person = query.person or candidate.person
    generic = all(query.minor) and all(candidate.minor)  # two generic names: words must agree exactly
    bones = query.abjad or candidate.abjad
    pairs = []
    for i, (a, ka, sa) in enumerate(zip(query.tokens, query.keys, query.skeletons)):
        for j, (b, kb, sb) in enumerate(zip(candidate.tokens, candidate.keys, candidate.skeletons)):
            sim = token_similarity(a, b, ka, kb, person, generic, bones, sa, sb)
            if sim > 0:
                pairs.append((sim, i, j))
    wq, wc = _weights(query), _weights(candidate)
    paired = 0.0
    used_q: set[int] = set()
    used_c: set[int] = set()
    for sim, i, j in sorted(pairs, key=lambda pair: (-pair[0], pair[1], pair[2])):  # ties: first tokens first
        if i not in used_q and j not in used_c:
            used_q.add(i)
            used_c.add(j)
            paired += sim * (wq[i] + wc[j])
    left_q = sum(w for i, w in enumerate(wq) if i not in used_q)
    left_c = sum(w for j, w in enumerate(wc) if j not in used_c)
    if person and left_q and left_c:  # a particle, title or patronymic against another one: a contradiction
        left_q = sum(1.0 for i in range(len(wq)) if i not in used_q)
        left_c = sum(1.0 for j in range(len(wc)) if j not in used_c)
    syllabic = query.syllabic or candidate.syllabic  # Hangul/Han tokens are syllables, not names
    if syllabic:
        pass
    elif left_q and not _left_major(candidate, used_c) and _major_count(candidate) >= OMISSION_MIN_TOKENS:
        left_q *= OMISSION_WEIGHT  # the query adds words to a list name found whole
    elif left_c and not _left_major(query, used_q) and _major_count(query) >= OMISSION_MIN_TOKENS:
        left_c *= OMISSION_WEIGHT  # the list name adds words to a query found whole
    paired_weight = sum(wq[i] for i in used_q) + sum(wc[j] for j in used_c)
    return paired / (paired_weight + left_q + left_c)


def _left_major(form: NameForm, used: set[int]) -> bool:
    return any(not m and i not in used for i, m in enumerate(form.minor))


def _major_count(form: NameForm) -> int:
    return sum(not m for m in form.minor)


def _joined_view(query: NameForm, candidate: NameForm) -> float:
    """Indel ratio of the names written without spaces (times JOINED_FACTOR), no higher than that of their
    identifying words alone (a long shared 'International Trading' must not hide two different names);
    one typo in a joined name of ONE_EDIT_MIN_LEN letters or more scores at least ONE_EDIT."""
    best = 0.0
    for a, a_core in zip(query.compacts, query.cores):
        for b, b_core in zip(candidate.compacts, candidate.cores):
            score = JOINED_FACTOR * min(fuzz.ratio(a, b), fuzz.ratio(a_core, b_core))
            if score < ONE_EDIT and min(len(a), len(b)) >= ONE_EDIT_MIN_LEN and OSA.distance(a, b) <= 1:
                score = ONE_EDIT
            best = max(best, score)
    keyed = KEY_MATCH * JOINED_FACTOR * min(fuzz.ratio("".join(query.keys), "".join(candidate.keys)),
                                            fuzz.ratio(query.core_keys, candidate.core_keys))
    if (query.abjad or candidate.abjad) and "".join(query.skeletons) == "".join(candidate.skeletons):
        keyed = max(keyed, 100.0 * ABJAD_MATCH * JOINED_FACTOR)
    return max(best, keyed)


def _numbers(form: NameForm) -> frozenset[str]:
    return frozenset(k for k in form.keys if k.isdigit())


def compare(query: NameForm, candidate: NameForm) -> NameScore:
    """Similarity of two normalised names, 0-100, before the weak-alias and country qualifiers.

    Args:
        query: The supplier's name (normalize_name with person= the candidate's kind).
        candidate: A list name or alias.

    Returns:
        The score with the view that gave it and notes for the explanation.
    """
    if not query.tokens or not candidate.tokens:
        return NameScore(0.0, "empty")
    if query.tokens == candidate.tokens:
        return NameScore(100.0, "exact")
    if not gate_passes(query, candidate):
        return NameScore(0.0, "gate")
    if set(query.compacts) & set(candidate.compacts):
        return NameScore(100.0, "exact", ("same letters, spaced differently",))
    if len(candidate.compact) <= SHORT_NAME:
        if sorted(query.tokens) == sorted(candidate.tokens):
            return NameScore(100.0, "exact")
        if candidate.person and sorted(query.keys) == sorted(candidate.keys):
            return NameScore(100.0 * KEY_MATCH, "short", ("romanisation variant",))
        return NameScore(0.0, "short", ("short name differs",))
    view, score = best_view(query, candidate)
    notes: list[str] = []
    qn, cn = _numbers(query), _numbers(candidate)
    if qn and cn and not qn & cn:
        score *= NUMBER_MISMATCH
        notes.append(f"numbers differ x{NUMBER_MISMATCH}")
    return NameScore(round(score, 2), view, tuple(notes))


def best_view(query: NameForm, candidate: NameForm) -> tuple[str, float]:
    """The better of the token and joined views (0-100), before the number check."""
    tokens = 100.0 * _token_view(query, candidate)
    joined = _joined_view(query, candidate)
    return ("tokens", tokens) if tokens >= joined else ("joined", joined)


def qualify(
    score: float, strength: Strength, country: str | None, entry_countries: Sequence[str],
) -> tuple[float, tuple[str, ...]]:
    """Apply the weak-alias factor and the country bonus or penalty to a name score (kept in 0-100).

    Args:
        score: The name score from compare().
        strength: The strength of the list name that matched.
        country: The query's ISO alpha-2 country, or None.
        entry_countries: The entry's ISO alpha-2 countries.

    Returns:
        The qualified score and one note per qualifier applied.
    """
    notes: list[str] = []
    if score <= 0:
        return 0.0, ()
    if strength == Strength.WEAK:
        score *= WEAK_ALIAS_FACTOR
        notes.append(f"weak alias x{WEAK_ALIAS_FACTOR}")
    if country and entry_countries:
        if country in entry_countries:
            score += COUNTRY_MATCH_BONUS
            notes.append(f"country {country} matches")
        else:
            score -= COUNTRY_MISMATCH_PENALTY
            notes.append(f"country {country} not in {'/'.join(entry_countries)}")
    return round(min(100.0, max(0.0, score)), 2), tuple(notes)


# ------------------------------------------------------------------------------------------ batch scoring


MAX_CELLS = 1 << 21
"""Token-pair cells (pairs x query tokens x list-name tokens) scored in one numpy pass; bounds memory."""


@dataclass(frozen=True, slots=True)
class _Queries:
    """The query names of one batch, as arrays (the list side is held by BatchScorer)."""

    tokens: np.ndarray  # [Q, M] ids into `words` (-1 = none)
    weights: np.ndarray  # [Q, M]
    minor: np.ndarray  # [Q, M]
    majors: np.ndarray  # [Q]
    all_minor: np.ndarray  # [Q]
    abjad: np.ndarray  # [Q]
    syllabic: np.ndarray  # [Q]
    words: list[str]
    keys: list[str]
    skeletons: np.ndarray  # per word
    lengths: np.ndarray  # per word
    digits: np.ndarray  # per word: its key is a number
    first: np.ndarray  # per word: first letter
    compact: list[str]
    compact2: list[str]  # the written-order compact of names turned round, else the compact again
    core: list[str]
    core2: list[str]
    keyed: list[str]
    core_keys: list[str]
    bones: list[str]

    @classmethod
    def of(cls, forms: Sequence[NameForm]) -> _Queries:
        vocabulary: dict[str, int] = {}
        width = max((len(f.tokens) for f in forms), default=1) or 1
        tokens = np.full((len(forms), width), -1, dtype=np.int32)
        weights = np.zeros((len(forms), width))
        minor = np.zeros((len(forms), width), dtype=bool)
        for n, form in enumerate(forms):
            for t, token in enumerate(form.tokens):
                tokens[n, t] = vocabulary.setdefault(token, len(vocabulary))
            weights[n, : len(form.tokens)] = _weights(form)
            minor[n, : len(form.tokens)] = form.minor
        words = list(vocabulary)
        keys = [token_key(w) for w in words]
        return cls(
            tokens, weights, minor,
            np.array([_major_count(f) for f in forms], dtype=np.int32),
            np.array([bool(f.tokens) and all(f.minor) for f in forms], dtype=bool),
            np.array([f.abjad for f in forms], dtype=bool),
            np.array([f.syllabic for f in forms], dtype=bool),
            words, keys,
            np.array([skeleton(w) for w in words], dtype=object),
            np.array([len(w) for w in words], dtype=np.int32),
            np.array([k.isdigit() for k in keys], dtype=bool),
            np.array([w[:1] for w in words], dtype=object),
            [f.compact for f in forms], [f.compacts[-1] if f.compacts else "" for f in forms],
            [f.cores[0] if f.cores else "" for f in forms], [f.cores[-1] if f.cores else "" for f in forms],
            ["".join(f.keys) for f in forms], [f.core_keys for f in forms], ["".join(f.skeletons) for f in forms],
        )


class BatchScorer:
    """compare() for many (query, list name) pairs at once, with numpy and rapidfuzz.process.cpdist.

    Used as an exact filter: views_many() returns, for every pair, the value compare() computes before the
    number check and the short-name rule (tests/test_matching_score.py checks they agree on thousands of
    pairs). ListIndex then runs compare() itself only on the few pairs at or above the threshold, so every
    score and explanation shown comes from the one reference implementation.
    """

    def __init__(self, forms: Sequence[NameForm]) -> None:
        vocabulary: dict[str, int] = {}
        width = max((len(f.tokens) for f in forms), default=1) or 1
        self.size = len(forms)
        self.tokens = np.full((len(forms), width), -1, dtype=np.int32)
        self.weights = np.zeros((len(forms), width), dtype=np.float64)
        self.minor = np.zeros((len(forms), width), dtype=bool)
        for n, form in enumerate(forms):
            for t, token in enumerate(form.tokens):
                self.tokens[n, t] = vocabulary.setdefault(token, len(vocabulary))
            self.weights[n, : len(form.tokens)] = _weights(form)
            self.minor[n, : len(form.tokens)] = form.minor
        self.count = (self.tokens >= 0).sum(axis=1)
        self.all_minor = np.array([bool(f.tokens) and all(f.minor) for f in forms], dtype=bool)
        self.majors = np.array([_major_count(f) for f in forms], dtype=np.int32)
        self.abjad = np.array([f.abjad for f in forms], dtype=bool)
        self.syllabic = np.array([f.syllabic for f in forms], dtype=bool)
        self.short = np.array([len(f.compact) <= SHORT_NAME for f in forms], dtype=bool)
        self.compact = np.array([f.compact for f in forms], dtype=object)
        self.compact2 = np.array([f.compacts[-1] if f.compacts else "" for f in forms], dtype=object)
        self.turned = self.compact != self.compact2
        self.core = np.array([f.cores[0] if f.cores else "" for f in forms], dtype=object)
        self.core2 = np.array([f.cores[-1] if f.cores else "" for f in forms], dtype=object)
        self.keyed = np.array(["".join(f.keys) for f in forms], dtype=object)
        self.core_keys = np.array([f.core_keys for f in forms], dtype=object)
        self.bones = np.array(["".join(f.skeletons) for f in forms], dtype=object)
        words = list(vocabulary)
        keys = [token_key(w) for w in words]
        self.vocab = np.array(words, dtype=object)
        self.vocab_keys = np.array(keys, dtype=object)
        self.vocab_skel = np.array([skeleton(w) for w in words], dtype=object)
        self.vocab_len = np.array([len(w) for w in words], dtype=np.int32)
        self.vocab_digit = np.array([k.isdigit() for k in keys], dtype=bool)
        self.vocab_first = np.array([w[:1] for w in words], dtype=object)

    def views(self, query: NameForm, positions: np.ndarray, person: bool) -> np.ndarray:
        """max(token view, joined view) of one query against the list names at `positions`."""
        return self.views_many([query], np.zeros(len(positions), dtype=np.int32), positions, person)

    def views_many(self, queries: Sequence[NameForm], query: np.ndarray, positions: np.ndarray,
                   person: bool, token: np.ndarray | None = None, joined: np.ndarray | None = None) -> np.ndarray:
        """max(token view, joined view) of each pair (queries[query[k]], list name positions[k]).

        `token` and `joined`, when given, say per pair which views to compute: a view left out counts 0
        (PairBounds.possible() knows which views of a pair cannot reach the floor).
        """
        out = np.zeros(len(positions))
        if len(positions) == 0:
            return out
        token = np.ones(len(positions), dtype=bool) if token is None else token
        joined = np.ones(len(positions), dtype=bool) if joined is None else joined
        batch = _Queries.of(queries)
        tokens = np.flatnonzero(token)
        q_width = batch.tokens.shape[1]
        cells = q_width * self.count[positions[tokens]].clip(min=1)
        start = 0
        while start < len(tokens):  # chunks of at most MAX_CELLS token-pair cells
            stop = start + max(1, int(np.searchsorted(np.cumsum(cells[start:]), MAX_CELLS)))
            chunk = tokens[start:stop]
            out[chunk] = 100.0 * self._token_view(batch, query[chunk], positions[chunk], person)
            start = stop
        joins = np.flatnonzero(joined)
        if len(joins):
            out[joins] = np.maximum(out[joins], self._joined(batch, query[joins], positions[joins]))
        return out

    def _token_view(self, batch: _Queries, qi: np.ndarray, ci: np.ndarray, person: bool) -> np.ndarray:
        width = int(self.count[ci].max())
        a = batch.tokens[qi]  # [P, M]
        b = self.tokens[ci, :width]  # [P, L]
        cells = (a >= 0)[:, :, None] & (b >= 0)[:, None, :]
        pair, i, j = np.nonzero(cells)
        combos, inverse = np.unique(a[pair, i].astype(np.int64) * len(self.vocab) + b[pair, j],
                                    return_inverse=True)
        plain, agreed, bones = self._token_sims(batch, combos // len(self.vocab), combos % len(self.vocab),
                                                person)
        generic = (batch.all_minor[qi] & self.all_minor[ci])[pair]
        with_bones = (batch.abjad[qi] | self.abjad[ci])[pair]
        value = np.where(generic, agreed[inverse], np.where(with_bones, bones[inverse], plain[inverse]))
        table = np.zeros(cells.shape)
        table[pair, i, j] = value
        return self._assign(batch, qi, ci, table, b >= 0, person)

    def _token_sims(self, batch: _Queries, q: np.ndarray, v: np.ndarray, person: bool) -> tuple[np.ndarray, ...]:
        """token_similarity() of the (query word q[k], list word v[k]) pairs: plain, exact-only, abjad."""
        q_words = [batch.words[k] for k in q.tolist()]
        q_keys = [batch.keys[k] for k in q.tolist()]
        v_words = self.vocab[v].tolist()
        v_keys = self.vocab_keys[v].tolist()
        same = np.array([x == y for x, y in zip(q_words, v_words)], dtype=bool)
        same_key = np.array([x == y for x, y in zip(q_keys, v_keys)], dtype=bool)
        raw = process.cpdist(q_words, v_words, scorer=OSA.normalized_similarity, dtype=np.float64)
        keyed = process.cpdist(q_keys, v_keys, scorer=OSA.normalized_similarity, dtype=np.float64)
        fuzzy = np.maximum(raw, KEY_EDIT_FACTOR * keyed)
        fuzzy = np.where(fuzzy >= TOKEN_FLOOR, fuzzy, 0.0)
        q_len, v_len = batch.lengths[q], self.vocab_len[v]
        fuzzy = np.where(np.minimum(q_len, v_len) < LENGTH_RATIO * np.maximum(q_len, v_len), 0.0, fuzzy)
        single = (q_len == 1) | (v_len == 1)
        if person:
            initial = batch.first[q] == self.vocab_first[v]
            fuzzy = np.where(single, np.where(initial, INITIAL_MATCH, 0.0), fuzzy)
        else:
            fuzzy = np.where(single, 0.0, fuzzy)
        digit = batch.digits[q] | self.vocab_digit[v]
        fuzzy = np.where(digit, 0.0, fuzzy)
        q_skel = batch.skeletons[q]
        bone = (q_skel == self.vocab_skel[v]) & (q_skel != "") & ~digit
        agreed = np.where(same, 1.0, np.where(same_key, KEY_MATCH, 0.0))
        plain = np.where(same | same_key, agreed, fuzzy)
        with_bones = np.where(same | same_key, agreed, np.where(bone, ABJAD_MATCH, fuzzy))
        return plain, agreed, with_bones

    def _assign(self, batch: _Queries, qi: np.ndarray, ci: np.ndarray, table: np.ndarray, valid: np.ndarray,
                person: bool) -> np.ndarray:
        """_token_view() of every pair: greedy one-to-one pairing, best first, ties to the first tokens."""
        n, m, width = table.shape
        wq = batch.weights[qi]
        wc = self.weights[ci, :width]
        rows = np.arange(n)
        paired = np.zeros(n)
        used_q = np.zeros((n, m), dtype=bool)
        used_c = np.zeros((n, width), dtype=bool)
        flat = table.reshape(n, m * width)
        for _ in range(min(m, width)):
            best = flat.argmax(axis=1)
            value = flat[rows, best]
            live = value > 0
            if not live.any():
                break
            r, b = rows[live], best[live]
            i, j = b // width, b % width
            paired[r] += value[live] * (wq[r, i] + wc[r, j])
            used_q[r, i] = True
            used_c[r, j] = True
            table[r, i, :] = 0.0
            table[r, :, j] = 0.0
        q_valid = batch.tokens[qi] >= 0
        left_q = (wq * (~used_q & q_valid)).sum(axis=1)
        left_c = (wc * (~used_c & valid)).sum(axis=1)
        if person:
            contradiction = (left_q > 0) & (left_c > 0)
            left_q = np.where(contradiction, (~used_q & q_valid).sum(axis=1).astype(np.float64), left_q)
            left_c = np.where(contradiction, (~used_c & valid).sum(axis=1).astype(np.float64), left_c)
        left_major_c = (~self.minor[ci, :width] & ~used_c & valid).any(axis=1)
        left_major_q = (~batch.minor[qi] & ~used_q & q_valid).any(axis=1)
        syllables = self.syllabic[ci] | batch.syllabic[qi]
        omit_q = ~syllables & (left_q > 0) & ~left_major_c & (self.majors[ci] >= OMISSION_MIN_TOKENS)
        omit_c = ~syllables & ~omit_q & (left_c > 0) & ~left_major_q & (batch.majors[qi] >= OMISSION_MIN_TOKENS)
        left_q = np.where(omit_q, left_q * OMISSION_WEIGHT, left_q)
        left_c = np.where(omit_c, left_c * OMISSION_WEIGHT, left_c)
        paired_weight = (wq * used_q).sum(axis=1) + (wc * used_c).sum(axis=1)
        return paired / (paired_weight + left_q + left_c)

    def _joined(self, batch: _Queries, qi: np.ndarray, ci: np.ndarray) -> np.ndarray:
        """_joined_view() of every pair, plus compare()'s rule that equal joined names score 100."""
        rows = qi.tolist()
        q_sides = (([batch.compact[k] for k in rows], [batch.core[k] for k in rows]),
                   ([batch.compact2[k] for k in rows], [batch.core2[k] for k in rows]))
        c_sides = ((self.compact[ci].tolist(), self.core[ci].tolist()),
                   (self.compact2[ci].tolist(), self.core2[ci].tolist()))
        best = np.zeros(len(ci))
        same = np.zeros(len(ci), dtype=bool)
        for a, a_core in q_sides:
            for b, b_core in c_sides:
                ratio = JOINED_FACTOR * np.minimum(
                    process.cpdist(a, b, scorer=fuzz.ratio, dtype=np.float64),
                    process.cpdist(a_core, b_core, scorer=fuzz.ratio, dtype=np.float64))
                edits = process.cpdist(a, b, scorer=OSA.distance, dtype=np.int32, score_cutoff=1)
                shortest = np.minimum([len(x) for x in a], [len(y) for y in b])
                one_edit = (edits <= 1) & (shortest >= ONE_EDIT_MIN_LEN)
                best = np.maximum(best, np.where(one_edit, np.maximum(ratio, ONE_EDIT), ratio))
                same |= np.array([x == y for x, y in zip(a, b)], dtype=bool)
        keyed = KEY_MATCH * JOINED_FACTOR * np.minimum(
            process.cpdist([batch.keyed[k] for k in rows], self.keyed[ci].tolist(), scorer=fuzz.ratio,
                           dtype=np.float64),
            process.cpdist([batch.core_keys[k] for k in rows], self.core_keys[ci].tolist(), scorer=fuzz.ratio,
                           dtype=np.float64))
        abjad = batch.abjad[qi] | self.abjad[ci]
        if abjad.any():
            same_bones = np.array([batch.bones[k] for k in rows], dtype=object) == self.bones[ci]
            keyed = np.where(abjad & same_bones, np.maximum(keyed, 100.0 * ABJAD_MATCH * JOINED_FACTOR), keyed)
        return np.where(same, 100.0, np.maximum(best, keyed))
