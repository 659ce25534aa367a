"""Tell a file's format from its content, not its name: suppliers rename files freely."""

from __future__ import annotations

import os
import zipfile
from enum import StrEnum

from ..errors import InputError
from .limits import Limits, human_bytes
from .ole import OLE_MAGIC, stream_names

ZIP_MAGIC = b"PK\x03\x04"
_HEAD_BYTES = 4096
_RESAVE = "re-save it from Excel as .xlsx"

# Other things people attach instead of a spreadsheet; named so the message helps.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)


class Format(StrEnum):
    XLSX = "xlsx"  # also .xlsm and templates: calamine reads them the same way
    XLSB = "xlsb"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"  # any delimited text: .csv, .tsv, .txt


# Extensions calamine's path reader accepts for each format (it picks its reader by name).
NATIVE_EXTENSIONS: dict[Format, tuple[str, ...]] = {
    Format.XLSX: (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"),
    Format.XLSB: (".xlsb",),
    Format.XLS: (".xls", ".xla"),
    Format.ODS: (".ods",),
}


def detect_format(path: str, limits: Limits) -> Format:
    """Sniff `path` (already known to be a non-empty regular file); InputError when unusable."""
    with open(path, "rb") as f:
        head = f.read(_HEAD_BYTES)
    if head.startswith(ZIP_MAGIC):
        return _zip_format(path, limits)
    if head.startswith(OLE_MAGIC):
        return _ole_format(path)
    for magic, what in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise InputError(f"{path}: is {what}, not a spreadsheet; ask for the .xlsx or .csv")
    _reject_markup(path, head)
    return Format.CSV


def _zip_format(path: str, limits: Limits) -> Format:
    try:
        with zipfile.ZipFile(path) as archive:  # reads only the central directory
            infos = archive.infolist()
            names = {info.filename for info in infos}
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # bounded read: the member may lie about its size
                    mimetype = member.read(200)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError, RuntimeError):
        # NotImplementedError: a zip version or method Python cannot read; RuntimeError: an encrypted
        # member (both found by fuzzing)
        raise InputError(f"{path}: not a readable spreadsheet (corrupt zip); {_RESAVE}") from None
    unzipped = sum(info.file_size for info in infos)
    if unzipped > limits.max_unzipped_bytes:
        raise InputError(
            f"{path}: expands to {human_bytes(unzipped)}, over the "
            f"{human_bytes(limits.max_unzipped_bytes)} limit; split it into smaller files or raise "
            "SCREENING_MAX_UNZIPPED_SIZE"
        )
    if mimetype:
        if b"opendocument.spreadsheet" in mimetype:
            return Format.ODS
        raise InputError(f"{path}: is an OpenDocument file but not a spreadsheet; save the table as .ods or .xlsx")
    if any(name.startswith("xl/") for name in names):
        return Format.XLSB if "xl/workbook.bin" in names else Format.XLSX
    if any(name.startswith("word/") for name in names):
        raise InputError(f"{path}: is a Word document, not a spreadsheet; paste the table into Excel and save as .xlsx")
    if any(name.startswith("ppt/") for name in names):
        raise InputError(f"{path}: is a PowerPoint file, not a spreadsheet; ask for the .xlsx")
    raise InputError(f"{path}: is a zip archive, not a spreadsheet; extract it and pass the files inside")


def _ole_format(path: str) -> Format:
    try:
        with open(path, "rb") as f:
            names = {name.casefold() for name in stream_names(f)}
    except ValueError as exc:
        # Never hand a damaged compound file to calamine: its reader trusts the header's counts
        # and can ask for gigabytes (or abort the process) on a few kilobytes.
        raise InputError(f"{path}: is a damaged Excel 97-2003 file ({exc}); {_RESAVE}") from None
    if "encryptedpackage" in names:
        raise InputError(f"{path}: is password-protected; save an unprotected copy")
    if "workbook" in names or "book" in names:
        return Format.XLS
    if "worddocument" in names:
        raise InputError(f"{path}: is a Word document, not a spreadsheet; paste the table into Excel and save as .xlsx")
    raise InputError(f"{path}: is an Office file without a workbook (unknown format); {_RESAVE}")


def _reject_markup(path: str, head: bytes) -> None:
    """Web exports often save HTML or XML under an .xls name; csv would read them as garbage."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: look at the characters, not the bytes
        text = text[2:].replace(b"\x00", b"")
    if text.startswith((b"<html", b"<!doctype html", b"<table")):
        raise InputError(f"{path}: is a web page (HTML) saved as a spreadsheet; open it in Excel and save it as .xlsx")
    if text.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
            raise InputError(f"{path}: is an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx")
        raise InputError(f"{path}: is an XML file, not a spreadsheet; ask for the .xlsx or .csv")


def has_native_extension(path: str, fmt: Format) -> bool:
    return os.path.splitext(path)[1].lower() in NATIVE_EXTENSIONS.get(fmt, ())


def has_macros(path: str, fmt: Format) -> bool:
    """Whether a workbook carries a macro project (VBA in Office files, Basic in OpenDocument).

    Nothing here runs them: calamine reads saved cell values only. The check is so the report can say so.
    """
    try:
        if fmt is Format.XLS:
            with open(path, "rb") as f:
                return any(name.casefold() in ("_vba_project_cur", "vba") for name in stream_names(f))
        if fmt in (Format.XLSX, Format.XLSB, Format.ODS):
            with zipfile.ZipFile(path) as archive:
                return any(
                    name.lower().endswith("vbaproject.bin") or name.startswith("Basic/") for name in archive.namelist()
                )
    except (OSError, ValueError, zipfile.BadZipFile, NotImplementedError):
        return False
    return False
