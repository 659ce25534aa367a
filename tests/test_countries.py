"""screening.countries: country cells to ISO alpha-2, above all never North Korea as South Korea."""

from importlib.resources import files

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import countries
from screening.countries import (
    CURATED,
    ISO,
    TRANSLATED,
    Claim,
    Match,
    country_name,
    is_iso2,
    longest_matches,
    resolve,
    to_iso2,
)
from screening.text import simplify

NORTH_KOREA = [
    "DPRK",
    "DPR Korea",
    "Korea DPR",
    "Korea, DPR",
    "Korea (DPRK)",
    "North Korea",
    "N. Korea",
    "Korea, North",
    "Korea, Democratic People's Republic of",
    "Democratic People's Republic of Korea",
    "Korea (Democratic People's Republic of)",
    "朝鲜",
    "朝鮮",
    "北韩",
    "北韓",
    "朝鲜民主主义人民共和国",
    "КНДР",
    "Северная Корея",
    "조선",
    "북한",
    "조선민주주의인민공화국",
    "北朝鮮",
    # variants a spreadsheet may hold that the brief did not list
    "D.P.R.K.",
    "dprk",
    "Democratic Peoples Republic of Korea",
    "Korea, Dem. People's Rep.",
    "Korea, Dem. Rep.",
    "Korea (North)",
    "Corée du Nord",
    "Nordkorea",
    "Korea Północna",
    "Bắc Triều Tiên",
    "朝鮮民主主義人民共和國",
    "Корейская Народно-Демократическая Республика",
    "PRK",
    "kp",
    "408",
]

SOUTH_KOREA = [
    "Korea",
    "Republic of Korea",
    "Korea, Republic of",
    "Korea (Republic of)",
    "Rep. of Korea",
    "ROK",
    "South Korea",
    "S. Korea",
    "Korea, South",
    "대한민국",
    "한국",
    "南韓",
    "韩国",
    "韓國",
    "Южная Корея",
    "Республика Корея",
    "韓国",
    "KOREA",
    "Korea, Rep.",
    "Corée du Sud",
    "Südkorea",
    "Hàn Quốc",
    "大韩民国",
    "KOR",
    "kr",
    "410",
]


@pytest.mark.parametrize("text", NORTH_KOREA)
def test_north_korea(text: str) -> None:
    assert to_iso2(text) == "KP"


@pytest.mark.parametrize("text", SOUTH_KOREA)
def test_south_korea(text: str) -> None:
    assert to_iso2(text) == "KR"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # codes in any case
        ("cn", "CN"),
        ("CHN", "CN"),
        ("chn", "CN"),
        ("Ru", "RU"),
        ("156", "CN"),
        # English names, official names, common variants
        ("People's Republic of China", "CN"),
        ("Peoples Republic of China", "CN"),
        ("PRC", "CN"),
        ("P.R. China", "CN"),
        ("PR China", "CN"),
        ("Mainland China", "CN"),
        ("Russian Federation", "RU"),
        ("Russia", "RU"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Lao PDR", "LA"),
        ("Laos", "LA"),
        ("Lao People's Democratic Republic", "LA"),
        ("UAE", "AE"),
        ("U.A.E.", "AE"),
        ("DR Congo", "CD"),
        ("DRC", "CD"),
        ("Congo-Kinshasa", "CD"),
        ("Democratic Republic of the Congo", "CD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Republic of the Congo", "CG"),
        ("Congo-Brazzaville", "CG"),
        ("Congo", "CG"),
        ("Ivory Coast", "CI"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d’Ivoire", "CI"),
        ("Burma", "MM"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("United Kingdom", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("United States", "US"),
        ("Taiwan", "TW"),
        ("Taiwan, Province of China", "TW"),
        ("Chinese Taipei", "TW"),
        ("Republic of China (Taiwan)", "TW"),
        ("Hong Kong SAR", "HK"),
        ("Hong Kong", "HK"),
        ("Hong Kong, China", "HK"),
        ("Macao", "MO"),
        ("Macau", "MO"),
        ("Czech Republic", "CZ"),
        ("Kosovo", "XK"),
        ("XK", "XK"),
        ("Iran", "IR"),
        ("Syria", "SY"),
        # punctuation, case and spacing do not matter
        ("  north   KOREA ", "KP"),
        ("NORTH-KOREA", "KP"),
        ("people’s republic of china", "CN"),
    ],
)
def test_variants(text: str, code: str) -> None:
    assert to_iso2(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("中国", "CN"),
        ("中國", "CN"),
        ("中华人民共和国", "CN"),
        ("中華人民共和國", "CN"),
        ("Китай", "CN"),
        ("중국", "CN"),
        ("Trung Quốc", "CN"),
        ("Россия", "RU"),
        ("РФ", "RU"),
        ("Российская Федерация", "RU"),
        ("俄罗斯", "RU"),
        ("俄羅斯", "RU"),
        ("러시아", "RU"),
        ("ロシア", "RU"),
        ("台灣", "TW"),
        ("臺灣", "TW"),
        ("台湾", "TW"),
        ("中華民國", "TW"),
        ("香港", "HK"),
        ("澳門", "MO"),
        ("Việt Nam", "VN"),
        ("越南", "VN"),
        ("Polska", "PL"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Alemania", "DE"),
        ("Niemcy", "DE"),
        ("ドイツ", "DE"),
        ("日本", "JP"),
        ("Монголия", "MN"),
        ("Кыргызстан", "KG"),
        ("الإمارات العربية المتحدة", "AE"),
        ("Malaysia", "MY"),
        ("馬來西亞", "MY"),
        ("Ангола", "AO"),
    ],
)
def test_native_names(text: str, code: str) -> None:
    assert to_iso2(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hunchun, Jilin, China", "CN"),
        ("Vladivostok, Russian Federation", "RU"),
        ("г. Владивосток, Приморский край, РФ", "RU"),
        ("Made in P.R.C.", "CN"),
        ("Made in Germany", "DE"),  # 'in' is not India inside text
        ("Pyongyang, DPRK", "KP"),
        ("Sinuiju, North Korea", "KP"),  # 'North Korea' hides 'Korea'
        ("Rason Economic Zone, Korea DPR", "KP"),
        ("Kim Il Sung Square, Democratic Peoples Republic of Korea", "KP"),  # not 'Republic of Korea'
        ("평양시 중구역, 북한", "KP"),
        ("平壤市, 朝鲜", "KP"),
        ("Seoul, Korea", "KR"),
        ("Busan 48058, Republic of Korea", "KR"),
        ("Beijing, People's Republic of China", "CN"),  # not 'Republic of China'
        ("Taipei, Republic of China", "TW"),
        ("Taipei City 110, Taiwan, Province of China", "TW"),
        ("Kowloon, Hong Kong, China", "HK"),
        ("Dubai, UAE", "AE"),
        ("London, UK", "GB"),
        ("Austin, TX, U.S.A.", "US"),
        ("Trenton, New Jersey, USA", "US"),  # 'New Jersey' is not Jersey
        ("中国辽宁省丹东市", "CN"),  # Chinese writes without spaces
        ("中国吉林省延边朝鲜族自治州", "CN"),  # 朝鲜族 = ethnic Koreans of China, not DPRK
        ("中国台湾省台北市", "TW"),
        ("Kinshasa, DR Congo", "CD"),
        ("Brazzaville, Republic of the Congo", "CG"),
        ("Jeju Island, South Korea", "KR"),  # 'Island' (Iceland in Danish) is not read inside text
        ("Ulica Marszałkowska 1, Warszawa, Polska", "PL"),
    ],
)
def test_country_inside_text(text: str, code: str) -> None:
    assert to_iso2(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "China / Russia",
        "Hunchun, China (near North Korea)",
        "North Korea and South Korea",
        "DPRK / Korea",  # 'Korea' is longer than 'DPRK' but they do not overlap: two countries
        "Dandong, 中国 / 신의주, 북한",
        "中韩边境",
        "Atlanta, Georgia, USA",
    ],
)
def test_two_countries_are_ambiguous(text: str) -> None:
    assert to_iso2(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Korea Płn.",  # Polish abbreviation of North Korea: never read as KR through 'Korea'
        "Korea (Nth)",
        "Pyongyang, Korea",
        "Корея Сев.",
        "Kinshasa, Congo",  # DR Congo's capital: 'Congo' alone would say Congo-Brazzaville
    ],
)
def test_guard_words_block_the_unsafe_reading(text: str) -> None:
    assert to_iso2(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "吉林省延边朝鲜族自治州",  # ethnic Koreans of China
        "朝鲜半岛",  # the Korean peninsula
        "中韩国际贸易有限公司",  # China-Korea International Trading
        "青岛市香港中路",  # Hong Kong Middle Road, Qingdao
        "New Jersey",
        "Sold in US",  # 2-letter codes are not read inside text
    ],
)
def test_phrases_that_name_no_country(text: str) -> None:
    assert to_iso2(text) is None


def test_words_beside_short_codes_still_read() -> None:
    assert to_iso2("Ships to Italy") == "IT"
    assert to_iso2("Ships to IT") is None


@pytest.mark.parametrize(("text", "code"), [("IN", "IN"), ("NO", "NO"), ("US", "US"), ("AT", "AT"), ("be", "BE")])
def test_whole_cell_two_letters_are_codes(text: str, code: str) -> None:
    assert to_iso2(text) == code


def test_numeric_codes_only_as_whole_cell() -> None:
    assert to_iso2("408") == "KP"
    assert to_iso2(408) == "KP"  # type: ignore[arg-type]  # a number read from Excel
    assert to_iso2("Unit 408, Seoul, South Korea") == "KR"
    assert to_iso2("Room 410, Pyongyang, DPRK") == "KP"


def test_whole_cell_only_names() -> None:
    assert to_iso2("조선") == "KP"
    assert to_iso2("현대중공업 조선소") is None  # 조선소 = shipyard
    assert to_iso2("조선 호텔, 서울") is None
    assert to_iso2("RF") == "RU"
    assert to_iso2("RF Components Ltd, Shenzhen, China") == "CN"


@pytest.mark.parametrize("text", ["", "   ", "N/A", "NA", "none", "Unknown", "-", "?", None])
def test_blank_values(text: str | None) -> None:
    assert to_iso2(text) is None


@pytest.mark.parametrize(
    "text",
    ["Atlantis", "\x00", "\x00DPRK\x00", "🇰🇵", "🙂" * 50, "x" * 100_000, "Y", "\ud800", "\u200b", "Korea" * 300],
)
def test_odd_input_never_raises(text: str) -> None:
    result = to_iso2(text)
    assert result is None or is_iso2(result)


def test_nul_bytes_are_separators() -> None:
    assert to_iso2("\x00DPRK\x00") == "KP"


def test_very_long_cells_are_not_countries() -> None:
    assert to_iso2("China " + "x" * countries.MAX_CELL_CHARS) is None


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_to_iso2_never_raises_and_returns_a_valid_code(text: str) -> None:
    result = to_iso2(text)
    assert result is None or is_iso2(result)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")), st.sampled_from(["North Korea", "DPRK", "北韓", "북한"]))
def test_north_korea_is_never_south_korea(noise: str, name: str) -> None:
    assert to_iso2(f"{noise} {name} {noise}") != "KR"


def test_every_alpha2_code_reads_as_itself() -> None:
    for code in countries._codes():
        if code == "NA":  # 'NA' is a blank placeholder in spreadsheets; 'Namibia' works
            assert to_iso2(code) is None
            continue
        assert to_iso2(code) == code
        assert to_iso2(code.lower()) == code
    assert to_iso2("Namibia") == "NA"


def test_every_curated_variant_maps_to_its_code() -> None:
    vocab = yaml.safe_load(files("screening").joinpath("data", "country_variants.yaml").read_text("utf-8"))
    for section in ("variants", "whole_cell_only"):
        for code, names in vocab[section].items():
            for name in names:
                assert to_iso2(name) == code, (section, name)


def test_every_searchable_name_is_found_inside_an_address() -> None:
    tables = countries._tables()
    for key, code in tables.words.items() | tables.han.items():
        if code is not None:
            assert to_iso2(f"Unit 5, 12 Harbour Road, {key}") == code, key


NORTH_WORDS = ("north", "nord", "norte", "dpr", "democratic", "people", "северн", "північ", "北", "북", "utara")
SOUTH_WORDS = ("south", "sud", "sur", "южн", "півден", "南", "남", "selatan", "sydkorea", "sudkorea")


def test_no_south_korea_name_mentions_the_north() -> None:
    # catches upstream translation errors such as a swapped North/South entry
    names = [key for key, code in countries._tables().exact.items() if code == "KR"]
    assert names
    for name in names:
        assert not any(word in name for word in NORTH_WORDS), name


def test_no_north_korea_name_mentions_the_south() -> None:
    names = [key for key, code in countries._tables().exact.items() if code == "KP"]
    assert names
    for name in names:
        assert not any(word in name for word in SOUTH_WORDS), name


def test_generated_collisions_are_dropped() -> None:
    tables = countries._tables()
    # 'Kongo' is Congo-Kinshasa in Norwegian and Congo-Brazzaville in Polish
    assert tables.ambiguous[simplify("Kongo")] == {"CD", "CG"}
    assert to_iso2("Kongo") is None
    assert not tables.ambiguous.keys() & tables.exact.keys()


def test_resolve_prefers_the_strongest_tier() -> None:
    resolved = resolve(
        [
            Claim("korea", "KR", CURATED, True),
            Claim("korea", "KP", TRANSLATED, True),
            Claim("bi", "BI", ISO, False),
            Claim("bi", "BE", TRANSLATED, True),
        ]
    )
    assert resolved.exact == {"korea": "KR", "bi": "BI"}
    assert resolved.in_text == {"korea"}  # the ISO code claim is whole-cell only
    assert resolved.ambiguous == {}


def test_resolve_drops_a_generated_key_two_countries_claim() -> None:
    resolved = resolve([Claim("x korea", "KP", TRANSLATED, True), Claim("x korea", "KR", TRANSLATED, True)])
    assert resolved.exact == {}
    assert resolved.ambiguous == {"x korea": frozenset({"KP", "KR"})}


def test_resolve_refuses_a_curated_conflict() -> None:
    with pytest.raises(ValueError, match="KP, KR"):
        resolve([Claim("korea", "KR", CURATED, True), Claim("korea", "KP", CURATED, True)])


def test_resolve_whole_cell_only_wins_within_a_tier() -> None:
    resolved = resolve([Claim("lao", "LA", CURATED, True), Claim("lao", "LA", CURATED, False)])
    assert resolved.exact == {"lao": "LA"}
    assert resolved.in_text == frozenset()


def test_longest_matches() -> None:
    north = Match(0, 11, "KP")  # 'north korea'
    korea = Match(6, 11, "KR")
    china = Match(20, 25, "CN")
    assert longest_matches([korea, north, china]) == [north, china]
    # equal length and overlapping: both kept, so the caller sees two countries
    a, b = Match(0, 2, "KP"), Match(1, 3, "KR")
    assert set(longest_matches([a, b])) == {a, b}
    assert longest_matches([]) == []


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("KP", "North Korea"),
        ("KR", "South Korea"),
        ("CN", "China"),
        ("RU", "Russia"),
        ("TW", "Taiwan"),
        ("CD", "DR Congo"),
        ("CG", "Republic of the Congo"),
        ("HK", "Hong Kong"),
        ("XK", "Kosovo"),
        ("GB", "United Kingdom"),
    ],
)
def test_country_name(code: str, name: str) -> None:
    assert country_name(code) == name


def test_country_name_covers_every_code_to_iso2_returns() -> None:
    codes = set(countries._tables().exact.values())
    assert codes == set(countries._codes())
    for code in codes:
        name = country_name(code)
        assert name and name != code


@pytest.mark.parametrize("bad", ["kp", "ZZ", "", "KOR", "UK"])
def test_country_name_rejects_non_codes(bad: str) -> None:
    with pytest.raises(ValueError, match="alpha-2"):
        country_name(bad)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("KP", True),
        ("KR", True),
        ("XK", True),
        ("CN", True),
        ("kp", False),
        ("UK", False),
        ("ZZ", False),
        ("EU", False),
        ("", False),
        ("PRK", False),
    ],
)
def test_is_iso2(code: str, valid: bool) -> None:
    assert is_iso2(code) is valid


def test_results_are_cached() -> None:
    countries._to_iso2.cache_clear()
    to_iso2("Hunchun, Jilin, China")
    to_iso2("Hunchun, Jilin, China")
    assert countries._to_iso2.cache_info().hits == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("St. Vincent and the Grenadines", "VC"),
        ("St. Kitts and Nevis", "KN"),
        ("Man, Isle of", "IM"),
        ("West Bank", "PS"),
        ("China, Hong Kong Special Administrative Region", "HK"),
    ],
)
def test_list_publishers_country_spellings(text: str, code: str) -> None:
    """Country texts as OFAC and the UN write them in their address fields."""
    assert to_iso2(text) == code
