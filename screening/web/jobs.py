"""Uploads and screening runs, kept in the private data folder under generated names.

    <data>/uploads/<upload id>/input.<format>   the uploaded bytes (format sniffed from the content)
    <data>/uploads/<upload id>/upload.json      display name, owner, size, sha256
    <data>/runs/<run id>/result.pickle          the ScreeningResult, decisions applied at run time
    <data>/runs/<run id>/report.<format>        reports, written on first download

No name or path sent by a browser is ever used as a file path: ids are generated here and checked
against a strict pattern before they touch the file system. Screening runs one at a time in a
background thread (the machine's cores go to the engine), with progress the page polls.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import secrets
import shutil
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import insert, select

from screening.errors import ScreeningError
from screening.intake import Limits, read_inputs
from screening.intake.formats import detect_format
from screening.model import ScreeningResult, Table
from screening.review.db import runs
from screening.review.suppress import apply_decisions
from screening.review.time import utc_now
from screening.web.config import WebConfig

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ACCEPTED = ".xlsx, .xlsm, .xls, .ods, .csv"
SAMPLE_VALUES = 3
ACCEPTED_FORMATS = frozenset({"xlsx", "xls", "ods", "csv", "xlsb"})


class UploadError(ScreeningError):
    """An upload the page refuses, with the reason to show."""


def new_id() -> str:
    return secrets.token_urlsafe(18)


def valid_id(value: str) -> bool:
    return bool(_ID.match(value or ""))


def display_name(filename: str | None) -> str:
    """The browser's file name, for display and report labels only: last path part, no control chars."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", unicodedata.normalize("NFC", name)).strip()
    return name[:200] or "upload"


@dataclass
class Upload:
    id: str
    name: str  # display only
    owner: str
    path: Path
    size: int
    sha256: str
    tables: list[Table] = field(default_factory=list)
    samples: list[list[list[str]]] = field(default_factory=list)  # per table, per column: first cell values

    def read(self) -> None:
        """Detected tables and a few values per column, for the mapping preview."""
        intake = read_inputs([self.path])
        self.tables = intake.tables
        self.samples = [[[] for _ in t.headers] for t in intake.tables]
        for table_index, cells in zip(intake.records["table"].tolist(), intake.records["cells"].tolist()):
            columns = self.samples[int(table_index)]
            for column, value in enumerate(cells[: len(columns)]):
                if value and len(columns[column]) < SAMPLE_VALUES:
                    columns[column].append(str(value)[:60])


@dataclass
class RunState:
    id: str
    status: str = "queued"  # queued | running | done | failed
    stage: str = "Waiting"
    done: int = 0
    total: int = 0
    error: str = ""

    def as_json(self) -> dict[str, object]:
        percent = 100 if self.status == "done" else (int(100 * self.done / self.total) if self.total else 0)
        return {"id": self.id, "status": self.status, "stage": self.stage, "done": self.done,
                "total": self.total, "percent": min(percent, 100), "error": self.error}


class Jobs:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.uploads_dir = config.data / "uploads"
        self.runs_dir = config.data / "runs"
        for folder in (self.uploads_dir, self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        self.states: dict[str, RunState] = {}
        self._results: dict[str, ScreeningResult] = {}
        self._lock = threading.Lock()
        self._report_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening-run")

    # ---- uploads

    def save_upload(self, source, filename: str | None, owner: str) -> Upload:  # type: ignore[no-untyped-def]
        """Copy an uploaded file object into a new private folder, sniff its format, read its headers."""
        upload_id = new_id()
        folder = self.uploads_dir / upload_id
        folder.mkdir(mode=0o700)
        staging = folder / "incoming"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(staging, "wb") as out:
                while chunk := source.read(1 << 20):
                    size += len(chunk)
                    if size > self.config.max_upload_bytes:
                        raise UploadError(self.too_large_message())
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UploadError("the file is empty (0 bytes); choose the spreadsheet again")
            name = display_name(filename)
            try:
                fmt = detect_format(str(staging), Limits()).value
            except ScreeningError as exc:
                raise UploadError(_relabel_message(str(exc), staging, name)) from None
            if fmt not in ACCEPTED_FORMATS:
                raise UploadError(f"{name}: not a spreadsheet this page reads ({ACCEPTED})")
            path = folder / f"input.{fmt}"
            staging.rename(path)
            upload = Upload(upload_id, name, owner, path, size, digest.hexdigest())
            try:
                upload.read()
            except ScreeningError as exc:
                raise UploadError(_relabel_message(str(exc), path, name)) from None
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # nothing half-stored stays behind
            raise
        meta = {"name": upload.name, "owner": owner, "size": size, "sha256": upload.sha256, "file": path.name}
        (folder / "upload.json").write_text(json.dumps(meta))
        return upload

    def too_large_message(self) -> str:
        limit = self.config.max_upload_bytes / (1024 * 1024)
        return f"the file is larger than the {limit:g} MB upload limit; split it into smaller files"

    def get_upload(self, upload_id: str) -> Upload | None:
        if not valid_id(upload_id):
            return None
        folder = self.uploads_dir / upload_id
        try:
            meta = json.loads((folder / "upload.json").read_text())
        except (OSError, ValueError):
            return None
        path = folder / meta["file"]
        upload = Upload(upload_id, meta["name"], meta["owner"], path, meta["size"], meta["sha256"])
        try:
            upload.read()
        except ScreeningError:
            upload.tables, upload.samples = [], []
        return upload

    # ---- runs

    def start(self, upload: Upload, user: str, packs: list[Path], overrides: dict[str, str],
              use_lists: bool) -> str:
        run_id = new_id()
        options = {"upload": upload.id, "packs": [p.name for p in packs], "overrides": overrides,
                   "lists": use_lists}
        with self.config.engine.begin() as conn:
            conn.execute(insert(runs).values(id=run_id, user=user, created_at=utc_now(), input_name=upload.name,
                                             options=json.dumps(options, ensure_ascii=False)))
        (self.runs_dir / run_id).mkdir(mode=0o700)
        state = RunState(run_id)
        with self._lock:
            self.states[run_id] = state
        self.pool.submit(self._run, state, upload, packs, overrides, use_lists)
        return run_id

    def _run(self, state: RunState, upload: Upload, packs: list[Path], overrides: dict[str, str],
             use_lists: bool) -> None:
        from screening.screen import Lists, lists_from_store, screen

        def progress(stage: str, steps: int) -> None:
            if stage:
                state.stage, state.total, state.done = stage, steps, 0
            else:
                state.done += steps

        try:
            state.status, state.stage = "running", "Reading the sanctions lists" if use_lists else "Reading"
            lists = lists_from_store(self.config.lists) if use_lists else Lists()
            state.stage = "Reading the file"
            result = screen([upload.path], packs, overrides=overrides, lists=lists, progress=progress)
            result = relabel(result, upload.path, upload.name)
            state.stage = "Applying earlier decisions"
            result = apply_decisions(result, self.config.engine)
            target = self.runs_dir / state.id / "result.pickle"
            with open(target.with_suffix(".tmp"), "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(target.with_suffix(".tmp"), target)
            with self._lock:
                self._results[state.id] = result
            state.stage, state.status = "Done", "done"
        except ScreeningError as exc:
            state.status, state.error = "failed", _relabel_message(str(exc), upload.path, upload.name)
        except Exception as exc:  # noqa: BLE001: the page shows the failure instead of hanging
            state.status, state.error = "failed", f"internal error ({type(exc).__name__}); see the server log"
            logging.getLogger(__name__).exception("screening run %s failed", state.id)

    def state(self, run_id: str) -> RunState | None:
        if not valid_id(run_id):
            return None
        with self._lock:
            found = self.states.get(run_id)
        if found is not None:
            return found
        if (self.runs_dir / run_id / "result.pickle").exists():
            return RunState(run_id, status="done", stage="Done")
        if self.run_row(run_id) is not None:
            return RunState(run_id, status="failed", error="the server restarted during this run; screen again")
        return None

    def run_row(self, run_id: str):  # type: ignore[no-untyped-def]
        with self.config.engine.connect() as conn:
            return conn.execute(select(runs).where(runs.c.id == run_id)).first()

    def recent_runs(self, limit: int = 20) -> list:  # type: ignore[type-arg]
        with self.config.engine.connect() as conn:
            return list(conn.execute(select(runs).order_by(runs.c.created_at.desc()).limit(limit)).all())

    def result(self, run_id: str) -> ScreeningResult | None:
        if not valid_id(run_id):
            return None
        with self._lock:
            cached = self._results.get(run_id)
        if cached is not None:
            return cached
        path = self.runs_dir / run_id / "result.pickle"
        if not path.exists():
            return None
        with open(path, "rb") as fh:  # our own file in the private folder, never an upload
            result = pickle.load(fh)
        with self._lock:
            self._results[run_id] = result
        return result

    def report(self, run_id: str, fmt: str) -> Path:
        from screening.reports import write_report

        result = self.result(run_id)
        if result is None:
            raise ScreeningError("this run has no results")
        path = self.runs_dir / run_id / f"report.{fmt}"
        with self._report_lock:
            if not path.exists():
                write_report(result, path, fmt)
        return path

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def relabel(result: ScreeningResult, stored: Path, name: str) -> ScreeningResult:
    """Reports name the file as the user uploaded it, not by its private stored path."""
    stored_base = stored.name
    inputs = tuple(replace(f, path=name) if f.path == str(stored) else f for f in result.manifest.inputs)
    return replace(
        result,
        manifest=replace(result.manifest, inputs=inputs),
        rows=[replace(r, input=name) if r.input == stored_base else r for r in result.rows],
        tables=[replace(t, input=name) if t.input == stored_base else t for t in result.tables],
        errors=[replace(e, input=name) if e.input == stored_base else e for e in result.errors],
    )


def _relabel_message(message: str, stored: Path, name: str) -> str:
    return message.replace(str(stored), name).replace(stored.name, name)
