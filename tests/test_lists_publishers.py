"""UN, EU, UK and OpenSanctions list parsers: the real UN file, format-true fixtures, unsafe and wrong files."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from screening.errors import InputError
from screening.lists import eu_xml, opensanctions_csv, parser_for, uk_csv, un_xml
from screening.lists.model import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength

FIXTURES = Path(__file__).parent / "data" / "lists"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
UN_FILE = SHARED / "un_consolidated" / "consolidated.xml"
SDN_CSV = SHARED / "ofac_sdn_2022-01-31" / "sdn.csv"

WEAK = Strength.WEAK
DPRK_UK = "Democratic People's Republic of Korea"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the repository")


def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.id: e for e in parsed.entries}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- UN: the real consolidated list


@pytest.fixture(scope="module")
def un() -> ParsedList:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return un_xml.parse(UN_FILE)


@pytest.fixture(scope="module")
def un_kp(un: ParsedList) -> list[ListEntry]:
    return [e for e in un.entries if e.id.startswith("KP")]


def test_un_counts_individuals_and_entities(un: ParsedList) -> None:
    assert un.source == "un"
    assert un.published == "2026-02-27"
    assert len(un.entries) == 1003
    assert Counter(e.type for e in un.entries) == {EntryType.INDIVIDUAL: 730, EntryType.ENTITY: 273}
    assert un.files == ((str(UN_FILE), sha256(UN_FILE)),)


def test_un_dprk_records_and_their_aliases(un_kp: list[ListEntry]) -> None:
    assert Counter(e.id[:3] for e in un_kp) == {"KPi": 80, "KPe": 75}
    assert all(e.type is (EntryType.INDIVIDUAL if e.id[2] == "i" else EntryType.ENTITY) for e in un_kp)
    assert all(e.programs == ("DPRK",) for e in un_kp)

    def aliases(entry_type: EntryType) -> int:
        return sum(n.kind in ("aka", "fka") for e in un_kp if e.type is entry_type for n in e.names)

    assert aliases(EntryType.INDIVIDUAL) == 83
    assert aliases(EntryType.ENTITY) == 131


def test_un_reference_numbers_are_trimmed(un: ParsedList) -> None:
    entries = by_id(un)
    assert all(e.id == e.id.strip() for e in un.entries)
    assert "KPe.023 " not in entries
    assert entries["KPe.023"].name == "DAEDONG CREDIT BANK (DCB)"
    assert len(entries) == 1003  # ids stay unique once trimmed


def test_un_alias_quality_kind_and_strength(un: ParsedList) -> None:
    counts = Counter((n.kind, n.strength) for e in un.entries for n in e.names)
    assert counts[("aka", WEAK)] == 615  # QUALITY Low
    assert counts[("fka", Strength.STRONG)] == 19  # QUALITY f.k.a.
    assert counts[("original-script", Strength.STRONG)] == 378
    assert counts[("primary", Strength.STRONG)] == 1003
    assert by_id(un)["KPe.002"].names == (
        ListName("KOREA RYONBONG GENERAL CORPORATION"),
        ListName("KOREA YONBONG GENERAL CORPORATION", "aka"),
        ListName("LYONGAKSAN GENERAL TRADING CORPORATION", "fka"),
    )


def test_un_names_kept_as_published(un: ParsedList) -> None:
    east_land = by_id(un)["KPe.013"]
    names = [n.name for n in east_land.names]
    assert names == ["BANK OF EAST LAND", "Dongbang BANK", "TONGBANG U\u2019NHAENG", "TONGBANG BANK"]
    assert "TONGBANG U'NHAENG" not in names  # the curly apostrophe is not folded by the parser
    assert ListName("長安海連技術有限公司", "aka") in by_id(un)["KPe.055"].names


def test_un_individual_record_in_full(un: ParsedList) -> None:
    assert by_id(un)["KPi.001"] == ListEntry(
        source="un",
        id="KPi.001",
        type=EntryType.INDIVIDUAL,
        names=(ListName("YUN HO-JIN"), ListName("Yun Ho-chin", "aka")),
        programs=("DPRK",),
        countries=("KP",),
        addresses=(Address("Pyongyang, Democratic People's Republic of Korea", city="Pyongyang", country="KP",
                           country_text="Democratic People's Republic of Korea"),),
        remarks="Director of Namchongang Trading Corporation; oversees the import of items needed for the "
                "uranium enrichment program.",
        dates=(("listed", "2009-07-16"), ("birth", "1944-10-13")),
    )


def test_un_dates_of_birth_in_their_three_forms(un: ParsedList) -> None:
    entries = by_id(un)
    assert entries["KPi.066"].dates == (("listed", "2017-12-22"), ("birth", "1967/1969"))  # BETWEEN
    assert ("birth", "1938") in entries["KPi.002"].dates  # YEAR only
    # an alias with its own date of birth adds it; LISTED_ON '2015-04-07-04:00' loses its offset
    assert entries["KPi.016"].dates == (("listed", "2016-03-02"), ("birth", "1957-04-15"), ("birth", "1958-02-22"))
    assert entries["QDi.352"].dates[0] == ("listed", "2015-04-07")


def test_un_documents_become_identifiers(un: ParsedList) -> None:
    entries = by_id(un)
    assert entries["KPi.017"].identifiers == (Identifier("passport", "563110024", "Passport", "KP"),)
    assert entries["KPi.008"].identifiers == (Identifier("passport", "645120196", "Numéro de passeport", "KP"),)
    assert Identifier("passport", "AB850901", "Passport", "TZ") in entries["CDi.040"].identifiers
    assert entries["CDi.019"].identifiers == (
        Identifier("national-id", "1-78-09-44621-80", "National Identification Number / FARDC ID"),
    )


def test_un_imo_and_swift_numbers_read_from_comments(un: ParsedList) -> None:
    entries = by_id(un)
    # 'International Maritime Organization (IMO) Number: 1790183' and 'Company Number IMO 5434358'
    assert entries["KPe.020"].identifiers == (Identifier("imo", "1790183", "IMO number (comments)"),)
    assert entries["KPe.066"].identifiers == (Identifier("imo", "5434358", "IMO number (comments)"),)
    assert sum(i.kind == "imo" for e in un.entries for i in e.identifiers) == 16
    assert entries["KPe.023"].identifiers == (Identifier("swift", "DCBKKPPY", "SWIFT (comments)"),)
    # ship owners and managers with company IMO numbers, not vessels
    assert entries["KPe.020"].type is EntryType.ENTITY


def test_un_warns_about_what_it_could_not_read(un: ParsedList) -> None:
    assert any("identity documents without a number skipped" in w for w in un.warnings)
    assert any("country texts not recognised" in w and "former Soviet Union" in w for w in un.warnings)


# ---------------------------------------------------------------- EU fixture


EU_EXPECTED = (
    ListEntry(
        source="eu", id="4821", type=EntryType.ENTITY,
        names=(
            ListName("Korea Mining Development Trading Corporation"),
            ListName("KOMID", "aka"),
            ListName("Changgwang Sinyong Corporation", "aka"),
            ListName("Société coréenne de commerce et de développement minier", "aka"),
        ),
        programs=("PRK",),
        countries=("KP",),
        addresses=(Address("Central District, Pyongyang, NORTH KOREA", city="Pyongyang", country="KP",
                           country_text="NORTH KOREA"),),
        remarks="EU reference EU.3475.43. UN reference KPe.001. Primary arms dealer and main exporter of goods "
                "and equipment related to ballistic missiles and conventional weapons.",
        dates=(("listed", "2009-04-24"),),
    ),
    ListEntry(
        source="eu", id="4830", type=EntryType.INDIVIDUAL,
        names=(ListName("Ri Je-son"), ListName("Ri Che-son", "aka"), ListName("Ri Je Son", "aka", WEAK),
               ListName("리제선", "aka")),
        programs=("PRK",),
        countries=("KP",),
        identifiers=(Identifier("passport", "745310010", "National passport", "KP"),),
        remarks="EU reference EU.3481.19. UN reference KPi.002.",
        dates=(("listed", "2009-07-16"), ("birth", "1938")),
    ),
    ListEntry(
        source="eu", id="4875", type=EntryType.ENTITY,
        names=(ListName("Ocean Maritime Management Company, Limited (OMM)"),
               ListName("Ocean Maritime Management Company", "aka")),
        programs=("PRK",),
        countries=("KP",),
        addresses=(Address("Donghung Dong, Central District, PO Box 120, Pyongyang, NORTH KOREA", city="Pyongyang",
                           country="KP", country_text="NORTH KOREA"),),
        identifiers=(Identifier("imo", "1790183", "IMO number"),),  # once, though the remark repeats it
        remarks="EU reference EU.3530.61. UN reference KPe.020. Operator/manager of the vessel Chong Chon Gang. "
                "International Maritime Organization (IMO) Number: 1790183.",
        dates=(("listed", "2014-07-28"),),
    ),
    ListEntry(
        source="eu", id="7390", type=EntryType.ENTITY,
        names=(ListName("NEW KONK"), ListName("SUN RISE", "aka", WEAK)),
        programs=("PRK",),
        identifiers=(Identifier("imo", "9036387", "Other identification number", "SL"),),
        remarks="EU reference EU.7214.88. Tanker. Conducted ship-to-ship transfers of refined petroleum with "
                "DPRK-flagged vessels. Flag: Sierra Leone.",
        dates=(("listed", "2024-05-28"),),  # no designationDate: the regulation's entry into force
    ),
    ListEntry(
        source="eu", id="6120", type=EntryType.ENTITY,
        names=(ListName("Joint Stock Company Severnaya Zvezda"),
               ListName("Акционерное общество Северная звезда", "aka")),
        programs=("UKR",),
        countries=("RU",),
        addresses=(Address("Tverskaya 12, 125009, Moscow, RUSSIAN FEDERATION", city="Moscow", country="RU",
                           country_text="RUSSIAN FEDERATION"),),
        identifiers=(Identifier("registration", "1027700132195", "Registration Number", "RU"),
                     Identifier("tax", "7710137066", "Fiscal Code", "RU")),
        remarks="EU reference EU.6591.44.",
        dates=(("listed", "2022-02-28"),),
    ),
)


def test_eu_fixture_parsed_exactly() -> None:
    path = FIXTURES / "eu" / "xmlFullSanctionsList_1_1.xml"
    parsed = eu_xml.parse(path)
    assert parsed.source == "eu"
    assert parsed.published == "2026-03-02"
    assert parsed.entries == EU_EXPECTED
    assert parsed.files == ((str(path), sha256(path)),)
    assert parsed.warnings == ()


def test_eu_folder_is_searched_for_the_export() -> None:
    assert eu_xml.parse(FIXTURES / "eu").entries == EU_EXPECTED


def test_eu_namespace_is_matched_by_local_name(tmp_path: Path) -> None:
    text = (FIXTURES / "eu" / "xmlFullSanctionsList_1_1.xml").read_text(encoding="utf-8")
    moved = tmp_path / "export.xml"
    moved.write_text(text.replace("http://eu.europa.ec/fpi/fsd/export", "http://example.org/fsd/v2"), encoding="utf-8")
    assert eu_xml.parse(moved).entries == EU_EXPECTED


# ---------------------------------------------------------------- UK fixture


UK_EXPECTED = (
    ListEntry(
        source="uk", id="11025", type=EntryType.ENTITY,
        names=(
            ListName("KOREA MINING DEVELOPMENT TRADING CORPORATION"),
            ListName("조선광업개발무역회사", "original-script"),
            ListName("CHANGGWANG SINYONG CORPORATION", "aka"),
            ListName("KOMID", "aka"),
            ListName("DPRKN MINING DEVELOPMENT TRADING COOPERATION", "aka"),  # Primary name variation
            ListName("KOMID TRADING", "aka", WEAK),  # Low quality
        ),
        programs=(DPRK_UK,),
        countries=("KP",),
        addresses=(Address("Central District, Pyongyang, North Korea", country="KP", country_text="North Korea"),),
        remarks="(UK Sanctions List Ref):DPR0001 (UN Ref):KPe.001 Primary arms dealer and main exporter of goods "
                "and equipment related to ballistic missiles and conventional weapons.",
        dates=(("listed", "2009-04-24"),),
    ),
    ListEntry(
        source="uk", id="11031", type=EntryType.INDIVIDUAL,
        names=(ListName("RI, Je-Son"), ListName("RI, Che-Son", "aka")),
        programs=(DPRK_UK,),
        countries=("KP",),
        remarks="(UK Sanctions List Ref):DPR0002 (UN Ref):KPi.002 (Gender):Male",
        dates=(("listed", "2009-07-16"), ("birth", "1938")),  # DOB 'dd/mm/1938'
    ),
    ListEntry(
        source="uk", id="13624", type=EntryType.VESSEL,
        names=(ListName("NEW KONK"), ListName("SUN RISE", "aka", WEAK)),
        programs=(DPRK_UK,),
        countries=("SL",),
        identifiers=(Identifier("imo", "9036387", "IMO number (Other Information)"),),
        remarks="(UK Sanctions List Ref):DPR0270 (IMO number):9036387 (Current believed flag of ship):Sierra Leone "
                "(Type of ship):Tanker",
        dates=(("listed", "2018-03-30"),),
    ),
    ListEntry(
        source="uk", id="14870", type=EntryType.INDIVIDUAL,
        names=(ListName("PETROV, Ivan Sergeyevich"), ListName("Иван Сергеевич Петров", "original-script"),
               ListName("PETROV, Ivan", "aka")),
        programs=("Russia",),
        countries=("RU", "BY"),  # '(1) Russia (2) Belarus'
        addresses=(Address("12 Tverskaya Street, Office 4, Moscow, 125009, Russia", country="RU",
                           country_text="Russia"),),
        identifiers=(Identifier("passport", "750123456", "Passport Number"),),
        remarks="(UK Sanctions List Ref):RUS9001 (Gender):Male",
        dates=(("listed", "2022-03-15"), ("birth", "1965-03-12")),
    ),
)


def test_uk_fixture_parsed_exactly() -> None:
    path = FIXTURES / "uk" / "ConList.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the fixture keeps Excel's UTF-8 BOM
    parsed = uk_csv.parse(path)
    assert parsed.source == "uk"
    assert parsed.published == "2026-02-27"
    assert parsed.entries == UK_EXPECTED
    assert parsed.files == ((str(path), sha256(path)),)
    assert parsed.warnings == ()


def test_uk_utf8_without_bom_reads_the_same(tmp_path: Path) -> None:
    plain = tmp_path / "ConList.csv"
    plain.write_bytes((FIXTURES / "uk" / "ConList.csv").read_bytes().removeprefix(b"\xef\xbb\xbf"))
    assert uk_csv.parse(tmp_path).entries == UK_EXPECTED  # a folder holding ConList.csv


def test_uk_cp1252_file_is_decoded() -> None:
    path = FIXTURES / "uk" / "ConList_cp1252.csv"
    assert b"\x92" in path.read_bytes()  # cp1252's right single quotation mark, invalid as UTF-8
    parsed = uk_csv.parse(path)
    entries = by_id(parsed)
    assert parsed.published == "2024-02-02"
    assert set(entries) == {"12703", "15501"}
    assert entries["12703"].remarks.endswith("used by the Taliban\u2019s leadership.")
    assert entries["12703"].names == (ListName("HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE"),
                                      ListName("HAJI KHAIRULLAH-HAJI SATTAR SARAFI", "aka"))
    assert entries["15501"].names == (ListName("HÉLÈNE TRADING SARL"),)
    assert entries["15501"].countries == ("CI",)  # 'Côte d’Ivoire'
    assert parsed.warnings == ("1 rows without a Group ID skipped",)


def test_uk_group_without_primary_row_uses_its_first_name(tmp_path: Path) -> None:
    lines = (FIXTURES / "uk" / "ConList.csv").read_text(encoding="utf-8-sig").splitlines()
    kept = [line for line in lines if "RI,Je-Son" not in line]  # drop the primary row of group 11031
    assert len(kept) == len(lines) - 1
    (tmp_path / "ConList.csv").write_text("\n".join(kept), encoding="utf-8")
    parsed = uk_csv.parse(tmp_path / "ConList.csv")
    assert by_id(parsed)["11031"].names == (ListName("RI, Che-Son"),)
    assert parsed.warnings == ("1 groups without a 'Primary name' row (their first name used): 11031",)


# ---------------------------------------------------------------- OpenSanctions fixture


OS_DATASETS_UN = "United Nations Security Council Consolidated List"
OS_DATASETS_OFAC = "US OFAC Specially Designated Nationals (SDN) List"
OS_EXPECTED = (
    ListEntry(
        source="opensanctions", id="NK-4kAXm2fS9ZcUJr7qPuq2Vb", type=EntryType.ENTITY,
        names=(ListName("Korea Mining Development Trading Corporation"), ListName("KOMID", "aka"),
               ListName("Changgwang Sinyong Corporation", "aka"), ListName("조선광업개발무역회사", "aka")),
        programs=("UN-SC1718", "EU-PRK", "OFAC-DPRK2"),
        countries=("KP",),
        addresses=(Address("Central District, Pyongyang, North Korea", country="KP"),),
        remarks="UN Security Council (KPe.001) - 2009-04-24; PRK - 2017/1509 (OJ L224) - 2017-09-02 "
                f"(datasets: {OS_DATASETS_UN}; EU Financial Sanctions Files (FSF))",
        dates=(("first-seen", "2021-09-01"),),
    ),
    ListEntry(
        source="opensanctions", id="NK-9dTqj4LzWw2bGmHh6sYcNe", type=EntryType.INDIVIDUAL,
        names=(ListName("Ri Je-son"), ListName("Ri Che-son", "aka"), ListName("리제선", "aka")),
        programs=("UN-SC1718",),
        countries=("KP",),
        identifiers=(Identifier("other", "745310010"),),
        remarks=f"UN Security Council (KPi.002) - 2009-07-16 (datasets: {OS_DATASETS_UN})",
        dates=(("birth", "1938"), ("first-seen", "2021-09-01")),
    ),
    ListEntry(
        source="opensanctions", id="NK-Hh3o5Gx8tKzRr8cT3q7Y2P", type=EntryType.VESSEL,
        names=(ListName("CHON MA SAN"), ListName("CHONMASAN", "aka")),
        programs=("UN-SC1718", "OFAC-DPRK3"),
        countries=("KP",),
        identifiers=(Identifier("imo", "8660313", "IMO"),),
        remarks="UN Security Council (vessel designation) - 2018-03-30 "
                f"(datasets: {OS_DATASETS_UN}; {OS_DATASETS_OFAC})",
        dates=(("first-seen", "2021-09-01"),),
    ),
    ListEntry(
        source="opensanctions", id="ofac-28301", type=EntryType.AIRCRAFT,
        names=(ListName("P-632"),),
        programs=("OFAC-DPRK3",),
        countries=("KP",),
        remarks=f"OFAC - DPRK3 (datasets: {OS_DATASETS_OFAC})",
        dates=(("first-seen", "2022-03-10"),),
    ),
    ListEntry(
        source="opensanctions", id="NK-Wq7pLr2VmB5xYc9DfTg3Ha", type=EntryType.ENTITY,  # schema Company
        names=(ListName("Dandong Hongxiang Industrial Development Co. Ltd."), ListName("DHID", "aka"),
               ListName("丹东鸿祥实业发展有限公司", "aka")),
        programs=("OFAC-NPWMD", "OFAC-DPRK3"),
        countries=("CN", "KP"),
        addresses=(Address("Dandong, Liaoning, China", country="CN"),),
        # seven digits without the 'IMO' prefix are not taken for an IMO number
        identifiers=(Identifier("other", "2106002012836"), Identifier("other", "9110236")),
        remarks=f"OFAC - NPWMD; OFAC - DPRK3 (datasets: {OS_DATASETS_OFAC})",
        dates=(("first-seen", "2021-09-01"),),
    ),
)


def test_opensanctions_fixture_parsed_exactly() -> None:
    path = FIXTURES / "opensanctions" / "targets.simple.csv"
    parsed = opensanctions_csv.parse(path)
    assert parsed.source == "opensanctions"
    assert parsed.published == "2026-01-15"  # the latest last_change, not the last row's
    assert parsed.entries == OS_EXPECTED
    assert parsed.files == ((str(path), sha256(path)),)
    assert parsed.warnings == ()
    assert opensanctions_csv.parse(FIXTURES / "opensanctions").entries == OS_EXPECTED


def test_opensanctions_rows_without_a_name_are_counted(tmp_path: Path) -> None:
    text = (FIXTURES / "opensanctions" / "targets.simple.csv").read_text(encoding="utf-8")
    path = tmp_path / "targets.simple.csv"
    path.write_text(text + "NK-empty,Person,,,,,,,,,,,,,,\n", encoding="utf-8")
    parsed = opensanctions_csv.parse(path)
    assert parsed.entries == OS_EXPECTED
    assert parsed.warnings == ("1 rows without an id or a name skipped",)


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("source, function", [
    ("un", un_xml.parse), ("eu", eu_xml.parse), ("uk", uk_csv.parse),
    ("opensanctions", opensanctions_csv.parse),
])
def test_registry_names_these_parsers(source: str, function: object) -> None:
    assert parser_for(source) is function


# ---------------------------------------------------------------- unsafe XML is refused


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
UN_BODY = "<CONSOLIDATED_LIST dateGenerated=\"2026-01-01\"><ENTITIES><ENTITY><FIRST_NAME>{name}</FIRST_NAME>" \
          "<REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER></ENTITY></ENTITIES></CONSOLIDATED_LIST>"
EU_BODY = "<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\" generationDate=\"2026-01-01\"><sanctionEntity " \
          "logicalId=\"1\"><subjectType code=\"enterprise\"/><nameAlias wholeName=\"{name}\" strong=\"true\"/>" \
          "</sanctionEntity></export>"
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
EXTERNAL_DTD = '<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://example.org/evil.dtd">\n'
XML_PARSERS = [pytest.param(un_xml.parse, UN_BODY, id="un"), pytest.param(eu_xml.parse, EU_BODY, id="eu")]


@pytest.mark.parametrize("parse, body", XML_PARSERS)
def test_safe_bodies_parse(tmp_path: Path, parse, body: str) -> None:
    path = tmp_path / "list.xml"
    path.write_text(body.format(name="ACME &amp; SONS"), encoding="utf-8")
    assert parse(path).entries[0].name == "ACME & SONS"  # the five predefined entities still work


@pytest.mark.parametrize("parse, body", XML_PARSERS)
@pytest.mark.parametrize("prolog, name", [
    (BILLION_LAUGHS, "&lol9;"), (XXE, "&xxe;"), (EXTERNAL_DTD, "x"),
], ids=["billion-laughs", "external-entity", "external-dtd"])
def test_dtd_and_entities_are_refused(tmp_path: Path, parse, body: str, prolog: str, name: str) -> None:
    path = tmp_path / "list.xml"
    path.write_text(prolog + body.format(name=name), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ") and "DTD or entities" in message
    assert "root:" not in message  # nothing of /etc/passwd leaks into the message


# ---------------------------------------------------------------- wrong files


def _one_line_error(parse, path: Path, *expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for text in expected:
        assert text in message


@needs_shared
def test_ofac_csv_given_as_un_or_eu_xml() -> None:
    _one_line_error(un_xml.parse, SDN_CSV, "not well-formed XML", "UN Security Council consolidated list XML")
    _one_line_error(eu_xml.parse, SDN_CSV, "not well-formed XML", "xmlFullSanctionsList_1_1")


@needs_shared
def test_ofac_csv_given_as_uk_or_opensanctions_csv() -> None:
    _one_line_error(uk_csv.parse, SDN_CSV, "no header row with Name 6, Group Type, Group ID", "ConList.csv")
    _one_line_error(opensanctions_csv.parse, SDN_CSV, "no id, schema, name column", "targets.simple.csv")


def test_eu_and_un_xml_swapped(tmp_path: Path) -> None:
    un_path = tmp_path / "consolidated.xml"
    un_path.write_text(UN_BODY.format(name="X"), encoding="utf-8")
    _one_line_error(eu_xml.parse, un_path, "root is <CONSOLIDATED_LIST>, not <export>")
    _one_line_error(un_xml.parse, FIXTURES / "eu" / "xmlFullSanctionsList_1_1.xml",
                    "root is <export>, not <CONSOLIDATED_LIST>")


@pytest.mark.parametrize("parse", [un_xml.parse, eu_xml.parse, uk_csv.parse, opensanctions_csv.parse])
def test_empty_missing_and_folder_without_the_file(tmp_path: Path, parse) -> None:
    empty = tmp_path / "empty.file"
    empty.write_bytes(b"")
    _one_line_error(parse, empty, "is empty; expected")
    _one_line_error(parse, tmp_path / "missing.file", "file not found")
    folder = tmp_path / "folder"
    folder.mkdir()
    _one_line_error(parse, folder, "is a folder without")


def test_list_roots_without_records_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_text('<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>')
    _one_line_error(un_xml.parse, path, "no INDIVIDUAL or ENTITY records")
    header = (FIXTURES / "opensanctions" / "targets.simple.csv").read_text(encoding="utf-8").splitlines()[0]
    os_path = tmp_path / "targets.simple.csv"
    os_path.write_text(header + "\n", encoding="utf-8")
    _one_line_error(opensanctions_csv.parse, os_path, "no rows with an id and a name")


def test_uk_utf16_file_is_refused_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_bytes((FIXTURES / "uk" / "ConList.csv").read_text(encoding="utf-8-sig").encode("utf-16"))
    _one_line_error(uk_csv.parse, path, "not a text CSV")
