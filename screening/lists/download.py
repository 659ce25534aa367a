"""`screening lists update`: download the publishers' official files, verify them, then import.

Every source is verified before anything is stored, and a failure leaves its current version in
use. A download is accepted only when:
  - every request ends in HTTP 200 over https (redirects too; plain http only to 127.0.0.1, for tests);
  - the bytes received match the Content-Length the server declared;
  - the files parse with the source's parser;
  - the list has at least half the entries of the current version (a truncated or broken file
    otherwise replaces a good list).

Official addresses (OFFICIAL_URLS) cover OFAC SDN and consolidated (legacy CSV), UN, UK OFSI and
OpenSanctions. Not downloaded:
  - eu: the EU Financial Sanctions File address carries a per-user token; download it while logged in
    and run `screening lists import FILE --source eu`;
  - ofac-xml: the SDN CSVs (ofac-sdn) hold the same list; import the XML by hand if you prefer it.
"""

from __future__ import annotations

import http.client
import ipaddress
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from screening import __version__
from screening.errors import ScreeningError
from screening.lists.model import SOURCES
from screening.lists.store import ListStore, StoredList, parse

OFAC = "https://www.treasury.gov/ofac/downloads"
OFFICIAL_URLS: Mapping[str, tuple[str, ...]] = {
    # The primary file first: it is the path given to the parser (its siblings are read beside it).
    "ofac-sdn": tuple(f"{OFAC}/{name}" for name in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")),
    "ofac-cons": tuple(
        f"{OFAC}/consolidated/{name}" for name in ("cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv")
    ),
    "un": ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
    "uk": ("https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",),
    "opensanctions": ("https://data.opensanctions.org/datasets/latest/sanctions/targets.simple.csv",),
}
DEFAULT_SOURCES = ("ofac-sdn", "un")  # what an empty store gets
NOT_DOWNLOADED = {
    "eu": "the EU file's address needs a per-user token; download it yourself and run "
    "screening lists import FILE --source eu",
    "ofac-xml": "no download for ofac-xml; ofac-sdn holds the same list (or import the XML by hand)",
}
EU_NOTE = (
    "note: the EU list is never downloaded (its address needs a per-user token); download it yourself and run "
    "screening lists import FILE --source eu"
)
MIN_SHARE = 0.5  # fewer entries than half the current version: a truncated or broken download
MAX_BYTES = 2 << 30  # 2 GiB per file: far above any published list, below filling a disk by accident
CHUNK = 1 << 20

UPDATED, UNCHANGED, SKIPPED, FAILED = "updated", "unchanged", "skipped", "failed"


@dataclass(frozen=True)
class UpdateResult:
    source: str
    status: str  # updated | unchanged | skipped | failed
    message: str  # one line, starting with the source
    stored: StoredList | None = None  # the version current after the update (None: none yet)

    @property
    def failed(self) -> bool:
        return self.status == FAILED


class DownloadError(ScreeningError):
    """One file could not be downloaded or failed verification."""


def update(
    store: ListStore,
    sources: Sequence[str] | None = None,
    urls: Mapping[str, Sequence[str]] = OFFICIAL_URLS,
    timeout: float = 60,
    report: Callable[[UpdateResult], None] | None = None,
) -> list[UpdateResult]:
    """Download, verify and import each source; one UpdateResult per source, in order.

    `sources` defaults to those already in the store (an empty store: OFAC SDN and UN); sources
    without an official address (eu, ofac-xml) are skipped then, and fail when asked for by name.
    `report` is called with each result as soon as it is known. Raises ScreeningError only when
    the store itself is unusable (before any download).
    """
    unknown = [s for s in sources or () if s not in SOURCES]
    if unknown:
        raise ScreeningError(f"unknown list source {unknown[0]!r}; use one of: {', '.join(SOURCES)}")
    current = {stored.source: stored for stored in store.current()}  # a damaged store stops here
    asked = list(dict.fromkeys(sources)) if sources else None
    targets = asked or sorted(current) or list(DEFAULT_SOURCES)
    results = []
    for source in targets:
        result = _update_one(store, source, current.get(source), urls, timeout, asked is not None)
        results.append(result)
        if report is not None:
            report(result)
    return results


def _update_one(
    store: ListStore,
    source: str,
    previous: StoredList | None,
    urls: Mapping[str, Sequence[str]],
    timeout: float,
    asked: bool,
) -> UpdateResult:
    keep = (
        f"the previous version ({previous.version}) stays in use" if previous else "no version of it is stored yet"
    )
    addresses = list(urls.get(source, ()))
    if not addresses:
        reason = NOT_DOWNLOADED.get(source, f"no download address is known for {source}")
        status = FAILED if asked else SKIPPED
        return UpdateResult(source, status, f"{source}: not updated: {reason}", previous)
    try:
        store.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".download-", dir=store.root) as tmp:
            files = [fetch(url, Path(tmp), timeout) for url in addresses]
            try:
                parsed = parse(files[0], source)
            except ScreeningError as exc:
                raise DownloadError(f"the downloaded file does not parse ({exc})") from exc
            if previous is not None and len(parsed.entries) < previous.entries * MIN_SHARE:
                raise DownloadError(
                    f"the download has {len(parsed.entries)} entries, less than half of the {previous.entries} "
                    "in the current version (truncated or broken?)"
                )
            stored = store.import_parsed(parsed)
    except ScreeningError as exc:
        return UpdateResult(source, FAILED, f"{source}: update failed: {exc}; {keep}", previous)
    except OSError as exc:  # the store folder or the temporary folder in it
        reason = f"cannot write in {store.root}: {exc.strerror or exc}"
        return UpdateResult(source, FAILED, f"{source}: update failed: {reason}; {keep}", previous)
    if previous is not None and stored.path == previous.path:
        return UpdateResult(source, UNCHANGED, f"{source}: unchanged since {previous.imported_at} "
                            f"({stored.entries} entries, sha256 {stored.sha256[:16]})", stored)
    published = stored.published or "not stated"
    return UpdateResult(
        source, UPDATED,
        f"{source}: updated: {stored.entries} entries, published {published}, sha256 {stored.sha256[:16]}",
        stored,
    )


def fetch(url: str, folder: Path, timeout: float = 60) -> Path:
    """Download one URL into `folder` under its own file name; DownloadError unless complete."""
    _check_scheme(url, url)
    name = Path(urllib.parse.urlsplit(url).path).name
    if not name or name.startswith("."):
        raise DownloadError(f"{url}: the address names no file")
    target = folder / name
    request = urllib.request.Request(url, headers={"User-Agent": f"screening/{__version__} (sanctions list update)"})
    opener = urllib.request.build_opener(_SafeRedirect(url))
    received = 0
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise DownloadError(f"{url}: HTTP {response.status} {response.reason}, expected 200")
            declared = response.headers.get("Content-Length")
            with open(target, "xb") as out:
                while chunk := response.read(CHUNK):
                    received += len(chunk)
                    if received > MAX_BYTES:
                        raise DownloadError(f"{url}: more than {MAX_BYTES >> 30} GiB; refused")
                    out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except http.client.IncompleteRead as exc:
        expected = received + len(exc.partial) + (exc.expected or 0)
        raise DownloadError(f"{url}: incomplete, received {received + len(exc.partial)} of {expected} bytes") from None
    except urllib.error.URLError as exc:
        raise DownloadError(f"{url}: {_why(exc.reason, timeout)}") from None
    except (http.client.HTTPException, OSError) as exc:  # TimeoutError while reading is an OSError
        raise DownloadError(f"{url}: {_why(exc, timeout)}") from None
    if declared is not None and declared.strip().isdigit() and int(declared) != received:
        raise DownloadError(f"{url}: incomplete, received {received} of {int(declared)} bytes")
    if received == 0:
        raise DownloadError(f"{url}: the file is empty")
    return target


class _SafeRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects to https only (plain http only from and to a loopback test server)."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        _check_scheme(newurl, self.origin)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _check_scheme(url: str, origin: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _loopback(url) and _loopback(origin):
        return
    if url == origin:
        raise DownloadError(f"{url}: only https addresses are downloaded")
    raise DownloadError(f"{origin}: redirected to {url}, which is not https; refused")


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _why(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


__all__ = ["DEFAULT_SOURCES", "EU_NOTE", "OFFICIAL_URLS", "UpdateResult", "fetch", "update"]
