"""A hand-built ScreeningResult for the report tests: every band, two tables with different
headers, a fuzzy list match, an unverified rule, a row error, non-Latin text and
formula-injection payloads in cells, evidence and headers."""

from __future__ import annotations

from dataclasses import replace

from screening.model import (
    Band,
    Evidence,
    Hit,
    InputFile,
    ListInfo,
    Manifest,
    PackInfo,
    RowError,
    RowResult,
    RuleInfo,
    ScreeningResult,
    Source,
    Table,
)

CREATED_AT = "2026-03-02T09:30:00Z"

# The classic payloads (OWASP CSV injection): each must reach the auditor as inert text.
HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
AT_SUM = "@SUM(1)"
PLUS = "+1+1"
MINUS = "-2+3"
TAB = "\tTAB"
CR = "\rCR"
PAYLOADS = (HYPERLINK, DDE, AT_SUM, PLUS, MINUS, TAB, CR)
SCRIPT = "<script>alert('x')</script>"

SUPPLIERS = Table(
    input="suppliers_2025.xlsx",
    sheet="Suppliers",
    header_row=3,
    headers=("Supplier Name", "Country", "Sector", "Internal ref", "Buyer", "Score"),
    fields=("name", "country", "sector", None, None, None),
)
VENDORS = Table(
    input="vendors_cn.csv",
    sheet="vendors_cn",
    header_row=1,
    headers=("供应商名称", "国家", "城市", "备注", "Internal ref", HYPERLINK),
    fields=("name", "country", "city", None, None, None),
)

SOURCES = [
    Source("ADV18", "Risks for Businesses with Supply Chain Links to North Korea",
           "US State, Treasury, DHS", "2018-07-23",
           "https://www.state.gov/e/eb/tfs/spi/northkorea/advisories/284241.htm"),
    Source("R2397", "UN Security Council resolution 2397", "UN Security Council", "2017-12-22",
           "https://main.un.org/securitycouncil/en/sanctions/1718/resolutions"),
    Source("SDN", "Specially Designated Nationals list", "US Treasury OFAC", "2025-06-01",
           "javascript:alert(1)"),
]

RULES = [
    RuleInfo("host.tier1", "Site in a main DPRK labour host country", "dprk-labour", "country", 30, None,
             "confirmed", ("ADV18", "R2397")),
    RuleInfo("sector.construction", "Sector where DPRK labour is exported: construction", "dprk-labour",
             "sector", 30, None, "reported", ("ADV18",)),
    RuleInfo("sector.seafood", "Sector where DPRK labour is exported: seafood processing", "dprk-labour",
             "sector", 20, None, "reported", ("ADV18",)),
    RuleInfo("host.adv18-annex", "Country in the ADV18 annex (list not checked against the PDF)",
             "dprk-labour", "country", 15, None, "unverified", ("ADV18",)),
    RuleInfo("list.name", "Name matches a sanctions-list entry", "dprk-lists", "list", 100, "critical",
             "confirmed", ("SDN",), description="Fuzzy name match against OFAC SDN"),
]

COUNTRY_RU = Hit("host.tier1", RULES[0].title, 30, ("ADV18", "R2397"), Evidence("country", "Russia", "RU"))
COUNTRY_CN = Hit("host.tier1", RULES[0].title, 30, ("ADV18", "R2397"), Evidence("country", "中国", "CN"))
CONSTRUCTION = Hit("sector.construction", RULES[1].title, 30, ("ADV18",),
                   Evidence("sector", "Construction", "term 'construction'"))
SEAFOOD = Hit("sector.seafood", RULES[2].title, 20, ("ADV18",),
              Evidence("sector", "Seafood processing", "term 'seafood'"))
# The engine left the hit's confidence at its default: the report must still say "unverified".
ANNEX = Hit("host.adv18-annex", RULES[3].title, 15, ("ADV18",), Evidence("country", "Malaysia", "MY"))
LIST_MATCH = Hit("list.name", RULES[4].title, 100, ("SDN",),
                 Evidence("name", "Korea Sobaeksoo Trading Co", "KOREA SOBAEKSU TRADING COMPANY", 93.456))
INJECTED = Hit("sector.construction", RULES[1].title, 30, ("ADV18",), Evidence("sector", DDE, "term 'construction'"))


def _supplier(row: int, name: str, country: str, sector: str, ref: str, buyer: str, score_col: str,
              score: int, band: Band, hits: tuple[Hit, ...]) -> RowResult:
    return RowResult(
        input=SUPPLIERS.input, sheet=SUPPLIERS.sheet, row=row, table=0,
        fields={"name": name, "country": country, "sector": sector},
        cells=(name, country, sector, ref, buyer, score_col), score=score, band=band, hits=hits,
    )


def _vendor(row: int, name: str, country: str, city: str, remark: str, ref: str, odd: str,
            score: int, band: Band, hits: tuple[Hit, ...]) -> RowResult:
    return RowResult(
        input=VENDORS.input, sheet=VENDORS.sheet, row=row, table=1,
        fields={"name": name, "country": country, "city": city},
        cells=(name, country, city, remark, ref, odd), score=score, band=band, hits=hits,
    )


def make_rows() -> list[RowResult]:
    """Rows in input order; bands deliberately out of order so sorting is visible."""
    return [
        _supplier(4, "Acme Textiles GmbH", "Germany", "Apparel", "A-001", "J. Roe", "5",
                  0, Band.CLEAR, ()),
        _supplier(5, "ООО «Приморская Стройка»", "Russia", "Construction", "A-002", "M. Ivanova", "",
                  60, Band.HIGH, (COUNTRY_RU, CONSTRUCTION)),
        _supplier(6, HYPERLINK, "Malaysia", DDE, AT_SUM, PLUS, MINUS,
                  45, Band.REVIEW, (ANNEX, INJECTED)),
        _supplier(7, "Penang Build Sdn Bhd", "Malaysia", "Construction", TAB, CR, SCRIPT,
                  45, Band.REVIEW, (ANNEX, CONSTRUCTION)),
        _vendor(2, "大连海洋食品有限公司", "中国", "大连", "海鲜加工", "B-17", "",
                50, Band.REVIEW, (COUNTRY_CN, SEAFOOD)),
        _vendor(3, "Korea Sobaeksoo Trading Co", "中国", "丹东", "", "B-18", "x",
                100, Band.CRITICAL, (LIST_MATCH, COUNTRY_CN)),
        _vendor(4, "Shenyang Garments Ltd", "中国", "沈阳", "", "B-19", "",
                30, Band.REVIEW, (COUNTRY_CN,)),
    ]


ERRORS = [
    RowError("vendors_cn.csv", "vendors_cn", 5, "missing_name", "vendors_cn.csv, row 5: no supplier name; fill it in"),
]

MANIFEST = Manifest(
    tool_version="0.1.0",
    created_at=CREATED_AT,
    inputs=(
        InputFile("/data/in/suppliers_2025.xlsx", "a" * 64, ("Suppliers",)),
        InputFile("/data/in/vendors_cn.csv", "b" * 64, ("vendors_cn",)),
    ),
    rule_packs=(
        PackInfo("dprk-labour", "2025.1", "c" * 64, "rules/dprk_labour.yaml", "DPRK overseas labour",
                 (("review", 25), ("high", 60))),
        PackInfo("dprk-lists", "2025.1", "d" * 64, "rules/dprk_lists.yaml"),
    ),
    lists=(ListInfo("ofac-sdn", "2025-06-01", "e" * 64, 17_512),),
    options=(("sheet", "Suppliers"), ("map", "Firma=name")),
)


def make_result(*, errors: bool = True) -> ScreeningResult:
    return ScreeningResult(
        manifest=MANIFEST,
        rows=make_rows(),
        tables=[SUPPLIERS, VENDORS],
        rules=list(RULES),
        sources=list(SOURCES),
        errors=list(ERRORS) if errors else [],
    )


def with_rows(result: ScreeningResult, rows: list[RowResult]) -> ScreeningResult:
    """A copy of `result` screening other rows (same tables, rules and manifest)."""
    return replace(result, rows=rows)
