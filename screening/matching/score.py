"""Name similarity (0-100) between a query name and a list name, and the qualifiers applied after it.

The score is the better of two views of the same pair, each of which forgives one kind of difference:

* tokens: every token is paired with its most similar token on the other side (Jaro-Winkler, or a fixed
  high score when the romanisation keys agree: Jong/Chong, Ri/Lee), and the similarities are averaged with
  weights: generic words ('korea', 'trading', 'general') weigh MINOR_WEIGHT, the others 1. Order-free, and
  a shared 'Korea ... Trading' adds little while a missing or different distinctive word costs a lot.
* joined: the names with all spaces removed, compared character by character (Indel ratio, times
  JOINED_FACTOR), for words split or merged ('KORYOLINK' / 'Koryo Link', 'CHONG CHON GANG' /
  'Chongchongang') and for typos in short words, where one letter is a large part of the token but a small
  part of the name. Person names turned round ('KIM, Jong Un') are also joined in their written order.

Before any of that, a gate (nomenklatura's blocking idea made part of the score, like OFAC's first-letter
rule): the two names must share an identifying token (not a generic word), exactly, by romanisation key, or
within one typo; or their joined forms must. A pair that fails the gate scores 0. The candidate index
(index.py) enumerates exactly the list names that pass the gate, so searching the index and scoring every
list name give the same hits at any threshold.

After the name score: numbers must agree ('WON SAN 2' is not 'WON SAN 3'), names of five letters or fewer
must match exactly ('KOMID'), then the qualifiers: a weak alias is multiplied by WEAK_ALIAS_FACTOR, and a
query country raises the score when the entry has it and lowers it when the entry has other countries.
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
    """Indel ratio of the names written without spaces (times JOINED_FACTOR); one typo in a joined name of
    ONE_EDIT_MIN_LEN letters or more scores at least ONE_EDIT."""
    best = 0.0
    for a in query.compacts:
        for b in candidate.compacts:
            score = JOINED_FACTOR * fuzz.ratio(a, b)
            if score < ONE_EDIT and min(len(a), len(b)) >= ONE_EDIT_MIN_LEN and OSA.distance(a, b) <= 1:
                score = ONE_EDIT
            best = max(best, score)
    keyed = KEY_MATCH * JOINED_FACTOR * fuzz.ratio("".join(query.keys), "".join(candidate.keys))
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


class BatchScorer:
    """compare() for one query against many list names at once, with numpy and rapidfuzz.process.cdist.

    Used as an exact filter: views() returns, for every candidate, the value compare() computes before the
    number check and the short-name and exact-name rules (tests/test_matching_score.py checks they agree
    on thousands of pairs). ListIndex then runs compare() itself only on the few candidates at or above the
    threshold, so every score and explanation shown comes from the one reference implementation.
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
        self.valid = self.tokens >= 0
        self.count = self.valid.sum(axis=1)
        self.all_minor = np.array([bool(f.tokens) and all(f.minor) for f in forms], dtype=bool)
        self.majors = np.array([_major_count(f) for f in forms], dtype=np.int32)
        self.abjad = np.array([f.abjad for f in forms], dtype=bool)
        self.syllabic = np.array([f.syllabic for f in forms], dtype=bool)
        self.short = np.array([len(f.compact) <= SHORT_NAME for f in forms], dtype=bool)
        self.compact = [f.compact for f in forms]
        self.compact2 = [f.compacts[-1] for f in forms]
        self.compacts = np.array(self.compact, dtype=object)
        self.compacts2 = np.array(self.compact2, dtype=object)
        self.keyed = [("".join(f.keys)) for f in forms]
        self.bones = np.array(["".join(f.skeletons) for f in forms], dtype=object)
        words = sorted(vocabulary, key=vocabulary.__getitem__)
        self.vocab = words
        self.vocab_keys = [token_key(w) for w in words]
        self.vocab_arr = np.array(words, dtype=object)
        self.vocab_keys_arr = np.array(self.vocab_keys, dtype=object)
        self.vocab_skel = np.array([skeleton(w) for w in words], dtype=object)
        self.vocab_len = np.array([len(w) for w in words], dtype=np.int32)
        self.vocab_digit = np.array([k.isdigit() for k in self.vocab_keys], dtype=bool)
        self.vocab_first = np.array([w[:1] for w in words], dtype=object)
        self._slot = np.zeros(max(1, len(words)), dtype=np.int32)  # scratch for _distinct
        self.compact_len = np.array([len(c) for c in self.compact], dtype=np.int32)
        self.compact2_len = np.array([len(c) for c in self.compact2], dtype=np.int32)
        self.turned = np.array([c1 != c2 for c1, c2 in zip(self.compact, self.compact2)], dtype=bool)
        self.keyed_arr = np.array(self.keyed, dtype=object)

    def views(self, query: NameForm, positions: np.ndarray, person: bool) -> np.ndarray:
        """max(token view, joined view) for the names at `positions`, as compare() computes them."""
        if len(positions) == 0 or not query.tokens:
            return np.zeros(len(positions))
        tokens = self.tokens[positions]
        width = int(self.count[positions].max())
        tokens = tokens[:, :width]
        valid = tokens >= 0
        used_vocab, inverse = self._distinct(np.where(valid, tokens, 0))
        plain, exact, bones = self._token_sims(query, used_vocab, person)
        generic = self.all_minor[positions] & all(query.minor)
        with_bones = self.abjad[positions] | query.abjad
        # [n, m, L]: the similarity table of every candidate
        table = np.where(generic[:, None, None], exact[:, inverse].transpose(1, 0, 2),
                         np.where(with_bones[:, None, None], bones[:, inverse].transpose(1, 0, 2),
                                  plain[:, inverse].transpose(1, 0, 2)))
        table = np.where(valid[:, None, :], table, 0.0)
        tokens_view = self._assign(query, positions, table, valid, person)
        return np.maximum(100.0 * tokens_view, self._joined(query, positions))

    def _distinct(self, tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct vocabulary ids in `tokens` and, for each cell, its position among them (no sort)."""
        flat = tokens.ravel()
        slot = self._slot
        slot[flat] = np.arange(len(flat), dtype=np.int32)
        distinct = flat[slot[flat] == np.arange(len(flat), dtype=np.int32)]
        slot[distinct] = np.arange(len(distinct), dtype=np.int32)
        return distinct, slot[tokens]

    def _token_sims(self, query: NameForm, vocab: np.ndarray, person: bool) -> tuple[np.ndarray, ...]:
        words = self.vocab_arr[vocab].tolist()
        keys = self.vocab_keys_arr[vocab].tolist()
        q_words = np.array(query.tokens, dtype=object)[:, None]
        q_keys = np.array(query.keys, dtype=object)[:, None]
        same = q_words == self.vocab_arr[vocab][None, :]
        same_key = q_keys == self.vocab_keys_arr[vocab][None, :]
        raw = process.cdist(query.tokens, words, scorer=OSA.normalized_similarity, dtype=np.float64)
        keyed = process.cdist(query.keys, keys, scorer=OSA.normalized_similarity, dtype=np.float64)
        fuzzy = np.maximum(raw, KEY_EDIT_FACTOR * keyed)
        fuzzy = np.where(fuzzy >= TOKEN_FLOOR, fuzzy, 0.0)
        q_len = np.array([len(t) for t in query.tokens], dtype=np.int32)[:, None]
        v_len = self.vocab_len[vocab][None, :]
        fuzzy = np.where(np.minimum(q_len, v_len) < LENGTH_RATIO * np.maximum(q_len, v_len), 0.0, fuzzy)
        single = (q_len == 1) | (v_len == 1)
        if person:
            initial = np.array([t[:1] for t in query.tokens], dtype=object)[:, None] == (
                self.vocab_first[vocab][None, :])
            fuzzy = np.where(single, np.where(initial, INITIAL_MATCH, 0.0), fuzzy)
        else:
            fuzzy = np.where(single, 0.0, fuzzy)
        digit = np.array([k.isdigit() for k in query.keys], dtype=bool)[:, None] | self.vocab_digit[vocab][None, :]
        fuzzy = np.where(digit, 0.0, fuzzy)
        q_skel = np.array(query.skeletons, dtype=object)[:, None]
        bone = (q_skel == self.vocab_skel[vocab][None, :]) & (q_skel != "") & ~digit
        agreed = np.where(same, 1.0, np.where(same_key, KEY_MATCH, 0.0))
        plain = np.where(same | same_key, agreed, fuzzy)
        with_bones = np.where(same | same_key, agreed, np.where(bone, ABJAD_MATCH, fuzzy))
        return plain, agreed, with_bones

    def _assign(self, query: NameForm, positions: np.ndarray, table: np.ndarray, valid: np.ndarray,
                person: bool) -> np.ndarray:
        table = np.ascontiguousarray(table)  # `flat` below must be a view of it
        n, m, width = table.shape
        wq = np.array(_weights(query), dtype=np.float64)
        wc = self.weights[positions, :width]
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
            paired[r] += value[live] * (wq[i] + wc[r, j])
            used_q[r, i] = True
            used_c[r, j] = True
            table[r, i, :] = 0.0
            table[r, :, j] = 0.0
        left_q = (wq[None, :] * ~used_q).sum(axis=1)
        left_c = (wc * (~used_c & valid)).sum(axis=1)
        if person:
            contradiction = (left_q > 0) & (left_c > 0)
            left_q = np.where(contradiction, (~used_q).sum(axis=1).astype(np.float64), left_q)
            left_c = np.where(contradiction, (~used_c & valid).sum(axis=1).astype(np.float64), left_c)
        minor_c = self.minor[positions, :width]
        left_major_c = (~minor_c & ~used_c & valid).any(axis=1)
        q_minor = np.array(query.minor, dtype=bool)
        left_major_q = (~q_minor[None, :] & ~used_q).any(axis=1)
        q_majors = int((~q_minor).sum())
        syllables = self.syllabic[positions] | query.syllabic
        omit_q = ~syllables & (left_q > 0) & ~left_major_c & (self.majors[positions] >= OMISSION_MIN_TOKENS)
        omit_c = ~syllables & ~omit_q & (left_c > 0) & ~left_major_q & (q_majors >= OMISSION_MIN_TOKENS)
        left_q = np.where(omit_q, left_q * OMISSION_WEIGHT, left_q)
        left_c = np.where(omit_c, left_c * OMISSION_WEIGHT, left_c)
        paired_weight = (wq[None, :] * used_q).sum(axis=1) + (wc * used_c).sum(axis=1)
        return paired / (paired_weight + left_q + left_c)

    def _joined(self, query: NameForm, positions: np.ndarray) -> np.ndarray:
        best = self._joined_one(query, self.compacts[positions].tolist(), self.compact_len[positions])
        turned = np.flatnonzero(self.turned[positions])
        if len(turned):  # person names turned round: also joined in their written order
            other = positions[turned]
            best[turned] = np.maximum(best[turned], self._joined_one(
                query, self.compacts2[other].tolist(), self.compact2_len[other]))
        keyed = KEY_MATCH * JOINED_FACTOR * process.cdist(
            ["".join(query.keys)], self.keyed_arr[positions].tolist(), scorer=fuzz.ratio, dtype=np.float64)[0]
        abjad = self.abjad[positions] | query.abjad
        if abjad.any():
            same_bones = self.bones[positions] == "".join(query.skeletons)
            keyed = np.where(abjad & same_bones, np.maximum(keyed, 100.0 * ABJAD_MATCH * JOINED_FACTOR), keyed)
        views = np.maximum(best, keyed)
        same = np.zeros(len(positions), dtype=bool)
        for compact in query.compacts:
            same |= (self.compacts[positions] == compact) | (self.compacts2[positions] == compact)
        return np.where(same, 100.0, views)

    @staticmethod
    def _joined_one(query: NameForm, targets: list[str], lengths: np.ndarray) -> np.ndarray:
        ratio = process.cdist(query.compacts, targets, scorer=fuzz.ratio, dtype=np.float64).max(axis=0)
        best = JOINED_FACTOR * ratio
        edits = process.cdist(query.compacts, targets, scorer=OSA.distance, dtype=np.int32, score_cutoff=1)
        one_edit = np.zeros(len(targets), dtype=bool)
        for k, compact in enumerate(query.compacts):
            one_edit |= (edits[k] <= 1) & (np.minimum(lengths, len(compact)) >= ONE_EDIT_MIN_LEN)
        return np.where(one_edit, np.maximum(best, ONE_EDIT), best)
