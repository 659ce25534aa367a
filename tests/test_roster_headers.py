"""Roster headers as HR and accounts-payable exports write them map onto the roster fields."""

from __future__ import annotations

import pytest

from screening.intake.headers import assign_fields, vocabulary


def field_of(header: str) -> str | None:
    match = vocabulary().match(header)
    return match.field if match else None


@pytest.mark.parametrize(
    ("header", "field"),
    [
        # payment
        ("IBAN", "payment_account"), ("Bank account number", "payment_account"), ("Account No.", "payment_account"),
        ("Wallet address", "payment_account"), ("PayPal email", "payment_account"), ("Payout account", "payment_account"),
        ("银行账号", "payment_account"), ("Номер счета", "payment_account"), ("계좌번호", "payment_account"),
        ("口座番号", "payment_account"), ("Số tài khoản", "payment_account"), ("Numer konta", "payment_account"),
        ("Kontonummer", "payment_account"), ("Numéro de compte", "payment_account"), ("Número de cuenta", "payment_account"),
        ("Bank account holder", "payment_holder"), ("Payee name", "payment_holder"), ("Account holder name", "payment_holder"),
        ("Beneficiary", "payment_holder"), ("Name on account", "payment_holder"), ("户名", "payment_holder"),
        ("Владелец счета", "payment_holder"), ("예금주", "payment_holder"), ("口座名義", "payment_holder"),
        ("Chủ tài khoản", "payment_holder"), ("Właściciel konta", "payment_holder"), ("Kontoinhaber", "payment_holder"),
        ("Titulaire du compte", "payment_holder"), ("Titular de la cuenta", "payment_holder"),
        ("Bank country", "payment_country"), ("Payout country", "payment_country"), ("银行所在国", "payment_country"),
        ("Payment method", "payment_method"), ("Payout method", "payment_method"), ("支付方式", "payment_method"),
        ("Zahlungsart", "payment_method"), ("Mode de paiement", "payment_method"), ("Método de pago", "payment_method"),
        # where the worker is and logs in from
        ("Login country", "login_countries"), ("IP country", "login_countries"), ("IP Geolocation", "login_countries"),
        ("Login countries (last 30 days)", "login_countries"), ("登录国家", "login_countries"),
        ("Страна входа", "login_countries"), ("로그인 국가", "login_countries"), ("ログイン国", "login_countries"),
        ("Country of residence", "declared_location"), ("Work location", "declared_location"),
        ("Based in", "declared_location"), ("居住地", "declared_location"), ("Страна проживания", "declared_location"),
        ("거주지", "declared_location"), ("Wohnort", "declared_location"), ("Pays de résidence", "declared_location"),
        ("Nationality", "nationality"), ("Citizenship", "nationality"), ("国籍", "nationality"),
        ("Гражданство", "nationality"), ("국적", "nationality"), ("Staatsangehörigkeit", "nationality"),
        # equipment and contact
        ("Ship laptop to", "shipping_address"), ("Laptop shipping address", "shipping_address"),
        ("Equipment delivery address", "shipping_address"), ("Ship to", "shipping_address"),
        ("收货地址", "shipping_address"), ("Адрес доставки", "shipping_address"), ("배송지", "shipping_address"),
        ("Lieferadresse", "shipping_address"), ("Adresse de livraison", "shipping_address"),
        ("Mobile", "phone"), ("Mobile number", "phone"), ("Phone", "phone"), ("WhatsApp", "phone"),
        ("手机号", "phone"), ("Телефон", "phone"), ("휴대폰", "phone"), ("電話番号", "phone"), ("Telefon", "phone"),
        ("Email", "email"), ("E-mail address", "email"), ("Work email", "email"), ("Personal email", "email"),
        ("邮箱", "email"), ("Электронная почта", "email"), ("이메일", "email"), ("Courriel", "email"),
        # identity
        ("DOB", "date_of_birth"), ("Date of birth", "date_of_birth"), ("Birth date", "date_of_birth"),
        ("出生日期", "date_of_birth"), ("Дата рождения", "date_of_birth"), ("생년월일", "date_of_birth"),
        ("生年月日", "date_of_birth"), ("Geburtsdatum", "date_of_birth"), ("Fecha de nacimiento", "date_of_birth"),
        ("Passport No.", "id_document"), ("Passport number", "id_document"), ("National ID", "id_document"),
        ("ID document", "id_document"), ("护照号码", "id_document"), ("Номер паспорта", "id_document"),
        ("여권번호", "id_document"), ("旅券番号", "id_document"), ("Reisepassnummer", "id_document"),
        ("Numéro de passeport", "id_document"), ("Número de pasaporte", "id_document"),
        # the agency or employer that placed the worker
        ("Agency", "parent"), ("Staffing agency", "parent"),
    ],
)
def test_roster_headers_map(header: str, field: str) -> None:
    assert field_of(header) == field


def test_a_whole_hr_export_maps_each_column_once() -> None:
    headers = [
        "Employee ID", "Full name", "Email", "Mobile", "DOB", "Passport No.", "Nationality", "Country of residence",
        "Home address", "Ship laptop to", "IP country", "Agency", "IBAN", "Bank account holder", "Bank country",
        "Payment method", "Notes",
    ]
    fields = assign_fields(headers, {}).fields
    assert dict(zip(headers, fields)) == {
        "Employee ID": None, "Full name": "name", "Email": "email", "Mobile": "phone", "DOB": "date_of_birth",
        "Passport No.": "id_document", "Nationality": "nationality", "Country of residence": "declared_location",
        "Home address": "address", "Ship laptop to": "shipping_address", "IP country": "login_countries",
        "Agency": "parent", "IBAN": "payment_account", "Bank account holder": "payment_holder",
        "Bank country": "payment_country", "Payment method": "payment_method", "Notes": "notes",
    }


def test_an_accounts_payable_export_keeps_the_supplier_email_and_the_payee_apart() -> None:
    headers = ["Vendor name", "Vendor email", "Payee name", "PayPal email", "Beneficiary bank", "SWIFT code"]
    fields = assign_fields(headers, {}).fields
    assert fields == ("name", "email", "payment_holder", "payment_account", None, None)


def test_ip_country_is_accepted_for_login_countries_in_map(tmp_path) -> None:
    from screening.intake import read_inputs

    path = tmp_path / "roster.csv"
    path.write_text("Worker,Geo\nAnn Lee,CN\n", encoding="utf-8")
    intake = read_inputs([path], overrides={"Worker": "name", "Geo": "ip_country"})
    assert intake.records["login_countries"].tolist() == ["CN"]
