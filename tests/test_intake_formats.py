"""Format sniffing by content, and the one-line errors for files that cannot be screened."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from screening.errors import InputError
from screening.intake import Limits, read_inputs
from screening.intake.formats import Format, detect_format
from screening.intake.ole import stream_names
from tests.intake_support.builders import (
    ole_bytes,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

ROWS = [["Supplier Name", "Country"], ["Acme Seafood", "China"]]


def _renamed(src: Path, name: str) -> Path:
    target = src.with_name(name)
    src.rename(target)
    return target


def _names_and_countries(path: Path) -> list[tuple[str, str]]:
    records = read_inputs([path]).records
    return list(zip(records["name"], records["country"]))


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda p: write_xlsx(p / "a.xlsx", {"S": ROWS}), Format.XLSX),
        (lambda p: write_xls(p / "a.xls", {"S": ROWS}), Format.XLS),
        (lambda p: write_ods(p / "a.ods", {"S": ROWS}), Format.ODS),
        (lambda p: write_csv(p / "a.csv", ROWS), Format.CSV),
    ],
)
def test_formats_are_told_by_content(tmp_path: Path, build, expected: Format) -> None:
    path = build(tmp_path)
    assert detect_format(str(path), Limits()) is expected
    assert _names_and_countries(path) == [("Acme Seafood", "China")]


@pytest.mark.parametrize(
    ("build", "new_name", "expected"),
    [
        (lambda p: write_csv(p / "a.csv", ROWS), "suppliers.xlsx", Format.CSV),
        (lambda p: write_xls(p / "a.xls", {"S": ROWS}), "suppliers.xlsx", Format.XLS),
        (lambda p: write_ods(p / "a.ods", {"S": ROWS}), "suppliers.xlsx", Format.ODS),
        (lambda p: write_xlsx(p / "a.xlsx", {"S": ROWS}), "suppliers.ods", Format.XLSX),
        (lambda p: write_xlsx(p / "a.xlsx", {"S": ROWS}), "suppliers.csv", Format.XLSX),
        (lambda p: write_xlsx(p / "a.xlsx", {"S": ROWS}), "suppliers", Format.XLSX),
    ],
)
def test_renamed_files_still_read(tmp_path: Path, build, new_name: str, expected: Format) -> None:
    path = _renamed(build(tmp_path), new_name)
    assert detect_format(str(path), Limits()) is expected
    assert _names_and_countries(path) == [("Acme Seafood", "China")]
    assert read_inputs([path]).records["input"].tolist() == [new_name]


def test_xlsb_is_recognised_by_its_binary_workbook_part(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert detect_format(str(path), Limits()) is Format.XLSB


def test_ole_directory_lists_the_streams_of_a_real_xls(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "a.xls", {"S": ROWS})
    with open(path, "rb") as f:
        assert "Workbook" in stream_names(f)


def test_ole_directory_of_a_crafted_encrypted_package() -> None:
    data = ole_bytes(["EncryptionInfo", "EncryptedPackage"])
    assert stream_names(io.BytesIO(data)) == ["Root Entry", "EncryptionInfo", "EncryptedPackage"]


def test_stream_names_rejects_non_ole_bytes() -> None:
    with pytest.raises(ValueError):
        stream_names(io.BytesIO(b"PK\x03\x04" + b"\x00" * 600))


# ---------------------------------------------------------------- files that cannot be screened


def _error(paths: list[Path | str], **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_inputs(paths, **kwargs)
    message = str(caught.value)
    assert "\n" not in message  # one line, always
    return message


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "suppliers.xlsx"
    path.write_bytes(ole_bytes(["EncryptionInfo", "EncryptedPackage"]))
    assert _error([path]) == f"{path}: is password-protected; save an unprotected copy"


def test_ole_file_without_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "letter.xls"
    path.write_bytes(ole_bytes(["WordDocument"]))
    assert _error([path]).startswith(f"{path}: is a Word document, not a spreadsheet;")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "suppliers.xlsx"
    path.write_bytes(b"")
    assert _error([path]) == f"{path}: is empty (0 bytes); check that the right file was sent"


def test_corrupt_zip(tmp_path: Path) -> None:
    path = tmp_path / "suppliers.xlsx"
    good = write_xlsx(tmp_path / "good.xlsx", {"S": ROWS}).read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated download: no central directory
    assert _error([path]) == f"{path}: not a readable spreadsheet (corrupt zip); re-save it from Excel as .xlsx"


def test_zip_with_broken_workbook_xml(tmp_path: Path) -> None:
    path = tmp_path / "suppliers.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets>")
    message = _error([path])
    assert message.startswith(f"{path}: not a readable spreadsheet (")
    assert message.endswith("); re-save it from Excel as .xlsx")


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ({"word/document.xml": "<w/>", "[Content_Types].xml": "<Types/>"}, "is a Word document, not a spreadsheet"),
        ({"suppliers.csv": "Supplier Name\nAcme\n"}, "is a zip archive, not a spreadsheet; extract it"),
        ({"mimetype": "application/vnd.oasis.opendocument.text"}, "is an OpenDocument file but not a spreadsheet"),
    ],
)
def test_other_zip_files_are_named(tmp_path: Path, members: dict[str, str], expected: str) -> None:
    path = tmp_path / "suppliers.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    assert _error([path]).startswith(f"{path}: {expected}")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", "is a PDF, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n....", "is an image, not a spreadsheet"),
        (b"<html><body><table><tr><td>Supplier Name</td></tr></table>", "is a web page (HTML) saved as a spreadsheet"),
        (b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
         "is an Excel 2003 XML spreadsheet"),
        (bytes(range(256)) * 8, "not a spreadsheet or text file (unknown format)"),
    ],
)
def test_non_spreadsheets_are_refused_by_content(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "suppliers.xls"
    path.write_bytes(content)
    assert _error([path]).startswith(f"{path}: {expected}")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    assert _error([missing]) == f"{missing}: file not found; check the path"
    assert _error([tmp_path]) == f"{tmp_path}: is a folder, not a file; pass the spreadsheets inside it"


def test_no_inputs_at_all() -> None:
    assert _error([]) == "no input files given; pass one or more spreadsheets"


def test_file_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", ROWS * 50)
    message = _error([path], limits=Limits(max_file_bytes=100))
    assert message.startswith(f"{path}: is ")
    assert message.endswith("over the 100 bytes limit; split it into smaller files or raise SCREENING_MAX_FILE_SIZE")


def test_unzipped_size_is_checked_before_opening(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", " " * 3_000_000)  # compresses to a few KiB
    assert os.path.getsize(path) < 20_000
    message = _error([path], limits=Limits(max_unzipped_bytes=1024 * 1024))
    assert message == f"{path}: expands to 2.9 MiB, over the 1.0 MiB limit; split it into smaller files or raise SCREENING_MAX_UNZIPPED_SIZE"


def test_inputs_are_left_untouched(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"S": ROWS})
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    read_inputs([path])
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]  # no lock or temp files left
