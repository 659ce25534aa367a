"""The versioned list store and the verified updater (screening.lists.store / .download).

A tiny fake parser stands in for the publishers' formats so these tests stay fast; the real
parsers are exercised on the files in ../shared/data at the end (skipped when that folder is absent).
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import screening.lists
from screening.errors import InputError, ScreeningError
from screening.lists import Address, EntryType, Identifier, ListEntry, ListName, ParsedList, Strength
from screening.lists import store as store_module
from screening.lists.download import FAILED, SKIPPED, UNCHANGED, UPDATED, UpdateResult, update
from screening.lists.store import ListStore, combined_sha256, encode_entries, load_entries

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VERSION = r"^\d{8}T\d{6}Z-[0-9a-f]{12}$"


# ---- the fake parser ----------------------------------------------------------------------
# A file: first line "FAKE <source> [published]", then "id|type|name" lines. Given a file, its
# siblings with the same suffix are read too (like OFAC's sdn.csv beside alt.csv); given a folder,
# every *.lst in it.


def fake_parse(path: Path) -> ParsedList:
    path = Path(path)
    files = sorted(path.glob("*.lst")) if path.is_dir() else [path] + sorted(
        p for p in path.parent.glob(f"*{path.suffix}") if p != path
    )
    entries, source, published = [], None, None
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("FAKE "):
            raise InputError(f"{file}: not a fake list")
        head = lines[0].split()
        source = head[1]
        published = head[2] if len(head) > 2 else published
        for line in lines[1:]:
            id_, kind, name = line.split("|")
            entries.append(ListEntry(source, id_, EntryType(kind), (ListName(name),)))
    digests = tuple((str(f), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files)
    return ParsedList(source or "", published, tuple(entries), digests, ("1 fake warning",))


def fake_list(source: str, n: int, published: str | None = "2026-01-02", salt: str = "") -> bytes:
    head = f"FAKE {source} {published}" if published else f"FAKE {source}"
    rows = [f"{i}{salt}|entity|COMPANY {i}{salt}" for i in range(n)]
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(autouse=True)
def fake_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    for source in ("un", "uk", "eu", "opensanctions"):
        monkeypatch.setitem(screening.lists.PARSERS, source, "tests.test_lists_store:fake_parse")


@pytest.fixture
def store(tmp_path: Path) -> ListStore:
    return ListStore(tmp_path / "store")


def versions(store: ListStore, source: str) -> list[str]:
    return sorted(p.name for p in (store.root / source).iterdir() if p.is_dir())


# ---- import ---------------------------------------------------------------------------------


def test_import_writes_version_folder_meta_and_current(store: ListStore, tmp_path: Path) -> None:
    data = fake_list("un", 3)
    stored = store.import_list(write(tmp_path / "in" / "consolidated.lst", data), "un")

    assert stored.source == "un" and stored.entries == 3 and stored.published == "2026-01-02"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()  # one file: its own sha256
    assert stored.path == store.root / "un" / stored.version
    assert (store.root / "un" / "CURRENT").read_text() == f"{stored.version}\n"
    assert stored.version.endswith(stored.sha256[:12])
    assert (stored.path / "files" / "consolidated.lst").read_bytes() == data
    assert stored.files == (("consolidated.lst", stored.sha256),)
    assert stored.warnings == ("1 fake warning",)
    meta = json.loads((stored.path / "meta.json").read_text())
    assert meta["entries"] == 3 and meta["source"] == "un" and meta["sha256"] == stored.sha256
    assert meta["files"] == [{"name": "consolidated.lst", "sha256": stored.sha256, "bytes": len(data)}]
    assert meta["imported_at"] == stored.imported_at and stored.imported_at.endswith("Z")
    assert meta["tool_version"] == screening.__version__
    assert [s.version for s in store.current()] == [stored.version]
    assert not [p for p in (store.root / "un").iterdir() if p.name.startswith(".")]  # no leftovers


def test_version_name_is_utc_time_and_hash(store: ListStore, tmp_path: Path) -> None:
    stored = store.import_list(write(tmp_path / "a.lst", fake_list("un", 1)), "un")
    assert re.match(VERSION, stored.version)
    assert stored.version[:8] == stored.imported_at[:10].replace("-", "")


def test_several_files_combined_sha256_is_stable_listing(store: ListStore, tmp_path: Path) -> None:
    a = write(tmp_path / "in" / "a.lst", fake_list("uk", 2))
    b = write(tmp_path / "in" / "b.lst", fake_list("uk", 2, salt="b"))
    stored = store.import_list(tmp_path / "in", "uk")
    sha_a, sha_b = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b))
    listing = f"{sha_a}  a.lst\n{sha_b}  b.lst\n".encode()
    assert stored.sha256 == hashlib.sha256(listing).hexdigest()  # sha256sum a.lst b.lst | sha256sum
    assert combined_sha256([("b.lst", sha_b), ("a.lst", sha_a)]) == stored.sha256  # order given is irrelevant
    assert sorted(p.name for p in (stored.path / "files").iterdir()) == ["a.lst", "b.lst"]
    assert stored.entries == 4
    # The primary file path reads its siblings too: same content, same version.
    assert store.import_list(a, "uk").path == stored.path


def test_same_content_makes_no_new_version_and_old_versions_stay(store: ListStore, tmp_path: Path) -> None:
    first = store.import_list(write(tmp_path / "v1" / "l.lst", fake_list("un", 3)), "un")
    again = store.import_list(write(tmp_path / "copy" / "l.lst", fake_list("un", 3)), "un")
    assert again == first and versions(store, "un") == [first.version]

    second = store.import_list(write(tmp_path / "v2" / "l.lst", fake_list("un", 4)), "un")
    assert second.version != first.version
    assert store.current()[0].version == second.version
    assert versions(store, "un") == sorted([first.version, second.version])  # the old one is kept

    back = store.import_list(tmp_path / "v1" / "l.lst", "un")  # the publisher rolled back
    assert back.version == first.version and store.current()[0].version == first.version
    assert len(versions(store, "un")) == 2


def test_unparseable_file_is_never_stored(store: ListStore, tmp_path: Path) -> None:
    good = store.import_list(write(tmp_path / "good" / "l.lst", fake_list("un", 2)), "un")
    with pytest.raises(InputError, match="not a fake list"):
        store.import_list(write(tmp_path / "bad" / "l.lst", b"garbage\n"), "un")
    assert versions(store, "un") == [good.version]
    assert store.current()[0].version == good.version


def test_empty_list_and_missing_path_and_unknown_source_refused(store: ListStore, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no un entries"):
        store.import_list(write(tmp_path / "e.lst", fake_list("un", 0)), "un")
    with pytest.raises(InputError, match="does not exist"):
        store.import_list(tmp_path / "missing.lst", "un")
    with pytest.raises(ScreeningError, match="unknown list source 'unsc'.*ofac-sdn"):
        store.import_list(tmp_path / "e.lst", "unsc")
    with pytest.raises(ScreeningError, match="returned a 'uk' list"):  # a file of another source
        store.import_list(write(tmp_path / "uk" / "x.lst", fake_list("uk", 1)), "un")
    assert store.current() == []


def test_file_changed_after_parsing_is_not_stored(store: ListStore, tmp_path: Path) -> None:
    path = write(tmp_path / "l.lst", fake_list("un", 2))
    parsed = fake_parse(path)
    path.write_bytes(fake_list("un", 5))
    with pytest.raises(InputError, match="changed while it was being imported"):
        store.import_parsed(parsed)
    assert versions(store, "un") == [] and store.current() == []


def test_failure_midway_leaves_no_version_and_keeps_current(
    store: ListStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = store.import_list(write(tmp_path / "a" / "l.lst", fake_list("un", 2)), "un")
    real = store_module._write_durably

    def full_disk(path: Path, data: bytes) -> None:
        if path.name == "meta.json":
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(store_module, "_write_durably", full_disk)
    with pytest.raises(ScreeningError, match="cannot write to the list store .*No space left on device"):
        store.import_list(write(tmp_path / "b" / "l.lst", fake_list("un", 3)), "un")
    assert sorted(p.name for p in (store.root / "un").iterdir()) == sorted(["CURRENT", good.version])
    assert store.current()[0] == good


def test_current_is_sorted_by_source(store: ListStore, tmp_path: Path) -> None:
    store.import_list(write(tmp_path / "u" / "l.lst", fake_list("un", 1)), "un")
    store.import_list(write(tmp_path / "o" / "l.lst", fake_list("opensanctions", 2)), "opensanctions")
    store.import_list(write(tmp_path / "k" / "l.lst", fake_list("uk", 3, published=None)), "uk")
    current = store.current()
    assert [s.source for s in current] == ["opensanctions", "uk", "un"]
    assert [s.entries for s in current] == [2, 3, 1]
    assert current[1].published is None
    (store.root / "notes").mkdir()  # a folder that is no source is not the store's business
    assert len(store.current()) == 3


def test_missing_store_is_empty(tmp_path: Path) -> None:
    assert ListStore(tmp_path / "nowhere").current() == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScreeningError, match="is not a folder"):
        ListStore(tmp_path / "file").current()


# ---- entries round trip -------------------------------------------------------------------


def full_entries() -> tuple[ListEntry, ...]:
    """Every field of every model type set away from its default (and CJK, None, weak names)."""
    return (
        ListEntry(
            source="un", id="KPe.023", type=EntryType.VESSEL,
            names=(
                ListName("KANG SONG 2", "primary"),
                ListName("長安海連技術有限公司", "original-script", Strength.WEAK),
                ListName("TONGBANG U’NHAENG", "fka", Strength.STRONG),
            ),
            programs=("DPRK", "DPRK3"), countries=("KP", "CN"),
            addresses=(Address("Sosong Street, Pyongyang", "Pyongyang", "KP", "Korea, North"),
                       Address("somewhere", "", None, "")),
            identifiers=(Identifier("imo", "8405311", "IMO", "KP"), Identifier("other", "X 1", "", None)),
            remarks='Secondary sanctions risk: "quoted"\nsecond line',
            dates=(("listed", "2017-08-05"), ("birth", "1962")),
        ),
        ListEntry("ofac-sdn", "KPi.001", EntryType.INDIVIDUAL, (ListName("KIM, Jong Un"),)),
        ListEntry("un", "x", EntryType.AIRCRAFT, ()),
        ListEntry("un", "y", EntryType.ENTITY, (ListName("", "other", Strength.WEAK),)),
    )


def test_sample_sets_every_field_so_new_fields_cannot_slip_through() -> None:
    # Each field takes two values or more across the sample: a field the store dropped or
    # defaulted on the way back would make the round trip below fail.
    sample = full_entries()
    groups = {
        ListEntry: sample,
        ListName: [n for e in sample for n in e.names],
        Address: [a for e in sample for a in e.addresses],
        Identifier: [i for e in sample for i in e.identifiers],
    }
    for cls, objs in groups.items():
        for f in dataclasses.fields(cls):
            assert len({repr(getattr(o, f.name)) for o in objs}) > 1, (cls.__name__, f.name)


def test_entries_round_trip_exactly(store: ListStore, tmp_path: Path) -> None:
    src = write(tmp_path / "l.lst", b"any bytes")
    entries = full_entries()
    parsed = ParsedList("un", "2026-02-27", entries, ((str(src), hashlib.sha256(b"any bytes").hexdigest()),))
    stored = store.import_parsed(parsed)
    loaded = load_entries(stored)
    assert loaded == entries
    assert [type(e.type) for e in loaded] == [EntryType] * 4
    assert type(loaded[0].names[1].strength) is Strength
    assert store.load_entries(store.current()[0]) == entries


def test_entries_json_is_deterministic_sorted_and_one_entry_a_line() -> None:
    blob = encode_entries(full_entries())
    assert blob == encode_entries(full_entries())
    lines = blob.decode("utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + 4
    first = lines[1].rstrip(",")
    compact = json.dumps(json.loads(first), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert first == compact and "長安" in first  # sorted keys, no spaces, UTF-8 rather than \\u escapes


def test_tampered_entries_are_refused(store: ListStore, tmp_path: Path) -> None:
    stored = store.import_list(write(tmp_path / "l.lst", fake_list("un", 2)), "un")
    path = stored.path / "entries.json"
    path.write_bytes(path.read_bytes().replace(b"COMPANY 1", b"COMPANY 9"))
    with pytest.raises(ScreeningError, match=r"entries.json does not match the sha256.*screening lists import"):
        load_entries(store.current()[0])
    # Re-importing the same file does not reuse the damaged version: it writes a new intact one.
    again = store.import_list(tmp_path / "l.lst", "un")
    assert again.version != stored.version
    assert [e.name for e in load_entries(store.current()[0])] == ["COMPANY 0", "COMPANY 1"]


# ---- a damaged store is never used silently -------------------------------------------------


def _no_meta(v: Path) -> None:
    (v / "meta.json").unlink()


def _bad_json(v: Path) -> None:
    (v / "meta.json").write_text('{"format": 1, "source": "un", "sha2')


def _missing_field(v: Path) -> None:
    meta = json.loads((v / "meta.json").read_text())
    del meta["entries"]
    (v / "meta.json").write_text(json.dumps(meta))


def _pointer_to_nothing(v: Path) -> None:
    (v.parent / "CURRENT").write_text("20990101T000000Z-000000000000\n")


def _pointer_garbage(v: Path) -> None:
    (v.parent / "CURRENT").write_text("../../etc\n")


def _no_pointer(v: Path) -> None:
    (v.parent / "CURRENT").unlink()


def _no_entries(v: Path) -> None:
    (v / "entries.json").unlink()


def _newer_format(v: Path) -> None:
    meta = json.loads((v / "meta.json").read_text())
    (v / "meta.json").write_text(json.dumps({**meta, "format": 99}))


def _other_source(v: Path) -> None:
    meta = json.loads((v / "meta.json").read_text())
    (v / "meta.json").write_text(json.dumps({**meta, "source": "uk"}))


@pytest.mark.parametrize(
    "damage, says",
    [
        (_no_meta, "has no meta.json"),
        (_bad_json, "meta.json is damaged"),
        (_missing_field, "meta.json is damaged"),
        (_pointer_to_nothing, "names version 20990101T000000Z-000000000000, which is missing"),
        (_pointer_garbage, "does not name a version"),
        (_no_pointer, "has versions but no CURRENT"),
        (_no_entries, "has no entries.json"),
        (_newer_format, "store format 99"),
        (_other_source, "says source 'uk', not 'un'"),
    ],
)
def test_damaged_store_raises_one_line_naming_path(
    store: ListStore, tmp_path: Path, damage: Callable[[Path], None], says: str
) -> None:
    stored = store.import_list(write(tmp_path / "a" / "l.lst", fake_list("un", 2)), "un")
    damage(stored.path)
    with pytest.raises(ScreeningError) as caught:
        store.current()
    message = str(caught.value)
    assert says in message and str(store.root / "un") in message
    assert "re-import it with screening lists import PATH --source un" in message
    assert "\n" not in message
    # and re-importing repairs it
    store.import_list(write(tmp_path / "b" / "l.lst", fake_list("un", 3)), "un")
    assert store.current()[0].entries == 3


def test_interrupted_import_leftover_is_ignored(store: ListStore, tmp_path: Path) -> None:
    stored = store.import_list(write(tmp_path / "l.lst", fake_list("un", 2)), "un")
    (store.root / "un" / ".import-deadbeef" / "files").mkdir(parents=True)  # a crash while assembling
    assert store.current() == [stored]


# ---- where the store is -------------------------------------------------------------------


def test_locate_option_then_env_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module.sys, "platform", "linux")
    monkeypatch.setenv("SCREENING_LISTS_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert ListStore.locate(tmp_path / "opt").root == tmp_path / "opt"
    assert ListStore.locate(None).root == tmp_path / "env"
    monkeypatch.setenv("SCREENING_LISTS_DIR", "")
    assert ListStore.locate(None).root == tmp_path / "xdg" / "screening" / "lists"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: relative paths are invalid
    assert ListStore.locate(None).root == tmp_path / "home" / ".local" / "share" / "screening" / "lists"
    monkeypatch.setattr(store_module.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert ListStore.locate(None).root == tmp_path / "local" / "screening" / "lists"


# ---- update: a local HTTP server ------------------------------------------------------------

Routes = dict[str, tuple[str, bytes]]
ROUTES: Routes = {}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        kind, body = ROUTES.get(self.path, ("404", b""))
        if kind == "404":
            self.send_error(404, "Not Found")
            return
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", body.decode())
            self.end_headers()
            return
        self.send_response(200)
        declared = len(body) + (1000 if kind == "short" else 0)  # "short": promises more than it sends
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def routes(server: str, monkeypatch: pytest.MonkeyPatch) -> Routes:
    monkeypatch.setenv("no_proxy", "*")  # the test server is local, whatever proxy the machine has
    ROUTES.clear()
    return ROUTES


def urls(server: str, **paths: str) -> dict[str, tuple[str, ...]]:
    return {source: tuple(f"{server}{p}" for p in path.split(",")) for source, path in paths.items()}


def test_update_good_download_becomes_current_then_unchanged(store: ListStore, server: str, routes: Routes) -> None:
    routes["/un/consolidated.lst"] = ("ok", fake_list("un", 10))
    results = update(store, ["un"], urls=urls(server, un="/un/consolidated.lst"), timeout=5)
    assert [r.status for r in results] == [UPDATED]
    assert results[0].message.startswith("un: updated: 10 entries, published 2026-01-02, sha256 ")
    assert store.current()[0].entries == 10 and results[0].stored == store.current()[0]
    assert not [p for p in store.root.iterdir() if p.name.startswith(".download-")]  # temp folder removed

    again = update(store, ["un"], urls=urls(server, un="/un/consolidated.lst"), timeout=5)
    assert again[0].status == UNCHANGED and again[0].stored == results[0].stored
    assert len(versions(store, "un")) == 1


@pytest.mark.parametrize(
    "route, says",
    [
        (("ok", fake_list("un", 4)), "4 entries, less than half of the 10 in the current version"),
        (("404", b""), "HTTP 404"),
        (("short", fake_list("un", 10, salt="x")), "incomplete, received"),
        (("ok", b"<html>maintenance</html>"), "does not parse"),
        (("redirect", b"http://example.invalid/consolidated.lst"), "which is not https; refused"),
    ],
    ids=["truncated", "404", "content-length", "unparseable", "redirect-to-http"],
)
def test_update_failure_keeps_previous_version(
    store: ListStore, server: str, routes: Routes, route: tuple[str, bytes], says: str
) -> None:
    routes["/ok.lst"] = ("ok", fake_list("un", 10))
    before = update(store, ["un"], urls=urls(server, un="/ok.lst"), timeout=5)[0].stored
    assert before is not None
    routes["/next.lst"] = route
    result = update(store, ["un"], urls=urls(server, un="/next.lst"), timeout=5)[0]
    assert result.status == FAILED and result.failed
    assert says in result.message, result.message
    assert result.message.startswith("un: update failed: ")
    assert result.message.endswith(f"the previous version ({before.version}) stays in use")
    assert "\n" not in result.message
    assert store.current() == [before] and result.stored == before
    assert versions(store, "un") == [before.version]
    assert not [p for p in store.root.iterdir() if p.name.startswith(".")]

    routes["/next.lst"] = ("ok", fake_list("un", 11))  # the publisher fixed it: a good download wins
    fixed = update(store, ["un"], urls=urls(server, un="/next.lst"), timeout=5)[0]
    assert fixed.status == UPDATED and store.current()[0].entries == 11


def test_update_follows_loopback_redirect_and_reads_several_files(
    store: ListStore, server: str, routes: Routes
) -> None:
    routes["/old/prim.lst"] = ("redirect", f"{server}/new/prim.lst".encode())
    routes["/new/prim.lst"] = ("ok", fake_list("uk", 3))
    routes["/alt.lst"] = ("ok", fake_list("uk", 2, salt="alt"))
    result = update(store, ["uk"], urls=urls(server, uk="/old/prim.lst,/alt.lst"), timeout=5)[0]
    assert result.status == UPDATED, result.message
    assert result.stored is not None and result.stored.entries == 5
    assert sorted(name for name, _ in result.stored.files) == ["alt.lst", "prim.lst"]


def test_update_refuses_plain_http_without_connecting(store: ListStore) -> None:
    result = update(store, ["un"], urls={"un": ("http://example.invalid/consolidated.xml",)}, timeout=1)[0]
    assert result.status == FAILED
    assert "only https addresses are downloaded" in result.message
    assert "no version of it is stored yet" in result.message


def test_update_one_failure_does_not_stop_the_others(store: ListStore, server: str, routes: Routes) -> None:
    routes["/uk.lst"] = ("ok", fake_list("uk", 3))
    seen: list[UpdateResult] = []
    results = update(store, ["un", "uk"], urls=urls(server, un="/missing.lst", uk="/uk.lst"), timeout=5,
                     report=seen.append)
    assert [(r.source, r.status) for r in results] == [("un", FAILED), ("uk", UPDATED)]
    assert seen == results
    assert [s.source for s in store.current()] == ["uk"]


def test_update_default_sources(store: ListStore, tmp_path: Path) -> None:
    # An empty store: OFAC SDN and UN. No addresses given here, so nothing is fetched.
    assert [r.source for r in update(store, urls={})] == ["ofac-sdn", "un"]
    store.import_list(write(tmp_path / "u" / "l.lst", fake_list("uk", 1)), "uk")
    store.import_list(write(tmp_path / "e" / "l.lst", fake_list("eu", 1)), "eu")
    results = update(store, urls={})
    assert [(r.source, r.status) for r in results] == [("eu", SKIPPED), ("uk", SKIPPED)]
    assert "per-user token" in results[0].message
    asked = update(store, ["eu"], urls={})[0]  # asked for by name: a failure, with the reason
    assert asked.status == FAILED and "per-user token" in asked.message


def test_update_unknown_source_and_damaged_store_raise(store: ListStore, tmp_path: Path) -> None:
    with pytest.raises(ScreeningError, match="unknown list source 'ofac'"):
        update(store, ["ofac"], urls={})
    stored = store.import_list(write(tmp_path / "l.lst", fake_list("un", 2)), "un")
    (stored.path / "meta.json").unlink()
    with pytest.raises(ScreeningError, match="has no meta.json"):
        update(store, ["un"], urls={})


# ---- the real parsers on the publishers' files ------------------------------------------------


def _real_parser(source: str) -> None:
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent")
    module = screening.lists.PARSERS[source].partition(":")[0]
    pytest.importorskip(module)


@pytest.fixture
def real_parsers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the fake parsers out


def test_real_un_import_round_trips(real_parsers: None, store: ListStore) -> None:
    _real_parser("un")
    xml = DATA / "un_consolidated" / "consolidated.xml"
    stored = store.import_list(xml, "un")
    assert stored.sha256 == hashlib.sha256(xml.read_bytes()).hexdigest()
    assert stored.published is not None and stored.published.startswith("2026-02-27")
    assert stored.entries == 1003
    assert (stored.path / "files" / "consolidated.xml").read_bytes() == xml.read_bytes()
    entries = load_entries(stored)
    assert len(entries) == 1003 and sum(e.id.startswith("KP") for e in entries) == 155
    assert store.import_list(xml, "un") == stored  # same file: same version


def test_real_ofac_sdn_folder_or_primary_file_same_version(real_parsers: None, store: ListStore) -> None:
    _real_parser("ofac-sdn")
    folder = DATA / "ofac_sdn_2022-01-31"
    stored = store.import_list(folder, "ofac-sdn")
    names = ("add.csv", "alt.csv", "sdn.csv")
    shas = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names}
    assert sorted(n for n, _ in stored.files) == list(names)
    assert stored.sha256 == combined_sha256(shas.items())
    for name in names:
        assert (stored.path / "files" / name).read_bytes() == (folder / name).read_bytes()
    assert stored.entries == 9044 and stored.published is None
    assert any("orphan" in w for w in stored.warnings)
    entries = load_entries(stored)
    assert sum(any(p.startswith("DPRK") for p in e.programs) for e in entries) == 423
    # The primary CSV reads its siblings: the same files, so the same version, no new folder.
    assert store.import_list(folder / "sdn.csv", "ofac-sdn") == stored
    assert versions(store, "ofac-sdn") == [stored.version]


def test_real_ofac_sdn_update_from_local_server(
    real_parsers: None, store: ListStore, server: str, routes: Routes
) -> None:
    _real_parser("ofac-sdn")
    folder = DATA / "ofac_sdn_latest"
    names = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
    for name in names:
        routes[f"/ofac/{name}"] = ("ok", (folder / name).read_bytes())
    official = {"ofac-sdn": tuple(f"{server}/ofac/{name}" for name in names)}
    result = update(store, urls=official, timeout=10)[0]  # an empty store: ofac-sdn and un by default
    assert (result.source, result.status) == ("ofac-sdn", UPDATED), result.message
    assert result.stored is not None and result.stored.entries == 15443
    assert sorted(n for n, _ in result.stored.files) == sorted(names)

    lines = (folder / "sdn.csv").read_bytes().splitlines(keepends=True)
    routes["/ofac/sdn.csv"] = ("ok", b"".join(lines[:5000]))  # cut short, but well-formed
    cut = update(store, ["ofac-sdn"], urls=official, timeout=10)[0]
    assert cut.status == FAILED and "5000 entries, less than half of the 15443" in cut.message
    assert store.current() == [result.stored]
