"""Roster normalisers (screening/engine/values.py) and the cross-field / cross-row rule vocabulary:
one value written several ways is one value, placeholders never link, and broken conditions are refused
with the file, rule and field named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from screening.errors import RulePackError
from screening.engine.links import count_parties, groups
from screening.engine.values import (
    account_country,
    countries_in,
    date_readings,
    email_name,
    is_placeholder,
    name_key,
    name_similarity,
    normalise_account,
    normalise_address,
    normalise_document,
    normalise_email,
    normalise_phone,
)
from screening.rulepacks import load_pack
from tests.engine_support import run_pack, write_pack
from tests.test_rulepacks import _rule


@pytest.mark.parametrize("cell", ["", "  ", "N/A", "n.a.", "none", "-", "000000", "Same as home", "TBD", "нет", "없음"])
def test_placeholders(cell: str) -> None:
    assert is_placeholder(cell)
    assert normalise_account(cell) is None and normalise_document(cell) is None and normalise_phone(cell) is None


@pytest.mark.parametrize("cell", ["12 Oak St", "E1234567", "GB29 NWBK 6016 1331 9268 19", "Nashville"])
def test_values_are_not_placeholders(cell: str) -> None:
    assert not is_placeholder(cell)


def test_accounts_ignore_spacing_dashes_case_and_labels() -> None:
    key = "GB29NWBK60161331926819"
    for cell in ["GB29 NWBK 6016 1331 9268 19", "gb29-nwbk-6016-1331-9268-19", "IBAN: GB29NWBK60161331926819"]:
        assert normalise_account(cell) == key
    assert normalise_account("PayPal: J.Kim+pay@GMAIL.com") == "jkim@gmail.com"
    assert normalise_account("12345") is None  # too short to be an account


def test_account_country_from_iban_check_digits_and_bic() -> None:
    assert account_country("DE89 3704 0044 0532 0130 00")[0] == "DE"
    assert account_country("DE88 3704 0044 0532 0130 00") is None  # wrong check digits: not an IBAN
    assert account_country("SWIFT: BKCHCNBJ, 6217 0000 1234 5678")[0] == "CN"
    assert account_country("SABRRUMM")[0] == "RU"
    assert account_country("TRANSFER") is None  # an upper-case word is not a BIC unless labelled...
    assert account_country("6217000012345678") is None


@pytest.mark.parametrize(
    ("cell", "region"),
    [("+1 (415) 555-0132", None), ("415.555.0132", "US"), ("001 415 555 0132", None), ("+14155550132", None),
     ("(415) 555 0132", "US")],
)
def test_phones_are_one_e164_number(cell: str, region: str | None) -> None:
    assert normalise_phone(cell, region) == "+14155550132"


def test_phone_trunk_prefix() -> None:
    assert normalise_phone("+44 (0) 7700 900123") == normalise_phone("07700 900123", "GB") == "+447700900123"


def test_email_case_tags_and_gmail_dots() -> None:
    assert normalise_email("J.Kim.Dev+jobs@GMail.com") == normalise_email("jkimdev@googlemail.com") == "jkimdev@gmail.com"
    assert normalise_email("m.chen@example.com") != normalise_email("mchen@example.com")  # dots matter elsewhere
    assert normalise_email("no address here") is None


def test_addresses_ignore_abbreviations_case_and_a_trailing_country() -> None:
    a = normalise_address("1845 Industrial Parkway, Unit 12, Henderson, NV 89011, USA")
    assert a == normalise_address("1845 INDUSTRIAL PKWY., UNIT 12, HENDERSON, NV 89011") == "1845 industrial pkwy apt 12 henderson nv 89011"
    assert normalise_address("Berlin") is None  # a city is not an address


def test_documents() -> None:
    assert normalise_document("e 4417-2290") == normalise_document("E44172290") == "E44172290"


def test_countries_in_lists_and_addresses() -> None:
    assert countries_in("US, CN") == {"US", "CN"}
    assert countries_in("Japan; China; Laos") == {"JP", "CN", "LA"}
    assert countries_in("San Francisco, CA, USA") == {"US"}  # 'CA' here is California, not Canada
    assert countries_in("United States (VPN)") == {"US"}
    assert countries_in("") == frozenset()


def test_dates_keep_every_reading() -> None:
    assert date_readings("1990-03-14") == date_readings("14.03.1990") == date_readings("14 Mar 1990") == {dt.date(1990, 3, 14)}
    assert date_readings("03/04/1990") == {dt.date(1990, 4, 3), dt.date(1990, 3, 4)}
    assert date_readings("1990年3月14日") == {dt.date(1990, 3, 14)}
    assert date_readings("not a date") == frozenset()


def test_names() -> None:
    assert name_key("KIM, Jong-un") == name_key("Jong Un Kim") == name_key("김정은")
    assert name_key("María García") == name_key("GARCIA, Maria")
    assert name_similarity("Jong Kim LLC", "Jong Kim")[0] == 100
    assert name_similarity("Oliver Y. Roberts", "Oliver Roberts")[0] == 100
    score, how = name_similarity("Chen Hao", "John Miller")
    assert score < 50 and "chen hao ~ john miller" in how
    assert email_name("jon.smyth88@example.com") == "jon smyth" and email_name("jsmith@example.com") is None


def test_groups_hold_only_repeated_values() -> None:
    keys = np.array(["a", None, "b", "a", "c", "b", "a", None], dtype=object)
    found = groups(keys)
    assert {k: list(v) for k, v in found.items()} == {"a": [0, 3, 6], "b": [2, 5]}


def test_parties_merge_one_person_and_one_agency() -> None:
    names = np.array(["KIM, Jong", "Jong Kim", "Ann Lee", "Bob Roe", "Cy Doe"], dtype=object)
    agency = np.array(["", "", "", "acme staffing", "acme staffing"], dtype=object)
    assert count_parties(np.array([0, 1]), names, []) == 1
    assert count_parties(np.array([0, 1, 2]), names, []) == 2
    assert count_parties(np.array([3, 4]), names, [agency]) == 1
    assert count_parties(np.array([2, 3, 4]), names, [agency]) == 2


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("{shared: {field: phone, normalise: fax}}", "rule R-2: when.shared.normalise: must be one of 'account'"),
        ("{shared: {field: phone, normalise: phone, min_names: 1}}", "rule R-2: when.shared.min_names: Input should be greater than or equal to 2"),
        ("{shared: {field: fone, normalise: phone}}", "rule R-2: when.shared.field: must be one of 'name'"),
        ("{shared: {field: phone, normalise: phone, same_party: [agency]}}", "rule R-2: when.shared.same_party[0]"),
        ("{same_name: {differs: name, normalise: text}}", "rule R-2: when.same_name: 'name' is the name field itself"),
        ("{names_differ: {field: payment_holder, below: 50, at_least: 60}}", "at_least (60) must be below below (50)"),
        ("{names_differ: {field: name, below: 50}}", "field 'name' is compared with itself"),
        ("{countries_differ: {field: login_countries, against: [login_countries]}}", "compared with itself"),
        ("{countries_differ: {field: login_countries, against: [country], in: [XX]}}", "'XX' is not an ISO 3166 alpha-2"),
        ("{account_country: {in: [CN], fields: [iban]}}", "when.account_country.fields[0]: must be one of"),
        ("{values_differ: {field: shipping_address, against: address}}", "when.values_differ.normalise: Field required"),
    ],
)
def test_broken_roster_conditions_name_file_rule_and_field(tmp_path: Path, when: str, expected: str) -> None:
    path = write_pack(tmp_path, _rule(when))
    with pytest.raises(RulePackError) as error:
        load_pack(path)
    message = str(error.value)
    assert message.startswith(str(path)) and expected in message, message


def test_shared_inside_all_keeps_its_link(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, _rule(
        "{all: [{shared: {field: payment_account, normalise: account}}, {country: {in: [CN], fields: [payment_country]}}]}"
    )))
    rows = [
        {"name": "Ann Lee", "payment_account": "DE89 3704 0044 0532 0130 00", "payment_country": "China"},
        {"name": "Bob Roe", "payment_account": "de89370400440532013000", "payment_country": "CN"},
    ]
    results = run_pack(pack, rows)
    for _, _, hits in results:
        hit = next(h for h in hits if h.rule == "R-2")
        assert hit.evidence.key == "DE89370400440532013000" and hit.evidence.linked == (0, 1)
        assert hit.evidence.field == "payment_account + payment_country"


def test_a_big_group_names_25_rows_in_each_cell_and_all_in_the_link(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, _rule("{shared: {field: phone, normalise: phone}}")))
    rows = [{"name": f"Worker {chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{i}", "phone": "+1 212 555 0100"} for i in range(600)]
    results = run_pack(pack, rows)
    hits = [next(h for h in hits if h.rule == "R-2") for _, _, hits in results]
    assert "and 574 more rows (see Links)" in hits[0].evidence.matched
    assert hits[0].evidence.matched.count("/ row ") == 25
    assert len(hits[0].evidence.linked) == 600 and hits[0].evidence.linked is hits[-1].evidence.linked


def test_same_name_with_many_particulars(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, _rule("{same_name: {differs: date_of_birth, normalise: date}}")))
    rows = [{"name": "John Smith", "date_of_birth": f"19{50 + i // 12}-{i % 12 + 1:02d}-15"} for i in range(240)]
    rows.append({"name": "Jane Doe", "date_of_birth": "1990-01-01"})
    results = run_pack(pack, rows)
    assert all("R-2" in [h.rule for h in hits] for _, _, hits in results[:-1])
    assert "R-2" not in [h.rule for h in results[-1][2]]
