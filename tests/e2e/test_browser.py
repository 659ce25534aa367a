"""End to end in a real headless Chromium (Debian's chromium, driven by Playwright) against the real server.

Log in, upload the sample workbook, correct a column mapping, wait for the results, download the xlsx
report and open it, propose a false positive, confirm it as a second user, screen again and see the
hit suppressed. .ci/run installs chromium, so this test never skips: without the browser it fails.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from openpyxl import load_workbook

from screening.review import add_user, open_db
from screening.web.app import create_app
from screening.web.config import WebConfig
from tests.web_support import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "suppliers-sample.xlsx"
SUPPLIER = "Baltic Hull Works Sp. z o.o."
RULE = "DPRK-COMBO-021"
WAIT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("e2e")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCREENING_LISTS_DIR", str(root / "lists"))
    db = str(root / "review.db")
    engine = open_db(db)
    add_user(engine, "ana", "analyst", PASSWORD)
    add_user(engine, "rita", "reviewer", PASSWORD)
    app = create_app(WebConfig.build(db=db, data=root / "data"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    mp.undo()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    assert CHROMIUM.exists(), "Debian's chromium is missing: apt-get install -y --no-install-recommends chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


def log_in(browser, base: str, name: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector(f"text={name} (")
    return context, page


def wait_for_results(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#counts", timeout=WAIT_MS)


def test_upload_screen_download_review_rescreen(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    analyst, page = log_in(browser, server, "ana")
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Upload and correct a mapping: the unrecognised 'Supplier ID' column becomes the registration id.
    page.set_input_files("#file", str(SAMPLE))
    page.click("button:has-text('Upload and check the columns')")
    page.wait_for_selector("#mapping-form")
    supplier_id = page.locator("select[data-header='Supplier ID']")
    assert supplier_id.input_value() == ""
    assert page.locator("select[data-header='Supplier Name']").input_value() == "name"
    supplier_id.select_option("registration_id")
    page.click("button:has-text('Screen')")

    # Live progress, then the results.
    assert re.search(r"/runs/[\w-]+$", page.url)
    run_url = page.url
    wait_for_results(page)
    counts = {b: int(page.locator(f"[data-band-count={b}]").inner_text()) for b in ("clear", "review", "high", "critical")}
    assert sum(counts.values()) == 22 and counts["critical"] == 2
    assert page.locator("svg.chart rect").count() == 4

    # The table filters and sorts in the browser.
    page.fill("#text-filter", "baltic")
    assert re.match(r"1 of \d+ rows shown", page.locator("#shown-count").inner_text())
    page.fill("#text-filter", "")
    page.click("th[data-sort=score]")
    scores = [int(s) for s in page.locator("tbody.result-row").evaluate_all("els => els.map(e => e.dataset.score)")]
    assert scores == sorted(scores, reverse=True)

    # Download the xlsx report and read it.
    with page.expect_download() as download:
        page.click("#download-xlsx")
    report = tmp_path / "report.xlsx"
    download.value.save_as(report)
    wb = load_workbook(report, read_only=True)
    flagged = list(wb["Flagged"].iter_rows(values_only=True))
    header = list(flagged[0])
    assert {"Disposition", "Reviewer", "Comment", "registration_id"} <= set(header)
    assert any(SUPPLIER in row for row in flagged[1:])
    options = [r for r in wb["Manifest"].iter_rows(values_only=True) if r and r[0] == "map"]
    assert options and options[0][1] == "Supplier ID=registration_id"

    # Propose a false positive on one hit.
    hit = page.locator(f"tbody[data-name='{SUPPLIER}'] li.hit[data-rule='{RULE}']")
    hit.locator("select[name=decision]").select_option("false positive")
    hit.locator("input[name=reason]").fill("Polish yard; crew lists audited in 2025, no DPRK nationals")
    hit.locator("button:has-text('Propose')").click()
    page.wait_for_selector(f"tbody[data-name='{SUPPLIER}'] li.hit[data-rule='{RULE}'] .state.pending")
    assert page.locator(f"tbody[data-name='{SUPPLIER}'] li.hit[data-rule='{RULE}'] button.confirm").count() == 0
    analyst.close()

    # A second user, a reviewer, confirms it from the review queue.
    reviewer, page = log_in(browser, server, "rita")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.click("text=Review queue")
    row = page.locator("#pending tr", has_text=SUPPLIER)
    assert "Polish yard" in row.inner_text()
    row.locator("button:has-text('Confirm')").click()
    page.wait_for_selector("text=Nothing is waiting.")

    # Screen again: the hit is suppressed, with the decision.
    page.goto(run_url)
    wait_for_results(page)
    page.click("#rescreen")
    page.wait_for_url(re.compile(r"/runs/[\w-]+$"))
    assert page.url != run_url
    wait_for_results(page)
    assert int(page.locator("#suppressed-count").inner_text()) == 1
    body = page.locator(f"tbody[data-name='{SUPPLIER}']")
    suppressed = body.locator("li.hit.suppressed").inner_text()
    assert RULE in suppressed and "confirmed by rita" in suppressed and "proposed by ana" in suppressed
    assert body.get_attribute("data-band") == "clear"  # 33 - 15: below the review threshold
    reviewer.close()
    assert errors == []
