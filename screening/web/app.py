"""The web page: log in, upload, check the column mapping, screen, read and download, review with four eyes."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screening import __version__
from screening.errors import ScreeningError
from screening.fields import FIELDS
from screening.model import BAND_LABELS, RowResult, ScreeningResult
from screening.reports import FORMATS
from screening.reports.columns import evidence_line
from screening.review import decisions as review
from screening.review.keys import hit_key, list_versions, row_supplier_key
from screening.review.users import ROLES, add_user, authenticate, list_users
from screening.web.chart import band_chart
from screening.web.config import WebConfig
from screening.web.jobs import ACCEPTED, Jobs, UploadError, valid_id
from screening.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    LoginThrottle,
    Session,
    Sessions,
    csrf_ok,
)

HERE = Path(__file__).resolve().parent
UPLOAD_PATH = "/uploads"
ROWS_SHOWN = 2000  # rows with hits listed on the page, worst first; the reports hold every row
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8",
}


class UploadTooLarge(Exception):
    pass


class UploadLimit:
    """Refuses an upload over the limit before it is read (Content-Length) or while it streams."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        allowed = self.limit() + 64 * 1024  # the form's other fields and multipart framing
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode() or "0"
        scope.setdefault("state", {})["upload_too_large"] = declared.isdigit() and int(declared) > allowed
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > allowed:
                    raise UploadTooLarge()
            return message

        await self.app(scope, counted if not scope["state"]["upload_too_large"] else receive, send)


class SecurityHeaders:
    """CSP, no framing, no sniffing, no caching of pages (static assets may be cached)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass
class Page:
    """What every template gets."""

    request: Request
    session: Session | None

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"request": self.request, "user": self.session.user if self.session else None,
                "csrf": self.session.csrf if self.session else "", "version": __version__, **extra}


def create_app(config: WebConfig) -> FastAPI:
    jobs = Jobs(config)
    store = Sessions(config)
    throttle = LoginThrottle()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    packs = _available_packs(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(title="screening", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.config, app.state.jobs = config, jobs
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    # Pure ASGI middlewares (not BaseHTTPMiddleware): the upload counter's refusal must reach the endpoint.
    app.add_middleware(UploadLimit, limit=lambda: config.max_upload_bytes)  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]

    # ---- helpers

    def session_of(request: Request) -> Session | None:
        return store.get(request.cookies.get(SESSION_COOKIE))

    def render(request: Request, session: Session | None, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, Page(request, session).context(**extra), status_code=status)

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={urllib.parse.quote(target)}", status_code=303)

    def refused(request: Request, session: Session | None, message: str, status: int) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return render(request, session, "error.html", status=status, message=message)

    async def checked_form(request: Request) -> tuple[Session | None, Any, Response | None]:
        """The session and form of a state-changing POST, or the response refusing it."""
        session = session_of(request)
        if session is None:
            return None, None, refused(request, None, "not logged in; log in first", 401)
        form = await request.form()
        token = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
        if not csrf_ok(session, str(token) if token else None):
            return session, None, refused(request, session, "the form expired or did not come from this page "
                                          "(CSRF token missing or wrong); reload the page and try again", 403)
        return session, form, None

    def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
                            secure=request.url.scheme == "https")

    # ---- login

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request, next: str = "/") -> Response:
        cookie, token = store.login_token()
        response = render(request, None, "login.html", login_csrf=token, next=_safe_next(next))
        set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, 3600)
        return response

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "/")))
        if not store.login_token_ok(request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get(CSRF_FIELD, ""))):
            return _login_again(request, "the login form expired; try again", 403)
        if throttle.locked(name):
            return _login_again(request, "too many failed attempts for this name; wait 15 minutes", 429)
        user = authenticate(config.engine, name, password)
        if user is None:
            throttle.failed(name)
            return _login_again(request, "wrong user name or password", 401)
        throttle.succeeded(name)
        response = RedirectResponse(target, status_code=303)
        set_cookie(request, response, SESSION_COOKIE, store.create(user), None)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    def _login_again(request: Request, message: str, status: int) -> Response:
        cookie, token = store.login_token()
        response = render(request, None, "login.html", status=status, login_csrf=token, next="/", error=message)
        set_cookie(request, response, LOGIN_CSRF_COOKIE, cookie, 3600)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        session, _, refusal = await checked_form(request)
        if refusal:
            return refusal
        store.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # ---- upload and mapping

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        return _home(request, session)

    def _home(request: Request, session: Session, error: str = "", status: int = 200) -> Response:
        return render(request, session, "home.html", status=status, error=error, accepted=ACCEPTED,
                      limit_mb=config.max_upload_bytes // (1024 * 1024), runs=jobs.recent_runs())

    @app.post(UPLOAD_PATH)
    async def upload(request: Request) -> Response:
        if request.scope.get("state", {}).get("upload_too_large"):
            session = session_of(request)
            if session is None:
                return refused(request, None, "not logged in; log in first", 401)
            return _home(request, session, jobs.too_large_message(), 413)
        try:
            session, form, refusal = await checked_form(request)
        except UploadTooLarge:
            session = session_of(request)
            return _home(request, session, jobs.too_large_message(), 413) if session else refused(
                request, None, "not logged in", 401)
        if refusal:
            return refusal
        assert session is not None
        file = form.get("file")
        if file is None or isinstance(file, str) or not getattr(file, "filename", None):
            return _home(request, session, "choose a spreadsheet to upload", 400)
        try:
            saved = jobs.save_upload(file.file, file.filename, session.user.name)
        except UploadError as exc:
            return _home(request, session, str(exc), 413 if "upload limit" in str(exc) else 400)
        return RedirectResponse(f"/uploads/{saved.id}", status_code=303)

    @app.get("/uploads/{upload_id}", response_class=HTMLResponse)
    async def mapping(request: Request, upload_id: str) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        found = jobs.get_upload(upload_id)
        if found is None:
            return refused(request, session, "no such upload", 404)
        return render(request, session, "mapping.html", upload=found, fields=FIELDS, packs=packs,
                      lists=_lists_summary(config))

    @app.post("/uploads/{upload_id}/screen")
    async def start_screen(request: Request, upload_id: str) -> Response:
        session, form, refusal = await checked_form(request)
        if refusal:
            return refusal
        assert session is not None
        found = jobs.get_upload(upload_id)
        if found is None:
            return refused(request, session, "no such upload", 404)
        chosen = [packs[name]["path"] for name in form.getlist("pack") if name in packs]
        if not chosen:
            return render(request, session, "mapping.html", status=400, upload=found, fields=FIELDS, packs=packs,
                          lists=_lists_summary(config), error="choose at least one rule pack")
        overrides = _overrides(found.tables, form)
        if isinstance(overrides, str):
            return render(request, session, "mapping.html", status=400, upload=found, fields=FIELDS, packs=packs,
                          lists=_lists_summary(config), error=overrides)
        run_id = jobs.start(found, session.user.name, chosen, overrides, form.get("lists") == "on")
        return RedirectResponse(f"/runs/{run_id}", status_code=303)

    # ---- runs

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    async def run_page(request: Request, run_id: str) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        state = jobs.state(run_id)
        if state is None:
            return refused(request, session, "no such run", 404)
        row = jobs.run_row(run_id)
        result = jobs.result(run_id) if state.status == "done" else None
        if result is None:
            return render(request, session, "run.html", run=row, state=state, result=None)
        counts = result.counts()
        views = _row_views(config, result, run_id, session)
        return render(request, session, "run.html", run=row, state=state, result=result, counts=counts,
                      bands=BAND_LABELS, chart=band_chart(counts), rows=views[:ROWS_SHOWN], rows_total=len(views),
                      formats=FORMATS, decisions=review.DECISIONS,
                      suppressed=sum(len(r.suppressed) for r in result.rows))

    @app.get("/runs/{run_id}/status")
    async def run_status(request: Request, run_id: str) -> Response:
        if session_of(request) is None:
            return JSONResponse({"error": "not logged in"}, status_code=401)
        state = jobs.state(run_id)
        if state is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        return JSONResponse(state.as_json())

    @app.get("/runs/{run_id}/report.{fmt}")
    async def download(request: Request, run_id: str, fmt: str) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        if fmt not in FORMATS or jobs.result(run_id) is None:
            return refused(request, session, "no such report", 404)
        path = jobs.report(run_id, fmt)
        row = jobs.run_row(run_id)
        stem = Path(row.input_name).stem if row else "report"
        return FileResponse(path, media_type=MEDIA_TYPES[fmt], filename=f"{stem}-screening.{fmt}",
                            content_disposition_type="attachment")

    @app.post("/runs/{run_id}/rescreen")
    async def rescreen(request: Request, run_id: str) -> Response:
        import json

        session, _, refusal = await checked_form(request)
        if refusal:
            return refusal
        assert session is not None
        row = jobs.run_row(run_id) if valid_id(run_id) else None
        options = json.loads(row.options) if row else {}
        found = jobs.get_upload(str(options.get("upload", "")))
        if row is None or found is None:
            return refused(request, session, "no such run", 404)
        chosen = [packs[n]["path"] for n in options.get("packs", []) if n in packs]
        new = jobs.start(found, session.user.name, chosen, dict(options.get("overrides", {})),
                         bool(options.get("lists")))
        return RedirectResponse(f"/runs/{new}", status_code=303)

    # ---- decisions

    @app.post("/runs/{run_id}/decisions")
    async def propose(request: Request, run_id: str) -> Response:
        session, form, refusal = await checked_form(request)
        if refusal:
            return refusal
        assert session is not None
        result = jobs.result(run_id)
        if result is None:
            return refused(request, session, "no such run", 404)
        located = _locate_hit(result, str(form.get("row", "")), str(form.get("hit", "")))
        if located is None:
            return refused(request, session, "no such hit in this run", 404)
        row, hit = located
        context = review.HitContext(
            supplier_key=row_supplier_key(row), hit_key=hit_key(hit, list_versions(result.manifest)),
            supplier=row.fields.get("name", ""), rule=hit.rule, evidence=evidence_line(hit.evidence), run=run_id,
            report=row.input,
        )
        try:
            event = review.propose(config.engine, session.user, str(form.get("decision", "")),
                                   str(form.get("reason", "")), context)
        except review.ReviewError as exc:
            return refused(request, session, str(exc), 400)
        if _wants_json(request):
            return JSONResponse({"proposal": event.id, "status": "pending"}, status_code=201)
        return RedirectResponse(f"/runs/{run_id}#row-{form.get('row')}", status_code=303)

    @app.post("/proposals/{proposal_id}/{action}")
    async def resolve(request: Request, proposal_id: int, action: str) -> Response:
        session, form, refusal = await checked_form(request)
        if refusal:
            return refusal
        assert session is not None
        if action not in ("confirm", "reject"):
            return refused(request, session, "unknown action", 404)
        try:
            act = review.confirm if action == "confirm" else review.reject
            event = act(config.engine, session.user, proposal_id, str(form.get("reason", "")))
        except review.Forbidden as exc:
            return refused(request, session, str(exc), 403)
        except review.NotFound as exc:
            return refused(request, session, str(exc), 404)
        except review.Conflict as exc:
            return refused(request, session, str(exc), 409)
        except review.ReviewError as exc:
            return refused(request, session, str(exc), 400)
        if _wants_json(request):
            return JSONResponse({"proposal": proposal_id, "status": "confirmed" if action == "confirm" else "rejected",
                                 "event": event.id})
        back = _safe_next(str(form.get("next", "/review")))
        return RedirectResponse(back, status_code=303)

    @app.get("/review", response_class=HTMLResponse)
    async def review_page(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        pending = review.proposals(config.engine, status="pending")
        return render(request, session, "review.html", pending=pending)

    @app.get("/log", response_class=HTMLResponse)
    async def log_page(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        return render(request, session, "log.html", events=review.log(config.engine, limit=1000))

    # ---- accounts (admins only)

    @app.get("/admin/users", response_class=HTMLResponse)
    async def users_page(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect(request)
        if not session.user.is_admin:
            return refused(request, session, "only an admin manages accounts", 403)
        return render(request, session, "users.html", users=list_users(config.engine), roles=ROLES)

    @app.post("/admin/users")
    async def users_add(request: Request) -> Response:
        session, form, refusal = await checked_form(request)
        if refusal:
            return refusal
        assert session is not None
        if not session.user.is_admin:
            return refused(request, session, "only an admin manages accounts", 403)
        try:
            add_user(config.engine, str(form.get("name", "")).strip(), str(form.get("role", "")),
                     str(form.get("password", "")))
        except ScreeningError as exc:
            return render(request, session, "users.html", status=400, users=list_users(config.engine), roles=ROLES,
                          error=str(exc))
        return RedirectResponse("/admin/users", status_code=303)

    @app.get("/log.csv")
    async def log_csv(request: Request) -> Response:
        if session_of(request) is None:
            return login_redirect(request)
        return Response(_log_csv(review.log(config.engine)), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="screening-decision-log.csv"'})

    return app


# ---------------------------------------------------------------- view helpers


LOG_COLUMNS = ("id", "at", "user", "role", "kind", "resolves", "decision", "reason", "supplier", "rule", "evidence",
               "supplier_key", "hit_key", "run", "report", "origin")


def _log_csv(events: list[review.Event]) -> bytes:
    """The whole decision log for auditors, oldest first, every text cell safe to open in Excel."""
    import csv
    import io

    from screening.reports.cells import csv_safe

    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(LOG_COLUMNS)
    for event in reversed(events):
        values = [getattr(event, name) for name in LOG_COLUMNS]
        writer.writerow([v if isinstance(v, int) else csv_safe(str(v or "")) for v in values])
    return out.getvalue().encode("utf-8-sig")


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _safe_next(target: str) -> str:
    """Only a path on this site: never an absolute URL (open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _available_packs(config: WebConfig) -> dict[str, dict[str, Any]]:
    from screening.rulepacks import load_packs, pack_files

    files = pack_files([config.rules])
    loaded = load_packs(files)  # a broken pack stops the server at start, not a run later
    return {
        Path(p.path).name: {"path": Path(p.path), "id": p.spec.pack.id, "title": p.spec.pack.title,
                            "rules": len(p.spec.rules), "version": p.spec.pack.version}
        for p in loaded
    }


def _lists_summary(config: WebConfig) -> list[Any]:
    from screening.lists.store import ListStore

    try:
        return ListStore.locate(config.lists).current()
    except ScreeningError:
        return []


def _overrides(tables: list[Any], form: Any) -> dict[str, str] | str:
    """Header -> field for every column whose drop-down differs from what was detected."""
    overrides: dict[str, str] = {}
    for t, table in enumerate(tables):
        for c, (header, detected) in enumerate(zip(table.headers, table.fields)):
            chosen = str(form.get(f"map-{t}-{c}", detected or "")).strip()
            if chosen and chosen not in FIELDS:
                return f"unknown field {chosen!r} for column '{header}'"
            if chosen and chosen != detected:
                if overrides.get(header, chosen) != chosen:
                    return f"column '{header}' is given two different fields"
                overrides[header] = chosen
    return overrides


def _locate_hit(result: ScreeningResult, row_ref: str, hit_ref: str) -> tuple[RowResult, Any] | None:
    if not row_ref.isdigit() or len(hit_ref) < 2 or not hit_ref[1:].isdigit():
        return None
    r, h = int(row_ref), int(hit_ref[1:])
    if r >= len(result.rows):
        return None
    row = result.rows[r]
    if hit_ref[0] == "h" and h < len(row.hits):
        return row, row.hits[h]
    if hit_ref[0] == "s" and h < len(row.suppressed):
        return row, row.suppressed[h].hit
    return None


def _row_views(config: WebConfig, result: ScreeningResult, run_id: str, session: Session) -> list[dict[str, Any]]:
    versions = list_versions(result.manifest)
    shown = [(i, r) for i, r in enumerate(result.rows) if r.hits or r.suppressed]
    keys = {row_supplier_key(r) for _, r in shown}
    latest: dict[tuple[str, str], review.Proposal] = {}
    for p in review.proposals(config.engine, supplier_keys=keys):
        latest[(p.event.supplier_key, p.event.hit_key)] = p  # oldest first, so the newest stays
    views = []
    for i, row in shown:
        supplier = row_supplier_key(row)
        hits = []
        for j, hit in enumerate(row.hits):
            hits.append({"ref": f"h{j}", "hit": hit, "evidence": evidence_line(hit.evidence),
                         "proposal": latest.get((supplier, hit_key(hit, versions)))})
        suppressed = [{"ref": f"s{j}", "s": s, "evidence": evidence_line(s.hit.evidence)}
                      for j, s in enumerate(row.suppressed)]
        views.append({"index": i, "row": row, "name": row.fields.get("name", ""),
                      "country": row.fields.get("country", ""), "hits": hits, "suppressed": suppressed})
    views.sort(key=lambda v: (-int(v["row"].band), -v["row"].score, v["index"]))
    return views
