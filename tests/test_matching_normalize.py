"""Name normalisation for list matching: scripts, legal forms, apostrophes, person order, keys, gate."""

import random

import pytest
from rapidfuzz.distance import OSA, Indel

from screening.matching.normalize import (
    deletion_variants,
    is_minor,
    normalize_name,
    romanize_hangul,
    skeleton,
    token_key,
    transliterate,
)


def tokens(name: str, person: bool = False) -> tuple[str, ...]:
    return normalize_name(name, person).tokens


# ------------------------------------------------------------------------------------------ scripts


@pytest.mark.parametrize(
    ("written", "latin"),
    [
        ("김정은", "kim jong un"),  # DPRK romanisation, not Revised Romanisation's 'gim jeong eun'
        ("최룡해", "choe ryong hae"),
        ("리영길", "ri yong kil"),  # the DPRK keeps the initial r (ROK: 이 'i')
        ("평양", "phyong yang"),
        ("金正恩", "jin zheng en"),  # Han: pinyin, one syllable per token
        ("Ким Чен Ын", "kim chen yn"),
        ("Kim Jong Un", "kim jong un"),
    ],
)
def test_transliteration(written: str, latin: str) -> None:
    assert transliterate(written) == latin


def test_hangul_syllables_are_romanised_one_by_one_and_the_rest_kept() -> None:
    assert romanize_hangul("조선 Trading").split() == ["jo", "son", "Trading"]


def test_transliteration_is_explained() -> None:
    form = normalize_name("김정은", person=True)
    assert form.tokens == ("kim", "jong", "un")
    assert form.notes == ("transliterated 김정은 -> kim jong un",)
    assert normalize_name("Kim Jong Un", person=True).notes == ()


def test_latin_letters_with_strokes_stay_latin() -> None:
    form = normalize_name("Łódź Straße Sp. z o.o.")
    assert form.tokens == ("lodz", "strasse")
    assert form.notes == ()  # no transliteration note for Latin text


# ------------------------------------------------------------------------------------------ legal forms


@pytest.mark.parametrize(
    "written",
    [
        "KOREA TANGUN TRADING CORPORATION",
        "Korea Tangun Trading Co., Ltd.",
        "Korea Tangun Trading LLC",
        "KOREA TANGUN TRADING COMPANY LIMITED",
        "Korea Tangun Trading Corp",
        "Korea Tangun Trading Pte. Ltd.",
        "Korea Tangun Trading Corporatiion",  # a typo in the legal form is still a legal form
        "Limited Liability Company Korea Tangun Trading",
    ],
)
def test_legal_forms_are_one_class(written: str) -> None:
    form = normalize_name(written)
    assert form.tokens == ("korea", "tangun", "trading")
    assert form.legal  # recognised and kept for the explanation


def test_legal_forms_in_other_scripts() -> None:
    assert tokens("ООО «Ромашка»") == tokens("Romashka LLC") == ("romashka",)
    assert tokens("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU PROFINET") == ("profinet",)
    cjk = normalize_name("長安海連技術有限公司")
    assert cjk.tokens == ("zhang", "an", "hai", "lian", "ji", "shu")
    assert ("有限公司", "company") in cjk.legal


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert tokens("JSC") == ("jsc",)
    assert tokens("Company") == ("company",)


def test_person_names_are_not_stripped_of_legal_looking_words() -> None:
    assert tokens("Kim Sa", person=True) == ("kim", "sa")  # 'SA' is a legal form for companies only
    assert tokens("Kim Sa") == ("kim",)


# ------------------------------------------------------------------------------------------ punctuation


@pytest.mark.parametrize("written", ["Ch'o'ngsong", "Chongsong", "Ch’ŏngsŏng", "CH`ONGSONG", "Ch‘ŏngsŏng"])
def test_apostrophes_and_breves_disappear(written: str) -> None:
    assert tokens(written) == ("chongsong",)


@pytest.mark.parametrize("text", ["ch'o'ngsong", "ch`ongsong", "a - b co - ltd", "  x\t-y  ", "o'brien-smith", "-", "'", ""])
def test_ascii_text_takes_the_same_steps_as_any_other(text: str) -> None:
    # _latin() has a shortcut for ASCII text: the same apostrophes dropped, whitespace squeezed before the
    # hyphens become spaces (so 'co - ltd' keeps its three spaces, as legal-form detection has always seen it).
    from screening.matching.normalize import _APOSTROPHES, _HYPHENS, _latin

    assert _latin(text) == (_HYPHENS.sub(" ", transliterate(_APOSTROPHES.sub("", text))), False, False, None)


def test_hyphens_split_words_and_the_joined_form_bridges_them() -> None:
    hyphen, joined = normalize_name("Kim Jong-un", True), normalize_name("Kim Jongun", True)
    assert hyphen.tokens == ("kim", "jong", "un")
    assert hyphen.compact == joined.compact == "kimjongun"


def test_acronyms_are_joined_for_organisations_only() -> None:
    assert tokens("K.O.M.I.D.") == tokens('"KOMID"') == ("komid",)
    assert tokens("J. R. Smith", person=True) == ("j", "r", "smith")


def test_numbers_written_as_words_share_a_key_with_digits() -> None:
    assert token_key("third") == token_key("3rd") == token_key("3") == "3"
    assert tokens("THIRD FLOOR") == ("third", "floor")  # the word stays, so 'Thidr' is still a typo of it


# ------------------------------------------------------------------------------------------ persons


def test_ofac_surname_first_is_turned_round() -> None:
    form = normalize_name("KIM, Jong Un", person=True)
    assert form.tokens == ("jong", "un", "kim")
    assert form.compacts == ("jongunkim", "kimjongun")  # written order kept for the joined comparison
    assert "surname-first order turned round" in form.notes


def test_a_comma_after_a_long_part_is_no_surname() -> None:
    assert tokens("SOME VERY LONG NAME HERE, Jr", person=True) == ("some", "very", "long", "name", "here", "jr")


# ------------------------------------------------------------------------------------------ keys


@pytest.mark.parametrize(
    "group",
    [
        ("jong", "chong", "jeong", "jung"),
        ("ri", "lee", "yi", "rhee", "li"),
        ("pak", "park", "bak"),
        ("kim", "gim"),
        ("choe", "choi"),
        ("pyongyang", "phyongyang", "pyeongyang"),
        ("xi", "hsi"),
        ("aleksandr", "alexandr"),
    ],
)
def test_romanisation_variants_share_a_key(group: tuple[str, ...]) -> None:
    assert len({token_key(t) for t in group}) == 1


@pytest.mark.parametrize(("a", "b"), [("kim", "kum"), ("daesong", "kumsong"), ("un", "il"), ("song", "sang")])
def test_different_syllables_keep_different_keys(a: str, b: str) -> None:
    assert token_key(a) != token_key(b)


def test_consonant_skeleton_for_abjads() -> None:
    assert skeleton("mohamed") == skeleton("mhmd") == "mhmd"
    assert skeleton("hassan") == "hsn"
    assert normalize_name("محمد علي", True).abjad and not normalize_name("Mohamed Ali", True).abjad


# ------------------------------------------------------------------------------------------ minor words


def test_generic_words_are_minor_for_organisations() -> None:
    form = normalize_name("Korea Tangun General Trading Co., Ltd.")
    assert dict(zip(form.tokens, form.minor)) == {"korea": True, "tangun": False, "general": True,
                                                  "trading": True}
    assert is_minor("shippiog", False)  # a long generic word with a typo
    assert not is_minor("cholon", False)  # one letter from 'choson', but romanised words must be exact
    assert not is_minor("trading", True)  # only particles and titles are minor in person names
    assert is_minor("al", True) and is_minor("viktorovich", True)


@pytest.mark.parametrize("word", ["indonesia", "iraq", "tunisia", "ryugyong"])
def test_country_and_romanised_words_are_minor_asked_once_or_twice(word: str) -> None:
    """Country names (from ISO 3166) and romanised generic words are minor too, also when the answer comes
    from the memo the second time ('HILAL AHMAR SOCIETY INDONESIA' names the society, not the country)."""
    expected = word != "ryugyong"
    assert is_minor(word, False) is expected
    assert is_minor(word, False) is expected
    form = normalize_name(f"Hilal Ahmar Society {word.title()}")
    assert dict(zip(form.tokens, form.minor))[word] is expected


def test_gate_keys_of_generic_only_names_meet_exactly() -> None:
    generic = normalize_name("Korea Trading Co., Ltd.")
    assert all(generic.minor) and generic.gate == frozenset()
    assert {"korea"} <= generic.joined
    named = normalize_name("Korea Tangun Trading Corporation")
    assert named.gate == {"tangun", "tankun"}  # the word and its key; generic words never open the gate


# ------------------------------------------------------------------------------------------ deletion variants


def test_deletion_variants_meet_for_every_single_typo() -> None:
    rng = random.Random(7)
    letters = "abcdeg"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 7))) for _ in range(300)]
    for a, b in zip(words, words[1:] + words[:1]):
        for other in (b, a[:2] + a[3:], a[:1] + a[2] + a[1] + a[3:], a + "x", a[:3] + "z" + a[4:]):
            meet = not deletion_variants(a).isdisjoint(deletion_variants(other))
            if OSA.distance(a, other) <= 1:  # one insertion, deletion, substitution or swap: always meet
                assert meet, (a, other)
            if meet:  # and meeting never needs more than one deletion on each side
                assert Indel.distance(a, other) <= 2, (a, other)


def test_short_keys_have_no_deletion_variants() -> None:
    assert deletion_variants("kim") == {"kim"}
    assert len(deletion_variants("kimm")) == 4  # kimm, imm, kmm, kim


def test_words_of_a_column_are_the_words_of_its_names() -> None:
    """words_of() reads a whole column at once; it finds every token of the person reading of each name, and
    of the organisation reading but for joined acronyms."""
    from screening.matching.normalize import words_of

    names = ["Dalian Haixing Seafood Co., Ltd.", "KIM, Jong-un", "Ch'ŏngsŏng Trading", "O'Neill & Sons",
             "联鑫纺织有限公司", "ООО «Техно Элемент Урал»", "شركة النور الخليج للتجارة", "김정은", "K.O.M.I.D.",
             "Công ty TNHH Thịnh Cường", "Ryonbong_General `Corp`", "THIRD Floor 3rd", "x" * 400]
    words = words_of(names)
    for name in names:
        assert set(normalize_name(name, True).tokens) <= words, name
        org = set(normalize_name(name, False).tokens)
        assert org <= words or org == {"komid"}, name
    assert "komid" not in words and {"k", "o", "m", "i", "d"} <= words
    assert "x" * 300 in words and "x" * 301 not in words  # only MAX_NAME_CHARS of a cell are read
