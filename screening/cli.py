"""The `screening` command. Thin: parse, call the library, map errors to exit codes.

Exit codes (design.md, CLI contract): 0 the run completed; 1 it completed and a row reached --fail-on;
2 bad usage or input that cannot be read, with one line naming the file, sheet, row or rule.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from screening import __version__
from screening.errors import ScreeningError
from screening.model import BAND_LABELS, Band

EXIT_OK, EXIT_FAIL_ON, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 128 + 2  # the shells' code for a run ended by Ctrl-C (SIGINT)
INTERRUPTED = "error: interrupted; no report was written under the final name"
PROGRESS_MIN_STEPS = 1  # rule evaluation is the long stage; each rule is a step

app = typer.Typer(
    name="screening",
    help="Screen supplier and contractor spreadsheets for DPRK overseas-labour and sanctions risk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rules_app = typer.Typer(help="Check and list rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
lists_app = typer.Typer(help="Import, update and show the sanctions lists in the local store.", no_args_is_help=True)
app.add_typer(lists_app, name="lists")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"screening {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    pass


@app.command()
def screen(
    inputs: Annotated[list[Path], typer.Argument(help="Spreadsheets to screen: xlsx, xlsm, xls, ods, csv.")],
    rules: Annotated[
        Optional[list[Path]], typer.Option("--rules", "-r", help="Rule pack file or folder (repeatable); default: the bundled packs.")
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Report file; default: <first input>-screening.<format> here.")
    ] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", "-f", help="xlsx, csv, json or html; default from the --out suffix.")
    ] = None,
    mappings: Annotated[
        Optional[list[str]], typer.Option("--map", help='Map a header to a field: --map "Firma=name" (repeatable).')
    ] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Screen only this sheet (hidden ones too).")] = None,
    fail_on: Annotated[
        Optional[str], typer.Option("--fail-on", help="Exit 1 when a row reaches this band: review, high or critical.")
    ] = None,
    lists_dir: Annotated[
        Optional[Path],
        typer.Option("--lists", help="Sanctions-list store; default: $SCREENING_LISTS_DIR, else the user's data folder."),
    ] = None,
    decisions_db: Annotated[
        Optional[str],
        typer.Option("--decisions", help="Review database (path or URL): confirmed false positives are suppressed."),
    ] = None,
) -> None:
    """Screen spreadsheets and write a flagged report."""
    try:
        from screening.reports import format_for, write_report  # inside: Ctrl-C may land while they load
        from screening.screen import lists_from_store
        from screening.screen import screen as run_screen

        threshold = Band.parse(fail_on) if fail_on else None
        overrides = _parse_mappings(mappings or [])
        target = out if out is not None else Path(f"{inputs[0].stem}-screening.{fmt or 'xlsx'}")
        report_format = format_for(target, fmt)
        lists = lists_from_store(lists_dir)
        with _progress() as progress:
            result = run_screen(inputs, rules or [], sheet=sheet, overrides=overrides, lists=lists, progress=progress)
            if decisions_db is not None:
                result = _apply_decisions(result, decisions_db)
            written = write_report(result, target, report_format, inputs=inputs)
    except ValueError as exc:  # a bad --fail-on value
        raise fail(str(exc)) from None
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:  # click would print "Aborted!" and exit 1, which means --fail-on here
        typer.echo(INTERRUPTED, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None

    counts = result.counts()
    summary = ", ".join(f"{counts[label]} {label}" for label in BAND_LABELS)
    files = len(result.manifest.inputs)
    typer.echo(f"Screened {len(result.rows)} rows from {files} file{'s' if files != 1 else ''}: {summary}.")
    if result.errors:
        typer.echo(f"{len(result.errors)} row problems are listed in the report's Errors section.")
    if decisions_db is not None:
        suppressed = sum(len(row.suppressed) for row in result.rows)
        typer.echo(f"{suppressed} hit{'s' if suppressed != 1 else ''} suppressed by confirmed false-positive decisions.")
    if not lists.infos:
        typer.echo(
            "warning: no sanctions lists in the store, so names were checked against the rule packs' own "
            "watchlists only; add lists with: screening lists import PATH --source ofac-sdn (or un, eu, uk...)",
            err=True,
        )
    typer.echo(f"Report: {written}")
    if threshold is not None and any(row.band >= threshold for row in result.rows):
        raise typer.Exit(EXIT_FAIL_ON)


def _parse_mappings(pairs: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise ScreeningError(f'--map {pair!r}: write it as "Header text=field", e.g. --map "Firma=name"')
        overrides[header.strip()] = field.strip()
    return overrides


@contextmanager
def _progress() -> Iterator[object]:
    """A rich progress bar on stderr, only when stderr is a terminal (never in pipes or CI logs)."""
    if not sys.stderr.isatty() or os.environ.get("SCREENING_NO_PROGRESS"):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from rich.progress import ProgressColumn
    from rich.text import Text

    class RowsPerSecond(ProgressColumn):
        def render(self, task: object) -> Text:
            speed = getattr(task, "speed", None)
            return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RowsPerSecond(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    )
    task: list[int] = []

    def update(stage: str, steps: int) -> None:
        if stage:
            task[:] = [bar.add_task(stage, total=steps)]
        elif task:
            bar.advance(task[0], steps)

    with bar:
        yield update


@rules_app.command("validate")
def rules_validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Rule pack files or folders; default: the bundled packs.")] = None,
) -> None:
    """Check rule packs; print every problem, one per line."""
    from screening.rulepacks import check_pack, load_packs, pack_files
    from screening.screen import default_rules_dir

    targets = paths or [default_rules_dir()]
    try:
        files = pack_files(targets)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    problems = [problem for file in files for problem in check_pack(file)]
    if not problems:
        try:
            packs = load_packs(files)  # cross-pack checks: unique pack and rule ids
        except ScreeningError as exc:
            problems.append(str(exc))
    if problems:
        for problem in problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(EXIT_ERROR)
    for pack in packs:
        meta = pack.spec
        typer.echo(
            f"ok: {pack.path}: {meta.pack.id} {meta.pack.version}, {len(meta.rules)} rules, "
            f"{len(meta.sources)} sources, {sum(len(w.entries) for w in meta.watchlists)} watchlist entries"
        )


@rules_app.command("show")
def rules_show(
    path: Annotated[Optional[Path], typer.Argument(help="Rule pack file or folder; default: the bundled packs.")] = None,
) -> None:
    """List the rules of a pack with their weights, bands, confidence and sources."""
    from screening.rulepacks import load_packs
    from screening.screen import default_rules_dir

    try:
        packs = load_packs([path or default_rules_dir()])
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    for pack in packs:
        meta = pack.spec.pack
        typer.echo(f"{meta.id} {meta.version}: {meta.title}")
        typer.echo(f"  file {pack.path}  sha256 {pack.sha256}")
        typer.echo(f"  bands: review >= {meta.thresholds.review}, high >= {meta.thresholds.high}, critical by rule")
        for rule in pack.spec.rules:
            band = f" band={rule.band}" if rule.band else ""
            typer.echo(
                f"  {rule.id:<18} w={rule.points:<3}{band} [{rule.confidence}] {rule.title}  "
                f"(sources: {', '.join(rule.sources)})"
            )
        sources = {s.id: s for s in pack.spec.sources}
        typer.echo("  sources:")
        for source in sources.values():
            typer.echo(f"    {source.id}: {source.title}, {source.issuer}, {source.date}" + (f", {source.url}" if source.url else ""))


_LISTS_OPTION = typer.Option(
    "--lists", help="List store folder; default: $SCREENING_LISTS_DIR, else the per-user data folder."
)


def _list_source(source: str | None) -> str:
    from screening.lists import SOURCES

    if source is None:
        raise fail(f"--source is required: one of {', '.join(SOURCES)}")
    if source not in SOURCES:
        raise fail(f"unknown --source {source!r}; use one of: {', '.join(SOURCES)}")
    return source


@lists_app.command("import")
def lists_import(
    path: Annotated[Path, typer.Argument(help="The list file, or for ofac-sdn / ofac-cons its folder.")],
    source: Annotated[
        Optional[str], typer.Option("--source", "-s", help="ofac-sdn, ofac-cons, ofac-xml, un, eu, uk or opensanctions.")
    ] = None,
    lists: Annotated[Optional[Path], _LISTS_OPTION] = None,
) -> None:
    """Parse a list the publisher published and store it as the current version of its source."""
    from screening.lists.store import ListStore

    source = _list_source(source)
    try:
        store = ListStore.locate(lists)
        stored = store.import_list(path, source)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"imported {source}: {stored.entries} entries, published {stored.published or 'not stated'}, "
        f"sha256 {stored.sha256}"
    )
    typer.echo(f"version {stored.version} in {stored.path.parent}")
    for warning in stored.warnings:
        typer.echo(f"warning: {warning}", err=True)


@lists_app.command("show")
def lists_show(lists: Annotated[Optional[Path], _LISTS_OPTION] = None) -> None:
    """The current version of every list in the store."""
    from screening.lists import SOURCES
    from screening.lists.store import ListStore

    store = ListStore.locate(lists)
    try:
        current = store.current()
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"list store: {store.root}")
    if not current:
        typer.echo(f"no lists yet; import one with: screening lists import PATH --source {'|'.join(SOURCES)}")
        typer.echo("or download the official ones with: screening lists update")
        return
    rows = [("source", "published", "entries", "sha256", "imported at")]
    rows += [
        (s.source, s.published or "not stated", str(s.entries), s.sha256[:16], s.imported_at) for s in current
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.rjust(w) if i == 2 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        typer.echo("  ".join(cells).rstrip())


@lists_app.command("update")
def lists_update(
    lists: Annotated[Optional[Path], _LISTS_OPTION] = None,
    sources: Annotated[
        Optional[list[str]],
        typer.Option("--source", "-s", help="Update only this source (repeatable); default: those in the store."),
    ] = None,
) -> None:
    """Download the official lists, verify them and make them current; exit 2 if any failed."""
    from screening.lists.download import EU_NOTE, UpdateResult, update
    from screening.lists.store import ListStore

    for source in sources or []:
        _list_source(source)
    store = ListStore.locate(lists)

    def report(result: UpdateResult) -> None:  # each source as soon as it is done
        if result.failed:
            typer.echo(f"error: {result.message}", err=True)
        else:
            typer.echo(result.message)

    try:
        results = update(store, sources or None, report=report)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    if "eu" not in (sources or []):
        typer.echo(EU_NOTE)
    if any(r.failed for r in results):
        raise typer.Exit(EXIT_ERROR)


# ---------------------------------------------------------------- web page, users, review

def _apply_decisions(result: object, db: str) -> object:
    from screening.review import apply_decisions, open_db

    return apply_decisions(result, open_db(db))  # type: ignore[arg-type]


_DB_OPTION = typer.Option("--db", help="Review database: a file path or SQLAlchemy URL; default: $SCREENING_DB, "
                          "else screening.db in the per-user data folder.")
PASSWORD_ENV = "SCREENING_PASSWORD"

users_app = typer.Typer(help="Local accounts for the web page: analyst, reviewer, admin.", no_args_is_help=True)
app.add_typer(users_app, name="users")
review_app = typer.Typer(help="Review decisions recorded outside the web page.", no_args_is_help=True)
app.add_typer(review_app, name="review")


def _read_password(from_stdin: bool, confirm: bool) -> str:
    """--password-stdin, else $SCREENING_PASSWORD, else a hidden prompt on a terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise fail(f"no password: pass --password-stdin and pipe it, or set {PASSWORD_ENV}")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help="analyst, reviewer or admin.")] = "analyst",
    db: Annotated[Optional[str], _DB_OPTION] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an account; the password is prompted for (or --password-stdin, or $SCREENING_PASSWORD)."""
    from screening.review import add_user, open_db
    from screening.review.users import check_password, check_role

    try:
        check_role(role)
        password = _read_password(password_stdin, confirm=True)
        check_password(password)
        engine = open_db(db)
        user = add_user(engine, name, role, password)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"added {user.role} {user.name} to {engine.url.render_as_string(hide_password=True)}")


@users_app.command("list")
def users_list(db: Annotated[Optional[str], _DB_OPTION] = None) -> None:
    """The accounts and their roles."""
    from screening.review import open_db
    from screening.review.users import list_users

    try:
        found = list_users(open_db(db))
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    if not found:
        typer.echo("no users yet; create the first with: screening users add NAME --role admin")
    for user in found:
        typer.echo(f"{user.name}\t{user.role}")


@review_app.command("import")
def review_import(
    report: Annotated[Path, typer.Argument(help="An xlsx report whose Flagged sheet has Disposition filled in.")],
    reviewer: Annotated[Optional[str], typer.Option("--reviewer", help="The account the decisions are recorded as.")] = None,
    db: Annotated[Optional[str], _DB_OPTION] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Record the report's dispositions as proposals; a second reviewer confirms them in the web page."""
    from screening.review import authenticate, open_db
    from screening.review.importer import import_report

    if not reviewer:
        raise fail("--reviewer NAME is required: the account the decisions are recorded as")
    try:
        engine = open_db(db)
        user = authenticate(engine, reviewer, _read_password(password_stdin, confirm=False))
        if user is None:
            raise ScreeningError(f"wrong user name or password for --reviewer {reviewer}")
        summary = import_report(engine, report, user)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"{summary.rows} rows with a disposition: {summary.proposed} proposals recorded as {user.name}, "
        f"{summary.already} already recorded; {summary.skipped} rows left pending."
    )
    if summary.proposed:
        typer.echo("Each proposal needs a second, different reviewer: confirm or reject it in the web page (Review).")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; keep 127.0.0.1 unless behind a proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    db: Annotated[Optional[str], _DB_OPTION] = None,
    lists_dir: Annotated[Optional[Path], typer.Option("--lists", help="Sanctions-list store the page screens against.")] = None,
    data: Annotated[
        Optional[Path], typer.Option("--data", help="Private folder for uploads and reports; default: beside the database.")
    ] = None,
    max_upload_mb: Annotated[int, typer.Option("--max-upload-mb", help="Largest upload accepted, in MB.")] = 50,
) -> None:
    """Start the web page for upload, screening, downloads and four-eyes review."""
    try:
        import uvicorn

        from screening.web.app import create_app
        from screening.web.config import WebConfig

        config = WebConfig.build(db=db, lists=lists_dir, data=data, max_upload_mb=max_upload_mb)
        web = create_app(config)
    except ScreeningError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"screening web page on http://{host}:{port}/ (database {config.db_shown}); Ctrl+C stops it")
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False)


_interrupted = False


def _quiet_after_ctrl_c() -> None:
    """After Ctrl-C, half-run writers (openpyxl's sheet generators) finalise with 'Exception ignored'
    noise on stderr; once the user has interrupted, the one-line message is all they should see."""
    import signal

    def on_interrupt(signum: int, frame: object) -> None:
        global _interrupted
        _interrupted = True
        raise KeyboardInterrupt

    def unraisable(report: "sys.UnraisableHookArgs") -> None:
        if not _interrupted:
            sys.__unraisablehook__(report)

    signal.signal(signal.SIGINT, on_interrupt)
    sys.unraisablehook = unraisable


def _exit_interrupted(code: int) -> NoReturn:
    """End an interrupted run with `code`, its clean-up done.

    `python -m screening` would otherwise die by SIGINT whatever code was asked for: CPython's main marks a
    KeyboardInterrupt as unhandled once it left code run by exec() (Ctrl-C landing while a dataclass or a
    gettext plural rule was being built), even when it was caught further up. The commands' finally blocks
    have run; the atexit handlers run here; only the interpreter's teardown is skipped.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    atexit._run_exitfuncs()  # multiprocessing's and tempfile's clean-up, as a normal exit would
    os._exit(code)


def main() -> None:
    """Console entry point: never a traceback for the user (SCREENING_DEBUG=1 shows one)."""
    _quiet_after_ctrl_c()
    try:
        app(prog_name="screening")
    except KeyboardInterrupt:
        typer.echo(INTERRUPTED, err=True)
        _exit_interrupted(EXIT_INTERRUPTED)
    except SystemExit as exc:
        if _interrupted:  # Ctrl-C became an exit in a command or in typer
            _exit_interrupted(exc.code if isinstance(exc.code, int) else EXIT_INTERRUPTED)
        raise
    except Exception as exc:  # noqa: BLE001: a compliance tool reports, it does not crash
        if os.environ.get("SCREENING_DEBUG"):
            raise
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); rerun with SCREENING_DEBUG=1 and report it",
            err=True,
        )
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
