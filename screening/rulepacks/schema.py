"""The rule-pack schema (rules/README.md). Unknown keys and operators are errors, never ignored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from screening.fields import FIELDS

FieldName = Literal[FIELDS]  # type: ignore[valid-type]  # closed vocabulary of canonical fields
Confidence = Literal["confirmed", "reported", "unverified"]
FixedBand = Literal["review", "high", "critical"]
Category = Literal[
    "location", "host-country", "sector", "sector-country", "place", "red-flag", "watchlist", "it-worker",
    "sanctions-list", "cross-row",
]

_PACK_ID = r"^[a-z0-9][a-z0-9-]*$"
_RULE_ID = r"^[A-Z0-9][A-Z0-9-]*$"
_REF_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

TEXT_FIELDS: tuple[str, ...] = ("name", "sector", "notes", "address", "city", "workforce")
SECTOR_TERM_FIELDS: tuple[str, ...] = ("sector", "name", "notes")
PLACE_FIELDS: tuple[str, ...] = ("city", "address", "name", "notes")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _country_code(code: str) -> str:
    from screening.countries import is_iso2  # late import: countries builds its tables lazily

    upper = code.strip().upper()
    if not is_iso2(upper):
        raise ValueError(f"{code!r} is not an ISO 3166 alpha-2 country code")
    return upper


CountryCode = Annotated[str, AfterValidator(_country_code)]


def _non_blank_terms(terms: list[str]) -> list[str]:
    for term in terms:
        if not term.strip(" *"):
            raise ValueError("a term is empty")
    return terms


# ---------------------------------------------------------------- conditions


class CountrySpec(Strict):
    in_: list[CountryCode] = Field(alias="in", min_length=1)
    fields: list[FieldName] = Field(default=["country"], min_length=1)


class TextSpec(Strict):
    terms: list[str] = Field(min_length=1)
    fields: list[FieldName] = Field(default=list(TEXT_FIELDS), min_length=1)

    _terms = field_validator("terms")(_non_blank_terms)


class PatternSpec(Strict):
    regex: str
    fields: list[FieldName] = Field(default=list(TEXT_FIELDS), min_length=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, regex: str) -> str:
        try:
            re.compile(regex)
        except re.error as exc:
            raise ValueError(f"regular expression does not compile: {exc}") from None
        return regex


class Codes(Strict):
    naics: list[str] = []
    isic: list[str] = []
    nace: list[str] = []
    sic: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _as_text(cls, data: Any) -> Any:
        # YAML reads 311710 as an int; codes are text prefixes.
        if isinstance(data, dict):
            return {k: [str(c) for c in v] if isinstance(v, list) else v for k, v in data.items()}
        return data

    def is_empty(self) -> bool:
        return not (self.naics or self.isic or self.nace or self.sic)


class WatchlistSpec(Strict):
    list_: str = Field(alias="list", pattern=_REF_ID)
    threshold: float = Field(default=90, ge=50, le=100)
    fields: list[FieldName] = Field(default=["name", "parent"], min_length=1)


ListSource = Literal["ofac-sdn", "ofac-cons", "ofac-xml", "un", "eu", "uk", "opensanctions"]
ListEntryType = Literal["individual", "entity", "vessel", "aircraft"]


class ListMatchSpec(Strict):
    """Match against the sanctions lists in the store (screening lists import / update)."""

    sources: list[ListSource] = []  # empty: every list in the store
    programs: list[str] = []  # program prefixes: 'DPRK' covers DPRK, DPRK2, DPRK-NKSPEA; empty: all
    types: list[ListEntryType] = []  # empty: all
    threshold: float | None = Field(default=None, ge=50, le=100)  # None: the matcher's shipped threshold
    fields: list[FieldName] = ["name", "parent"]  # names matched fuzzily
    identifier_fields: list[FieldName] = ["registration_id"]  # exact IMO / registration-number matches

    @model_validator(mode="after")
    def _something_to_match(self) -> ListMatchSpec:
        if not self.fields and not self.identifier_fields:
            raise ValueError("list_match needs fields or identifier_fields")
        return self


# ---------------------------------------------------------------- roster conditions (one row, two fields)


class CountriesDifferSpec(Strict):
    """A country named in `field` that none of the `against` fields names (login vs declared location)."""

    field: FieldName
    against: list[FieldName] = Field(min_length=1)
    in_: list[CountryCode] = Field(default=[], alias="in")  # empty: any country of `field` counts

    @model_validator(mode="after")
    def _two_sides(self) -> CountriesDifferSpec:
        if self.field in self.against:
            raise ValueError(f"field '{self.field}' is compared with itself; name other fields in `against`")
        return self


class AccountCountrySpec(Strict):
    """The country an account number carries: an IBAN's prefix (checksum verified) or a BIC's country."""

    in_: list[CountryCode] = Field(alias="in", min_length=1)
    fields: list[FieldName] = Field(default=["payment_account"], min_length=1)


class NamesDifferSpec(Strict):
    """Two fields naming a person, compared with the name matcher (order, case, legal forms ignored)."""

    field: FieldName
    against: FieldName = "name"
    below: float = Field(ge=1, le=100)  # fires when the similarity is under this
    at_least: float = Field(default=0, ge=0, le=100)  # ... and at least this (a variant, not another person)
    except_same: list[FieldName] = []  # never fires when `field` names the same as one of these (the agency)

    @model_validator(mode="after")
    def _sensible(self) -> NamesDifferSpec:
        if self.field == self.against:
            raise ValueError(f"field '{self.field}' is compared with itself; name another field in `against`")
        if self.at_least >= self.below:
            raise ValueError(f"at_least ({self.at_least:g}) must be below below ({self.below:g})")
        return self


Normaliser = Literal["account", "phone", "email", "address", "document", "text"]
SameNameKey = Literal["date", "country", "text"]


class ValuesDifferSpec(Strict):
    """Two fields of a row holding different values once normalised (laptop address vs home address)."""

    field: FieldName
    against: FieldName
    normalise: Normaliser

    @model_validator(mode="after")
    def _two_fields(self) -> ValuesDifferSpec:
        if self.field == self.against:
            raise ValueError(f"field '{self.field}' is compared with itself; name another field in `against`")
        return self


# ---------------------------------------------------------------- cross-row conditions (whole roster)


class SharedSpec(Strict):
    """One normalised value of `field` used by rows of several different names (screening/engine/links.py)."""

    field: FieldName
    normalise: Normaliser
    min_names: int = Field(default=2, ge=2, le=1000)
    name_field: FieldName = "name"
    same_party: list[FieldName] = []  # rows with the same non-empty value here count as one party (an agency)
    except_equal: list[FieldName] = []  # a row whose value equals its own value of these fields is left out


class SameNameSpec(Strict):
    """One normalised name written with different values of `differs` (dates of birth, nationalities)."""

    differs: FieldName
    normalise: SameNameKey
    name_field: FieldName = "name"

    @model_validator(mode="after")
    def _two_fields(self) -> SameNameSpec:
        if self.differs == self.name_field:
            raise ValueError(f"'{self.differs}' is the name field itself; name another field in `differs`")
        return self


class CountriesDifferCondition(Strict):
    countries_differ: CountriesDifferSpec


class AccountCountryCondition(Strict):
    account_country: AccountCountrySpec


class NamesDifferCondition(Strict):
    names_differ: NamesDifferSpec


class ValuesDifferCondition(Strict):
    values_differ: ValuesDifferSpec


class SharedCondition(Strict):
    shared: SharedSpec


class SameNameCondition(Strict):
    same_name: SameNameSpec


class CountryCondition(Strict):
    country: CountrySpec


class TextCondition(Strict):
    text: TextSpec


class PatternCondition(Strict):
    pattern: PatternSpec


class SectorCondition(Strict):
    sector: list[str] = Field(min_length=1)


class IndustryCodeCondition(Strict):
    industry_code: Codes


class PlaceCondition(Strict):
    place: list[str] = Field(min_length=1)


class WatchlistCondition(Strict):
    watchlist: WatchlistSpec


class ListMatchCondition(Strict):
    list_match: ListMatchSpec


class AllCondition(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(Strict):
    any: list[Condition] = Field(min_length=1)


class NotCondition(Strict):
    not_: Condition = Field(alias="not")


OPERATORS: tuple[str, ...] = (
    "country", "text", "pattern", "sector", "industry_code", "place", "watchlist", "list_match",
    "countries_differ", "account_country", "names_differ", "values_differ", "shared", "same_name", "all", "any", "not",
)


def _operator(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next(iter(value.model_fields_set), None)  # already validated
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in OPERATORS else None
    return None


Condition = Annotated[
    Union[
        Annotated[CountryCondition, Tag("country")],
        Annotated[TextCondition, Tag("text")],
        Annotated[PatternCondition, Tag("pattern")],
        Annotated[SectorCondition, Tag("sector")],
        Annotated[IndustryCodeCondition, Tag("industry_code")],
        Annotated[PlaceCondition, Tag("place")],
        Annotated[WatchlistCondition, Tag("watchlist")],
        Annotated[ListMatchCondition, Tag("list_match")],
        Annotated[CountriesDifferCondition, Tag("countries_differ")],
        Annotated[AccountCountryCondition, Tag("account_country")],
        Annotated[NamesDifferCondition, Tag("names_differ")],
        Annotated[ValuesDifferCondition, Tag("values_differ")],
        Annotated[SharedCondition, Tag("shared")],
        Annotated[SameNameCondition, Tag("same_name")],
        Annotated[AllCondition, Tag("all")],
        Annotated[AnyCondition, Tag("any")],
        Annotated[NotCondition, Tag("not")],
    ],
    Discriminator(
        _operator,
        custom_error_type="unknown_operator",
        custom_error_message="a condition needs exactly one key, one of: " + ", ".join(OPERATORS),
    ),
]

for _model in (AllCondition, AnyCondition, NotCondition):
    _model.model_rebuild()


# ---------------------------------------------------------------- pack


class Thresholds(Strict):
    review: int = Field(ge=1, le=100)
    high: int = Field(ge=1, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review >= self.high:
            raise ValueError(f"review ({self.review}) must be below high ({self.high})")
        return self


class PackMeta(Strict):
    id: str = Field(pattern=_PACK_ID)
    version: str
    title: str
    description: str = ""
    thresholds: Thresholds
    rows_with: list[FieldName] = Field(default_factory=list)
    """The pack screens only rows with a value in at least one of these fields (empty: every row). A roster
    pack names the roster-only fields, so a supplier master with an e-mail column is not read as a roster."""

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class SourceDoc(Strict):
    id: str = Field(pattern=_REF_ID)
    title: str
    issuer: str
    date: str
    url: str | None = None
    note: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date_text(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


class SectorDef(Strict):
    title: str
    terms: list[str] = []
    codes: Codes = Codes()

    _terms = field_validator("terms")(_non_blank_terms)

    @model_validator(mode="after")
    def _something_to_match(self) -> SectorDef:
        if not self.terms and self.codes.is_empty():
            raise ValueError("a sector needs terms or codes")
        return self


class PlaceDef(Strict):
    title: str
    country: CountryCode | None = None
    terms: list[str] = Field(min_length=1)
    _terms = field_validator("terms")(_non_blank_terms)


class WatchEntry(Strict):
    name: str = Field(min_length=2)
    aliases: list[str] = []
    countries: list[CountryCode] = []
    sources: list[str] = []
    note: str = ""


class Watchlist(Strict):
    id: str = Field(pattern=_REF_ID)
    title: str
    tier: Literal["designated", "reported"]
    entries: list[WatchEntry] = Field(min_length=1)


class Rule(Strict):
    id: str = Field(pattern=_RULE_ID)
    title: str
    category: Category
    band: FixedBand | None = None
    weight: int | None = Field(default=None, ge=0, le=100)
    confidence: Confidence
    sources: list[str] = Field(min_length=1)
    description: str = ""
    rows_with: list[FieldName] | None = None  # overrides the pack's `rows_with`; [] screens every row
    when: Condition

    @model_validator(mode="after")
    def _weight_or_band(self) -> Rule:
        if self.weight is None and self.band is None:
            raise ValueError("a rule needs a weight or a band")
        return self

    @property
    def points(self) -> int:
        """What the rule adds to a row's score: its weight, 100 for a critical band without one."""
        if self.weight is not None:
            return self.weight
        return 100 if self.band == "critical" else 0


class RulePackFile(Strict):
    pack: PackMeta
    sources: list[SourceDoc] = Field(min_length=1)
    sectors: dict[str, SectorDef] = {}
    places: dict[str, PlaceDef] = {}
    watchlists: list[Watchlist] = []
    rules: list[Rule] = Field(min_length=1)
