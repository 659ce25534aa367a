"""The versioned local list store: every import is kept, one version per source is current.

Layout (one folder per source, one folder per version, never rewritten once written):

    <root>/<source>/CURRENT                       one line: the current version's folder name
    <root>/<source>/<version>/files/<name>        the publisher's files, byte for byte
    <root>/<source>/<version>/entries.json        the parsed entries (sorted keys, one entry a line)
    <root>/<source>/<version>/meta.json           source, published, sha256, counts, files, warnings...

`<version>` is `<UTC time of import>-<first 12 hex of the list's sha256>`, e.g.
`20260921T141320Z-3f1c0a9b27de`. A version is assembled in a hidden `.import-*` folder and renamed
into place complete; CURRENT is then replaced atomically, so a crash leaves either the old or the
new version current, never half of one. Older versions stay for auditors who re-run old reports.

The list's `sha256`: for a list of one file, that file's sha256 (compare it with `sha256sum`); for
a list of several files (OFAC's CSV trio), the sha256 of their `sha256sum`-style listing
(`<hex>  <name>\\n` per file, sorted by name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screening import __version__
from screening.durable import fsync_folder
from screening.errors import InputError, ScreeningError
from screening.lists.model import (
    SOURCES,
    Address,
    EntryType,
    Identifier,
    ListEntry,
    ListName,
    ParsedList,
    Strength,
)

STORE_FORMAT = 1  # meta.json "format": bump when the layout changes, so old tools refuse new stores
ENV_VAR = "SCREENING_LISTS_DIR"
CURRENT = "CURRENT"
META = "meta.json"
ENTRIES = "entries.json"
FILES = "files"  # a subfolder, so a publisher file named meta.json can never clash with ours
CHUNK = 1 << 20
REIMPORT = "re-import it with screening lists import PATH --source {source}"
_VERSION_NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}(-\d+)?$")


@dataclass(frozen=True)
class StoredList:
    """One stored version of a list, as described by its meta.json."""

    source: str
    published: str | None
    sha256: str  # of the publisher's files (see the module docstring)
    entries: int
    imported_at: str  # ISO 8601 UTC, e.g. 2026-09-21T14:13:20Z
    path: Path  # the version folder
    files: tuple[tuple[str, str], ...]  # (file name under path/files, sha256)
    warnings: tuple[str, ...] = ()
    entries_sha256: str = ""  # of entries.json, checked when the entries are loaded
    tool_version: str = ""

    @property
    def version(self) -> str:
        return self.path.name


class ListStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"ListStore({str(self.root)!r})"

    @classmethod
    def locate(cls, option: Path | None = None) -> ListStore:
        """--lists DIR, else $SCREENING_LISTS_DIR, else the per-user data folder (design.md, CLI)."""
        if option is not None and str(option).strip():
            return cls(Path(option).expanduser())
        env = os.environ.get(ENV_VAR, "").strip()
        if env:
            return cls(Path(env).expanduser())
        return cls(default_root())

    # ---- reading -------------------------------------------------------------------------

    def current(self) -> list[StoredList]:
        """The current version of every source in the store, sorted by source.

        Raises ScreeningError naming the path when a source is half-written or corrupt: a
        compliance tool never screens against a list it cannot vouch for.
        """
        if not self.root.exists():
            return []
        if not self.root.is_dir():
            raise ScreeningError(f"list store {self.root} is not a folder; choose another --lists or {ENV_VAR}")
        found = []
        for source in sorted(SOURCES):
            stored = self.current_of(source)
            if stored is not None:
                found.append(stored)
        return found

    def current_of(self, source: str) -> StoredList | None:
        """The current version of one source; None when the store never held it."""
        _check_source(source)
        folder = self.root / source
        pointer = folder / CURRENT
        if not folder.is_dir():
            return None
        if not pointer.is_file():
            if any(_version_folders(folder)):
                raise ScreeningError(
                    f"list store {folder} has versions but no {CURRENT} file (an interrupted import?); "
                    + REIMPORT.format(source=source)
                )
            return None
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ScreeningError(f"cannot read {pointer}: {_reason(exc)}; " + REIMPORT.format(source=source)) from exc
        if not _VERSION_NAME.match(name):
            raise ScreeningError(
                f"{pointer} does not name a version ({name[:40]!r}); " + REIMPORT.format(source=source)
            )
        version = folder / name
        if not version.is_dir():
            raise ScreeningError(
                f"{pointer} names version {name}, which is missing from {folder}; " + REIMPORT.format(source=source)
            )
        stored = read_meta(version)
        if stored.source != source:
            raise ScreeningError(
                f"{version / META} says source {stored.source!r}, not {source!r}; " + REIMPORT.format(source=source)
            )
        if not (version / ENTRIES).is_file():
            raise ScreeningError(f"{version} has no {ENTRIES}; " + REIMPORT.format(source=source))
        return stored

    def load_entries(self, stored: StoredList) -> tuple[ListEntry, ...]:
        """The entries of a stored version (see the module-level load_entries)."""
        return load_entries(stored)

    # ---- writing -------------------------------------------------------------------------

    def import_list(self, path: Path, source: str) -> StoredList:
        """Parse `path` with the source's parser, then store it and make it current.

        A file that does not parse is never stored (the parser raises InputError). Importing
        content that is already stored makes no new version: that version becomes current again.
        """
        _check_source(source)
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path} does not exist; give the {source} list file or its folder")
        parsed = parse(path, source)
        return self.import_parsed(parsed)

    def import_parsed(self, parsed: ParsedList) -> StoredList:
        """Store an already parsed list (its `files` are copied) and make it current."""
        source = parsed.source
        _check_source(source)
        if not parsed.entries:
            raise InputError(f"{_describe(parsed)}: no {source} entries found; nothing was stored")
        if not parsed.files:
            raise ScreeningError(f"the {source} parser named no files; nothing was stored")
        names = _file_names(parsed.files)
        sha256 = combined_sha256([(name, sha) for name, (_, sha) in zip(names, parsed.files, strict=True)])
        entries_blob = encode_entries(parsed.entries)
        entries_sha256 = hashlib.sha256(entries_blob).hexdigest()

        folder = self.root / source
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _store_error(self.root, exc) from exc
        existing = self._find_same(folder, sha256, entries_sha256)
        if existing is not None:
            self._point(folder, existing.path.name)
            return existing

        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        version = _free_name(folder, f"{now:%Y%m%dT%H%M%SZ}-{sha256[:12]}")
        staging = folder / f".import-{secrets.token_hex(6)}"
        try:
            (staging / FILES).mkdir(parents=True)
            files = []
            for name, (given, stated) in zip(names, parsed.files, strict=True):
                actual, size = _copy_hashing(Path(given), staging / FILES / name)
                if actual != stated:
                    raise InputError(
                        f"{given} changed while it was being imported (sha256 {actual[:16]}..., "
                        f"parsed as {stated[:16]}...); nothing was stored, import it again"
                    )
                files.append({"name": name, "sha256": actual, "bytes": size})
            _write_durably(staging / ENTRIES, entries_blob)
            meta = {
                "format": STORE_FORMAT,
                "source": source,
                "version": version,
                "published": parsed.published,
                "sha256": sha256,
                "entries": len(parsed.entries),
                "entries_sha256": entries_sha256,
                "imported_at": now.isoformat().replace("+00:00", "Z"),
                "files": files,
                "warnings": list(parsed.warnings),
                "tool_version": __version__,
            }
            _write_durably(staging / META, _json_bytes(meta, indent=2))
            fsync_folder(staging / FILES)
            fsync_folder(staging)
            os.rename(staging, folder / version)
            fsync_folder(folder)
        except OSError as exc:
            raise _store_error(self.root, exc) from exc
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        self._point(folder, version)
        return read_meta(folder / version)

    def _point(self, folder: Path, version: str) -> None:
        try:
            _write_atomically(folder / CURRENT, f"{version}\n".encode("ascii"))
        except OSError as exc:
            raise _store_error(self.root, exc) from exc

    def _find_same(self, folder: Path, sha256: str, entries_sha256: str) -> StoredList | None:
        """A stored, intact version with the same files and the same parsed entries."""
        for version in sorted(_version_folders(folder), reverse=True):
            try:
                stored = read_meta(version)
            except ScreeningError:
                continue  # a damaged old version is never reused; a new one is written instead
            if stored.sha256 == sha256 and stored.entries_sha256 == entries_sha256 and _intact(stored):
                return stored
        return None


# ---- entries.json -----------------------------------------------------------------------


def encode_entries(entries: Iterable[ListEntry]) -> bytes:
    """Deterministic JSON: a list with one entry per line, keys sorted, no spaces, UTF-8."""
    lines = [_json_bytes(_encode_entry(e)) for e in entries]
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


def load_entries(stored: StoredList) -> tuple[ListEntry, ...]:
    """The entries of a stored version, rebuilt exactly as the parser produced them.

    entries.json is checked against the sha256 and count in meta.json first.
    """
    path = stored.path / ENTRIES
    hint = REIMPORT.format(source=stored.source)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise ScreeningError(f"cannot read {path}: {_reason(exc)}; {hint}") from exc
    if stored.entries_sha256 and hashlib.sha256(blob).hexdigest() != stored.entries_sha256:
        raise ScreeningError(f"{path} does not match the sha256 in its meta.json (changed or damaged); {hint}")
    try:
        raw = json.loads(blob)
        entries = tuple(_decode_entry(item) for item in raw)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ScreeningError(f"{path} is not a valid entries file ({type(exc).__name__}); {hint}") from exc
    if len(entries) != stored.entries:
        raise ScreeningError(f"{path} holds {len(entries)} entries, meta.json says {stored.entries}; {hint}")
    return entries


def _encode_entry(e: ListEntry) -> dict[str, Any]:
    return {
        "source": e.source,
        "id": e.id,
        "type": str(e.type),
        "names": [{"name": n.name, "kind": n.kind, "strength": str(n.strength)} for n in e.names],
        "programs": list(e.programs),
        "countries": list(e.countries),
        "addresses": [
            {"text": a.text, "city": a.city, "country": a.country, "country_text": a.country_text} for a in e.addresses
        ],
        "identifiers": [
            {"kind": i.kind, "value": i.value, "label": i.label, "country": i.country} for i in e.identifiers
        ],
        "remarks": e.remarks,
        "dates": [[kind, value] for kind, value in e.dates],
    }


def _decode_entry(d: dict[str, Any]) -> ListEntry:
    return ListEntry(
        source=d["source"],
        id=d["id"],
        type=EntryType(d["type"]),
        names=tuple(ListName(n["name"], n["kind"], Strength(n["strength"])) for n in d["names"]),
        programs=tuple(d["programs"]),
        countries=tuple(d["countries"]),
        addresses=tuple(Address(a["text"], a["city"], a["country"], a["country_text"]) for a in d["addresses"]),
        identifiers=tuple(Identifier(i["kind"], i["value"], i["label"], i["country"]) for i in d["identifiers"]),
        remarks=d["remarks"],
        dates=tuple((kind, value) for kind, value in d["dates"]),
    )


# ---- meta.json --------------------------------------------------------------------------


def read_meta(version: Path) -> StoredList:
    """A version folder's meta.json as a StoredList; ScreeningError naming the file if unusable."""
    path = version / META
    source = version.parent.name
    hint = REIMPORT.format(source=source if source in SOURCES else "SOURCE")
    if not path.is_file():
        raise ScreeningError(f"{version} has no {META} (an interrupted import?); {hint}")
    try:
        meta = json.loads(path.read_bytes())
        if meta.get("format") != STORE_FORMAT:
            raise ScreeningError(
                f"{path} has store format {meta.get('format')!r}; this screening {__version__} reads format "
                f"{STORE_FORMAT}; {hint}"
            )
        stored = StoredList(
            source=_str(meta["source"]),
            published=None if meta["published"] is None else _str(meta["published"]),
            sha256=_str(meta["sha256"]),
            entries=_int(meta["entries"]),
            imported_at=_str(meta["imported_at"]),
            path=version,
            files=tuple((_str(f["name"]), _str(f["sha256"])) for f in meta["files"]),
            warnings=tuple(_str(w) for w in meta["warnings"]),
            entries_sha256=_str(meta["entries_sha256"]),
            tool_version=_str(meta.get("tool_version", "")),
        )
    except ScreeningError:
        raise
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        detail = _reason(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {str(exc)[:80]}"
        raise ScreeningError(f"{path} is damaged ({detail}); {hint}") from exc
    if any("/" in name or "\\" in name or name in ("", ".", "..") for name, _ in stored.files):
        raise ScreeningError(f"{path} names a file outside its folder; {hint}")
    return stored


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"expected a count, got {value!r}")
    return value


def _intact(stored: StoredList) -> bool:
    """Every byte of a version is still what its meta.json says (before reusing it)."""
    checks = [(stored.path / ENTRIES, stored.entries_sha256)]
    checks += [(stored.path / FILES / name, sha) for name, sha in stored.files]
    try:
        return all(file_sha256(path) == sha for path, sha in checks)
    except OSError:
        return False


# ---- hashing and files ------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def combined_sha256(files: Iterable[tuple[str, str]]) -> str:
    """One file: its own sha256. Several: sha256 of `<hex>  <name>\\n` lines sorted by name."""
    pairs = sorted(files)
    if len(pairs) == 1:
        return pairs[0][1]
    listing = "".join(f"{sha}  {name}\n" for name, sha in pairs)
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _file_names(files: tuple[tuple[str, str], ...]) -> list[str]:
    """Names under files/: the publisher's own file names; a clash of names is a parser bug."""
    names = [Path(given).name for given, _ in files]
    if len(set(names)) != len(names) or any(not n or n.startswith(".") for n in names):
        raise ScreeningError(f"the parser named files that cannot be stored side by side: {', '.join(names)}")
    return names


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with open(src, "rb") as fin, open(dst, "xb") as fout:
            while chunk := fin.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
    except OSError as exc:
        if exc.filename == str(src):  # the input is gone or unreadable; a store error otherwise
            raise InputError(f"cannot read {src}: {_reason(exc)}") from exc
        raise
    return digest.hexdigest(), size


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        _write_durably(tmp, data)
        os.replace(tmp, path)
    finally:
        with suppress(OSError):
            tmp.unlink()
    fsync_folder(path.parent)



def _json_bytes(value: object, indent: int | None = None) -> bytes:
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=separators, indent=indent)
    return text.encode("utf-8") + (b"\n" if indent is not None else b"")


def _version_folders(folder: Path) -> Iterator[Path]:
    with suppress(OSError):
        for child in folder.iterdir():
            if child.is_dir() and not child.name.startswith("."):
                yield child


def _free_name(folder: Path, name: str) -> str:
    # Same second and same files but a different parse (a newer parser): keep both versions.
    candidate, n = name, 1
    while (folder / candidate).exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


# ---- helpers ----------------------------------------------------------------------------


def parse(path: Path, source: str) -> ParsedList:
    """Parse with the source's parser; the parser's InputError passes through unchanged."""
    from screening.lists import PARSERS, parser_for

    try:
        parser = parser_for(source)
    except ModuleNotFoundError as exc:
        module = PARSERS[source].partition(":")[0]
        if exc.name and module.startswith(exc.name):
            raise ScreeningError(f"this version of screening has no {source} parser yet ({module})") from exc
        raise
    parsed = parser(path)
    if parsed.source != source:
        raise ScreeningError(f"the {source} parser returned a {parsed.source!r} list for {path}; nothing was stored")
    return parsed


def default_root() -> Path:
    """The per-user data folder: XDG on Linux, Application Support on macOS, LOCALAPPDATA on Windows."""
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / "screening" / "lists"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "screening" / "lists"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"  # XDG: ignore relative
    return base_path / "screening" / "lists"


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise ScreeningError(f"unknown list source {source!r}; use one of: {', '.join(SOURCES)}")


def _describe(parsed: ParsedList) -> str:
    return ", ".join(str(given) for given, _ in parsed.files) or parsed.source


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _store_error(root: Path, exc: OSError) -> ScreeningError:
    where = f" ({exc.filename})" if exc.filename else ""
    return ScreeningError(
        f"cannot write to the list store {root}{where}: {_reason(exc)}; "
        f"free space or choose another --lists or {ENV_VAR}"
    )
