"""Broken text files: an empty or shapeless file is refused in one line; a damaged row costs that row a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import screen


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_empty_file(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "empty.csv", b"")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == f"{path}: is empty (0 bytes); check that the right file was sent"


def test_header_only_screens_nothing_and_says_so(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "template.csv", "Supplier Name,Country\r\n")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    assert outcome.stdout.startswith("Screened 0 rows from 1 file: 0 clear, 0 review, 0 high, 0 critical.")
    assert outcome.report is not None and outcome.report["rows"] == []


def test_no_name_column(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "invoices.csv", "Amount,Currency,Invoice\r\n100,USD,INV-1\r\n")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == (
        f"{path} sheet 'invoices': no supplier-name column; headers found: 'Amount', 'Currency', 'Invoice'; "
        'name one with --map "Header=name"'
    )


def test_duplicate_headers_use_the_first_and_note_the_others(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "dup.csv", (
        "Supplier Name,Country,Supplier Name,Country\r\n"
        "Hunchun Ocean Seafood Co,China,Other Name,Germany\r\nRheinland GmbH,Germany,,\r\n"
    ))
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert (rows[2]["fields"]["name"], rows[2]["fields"]["country"], rows[2]["band"]) == (
        "Hunchun Ocean Seafood Co", "China", "high",
    )
    assert rows[3]["band"] == "clear"
    assert outcome.errors() == [("dup", 1, "duplicate_column"), ("dup", 1, "duplicate_column")]
    assert outcome.report["errors"][0]["message"] == (  # type: ignore[index]
        "column C repeats the header 'Supplier Name' of column A; only column A is read as name; "
        "rename one or choose with --map"
    )


def test_nul_bytes_cost_a_note_not_the_file(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "nul.csv", b"Supplier Name,Country\r\nHunchun Ocean\x00 Seafood Co,China\r\nRheinland GmbH,Germany\r\n")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert rows[2]["fields"]["name"] == "Hunchun Ocean Seafood Co"
    assert (rows[2]["band"], rows[3]["band"]) == ("high", "clear")
    assert outcome.errors() == [("nul", 2, "unreadable_cell")]
    assert outcome.report["errors"][0]["message"] == "row held NUL bytes (removed); check the row in the source file"  # type: ignore[index]


def test_binary_file_named_csv_is_refused(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "blob.csv", bytes(range(256)) * 8)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 2
    assert outcome.error == f"{path}: not a spreadsheet or text file (unknown format); re-save it from Excel as .xlsx"


def test_invalid_utf8_bytes_cost_their_row_a_note(tmp_path: Path, out_dir: Path) -> None:
    """One bad byte must not make the whole file be read as cp1252 and garble every Chinese name."""
    data = "Supplier Name,Country\r\n珲春海洋水产加工有限公司,中国\r\nBäckerei Müller,Deutschland\r\n".encode() + b"Bad \xff\xfe Name,Germany\r\n"
    path = write(tmp_path / "bad-utf8.csv", data)
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert [rows[n]["fields"]["name"] for n in (2, 3, 4)] == ["珲春海洋水产加工有限公司", "Bäckerei Müller", "Bad \ufffd\ufffd Name"]
    assert rows[2]["band"] == "high"
    assert outcome.errors() == [("bad-utf8", 4, "unreadable_cell")]


def test_mixed_delimiters_row_noted(tmp_path: Path, out_dir: Path) -> None:
    path = write(tmp_path / "mixed.csv", (
        "Supplier Name,Country\r\nHunchun Ocean Seafood Co,China\r\nRheinland GmbH;Germany\r\nAcme Ltd,France\r\n"
    ))
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    rows = outcome.rows()
    assert rows[3]["fields"]["name"] == "Rheinland GmbH;Germany"
    assert [rows[n]["band"] for n in (2, 3, 4)] == ["high", "clear", "clear"]
    assert outcome.errors() == [("mixed", 3, "mixed_delimiter")]
    assert outcome.report["errors"][0]["message"] == (  # type: ignore[index]
        "row separates its fields with ';' while the file uses ',': it was read as one cell; fix the row in the "
        "source file"
    )


def test_old_mac_line_endings(tmp_path: Path, out_dir: Path) -> None:
    """Bare CR between records ("CSV (Macintosh)"): crashed delimiter detection (found by fuzzing)."""
    path = write(tmp_path / "mac.csv", b"Supplier Name,Country\rHunchun Ocean Seafood Co,China\rRheinland GmbH,Germany\r")
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    assert [(r["row"], r["band"]) for r in outcome.report["rows"]] == [(2, "high"), (3, "clear")]  # type: ignore[index]


def test_dates_and_numbers_typed_as_text_stay_as_typed(tmp_path: Path, out_dir: Path) -> None:
    from screening.intake import read_inputs

    path = write(tmp_path / "typed.csv", (
        "Supplier Name,Country,Registration number,Since,Amount,NAICS code\r\n"
        'Hunchun Ocean Seafood Co,China,00012345,2024-01-05,"1,234.50",311710\r\n'
        "Rheinland GmbH,Germany,1.20E+05,05/01/2024,-0,5112\r\n"
    ))
    cells = read_inputs([path]).records["cells"].tolist()
    assert cells == [
        ("Hunchun Ocean Seafood Co", "China", "00012345", "2024-01-05", "1,234.50", "311710"),
        ("Rheinland GmbH", "Germany", "1.20E+05", "05/01/2024", "-0", "5112"),
    ]
    outcome = screen(path, out_dir)
    assert outcome.exit_code == 0
    assert [r["band"] for r in outcome.report["rows"]] == ["high", "clear"]  # type: ignore[index]


@pytest.mark.parametrize("variable, value, message", [
    ("SCREENING_MAX_ROWS", "lots", "SCREENING_MAX_ROWS='lots': not a whole number above 0; write e.g. SCREENING_MAX_ROWS=2000000"),
    ("SCREENING_MAX_FILE_SIZE", "2T", "SCREENING_MAX_FILE_SIZE='2T': not a size above 0; write e.g. SCREENING_MAX_FILE_SIZE=512M or 2G"),
    ("SCREENING_MAX_CELLS", "0", "SCREENING_MAX_CELLS='0': not a whole number above 0; write e.g. SCREENING_MAX_CELLS=2000000"),
])
def test_bad_limit_settings_are_one_line_errors(tmp_path: Path, out_dir: Path, variable: str, value: str, message: str) -> None:
    path = write(tmp_path / "s.csv", "Supplier Name\r\nAcme\r\n")
    outcome = screen(path, out_dir, env={variable: value})
    assert outcome.exit_code == 2
    assert outcome.error == message


@pytest.mark.parametrize("variable, value, refused", [
    ("SCREENING_MAX_FILE_SIZE", "40", "is 41 bytes, over the 40 bytes limit; split it into smaller files or raise SCREENING_MAX_FILE_SIZE"),
    ("SCREENING_MAX_FILE_SIZE", "1K", None),
    ("SCREENING_MAX_ROWS", "1", "more than 1 rows, over the limit; split it into smaller files or raise SCREENING_MAX_ROWS"),
    ("SCREENING_MAX_ROWS", "2", None),
])
def test_limits_set_by_environment(tmp_path: Path, out_dir: Path, variable: str, value: str, refused: str | None) -> None:
    path = write(tmp_path / "s.csv", "Supplier Name\r\nAcme Trading Company Ltd\r\n")
    assert path.stat().st_size == 41
    outcome = screen(path, out_dir, env={variable: value})
    if refused:
        assert outcome.exit_code == 2
        assert outcome.error == f"{path}: {refused}"
    else:
        assert outcome.exit_code == 0


def test_cell_length_limit_shorter_than_a_header(tmp_path: Path, out_dir: Path) -> None:
    """SCREENING_MAX_CELL_CHARS=3 cut 'Supplier Name' to 'Sup' and lost the name column: a ValueError."""
    path = write(tmp_path / "s.csv", "Supplier Name,Country\r\nHunchun Ocean Seafood Co,China\r\n")
    outcome = screen(path, out_dir, env={"SCREENING_MAX_CELL_CHARS": "3"})
    assert outcome.exit_code == 0
    assert outcome.rows()[2]["fields"]["name"] == "Hun"
    assert outcome.errors() == [("s", 2, "cell_too_long"), ("s", 2, "cell_too_long")]
