"""Header synonyms (headers.yaml), column assignment and header-row detection."""

from __future__ import annotations

import re

import pytest

from screening.fields import FIELDS
from screening.intake.headers import (
    assign_fields,
    find_header,
    likely_header,
    parse_vocabulary,
    vocabulary,
)
from screening.text import simplify


def field_of(header: str) -> str | None:
    match = vocabulary().match(header)
    return match.field if match else None


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # name, in the languages suppliers use
        ("Supplier Name", "name"), ("Supplier", "name"), ("Vendor", "name"), ("Vendor Name", "name"),
        ("Company", "name"), ("Company Name", "name"), ("Legal Name", "name"), ("Employer", "name"),
        ("Contractor", "name"), ("Freelancer", "name"), ("Manufacturer", "name"), ("Factory", "name"),
        ("Business Name", "name"), ("Entity", "name"), ("供应商名称", "name"), ("供应商", "name"),
        ("公司名称", "name"), ("企业名称", "name"), ("厂商", "name"), ("供應商名稱", "name"),
        ("Поставщик", "name"), ("Наименование", "name"), ("Название компании", "name"),
        ("Организация", "name"), ("공급업체", "name"), ("업체명", "name"), ("회사명", "name"),
        ("상호", "name"), ("仕入先名", "name"), ("Dostawca", "name"), ("Nazwa firmy", "name"),
        ("Lieferant", "name"), ("Firma", "name"), ("Fournisseur", "name"), ("Raison sociale", "name"),
        ("Proveedor", "name"), ("Nhà cung cấp", "name"),
        # country
        ("Country", "country"), ("Country of Origin", "country"), ("Country/Region", "country"),
        ("Nation", "country"), ("国家", "country"), ("国家/地区", "country"), ("國家", "country"),
        ("Страна", "country"), ("국가", "country"), ("Kraj", "country"), ("Land", "country"),
        ("Pays", "country"), ("País", "country"), ("Quốc gia", "country"),
        # sector and codes
        ("Industry", "sector"), ("Sector", "sector"), ("Business Description", "sector"),
        ("Products", "sector"), ("Main Products", "sector"), ("Activity", "sector"),
        ("Line of Business", "sector"), ("行业", "sector"), ("主营业务", "sector"), ("经营范围", "sector"),
        ("Отрасль", "sector"), ("Вид деятельности", "sector"), ("업종", "sector"), ("Branża", "sector"),
        ("NAICS", "industry_code"), ("NAICS Code", "industry_code"), ("ISIC", "industry_code"),
        ("NACE", "industry_code"), ("SIC", "industry_code"), ("Industry Code", "industry_code"),
        ("OKVED", "industry_code"), ("ОКВЭД", "industry_code"), ("行业代码", "industry_code"),
        # identifiers and contact
        ("Registration No", "registration_id"), ("Tax ID", "registration_id"), ("VAT", "registration_id"),
        ("USCC", "registration_id"), ("统一社会信用代码", "registration_id"), ("ИНН", "registration_id"),
        ("ОГРН", "registration_id"), ("사업자등록번호", "registration_id"), ("IMO", "registration_id"),
        ("City", "city"), ("城市", "city"), ("Город", "city"), ("Address", "address"), ("地址", "address"),
        ("Website", "website"), ("Email", "email"), ("E-mail", "email"), ("Notes", "notes"), ("备注", "notes"),
        ("Parent Company", "parent"), ("Group", "parent"), ("母公司", "parent"),
        ("Workforce", "workforce"), ("Worker Nationality", "workforce"), ("Labour Source", "workforce"),
        ("Employees Origin", "workforce"), ("工人国籍", "workforce"),
        ("Contact Person", "contact_person"), ("联系人", "contact_person"),
        # rosters
        ("Nationality", "nationality"), ("国籍", "nationality"), ("Declared Location", "declared_location"),
        ("Login Countries", "login_countries"), ("IP Countries", "login_countries"),
        ("IBAN", "payment_account"), ("Bank Account", "payment_account"), ("Wallet", "payment_account"),
        ("PayPal", "payment_account"), ("Account Holder", "payment_holder"), ("Beneficiary", "payment_holder"),
        ("Payment Country", "payment_country"), ("Payment Method", "payment_method"),
        ("Laptop Shipping Address", "shipping_address"), ("Equipment Delivery Address", "shipping_address"),
        ("Phone", "phone"), ("Date of Birth", "date_of_birth"), ("Passport No", "id_document"),
        ("ID Number", "id_document"),
    ],
)
def test_synonyms(header: str, field: str) -> None:
    assert field_of(header) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("SUPPLIER-NAME", "name"),  # case and punctuation
        ("supplier_name", "name"),
        ("  Raison  Sociale : ", "name"),
        ("Ｓｕｐｐｌｉｅｒ　Ｎａｍｅ", "name"),  # full-width, as typed with a CJK input method
        ("Societe", "name"),  # accents
        ("Registration No.", "registration_id"),
    ],
)
def test_comparison_ignores_case_accents_width_and_punctuation(header: str, field: str) -> None:
    assert field_of(header) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Country of Payment", "payment_country"),  # longest synonym wins over 'Country'
        ("Supplier Name (English)", "name"),
        ("供应商名称 Supplier name", "name"),  # bilingual headers
        ("国家/地区 Country/Region", "country"),
        ("Supplier Country", "country"),  # a weak noun ('Supplier') yields to a real field
        ("Supplier Address", "address"),
        ("供应商国家", "country"),
        ("공급업체 주소", "address"),
        ("Supplier (English)", "name"),  # ... but still counts when nothing else is there
        ("Beneficiary Country", "payment_country"),
        ("Passport Country", "nationality"),
        ("Parent Company Name", "parent"),
        ("母公司名称", "parent"),
        ("Contact Email", "email"),
        ("Industry / Main Products", "sector"),
        ("Страна поставщика", "country"),
    ],
)
def test_longest_contained_synonym_wins(header: str, field: str) -> None:
    assert field_of(header) == field


@pytest.mark.parametrize(
    "header",
    ["Vendor ID", "Supplier No.", "No.", "ID", "Bank Name", "序号", "供应商编号", "Date", "Amount", "", "   ",
     "Vendor #", "#", "Supplier №", "№"],
)
def test_headers_that_are_no_field(header: str) -> None:
    assert field_of(header) is None


def test_prose_is_never_a_header() -> None:
    assert field_of("2. Use the official legal name.") is None
    assert field_of("Please enter the name of the company and the country it is in") is None
    assert field_of("1. Company name:") == "name"  # a numbered template question is a header
    assert field_of("x" * 81 + " Supplier Name") is None


def test_words_match_whole_words_only() -> None:
    assert field_of("Landing page") is None  # 'Land' is German for country, not a prefix
    assert field_of("Nationwide") is None


def test_every_field_has_english_chinese_russian_and_korean_synonyms() -> None:
    text = vocabulary()
    keys_by_field: dict[str, list[str]] = {f: [] for f in FIELDS}
    for key, synonym in [*text.words.items(), *text.chars.items()]:
        if synonym.field:
            keys_by_field[synonym.field].append(key)
    for field, keys in keys_by_field.items():
        joined = " ".join(keys)
        assert re.search(r"[a-z]", joined), field
        assert re.search(r"[\u4e00-\u9fff]", joined), field
        assert re.search(r"[\u0400-\u04ff]", joined), field
        assert re.search(r"[\uac00-\ud7af]", joined), field


def test_vocabulary_rejects_a_synonym_under_two_fields() -> None:
    fields = "\n".join(f"  {f}:\n    synonyms: [{f} x]" for f in FIELDS if f != "city")
    text = f"fields:\n{fields}\n  city:\n    synonyms: ['Country X']\n"
    with pytest.raises(ValueError, match=r"'Country X' \(city\) clashes with 'country x' \(country\)"):
        parse_vocabulary(text)


def test_vocabulary_rejects_unknown_fields_and_keys() -> None:
    base = "\n".join(f"  {f}:\n    synonyms: [{f} x]" for f in FIELDS)
    with pytest.raises(ValueError, match="unknown fields \\['colour'\\]"):
        parse_vocabulary(f"fields:\n{base}\n  colour:\n    synonyms: [Colour]\n")
    with pytest.raises(ValueError, match="name has unknown keys \\['exact'\\]"):
        parse_vocabulary(f"fields:\n{base}".replace("  name:\n", "  name:\n    exact: [N]\n", 1))


# ---------------------------------------------------------------- columns


def test_number_column_does_not_take_the_name_from_the_name_column() -> None:
    # A vendor-master export: 'Vendor #' is the internal number, 'Vendor' the name.
    assert assign_fields(["Vendor #", "Vendor", "Ctry", "Ind. description"], {}).fields == (
        None, "name", "country", "sector",
    )


def test_a_field_goes_to_one_column_the_first_on_a_tie() -> None:
    assert assign_fields(["Supplier Name", "Country", "Supplier Name"], {}).fields == ("name", "country", None)


def test_exact_match_beats_contained_match() -> None:
    fields = assign_fields(["Supplier Name (Chinese)", "Supplier Name"], {}).fields
    assert fields == (None, "name")


def test_strong_synonym_beats_weak_one() -> None:
    assert assign_fields(["Supplier", "Supplier Name"], {}).fields == (None, "name")


def test_override_beats_synonyms() -> None:
    overrides = {simplify("Legal Entity"): "name", simplify("Notes"): "workforce"}
    fields = assign_fields(["Supplier Name", "Legal Entity", "Notes"], overrides).fields
    assert fields == (None, "name", "workforce")


# ---------------------------------------------------------------- header row


def test_header_row_is_the_one_mapping_most_fields() -> None:
    rows = [
        ["Supplier list 2024"],  # a title mentions a field...
        ["Confidential"],
        ["Supplier Name", "Country", "City"],  # ...the header maps more
        ["Acme", "China", "Dalian"],
    ]
    assert find_header(rows, {}) == 2


def test_title_equal_in_fields_loses_to_exact_header() -> None:
    assert find_header([["Supplier overview"], ["Supplier Name"], ["Acme"]], {}) == 1


def test_header_must_map_a_name() -> None:
    assert find_header([["Country", "City", "Sector"], ["China", "Dalian", "Fish"]], {}) is None
    assert find_header([["Country", "Firma X"], ["China", "Acme"]], {simplify("Firma X"): "name"}) == 0


def test_header_is_searched_in_the_first_30_rows_only() -> None:
    rows = [[f"note {i}"] for i in range(30)] + [["Supplier Name"], ["Acme"]]
    assert find_header(rows, {}) is None
    assert find_header(rows[1:], {}) == 29


def test_likely_header_for_messages() -> None:
    assert likely_header([["Title"], ["Code", "Country", "City"], ["1", "CN", "Dalian"]], {}) == 1
    assert likely_header([["Title"], ["a", "b"]], {}) == 1
    assert likely_header([], {}) is None
