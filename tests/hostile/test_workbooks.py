"""Hostile and broken workbooks: each is screened correctly or refused with one line saying what to do."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from screening.intake import Limits
from screening.intake.zipguard import check_zip_parts
from tests.fuzz.targets import ODS_CONTENT, ods_with
from tests.hostile import corpus
from tests.hostile.conftest import screen

RESAVE = "re-save it from Excel as .xlsx"


def test_truncated_xlsx(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.truncated_xlsx(tmp_path / "cut.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == f"{path}: not a readable spreadsheet (corrupt zip); {RESAVE}"


def test_xlsx_with_a_damaged_part(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.corrupt_part_xlsx(tmp_path / "damaged.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == f"{path}: not a readable spreadsheet (corrupt zip); {RESAVE}"


def test_zip_bomb_refused_from_its_declared_size(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.bomb_xlsx(tmp_path / "bomb.xlsx", inflated_mib=3072)
    assert path.stat().st_size < 4 * 1024 * 1024  # 3 GiB of XML in a few MiB
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path}: expands to 3.0 GiB, over the 2.0 GiB limit; split it into smaller files or raise "
        "SCREENING_MAX_UNZIPPED_SIZE"
    )


def test_zip_bomb_lying_about_its_size_refused_from_the_bytes_it_inflates(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.bomb_xlsx(tmp_path / "liar.xlsx", inflated_mib=3072, declared_bytes=1000)
    assert sum(i.file_size for i in zipfile.ZipFile(path).infolist()) < 10_000  # the directory says: tiny
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path}: part xl/worksheets/sheet1.xml holds more data than the archive states (1000 bytes); "
        f"the file is damaged or crafted; {RESAVE}"
    )


def test_actual_inflated_bytes_count_against_the_limit(tmp_path: Path) -> None:
    """Honest sizes, but the inflated total passes the limit: refused while inflating, at the limit."""
    path = corpus.bomb_xlsx(tmp_path / "big.xlsx", inflated_mib=64)
    with pytest.raises(Exception) as caught:
        check_zip_parts(str(path), Limits(max_unzipped_bytes=16 * 1024 * 1024))
    assert str(caught.value) == (
        f"{path}: expands to more than 16.0 MiB (part xl/worksheets/sheet1.xml), over the limit; split it "
        "into smaller files or raise SCREENING_MAX_UNZIPPED_SIZE"
    )


@pytest.mark.parametrize("external", [False, True], ids=["entity-expansion", "external-entity"])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_xml_entities_inside_xlsx_parts_are_refused(tmp_path: Path, out_dir: Path, part: str, external: bool) -> None:
    path = corpus.entity_xlsx(tmp_path / "entities.xlsx", part, external=external)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    where = f"{path} sheet 'Suppliers'" if part == "xl/worksheets/sheet1.xml" else f"{path} part {part}"
    also = " (part xl/worksheets/sheet1.xml)" if "sheet '" in where else ""
    assert outcome.error == (
        f"{where}: declares a DTD or entities{also}, which Excel never writes and which are refused for safety "
        f"(entity expansion, external files); {RESAVE}"
    )
    assert "root:" not in outcome.stderr  # nothing of /etc/passwd


def test_password_protected_xlsx(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.encrypted_xlsx(tmp_path / "locked.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == f"{path}: is password-protected; save an unprotected copy"


def test_xlsm_with_macros_is_screened_and_says_the_macros_were_not_run(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.macro_xlsm(tmp_path / "suppliers.xlsm")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert (rows[2]["band"], rows[3]["band"]) == ("high", "clear")
    assert outcome.errors() == [(None, None, "macros_not_run")]
    assert outcome.report is not None
    assert outcome.report["errors"][0]["message"].startswith("the file contains macros; they were not run")
    assert not (tmp_path / "calc.exe").exists()


@pytest.mark.parametrize("builder", ["xls", "csv"])
def test_files_renamed_to_xlsx_are_read_by_content(tmp_path: Path, out_dir: Path, builder: str) -> None:
    path = tmp_path / "suppliers.xlsx"
    if builder == "xls":
        corpus.xls_renamed(path)
    else:
        path.write_text("Supplier Name,Country,City\r\nHunchun Ocean Seafood Processing Co,China,Hunchun\r\n"
                        "Rheinland Softwarehaus GmbH,Germany,Cologne\r\n", encoding="utf-8")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0, outcome.stderr
    rows = outcome.rows()
    assert rows[2]["fields"]["name"] == "Hunchun Ocean Seafood Processing Co"
    assert (rows[2]["band"], rows[3]["band"]) == ("high", "clear")


def test_merged_header_cells(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.merged_header_xlsx(tmp_path / "merged.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert rows[2]["fields"]["name"] == "Hunchun Ocean Seafood Processing Co"
    assert rows[2]["fields"]["country"] == "China"
    assert (rows[2]["band"], rows[3]["band"]) == ("high", "clear")


def test_hidden_sheet_is_named_in_errors_and_screened_on_request(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.hidden_sheet_xlsx(tmp_path / "hidden.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    assert len(outcome.rows()) == 2
    assert outcome.errors() == [("Old suppliers", None, "sheet_skipped")]
    assert "--sheet \"Old suppliers\"" in outcome.report["errors"][0]["message"]  # type: ignore[index]
    hidden = screen(path, out_dir, "--sheet", "Old suppliers")
    assert hidden.exit_code == 0
    assert [(r["fields"]["name"], r["band"]) for r in hidden.report["rows"]] == [  # type: ignore[index]
        ("Pyongyang Trading Co", "critical")
    ]


def test_two_far_cells_are_refused_before_calamine_allocates(tmp_path: Path, out_dir: Path) -> None:
    """A1 and XFD1048576 made calamine ask for 550 GB and abort the process (calamine issue #693)."""
    path = corpus.far_cells_xlsx(tmp_path / "far.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path} sheet 'Suppliers': its cells span 1,048,576 rows x 16,384 columns (17,179,869,184 cells), "
        "over the 100,000,000-cell limit; delete stray cells far from the table (Ctrl+End in Excel shows the "
        "last one) or raise SCREENING_MAX_CELLS"
    )


@pytest.fixture(scope="module")
def full_sheet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus.million_row_xlsx(tmp_path_factory.mktemp("full") / "full.xlsx")


def test_full_excel_sheet_stopped_by_the_configured_row_limit(full_sheet: Path, out_dir: Path) -> None:
    outcome = screen(full_sheet, out_dir, env={"SCREENING_MAX_ROWS": "100000"})
    assert outcome.exit_code == 2
    assert outcome.error.startswith(f"{full_sheet} sheet 'Suppliers': reaches row ")
    assert outcome.error.endswith(
        ", over the 100,000 row limit; split it into smaller sheets or raise SCREENING_MAX_ROWS"
    )


def test_default_limits_let_a_full_excel_sheet_and_a_million_row_master_through(full_sheet: Path) -> None:
    limits = Limits()
    assert limits.max_rows >= 1_048_576 > 1_000_000
    check_zip_parts(str(full_sheet), limits)  # the whole 1,048,576-row part scanned, nothing refused
    with pytest.raises(Exception, match="reaches row 1,048,576, over the 1,048,575 row limit"):
        check_zip_parts(str(full_sheet), Limits(max_rows=1_048_575))


def test_cell_references_without_r_attributes_still_count(tmp_path: Path) -> None:
    """Rows and cells without a reference follow the previous one: they must not slip past the limits."""
    cells = "".join(f'<c t="inlineStr"><is><t>{i}</t></is></c>' for i in range(300))
    rows = "".join(f"<row>{cells if r == 0 else '<c><v>1</v></c>'}</row>" for r in range(50))
    path = corpus.write_parts(tmp_path / "plain.xlsx", {
        "xl/worksheets/sheet1.xml": corpus.SHEET_OPEN + rows + corpus.SHEET_CLOSE,
    })
    with pytest.raises(Exception, match="has about 50 rows, over the 40 row limit"):
        check_zip_parts(str(path), Limits(max_rows=40))
    with pytest.raises(Exception, match=r"cells span .* over the 10,000-cell limit"):
        check_zip_parts(str(path), Limits(max_cells=10_000))
    check_zip_parts(str(path), Limits(max_rows=60, max_cells=50 * 350))  # a bound: every loose cell may widen


def test_ods_with_repeated_cells_asking_for_billions(tmp_path: Path, out_dir: Path) -> None:
    content = ODS_CONTENT.replace(
        '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2"/>',
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell>',
    )
    path = tmp_path / "repeats.ods"
    path.write_bytes(ods_with(content))
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path} sheet 'Suppliers': its cells span 1,000,002 rows x 16,000 columns, over the 100,000,000-cell "
        "limit; delete stray cells far from the table or raise SCREENING_MAX_CELLS"
    )


def test_ods_trailing_empty_rows_as_libreoffice_writes_them_are_fine(tmp_path: Path, out_dir: Path) -> None:
    content = ODS_CONTENT.replace(
        'table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2"/>',
        'table:number-rows-repeated="1048571"><table:table-cell table:number-columns-repeated="1024"/>',
    )
    path = tmp_path / "lo.ods"
    path.write_bytes(ods_with(content))
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    assert [r["fields"]["name"] for r in outcome.report["rows"]] == ["Hunchun Seafood"]  # type: ignore[index]


def test_malformed_ods_content_is_refused_not_hung(tmp_path: Path, out_dir: Path) -> None:
    """calamine looped forever on this content.xml (found by fuzzing)."""
    content = (Path(__file__).parent.parent / "fuzz" / "regressions" / "ods-content"
               / "malformed-content-hangs-calamine").read_bytes()
    path = tmp_path / "broken.ods"
    path.write_bytes(ods_with(content))
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path}: content.xml is not well-formed XML (line 1, column 6); re-save it from LibreOffice or Excel "
        "as .ods or .xlsx"
    )


def test_xls_cell_far_right_is_refused_before_calamine_allocates(tmp_path: Path, out_dir: Path) -> None:
    """A BIFF cell record in column 65,535 made calamine ask for 134 GB and abort (found by fuzzing)."""
    data = (Path(__file__).parent.parent / "fuzz" / "regressions" / "xls" / "cell-in-column-65535").read_bytes()
    path = tmp_path / "far.xls"
    path.write_bytes(data)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error.startswith(f"{path}")
    assert "over the 100,000,000-cell limit" in outcome.error


def test_xls_with_a_damaged_header_is_refused(tmp_path: Path, out_dir: Path) -> None:
    """calamine allocated 4 GB for this 5 KB file (found by fuzzing)."""
    data = (Path(__file__).parent.parent / "fuzz" / "regressions" / "xls" / "header-claims-4gb-directory").read_bytes()
    path = tmp_path / "damaged.xls"
    path.write_bytes(data)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path}: is a damaged Excel 97-2003 file (sector 9 is past the end of the file); {RESAVE}"
    )


def test_formula_cells_give_their_saved_values(tmp_path: Path, out_dir: Path) -> None:
    path = corpus.formula_xlsx(tmp_path / "formulas.xlsx")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert rows[2]["fields"]["name"] == "Hunchun Seafood Co"  # ="Hunchun "&"Seafood Co", as saved
    assert rows[2]["band"] == "high"
    assert rows[3]["fields"]["name"] == "Click"  # HYPERLINK's shown text; the formula is never run
    assert rows[4]["fields"]["name"] == "=cmd|' /C calc'!A0"  # text that looks like a formula stays text


def test_a_panic_inside_calamine_is_one_line_on_stderr(tmp_path: Path) -> None:
    """calamine panicked on this .xls (found by fuzzing): pyo3's PanicException is not an Exception,
    and Rust's panic hook printed a backtrace on stderr; now it is one line, as for any bad file."""
    import subprocess
    import sys
    import tempfile

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "panic.xls"
    path.write_bytes((root / "tests" / "fuzz" / "regressions" / "xls" / "calamine-cfb-panic").read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "screening", "screen", str(path), "--out", str(tmp_path / "r.json")],
        capture_output=True, text=True, cwd=root, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "RUST_BACKTRACE": "1", "SCREENING_NO_PROGRESS": "1",
             "SCREENING_LISTS_DIR": tempfile.mkdtemp(prefix="screening-no-lists-")},
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: not a readable spreadsheet (index out of bounds: the len is 0 but the index is 0); {RESAVE}"
    ]
    assert not (tmp_path / "r.json").exists()


def _extent_translated(chunks: list[bytes]) -> tuple[int, int, int, int]:
    """The extent scan done the slow way on every chunk: tags and quotes made plain first."""
    from screening.intake import zipguard

    extent = zipguard._Extent()
    for chunk in chunks:
        text = chunk.translate(zipguard._PLAIN)
        extent._take(zipguard._REF.findall(text))
        prefixes = (b"<", b":") if b":row " in text else (b"<",)
        for prefix in prefixes:
            extent.loose_cells += text.count(prefix + b"c ") - text.count(prefix + b'c r="')
            extent.loose_rows += text.count(prefix + b"row ") - text.count(prefix + b'row r="')
    return extent.max_row, extent.max_col, extent.loose_cells, extent.loose_rows


@pytest.mark.parametrize(
    "odd",
    [
        "",  # as Excel writes it: scanned without translation
        '<c r="XFD5" t="inlineStr"><is><t>far right</t></is></c>',
        "<c r='ZZ9'><v>1</v></c>",  # single quotes
        '<c\tr="ZZ9"><v>1</v></c>',  # a tab before the attribute
        '<c\nr = "AB1048576"><v>1</v></c>',
        "<c><v>1</v></c><c/>",  # cells without a reference
        "<row><c><v>2</v></c></row>",
        '<x:row r="900"><x:c r="AA900"><x:v>1</x:v></x:c></x:row>',  # prefixed tags
        "<c r=\"B3\"><is><t>O'Brien &amp; Sons</t></is></c>",  # an apostrophe in a value
    ],
)
def test_extent_scan_without_translation_finds_what_the_translated_scan_finds(odd: str) -> None:
    from screening.intake import zipguard

    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Name {r}</t></is></c></row>' for r in range(1, 400))
    chunks = [rows[: len(rows) // 2].encode(), (rows[len(rows) // 2 :] + odd + '<row r="400"></row>').encode()]
    extent = zipguard._Extent()
    for chunk in chunks:
        extent.add(chunk)
    assert (extent.max_row, extent.max_col, extent.loose_cells, extent.loose_rows) == _extent_translated(chunks)
