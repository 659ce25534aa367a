"""OFAC parsers: the legacy CSV files (SDN and Consolidated) and the sdn.xml format.

The real files are read in place from ../shared/data (see SOURCES.md there, sections 1a-1c); each is
parsed once per module. The small fixtures under tests/data/lists/ofac are ours: sdn_sample.xml and
its CSV twin sdn_sample/ hold the same seven entries, so both formats must give the same entries.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from screening.errors import InputError
from screening.lists import EntryType, Identifier, ListName, Strength, parser_for
from screening.lists.ofac_csv import ofac_date, parse_consolidated, parse_sdn, remark_facts
from screening.lists.ofac_xml import parse as parse_xml

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "data" / "lists" / "ofac"
SAMPLE_XML = FIXTURES / "sdn_sample.xml"
SAMPLE_CSV = FIXTURES / "sdn_sample"
OFFICIAL_NS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML"


def _real(folder: str) -> Path:
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent (the shared test data lives beside the repository)")
    return DATA / folder


@pytest.fixture(scope="module")
def latest():
    return parse_sdn(_real("ofac_sdn_latest"))


@pytest.fixture(scope="module")
def old():
    return parse_sdn(_real("ofac_sdn_2022-01-31"))


@pytest.fixture(scope="module")
def cons():
    return parse_consolidated(_real("ofac_consolidated_nonsdn"))


def by_id(parsed):
    return {e.id: e for e in parsed.entries}


def dprk(parsed):
    return [e for e in parsed.entries if any(p.startswith("DPRK") for p in e.programs)]


def names(entry, strength=None):
    return [n.name for n in entry.names if strength is None or n.strength is strength]


def one_line_error(call, *args) -> str:
    with pytest.raises(InputError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message
    return message


# ---------------------------------------------------------------- real files: counts and shape


def test_every_row_of_the_primary_files_becomes_one_entry_in_file_order(latest, old, cons):
    assert len(latest.entries) == 15_443
    assert len(old.entries) == 9_044  # ent_num 2677 is on two rows there; both kept
    assert len(cons.entries) == 442
    assert [e.id for e in latest.entries[:3]] == ["36", "173", "306"]
    assert latest.entries[-1].id == "49711"  # the 0x1A line after it is no entry
    assert all(e.id.isdigit() for p in (latest, old, cons) for e in p.entries)
    assert {e.source for e in latest.entries} == {"ofac-sdn"} and latest.source == "ofac-sdn"
    assert {e.source for e in cons.entries} == {"ofac-cons"} and cons.source == "ofac-cons"
    assert latest.published is None  # the legacy CSV has no date; the store records the import time


def test_dprk_program_entries_have_names_and_their_program_tags(latest, old, cons):
    assert len(dprk(latest)) == 489
    assert len(dprk(old)) == 423
    assert dprk(cons) == []
    by_type = {t: sum(e.type is t for e in dprk(latest)) for t in EntryType}
    assert by_type == {EntryType.ENTITY: 202, EntryType.INDIVIDUAL: 166, EntryType.VESSEL: 105,
                       EntryType.AIRCRAFT: 16}
    for entry in dprk(latest) + dprk(old):
        assert entry.names and entry.names[0].kind == "primary" and entry.name
        assert all("[" not in p and "]" not in p and p == p.strip() for p in entry.programs)
    tags = {p for e in dprk(latest) for p in e.programs if p.startswith("DPRK")}
    assert tags == {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}


def test_programs_are_split_on_the_bracket_separator(latest, cons):
    assert by_id(latest)["9345"].programs == ("NPWMD", "DPRK2")
    assert by_id(cons)["17016"].programs == ("UKRAINE-EO13662", "RUSSIA-EO14024")


def test_a_dprk_entity_has_its_aliases_addresses_and_kp(latest):
    bank = by_id(latest)["12696"]
    assert bank.name == "BANK OF EAST LAND"
    assert bank.programs == ("DPRK",)
    assert names(bank)[1:] == ["TONGBANG U'NHAENG", "TONGBANG BANK", "DONGBANG BANK"]
    assert all(n.kind == "aka" and n.strength is Strength.STRONG for n in bank.names[1:])
    (address,) = bank.addresses
    assert address.text == "PO Box 32, BEL Building, Jonseung-Dong, Moranbong District, Pyongyang, Korea, North"
    assert (address.city, address.country, address.country_text) == ("Pyongyang", "KP", "Korea, North")
    assert bank.countries == ("KP",)
    assert bank.identifiers == (Identifier("swift", "BOELKPPY", "SWIFT/BIC"),)

    ryonbong = by_id(latest)["9347"]
    assert ryonbong.names[1:] == (ListName("KOREA YONBONG GENERAL CORPORATION", "aka"),
                                  ListName("LYONGAKSAN GENERAL TRADING CORPORATION", "fka"))


def test_weak_aliases_come_from_the_remarks(latest, old):
    assert by_id(latest)["306"].names == (
        ListName("BANCO NACIONAL DE CUBA"), ListName("NATIONAL BANK OF CUBA", "aka"),
        ListName("BNC", "aka", Strength.WEAK))
    komid = by_id(latest)["9345"]
    assert names(komid, Strength.WEAK) == ["KOMID"]
    assert komid.names[-1] == ListName("KOMID", "aka", Strength.WEAK)  # after every strong alias
    assert by_id(old)["9345"].names[-1] == ListName("KOMID", "aka", Strength.WEAK)  # minimal quoting too
    # f.k.a. stays a former name; apostrophes inside the quoted name do not end it
    assert ListName("KYONGYONG CREDIT BANK", "fka", Strength.WEAK) in by_id(latest)["22985"].names
    assert names(by_id(latest)["10656"], Strength.WEAK) == ["DURA, Abu", "DIRI, Abu", "DAR'A, Abu", "HAYDAR, Abu"]
    weak = sum(n.strength is Strength.WEAK for e in latest.entries for n in e.names)
    assert 3_700 < weak < 4_000  # about 3,800 a.k.a./f.k.a. 'NAME' in the remarks


def test_remarks_cut_at_1000_characters_continue_from_the_comments_file(latest, cons):
    lazarus = by_id(latest)["27307"]  # its weak alias 'WHOIS HACKING TEAM' is split across the two files
    assert "WHOIS HACKING TEAM" in names(lazarus, Strength.WEAK)
    assert names(lazarus, Strength.WEAK)[-1] == "APPLEWORM"
    assert len(lazarus.remarks) > 1000
    gazprom = by_id(cons)["17016"]  # the tax number is only in cons_comments.csv
    assert "'Effective Date (EO 14024 Directive)' associated" in gazprom.remarks
    assert Identifier("tax", "7744001497", "Tax ID No.", "RU") in gazprom.identifiers
    padded = by_id(cons)["17250"]  # the cut fell after a space: 'Number 1027700070518 ' + '(Russia); ...'
    assert "Registration Number 1027700070518 (Russia); For more information" in padded.remarks


def test_comments_of_another_date_are_not_glued_onto_complete_remarks(latest):
    # sdn.csv is from 2024, sdn_comments.csv from 2025: 22985's remarks were not cut, its comment row
    # continues a longer 2025 text.
    assert by_id(latest)["22985"].remarks.endswith("f.k.a. 'KYONGYONG CREDIT BANK'.")
    assert any(w.startswith("5 sdn_comments.csv rows continue remarks that are not cut at 1000")
               for w in latest.warnings)


def test_identifiers_are_taken_from_the_remarks(latest):
    entries = by_id(latest)
    assert entries["17069"].identifiers == (Identifier("imo", "7937317", "Vessel Registration Identification"),)
    assert Identifier("passport", "745120209", "Passport", "KP") in entries["23478"].identifiers
    artavil = entries["15036"]
    assert Identifier("mmsi", "572469210", "MMSI") in artavil.identifiers
    assert Identifier("other", "T2EU4", "Call Sign") in artavil.identifiers
    dprk_imos = {i.value for e in dprk(latest) if e.type is EntryType.VESSEL for i in e.identifiers
                 if i.kind == "imo"}
    assert len(dprk_imos) >= 100 and all(len(v) == 7 and v.isdigit() for v in dprk_imos)
    kinds = {i.kind for e in latest.entries for i in e.identifiers}
    assert kinds == {"imo", "mmsi", "registration", "tax", "passport", "national-id", "swift", "other"}


def test_kp_comes_from_nationality_flag_and_address(latest):
    entries = by_id(latest)
    assert entries["17614"].countries == ("KP",)  # 'nationality Korea, North' in the remarks
    assert entries["17069"].countries == ("KP",)  # Vess_flag "Democratic People's Republic of Korea"
    assert entries["9345"].countries[0] == "KP"  # add.csv 'Korea, North' before Beijing, Moscow...
    assert entries["23478"].countries == ("KP", "GE")  # nationality, then the address in Abkhazia
    with_kp = sum("KP" in e.countries for e in dprk(latest))
    assert 250 < with_kp < 489  # most, not all: some DPRK vessels fly other flags


def test_dates_of_birth_and_establishment(latest, cons):
    assert by_id(latest)["17614"].dates == (("birth", "1962-02-18"),)
    assert by_id(cons)["9639"].dates == (("birth", "1962"),)
    assert ("established", "2022-10-25") in latest.entries[-1].dates


def test_orphan_rows_are_counted_and_skipped(latest, old):
    assert ("2108 alias rows, 4286 address rows and 5 comment rows name no entry in sdn.csv (orphans); skipped"
            in latest.warnings)
    assert "1 address row name no entry in sdn.csv (orphans); skipped" in old.warnings
    assert len({e.id for e in latest.entries}) == len(latest.entries)


def test_re_saved_files_with_minimal_quoting_and_a_repeated_ent_num(old):
    entries = old.entries
    assert (entries[0].id, entries[0].name, entries[0].programs) == ("36", "AEROCARIBBEAN AIRLINES", ("CUBA",))
    assert entries[1].name == "ANGLO-CARIBBEAN CO., LTD."
    repeated = [e for e in entries if e.id == "2677"]
    assert [e.name for e in repeated] == ["AL-ZOMOR, Abboud Abdul Latif Hassan", "HAMER AND NAIL CONSTRUCTION LIMITED"]
    assert "ZUMAR, Abbud" in names(repeated[0]) and len(repeated[1].names) == 1
    assert any(w.startswith("ent_num repeated in sdn.csv: 2677;") for w in old.warnings)


def test_a_folder_and_its_primary_file_give_the_same_list(cons):
    folder = _real("ofac_consolidated_nonsdn")
    assert parse_consolidated(folder / "cons_prim.csv") == cons
    assert parse_sdn(SAMPLE_CSV) == parse_sdn(SAMPLE_CSV / "sdn.csv")


def test_every_file_read_is_listed_with_its_sha256(latest, old):
    folder = _real("ofac_sdn_latest")
    expected = [(str(folder / n), hashlib.sha256((folder / n).read_bytes()).hexdigest())
                for n in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")]
    assert list(latest.files) == expected
    assert [Path(p).name for p, _ in old.files] == ["sdn.csv", "alt.csv", "add.csv"]  # no comments file there


def test_the_registry_names_these_parsers():
    assert parser_for("ofac-sdn") is parse_sdn
    assert parser_for("ofac-cons") is parse_consolidated
    assert parser_for("ofac-xml") is parse_xml


# ---------------------------------------------------------------- CSV robustness (small files)


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def test_lf_files_with_unpadded_nulls_and_no_eof_byte(tmp_path):
    write(tmp_path, "sdn.csv", b'7,"KIM, Il",individual,DPRK,-0-,-0-,-0-,-0-,-0-,-0-,-0-,DOB 1962.\n'
                               b"8,ACME,-0-,SDGT,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n")
    write(tmp_path, "alt.csv", b"8,1,fka,ACME OLD,-0-\n")
    parsed = parse_sdn(tmp_path)
    kim, acme = parsed.entries
    assert (kim.name, kim.type, kim.dates, kim.remarks) == ("KIM, Il", EntryType.INDIVIDUAL, (("birth", "1962"),),
                                                           "DOB 1962.")
    assert (acme.type, acme.remarks, acme.names[1]) == (EntryType.ENTITY, "", ListName("ACME OLD", "fka"))
    assert "add.csv not found beside sdn.csv; addresses not read" in parsed.warnings


def test_a_few_broken_rows_are_skipped_with_a_warning(tmp_path):
    good = b'%d,"NAME %d",-0- ,"DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    write(tmp_path, "sdn.csv", b"".join(good % (i, i) for i in range(1, 6)) + b"9,BROKEN\r\n\x1a")
    parsed = parse_sdn(tmp_path / "sdn.csv")
    assert [e.id for e in parsed.entries] == ["1", "2", "3", "4", "5"]
    assert "sdn.csv: 1 rows without 12 columns and an entry number skipped" in parsed.warnings


def test_stray_windows_1252_bytes_are_read(tmp_path):
    write(tmp_path, "sdn.csv", b'1,"CAF\xc9 \x93NORTE\x94",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    parsed = parse_sdn(tmp_path)
    assert parsed.entries[0].name == "CAF\u00c9 \u201cNORTE\u201d"
    assert "sdn.csv: not UTF-8; read as Windows-1252" in parsed.warnings


def test_the_csv_sample_reads_cleanly():
    assert (SAMPLE_CSV / "sdn.csv").read_bytes().endswith(b'."\r\n\x1a')  # official CRLF and EOF byte
    parsed = parse_sdn(SAMPLE_CSV)
    assert parsed.warnings == ()
    assert [e.id for e in parsed.entries] == ["306", "9345", "23478", "12696", "17069", "20540", "15036"]


@pytest.mark.parametrize("content", [b"", b"\x1a", b"\r\n\r\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = write(tmp_path, "sdn.csv", content)
    assert one_line_error(parse_sdn, path).startswith(f"{path}: is empty; download it from https://")


def test_a_wrong_file_is_refused_naming_the_expected_layout(tmp_path):
    un = _real("un_consolidated") / "consolidated.xml"
    path = write(tmp_path, "sdn.csv", un.read_bytes())
    message = one_line_error(parse_sdn, path)
    assert message.startswith(f"{path}: is not an OFAC sdn.csv (expected 12 columns, found 1); download it from")
    assert "https://www.treasury.gov/ofac/downloads/sdn.csv" in message

    alt = write(tmp_path / "alt", "sdn.csv", (SAMPLE_CSV / "alt.csv").read_bytes())
    assert "(expected 12 columns, found 5)" in one_line_error(parse_sdn, alt)
    header = write(tmp_path / "header", "sdn.csv", b"Name,Type,Program,a,b,c,d,e,f,g,h,i\r\nx,y,z,a,b,c,d,e,f,g,h,i\r\n")
    assert "(expected an entry number in the first column)" in one_line_error(parse_sdn, header)


def test_a_bad_side_file_is_refused_too(tmp_path):
    write(tmp_path, "sdn.csv", (SAMPLE_CSV / "sdn.csv").read_bytes())
    write(tmp_path, "add.csv", b"1,2,3\r\n4,5,6\r\n")
    assert "add.csv: is not an OFAC add.csv (expected 6 columns, found 3)" in one_line_error(parse_sdn, tmp_path)


def test_missing_files_and_the_other_lists_file_are_refused(tmp_path):
    assert one_line_error(parse_sdn, tmp_path / "sdn.csv").startswith(f"{tmp_path / 'sdn.csv'}: file not found;")
    assert one_line_error(parse_sdn, tmp_path).startswith(f"{tmp_path}: is a folder without sdn.csv;")
    cons_prim = write(tmp_path, "cons_prim.csv", (SAMPLE_CSV / "sdn.csv").read_bytes())
    assert "import it with --source ofac-cons" in one_line_error(parse_sdn, cons_prim)
    assert len(parse_consolidated(cons_prim).entries) == 7


def test_remark_facts_reads_each_item_kind():
    facts = remark_facts(
        "DOB 01 Jan 1962 to 31 Dec 1963; alt. DOB circa 1951; nationality Korea, North; alt. citizen China; "
        "Passport 654310175 (Korea, North) issued 2010 expires 2015; alt. Passport PS654320308; "
        "Tax ID No. AABA 670850 Y; Registration ID 14063277; Company Number IMO 5342883; "
        "C.U.R.P. # HESU430525HBCRMR05 (Mexico); Website http://example.org; "
        "Organization Established Date 25 Oct 2022; a.k.a. 'ABU 'ABDALLAH'; n.k.a. 'NEW NAME'."
    )
    assert facts.names == (ListName("ABU 'ABDALLAH", "aka", Strength.WEAK), ListName("NEW NAME", "nka", Strength.WEAK))
    assert facts.countries == ("KP", "CN")
    assert facts.dates == (("birth", "1962-01-01/1963-12-31"), ("birth", "circa 1951"), ("established", "2022-10-25"))
    assert facts.identifiers == (
        Identifier("passport", "654310175", "Passport", "KP"),
        Identifier("passport", "PS654320308", "Passport"),
        Identifier("tax", "AABA 670850 Y", "Tax ID No."),
        Identifier("registration", "14063277", "Registration ID"),
        Identifier("imo", "5342883", "Company Number"),
        Identifier("national-id", "HESU430525HBCRMR05", "C.U.R.P.", "MX"),
    )


@pytest.mark.parametrize("text, iso", [("10 Dec 1948", "1948-12-10"), ("Dec 1948", "1948-12"), ("1962", "1962"),
                                       ("1962 to 1963", "1962/1963"), ("circa 1951", "circa 1951"),
                                       ("31 Feb 1950", "31 Feb 1950")])
def test_ofac_dates_become_iso_when_they_are_dates(text, iso):
    assert ofac_date(text) == iso


# ---------------------------------------------------------------- sdn.xml


@pytest.fixture(scope="module")
def xml():
    return parse_xml(SAMPLE_XML)


def test_the_xml_sample_parses_with_its_publish_date(xml):
    assert xml.source == "ofac-xml" and xml.published == "2024-07-02" and xml.warnings == ()
    assert {e.source for e in xml.entries} == {"ofac-sdn"}
    assert [(e.id, e.type) for e in xml.entries] == [
        ("306", EntryType.ENTITY), ("9345", EntryType.ENTITY), ("23478", EntryType.INDIVIDUAL),
        ("12696", EntryType.ENTITY), ("17069", EntryType.VESSEL), ("20540", EntryType.AIRCRAFT),
        ("15036", EntryType.VESSEL)]
    assert xml.files == ((str(SAMPLE_XML), hashlib.sha256(SAMPLE_XML.read_bytes()).hexdigest()),)


def test_xml_entries_read_names_akas_ids_and_places(xml):
    komid, pak, artavil = (by_id(xml)[i] for i in ("9345", "23478", "15036"))
    assert komid.names[-1] == ListName("KOMID", "aka", Strength.WEAK)  # weak akas after strong ones
    assert komid.programs == ("NPWMD", "DPRK2") and komid.identifiers == ()  # sanctions notes are no ids
    assert komid.addresses[0].text == "Central District, Pyongyang, Korea, North"
    assert pak.names == (ListName("PAK, Tong Sok"), ListName("PAK, Tong-So'k", "aka"))  # 'LAST, First' as the CSV
    assert pak.identifiers == (Identifier("passport", "745120209", "Passport", "KP"),)
    assert (pak.countries, pak.dates) == (("KP",), (("birth", "1965-04-15"),))
    assert by_id(xml)["17069"].countries == ("KP",)
    assert ListName("ALPHA", "fka", Strength.WEAK) in artavil.names
    assert [i.kind for i in artavil.identifiers] == ["imo", "mmsi", "other"]  # not the former flag
    assert artavil.countries == ("IR",)


def test_xml_and_csv_give_the_same_entries(xml):
    csv_entries = parse_sdn(SAMPLE_CSV).entries
    assert len(csv_entries) == len(xml.entries)
    for a, b in zip(xml.entries, csv_entries, strict=True):
        assert (a.id, a.type, a.names, a.programs, a.addresses) == (b.id, b.type, b.names, b.programs, b.addresses)
        assert set(a.identifiers) == set(b.identifiers), a.id
        assert set(a.countries) == set(b.countries), a.id
        assert set(a.dates) == set(b.dates), a.id


@pytest.mark.parametrize("namespace", ["http://tempuri.org/sdnList.xsd", ""])
def test_any_namespace_is_read(tmp_path, xml, namespace):
    text = SAMPLE_XML.read_text(encoding="utf-8").replace(f'xmlns="{OFFICIAL_NS}"', f'xmlns="{namespace}"'
                                                          if namespace else "")
    path = write(tmp_path, "sdn.xml", text.encode())
    assert parse_xml(path).entries == xml.entries
    assert parse_xml(tmp_path).entries == xml.entries  # the folder holding sdn.xml


def test_consolidated_xml_entries_belong_to_the_consolidated_list(tmp_path):
    path = write(tmp_path, "consolidated.xml", SAMPLE_XML.read_bytes())
    assert {e.source for e in parse_xml(path).entries} == {"ofac-cons"}


def test_a_short_xml_file_is_reported_against_its_record_count(tmp_path):
    text = SAMPLE_XML.read_text(encoding="utf-8").replace("<Record_Count>7<", "<Record_Count>9<")
    parsed = parse_xml(write(tmp_path, "sdn.xml", text.encode()))
    expected = "sdn.xml says Record_Count 9 but holds 7 entries; download it again if it was cut short"
    assert parsed.warnings == (expected,)


@pytest.mark.parametrize("attack", ["billion_laughs.xml", "xxe.xml"])
def test_dtds_and_entities_are_refused(attack):
    message = one_line_error(parse_xml, FIXTURES / attack)
    assert message.startswith(f"{FIXTURES / attack}: the XML declares a DTD or entities, refused for safety")


def test_wrong_or_broken_xml_is_refused(tmp_path):
    un = _real("un_consolidated") / "consolidated.xml"
    assert "the XML root is <CONSOLIDATED_LIST>, not <sdnList>" in one_line_error(parse_xml, un)
    cut = write(tmp_path, "cut.xml", SAMPLE_XML.read_bytes()[:3000])
    assert "is not well-formed XML (line" in one_line_error(parse_xml, cut)
    assert ": is empty;" in one_line_error(parse_xml, write(tmp_path, "empty.xml", b""))
    no_entries = write(tmp_path, "none.xml", f'<sdnList xmlns="{OFFICIAL_NS}"/>'.encode())
    assert "has no <sdnEntry> with a uid" in one_line_error(parse_xml, no_entries)
    (tmp_path / "folder").mkdir()
    assert "is a folder without sdn.xml or consolidated.xml" in one_line_error(parse_xml, tmp_path / "folder")


def test_no_identifier_label_is_mistaken_for_a_sanctions_note():
    from screening.lists.ofac_csv import ID_KINDS
    from screening.lists.ofac_xml import _NOT_IDENTIFIERS

    assert [label for label in ID_KINDS if _NOT_IDENTIFIERS.search(label)] == []
    assert all(_NOT_IDENTIFIERS.search(t) for t in ("Gender", "Secondary sanctions risk:", "Former Vessel Flag",
                                                    "Additional Sanctions Information -", "Website", "Target Type"))
