"""read_inputs end to end: the Intake records contract, overrides, provenance and run-level errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import InputError, ReasonCode
from screening.fields import FIELDS
from screening.intake import read_inputs
from tests.intake_support.builders import write_csv, write_xlsx


def _error(*args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_inputs(*args, **kwargs)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_records_follow_the_model_contract(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier Name", "Country", "Extra"], ["Acme", "", "e"], ["", "CN", ""]])
    records = read_inputs([path]).records
    assert list(records.columns) == ["input", "sheet", "row", "table", *FIELDS, "cells"]
    assert str(records["row"].dtype) == "int64" and str(records["table"].dtype) == "int64"
    for column in ["input", "sheet", *FIELDS, "cells"]:
        assert records[column].dtype == object, column
    for column in ["input", "sheet", *FIELDS]:
        assert all(type(v) is str for v in records[column]), column  # "" for absent, never NaN/None
    assert records["country"].tolist() == ["", "CN"]
    assert records["cells"].tolist() == [("Acme", "", "e"), ("", "CN", "")]
    assert records["city"].tolist() == ["", ""]


def test_header_only_file_gives_empty_records_with_all_columns(tmp_path: Path) -> None:
    intake = read_inputs([write_csv(tmp_path / "s.csv", [["Supplier Name", "Country"]])])
    assert len(intake.records) == 0
    assert list(intake.records.columns) == ["input", "sheet", "row", "table", *FIELDS, "cells"]
    assert len(intake.tables) == 1


def test_files_tables_and_rows_keep_input_order(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "b.xlsx", {"One": [["Vendor"], ["V1"], ["V2"]], "Two": [["Company"], ["C1"]]})
    text = write_csv(tmp_path / "a.csv", [["Supplier"], ["S1"]])
    intake = read_inputs([book, str(text)])
    assert [(t.input, t.sheet) for t in intake.tables] == [("b.xlsx", "One"), ("b.xlsx", "Two"), ("a.csv", "a")]
    assert intake.records[["input", "sheet", "row", "table", "name"]].values.tolist() == [
        ["b.xlsx", "One", 2, 0, "V1"],
        ["b.xlsx", "One", 3, 0, "V2"],
        ["b.xlsx", "Two", 2, 1, "C1"],
        ["a.csv", "a", 2, 2, "S1"],
    ]
    assert [(f.path, f.name, f.sheets) for f in intake.files] == [
        (str(book), "b.xlsx", ("One", "Two")),
        (str(text), "a.csv", ("a",)),
    ]
    assert intake.files[0].sha256 == hashlib.sha256(book.read_bytes()).hexdigest()
    assert intake.files[1].sha256 == hashlib.sha256(text.read_bytes()).hexdigest()


def test_a_single_path_is_accepted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier"], ["A"]])
    assert read_inputs(path).records["name"].tolist() == ["A"]  # type: ignore[arg-type]
    assert read_inputs(str(path)).records["name"].tolist() == ["A"]


def test_missing_name_rows_are_kept_and_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Vendor", "Country"], ["", "KP"], ["", ""], ["Acme", "CN"]])
    intake = read_inputs([path])
    assert intake.records["row"].tolist() == [2, 4]  # the empty record 3 is skipped silently
    assert [(e.input, e.sheet, e.row, e.reason_code) for e in intake.errors] == [
        ("s.csv", "s", 2, ReasonCode.MISSING_NAME)
    ]


# ---------------------------------------------------------------- overrides


def test_override_maps_an_unknown_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Kod", "Bezeichnung X", "Staat"], ["1", "Acme", "CN"]])
    intake = read_inputs([path], overrides={"bezeichnung-x": "Name"})  # header and field compared loosely
    assert intake.tables[0].fields == (None, "name", "country")
    assert intake.records["name"].tolist() == ["Acme"]


def test_override_takes_a_field_from_a_synonym_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier Name", "Legal Entity"], ["Trading name", "Legal name"]])
    intake = read_inputs([path], overrides={"Legal Entity": "name"})
    assert intake.tables[0].fields == (None, "name")
    assert intake.records["name"].tolist() == ["Legal name"]


def test_override_with_unknown_field(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier"], ["A"]])
    assert _error([path], overrides={"Firma": "nme"}) == (
        f"--map 'Firma=nme': unknown field 'nme'; valid fields: {', '.join(FIELDS)}"
    )


def test_override_whose_header_is_nowhere(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Supplier", "Country"], ["A", "CN"]])
    assert _error([path], overrides={"Lieferant X": "name"}) == (
        "--map 'Lieferant X=name': no column headed 'Lieferant X' in any sheet read; "
        "headers found: 'Supplier', 'Country'"
    )


# ---------------------------------------------------------------- no name column


def test_single_sheet_without_name_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", [["Code", "Country", "Amount"], ["1", "CN", "9"]])
    assert _error([path]) == (
        f"{path} sheet 's': no supplier-name column; headers found: 'Code', 'Country', 'Amount'; "
        'name one with --map "Header=name"'
    )


def test_input_without_name_column_stops_the_run_even_beside_good_ones(tmp_path: Path) -> None:
    # Skipping a whole file the user asked for would leave its suppliers unscreened unnoticed.
    good = write_csv(tmp_path / "good.csv", [["Supplier"], ["A"]])
    bad = write_csv(tmp_path / "bad.csv", [["Kod", "Kraj"], ["1", "PL"]])
    assert _error([good, bad]).startswith(f"{bad} sheet 'bad': no supplier-name column;")


def test_blank_text_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\r\n\r\n ,, \r\n", encoding="utf-8")
    assert _error([path]) == f"{path} sheet 's': is empty; nothing to screen"


# ---------------------------------------------------------------- any CSV round-trips

_CELL = st.text(alphabet="abcXYZ 0123é中\"'\n,;|\t", max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_csv_cells_come_back_as_written(tmp_path: Path, rows, delimiter: str, encoding: str) -> None:
    path = write_csv(tmp_path / "s.csv", [("Supplier Name", "Country", "Notes"), *rows],
                     encoding=encoding, delimiter=delimiter)
    intake = read_inputs([path])
    expected = [
        (number, tuple(cell.strip() for cell in row))
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row)
    ]
    assert list(zip(intake.records["row"], intake.records["cells"])) == expected
