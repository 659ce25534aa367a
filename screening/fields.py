"""The canonical fields that intake maps input columns onto (design.md, Fields contract)."""

SUPPLIER_FIELDS: tuple[str, ...] = (
    "name",
    "country",
    "city",
    "address",
    "sector",
    "industry_code",
    "registration_id",
    "website",
    "email",
    "notes",
    "parent",
    "workforce",
    "contact_person",
)

ROSTER_FIELDS: tuple[str, ...] = (
    "nationality",
    "declared_location",
    "login_countries",
    "payment_account",
    "payment_holder",
    "payment_country",
    "payment_method",
    "shipping_address",
    "phone",
    "date_of_birth",
    "id_document",
)

FIELDS: tuple[str, ...] = SUPPLIER_FIELDS + ROSTER_FIELDS
"""Every canonical field, in the order reports show them."""

REQUIRED_FIELD = "name"

FIELD_ALIASES: dict[str, str] = {"ip_country": "login_countries", "ip_countries": "login_countries"}
"""Other names accepted for a field where a user names one (--map "Header=ip_country")."""
