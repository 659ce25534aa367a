"""Properties over arbitrary cell values: normalisation, country mapping, rule evaluation and scoring.

Complements tests/test_text.py and tests/test_countries.py (idempotence of fold/simplify, to_iso2 never
raising, KP never read as KR) with what a hostile spreadsheet can throw at the rest of the pipeline.
Bounded so the suite stays fast: modest max_examples, no deadline (the first call loads tables).
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.countries import country_name, is_iso2, to_iso2
from screening.engine import compile_packs, evaluate
from screening.engine.lists import ListCatalog
from screening.fields import FIELDS
from screening.matching.normalize import normalize_name
from screening.matching.score import compare
from screening.model import Band
from screening.rulepacks import load_packs
from screening.scoring import MAX_SCORE, band_for, pack_score, row_score
from screening.screen import default_rules_dir
from screening.text import cell_text, fold, simplify

BOUNDED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as spreadsheets deliver it: any script, controls, bidi marks, emoji, very long runs.
hostile_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from([
        "\u202eaeroK htroN\u202c", "Pyongyang\u200b", "조선민주주의인민공화국", "朝鲜", "Korea, Democratic People's Rep.",
        "Korea, Republic of", "=HYPERLINK(\"x\")", "\x00", "\ufeff", "🇰🇵", "Ｐｙｏｎｇｙａｎｇ", "a" * 5000,
        "Hunchun seafood processing", "shipyard", "construction", "311710", "-0", "NaN", "",
    ]),
)


@BOUNDED
@given(hostile_text)
def test_normalised_text_has_a_clean_shape(text: str) -> None:
    for out in (fold(text), simplify(text)):
        assert out == out.strip()
        assert "  " not in out
    assert re.fullmatch(r"(?:[^\W_]+(?: [^\W_]+)*)?", simplify(text))  # words and single spaces only


@BOUNDED
@given(st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), hostile_text,
    st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.dates(), st.times(),
))
def test_any_cell_value_renders_as_stripped_text(value: object) -> None:
    text = cell_text(value)
    assert isinstance(text, str) and text == text.strip()
    if isinstance(value, float) and math.isnan(value):
        assert text == ""


@BOUNDED
@given(hostile_text, st.booleans())
def test_name_normalisation_never_raises_and_is_stable(name: str, person: bool) -> None:
    form = normalize_name(name, person)
    assert len(form.tokens) == len(form.keys) == len(form.minor)
    assert all(token for token in form.tokens)
    assert normalize_name(name, person) == form  # deterministic: same input, same form


@BOUNDED
@given(hostile_text, hostile_text)
def test_name_scores_stay_in_range(a: str, b: str) -> None:
    score = compare(normalize_name(a), normalize_name(b)).score
    assert 0 <= score <= 100


@BOUNDED
@given(hostile_text)
def test_country_codes_read_back_as_themselves(text: str) -> None:
    code = to_iso2(text)
    if code is not None:
        assert is_iso2(code)
        assert to_iso2(code) == code  # idempotent: a result read again is the same country
        assert to_iso2(country_name(code)) == code


@BOUNDED
@given(st.sampled_from(["North Korea", "DPRK", "Korea, DPR", "Democratic People's Republic of Korea", "北朝鮮", "북한"]),
       st.sampled_from(["", " ", ".", "  (the)", "\u200b"]))
def test_north_korea_with_noise_is_never_south_korea(name: str, noise: str) -> None:
    assert to_iso2(name + noise) != "KR"


# ---------------------------------------------------------------- engine and scoring

_PACKS = load_packs([default_rules_dir()])
_RULES = compile_packs(_PACKS, ListCatalog(()))
_THRESHOLDS = {pack.id: pack.spec.pack.thresholds for pack in _PACKS}
_FIELD_VALUES = st.one_of(hostile_text, st.sampled_from([
    "North Korea", "China", "Russia", "Poland", "Pyongyang", "Hunchun", "Vladivostok", "Dandong", "Shenyang",
    "seafood processing", "construction", "software outsourcing", "fishing", "shipbuilding", "textiles", "KP",
]))


@st.composite
def record_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.lists(st.fixed_dictionaries({}, optional={f: _FIELD_VALUES for f in FIELDS}), min_size=1, max_size=8))
    data: dict[str, list[object]] = {
        "input": ["hostile.xlsx"] * len(rows), "sheet": ["Sheet1"] * len(rows),
        "row": list(range(2, len(rows) + 2)), "table": [0] * len(rows),
    }
    for field in FIELDS:
        data[field] = [row.get(field, "") for row in rows]
    data["cells"] = [tuple(row.values()) for row in rows]
    return pd.DataFrame(data, dtype=object)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_frames())
def test_engine_over_arbitrary_records(frame: pd.DataFrame) -> None:
    results = []
    for row_hits in evaluate(_RULES, frame):
        per_pack: dict[str, list[tuple[int, str | None]]] = {}
        critical_fired = False
        for compiled, hit in row_hits:
            per_pack.setdefault(compiled.pack.id, []).append((hit.weight, compiled.rule.band))
            critical_fired |= compiled.rule.band == "critical"
        score, band = row_score(pack_score(fired, _THRESHOLDS[pack]) for pack, fired in per_pack.items())
        assert 0 <= score <= MAX_SCORE == 100
        assert (band is Band.CRITICAL) == critical_fired  # critical only, and always, from a critical rule
        if band is Band.CRITICAL:
            assert score == MAX_SCORE
        fixed = any(compiled.rule.band for compiled, _ in row_hits)
        results.append((score, band, fixed))
    # Without a fixed band, a higher score never gets a lower band.
    scored = sorted((s, b) for s, b, fixed in results if not fixed)
    assert [b for _, b in scored] == sorted(b for _, b in scored)


@BOUNDED
@given(st.lists(st.tuples(st.integers(0, 200), st.sampled_from([None, None, None, "review", "high", "critical"])), max_size=12))
def test_pack_score_is_bounded_and_its_band_monotone(fired: list[tuple[int, str | None]]) -> None:
    thresholds = _THRESHOLDS[_PACKS[0].id]
    score, band = pack_score(fired, thresholds)
    assert 0 <= score <= MAX_SCORE
    assert band >= band_for(score, thresholds)
    assert (band is Band.CRITICAL) == any(fixed == "critical" for _, fixed in fired)
    more, more_band = pack_score([*fired, (10, None)], thresholds)
    assert more >= score and more_band >= band  # another rule firing never lowers a row
