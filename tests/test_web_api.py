"""Every route of the web page through FastAPI's TestClient: logins, uploads (good and refused),
mapping, background screening, downloads, four-eyes decisions, CSRF and role checks."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from screening.review import add_user, open_db
from screening.web.app import create_app
from screening.web.config import WebConfig
from tests.web_support import PASSWORD, USERS, login, token, wait_done

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "suppliers-sample.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("web")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCREENING_LISTS_DIR", str(root / "lists"))  # an empty store: rule packs only, fast
    db = str(root / "review.db")
    engine = open_db(db)
    for name, role in USERS.items():
        add_user(engine, name, role, PASSWORD)
    config = WebConfig.build(db=db, data=root / "data", max_upload_mb=1)
    app = create_app(config)
    with TestClient(app) as client:
        client.app_state = app.state  # type: ignore[attr-defined]
        yield client
    mp.undo()


def client_for(web: TestClient, name: str | None) -> tuple[TestClient, str]:
    client = TestClient(web.app)
    csrf = login(client, name) if name else ""
    return client, csrf


@pytest.fixture(scope="module")
def run(web: TestClient) -> dict:
    """The sample workbook uploaded and screened once by the analyst; shared by the tests below."""
    client, csrf = client_for(web, "ana")
    response = client.post("/uploads", data={"csrf_token": csrf},
                           files={"file": ("suppliers-sample.xlsx", SAMPLE.read_bytes(), XLSX)}, follow_redirects=False)
    assert response.status_code == 303
    upload_url = response.headers["location"]
    page = client.get(upload_url)
    selects = dict(re.findall(r'<select name="(map-\d+-\d+)" aria-label="Field for ([^"]+)"', page.text))
    by_header = {header: name for name, header in selects.items()}
    form = {"csrf_token": csrf, "pack": ["dprk-overseas-labour.yaml", "sanctions-lists.yaml"],
            by_header["Supplier ID"]: "registration_id"}  # a correction: the ID column as the registration id
    response = client.post(f"{upload_url}/screen", data=form, follow_redirects=False)
    assert response.status_code == 303
    run_id = response.headers["location"].rsplit("/", 1)[-1]
    assert wait_done(client, run_id)["status"] == "done"
    return {"id": run_id, "upload": upload_url}


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/", "/review", "/log", "/uploads/abcdefghijklmnopqrstuvwx", "/runs/abcdefghijklmnopqrstuvwx",
                                  "/runs/abcdefghijklmnopqrstuvwx/report.xlsx"])
def test_pages_need_a_login(web: TestClient, path: str) -> None:
    anonymous = TestClient(web.app)
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_status_needs_a_login(web: TestClient, run: dict) -> None:
    assert TestClient(web.app).get(f"/runs/{run['id']}/status").status_code == 401


@pytest.mark.parametrize("path", ["/uploads", "/logout", "/runs/x/decisions", "/proposals/1/confirm",
                                  "/uploads/abcdefghijklmnopqrstuvwx/screen", "/runs/abcdefghijklmnopqrstuvwx/rescreen"])
def test_posts_need_a_login(web: TestClient, path: str) -> None:
    response = TestClient(web.app).post(path, data={"csrf_token": "x"}, follow_redirects=False)
    assert response.status_code == 401


def test_login_wrong_password_and_unknown_user(web: TestClient) -> None:
    client = TestClient(web.app)
    for name in ("ana", "nobody"):
        page = client.get("/login")
        response = client.post("/login", data={"username": name, "password": "wrong password!", "csrf_token": token(page.text)})
        assert response.status_code == 401
        assert "wrong user name or password" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_without_its_csrf_token_is_refused(web: TestClient) -> None:
    client = TestClient(web.app)
    client.get("/login")
    response = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403


def test_login_sets_a_safe_cookie_and_refuses_open_redirects(web: TestClient) -> None:
    client = TestClient(web.app)
    page = client.get("/login")
    response = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token(page.text),
                                           "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "screening_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_repeated_failures_lock_the_name(web: TestClient) -> None:
    add_user(open_db(str(Path(web.app_state.config.engine.url.database))), "lockme", "analyst", PASSWORD)  # type: ignore[attr-defined]
    client = TestClient(web.app)
    for _ in range(5):
        client.post("/login", data={"username": "lockme", "password": "nope nope nope", "csrf_token": token(client.get("/login").text)})
    response = client.post("/login", data={"username": "lockme", "password": PASSWORD, "csrf_token": token(client.get("/login").text)})
    assert response.status_code == 429


def test_logout_ends_the_session(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    cookie = client.cookies.get("screening_session")
    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    stale = TestClient(web.app, cookies={"screening_session": cookie})
    assert stale.get("/", follow_redirects=False).status_code == 303


def test_forged_session_cookie_is_ignored(web: TestClient) -> None:
    client = TestClient(web.app, cookies={"screening_session": "abc.def.ghi"})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_security_headers(web: TestClient) -> None:
    client, _ = client_for(web, "ana")
    response = client.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_static_assets_are_local(web: TestClient) -> None:
    client, _ = client_for(web, "ana")
    page = client.get("/").text
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200


# ---------------------------------------------------------------- uploads


def _upload(client: TestClient, csrf: str, name: str, data: bytes, kind: str = XLSX):
    return client.post("/uploads", data={"csrf_token": csrf}, files={"file": (name, data, kind)}, follow_redirects=False)


def test_upload_without_csrf_is_refused(web: TestClient) -> None:
    client, _ = client_for(web, "ana")
    response = client.post("/uploads", files={"file": ("a.xlsx", SAMPLE.read_bytes(), XLSX)})
    assert response.status_code == 403
    assert "CSRF" in response.text
    response = _upload(client, "wrong-token", "a.xlsx", SAMPLE.read_bytes())
    assert response.status_code == 403


def test_upload_too_big_is_refused_with_a_clear_message(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    response = _upload(client, csrf, "big.csv", b"name,country\n" + b"x" * (2 * 1024 * 1024), "text/csv")
    assert response.status_code == 413
    assert "larger than the 1 MB upload limit" in response.text
    assert not list((web.app_state.config.data / "uploads").glob("*/incoming"))  # type: ignore[attr-defined]


def test_upload_of_the_wrong_type_is_refused(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    response = _upload(client, csrf, "report.pdf", b"%PDF-1.7\n" + b"0" * 500, "application/pdf")
    assert response.status_code == 400
    assert "not a spreadsheet" in response.text
    assert "report.pdf" in response.text and "/uploads/" not in response.text.split("<main>")[1].split("</main>")[0].replace('action="/uploads"', "")


def test_corrupt_workbook_is_refused(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    broken = SAMPLE.read_bytes()[:3000]  # a zip cut short
    response = _upload(client, csrf, "broken.xlsx", broken)
    assert response.status_code == 400
    assert "broken.xlsx" in response.text


def test_empty_and_missing_files_are_refused(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    assert _upload(client, csrf, "empty.csv", b"", "text/csv").status_code == 400
    response = client.post("/uploads", data={"csrf_token": csrf})
    assert response.status_code == 400 and "choose a spreadsheet" in response.text


def test_upload_name_is_never_a_path(web: TestClient) -> None:
    client, csrf = client_for(web, "ana")
    response = _upload(client, csrf, "../../etc/evil.csv", b"Supplier Name,Country\nAcme,Germany\n", "text/csv")
    assert response.status_code == 303
    upload_id = response.headers["location"].rsplit("/", 1)[-1]
    folder = web.app_state.config.data / "uploads" / upload_id  # type: ignore[attr-defined]
    assert sorted(p.name for p in folder.iterdir()) == ["input.csv", "upload.json"]
    assert json.loads((folder / "upload.json").read_text())["name"] == "evil.csv"
    assert not (web.app_state.config.data.parent / "etc").exists()  # type: ignore[attr-defined]


def test_unknown_upload_is_404(web: TestClient) -> None:
    client, _ = client_for(web, "ana")
    assert client.get("/uploads/..%2F..%2Fsecret").status_code == 404
    assert client.get("/uploads/abcdefghijklmnopqrstuvwx").status_code == 404


# ---------------------------------------------------------------- mapping, screening, results


def test_mapping_preview_shows_detected_fields(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    page = client.get(run["upload"]).text
    assert "Supplier Name" in page
    assert re.search(r'aria-label="Field for Supplier Name"[^>]*>\s*(<option[^>]*>[^<]*</option>\s*)*?'
                     r'<option value="name" selected>', page)
    assert 'value="dprk-overseas-labour.yaml" checked' in page


def test_mapping_refuses_unknown_fields_and_no_packs(web: TestClient, run: dict) -> None:
    client, csrf = client_for(web, "ana")
    response = client.post(f"{run['upload']}/screen", data={"csrf_token": csrf, "pack": ["dprk-overseas-labour.yaml"],
                                                             "map-0-0": "salary"})
    assert response.status_code == 400 and "unknown field" in response.text
    response = client.post(f"{run['upload']}/screen", data={"csrf_token": csrf})
    assert response.status_code == 400 and "at least one rule pack" in response.text
    response = client.post(f"{run['upload']}/screen", data={"pack": ["dprk-overseas-labour.yaml"]})
    assert response.status_code == 403


def test_results_page_shows_counts_chart_and_rows(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    page = client.get(f"/runs/{run['id']}").text
    counts = dict(re.findall(r'data-band-count="(\w+)">(\d+)<', page))
    assert counts == {"clear": "8", "review": "6", "high": "6", "critical": "2"}
    assert "<svg" in page and "Rows per band" in page
    assert "Potonggang Trading Company" in page and "DPRK-LOC-001" in page
    assert "country=&#39;DPRK&#39;" in page or "country='DPRK'" in page


def test_status_json(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    state = client.get(f"/runs/{run['id']}/status").json()
    assert state["status"] == "done" and state["percent"] == 100
    assert client.get("/runs/abcdefghijklmnopqrstuvwx/status").status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "html"])
def test_downloads_in_every_format(web: TestClient, run: dict, fmt: str) -> None:
    client, _ = client_for(web, "ana")
    response = client.get(f"/runs/{run['id']}/report.{fmt}")
    assert response.status_code == 200
    assert 'attachment; filename="suppliers-sample-screening.' + fmt in response.headers["content-disposition"]
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        assert "Flagged" in wb.sheetnames
        options = [tuple(r) for r in wb["Manifest"].iter_rows(values_only=True) if r and r[0] == "map"]
        assert options == [("map", "Supplier ID=registration_id")] or any("Supplier ID=registration_id" in str(o) for o in options)
    if fmt == "json":
        report = response.json()
        assert report["manifest"]["inputs"][0]["path"] == "suppliers-sample.xlsx"  # the name uploaded, not the stored path
        assert {r["input"] for r in report["rows"]} == {"suppliers-sample.xlsx"}
        assert report["rows"][0]["fields"]["registration_id"]  # the corrected mapping was used


def test_unknown_report_format_is_404(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    assert client.get(f"/runs/{run['id']}/report.exe").status_code == 404


def test_home_lists_recent_runs(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    assert f"/runs/{run['id']}" in client.get("/").text


# ---------------------------------------------------------------- four eyes


def _row_hit(page: str, name: str) -> tuple[str, str]:
    """(row index, hit ref) of the first hit form in the row of supplier `name`."""
    body = page.split(f'data-name="{name}"', 1)[1].split("</tbody>", 1)[0]
    row = re.search(r'name="row" value="(\d+)"', body).group(1)  # type: ignore[union-attr]
    hit = re.search(r'name="hit" value="(h\d+)"', body).group(1)  # type: ignore[union-attr]
    return row, hit


def _propose(client: TestClient, csrf: str, run_id: str, row: str, hit: str, decision: str = "false positive",
             reason: str = "different company, checked registry") -> int:
    response = client.post(f"/runs/{run_id}/decisions", data={"csrf_token": csrf, "row": row, "hit": hit,
                                                               "decision": decision, "reason": reason},
                           headers={"Accept": "application/json"})
    assert response.status_code == 201, response.text
    return response.json()["proposal"]


def test_proposal_needs_a_reason_and_a_known_decision(web: TestClient, run: dict) -> None:
    client, csrf = client_for(web, "ana")
    row, hit = _row_hit(client.get(f"/runs/{run['id']}").text, "Baltic Hull Works Sp. z o.o.")
    for decision, reason in (("false positive", "   "), ("maybe", "because")):
        response = client.post(f"/runs/{run['id']}/decisions", data={"csrf_token": csrf, "row": row, "hit": hit,
                                                                      "decision": decision, "reason": reason})
        assert response.status_code == 400
    response = client.post(f"/runs/{run['id']}/decisions", data={"csrf_token": csrf, "row": "999", "hit": "h0",
                                                                  "decision": "escalate", "reason": "x"})
    assert response.status_code == 404


def test_four_eyes_over_the_api(web: TestClient, run: dict) -> None:
    analyst, a_csrf = client_for(web, "ana")
    reviewer, r_csrf = client_for(web, "rita")
    other, o_csrf = client_for(web, "rolf")
    row, hit = _row_hit(analyst.get(f"/runs/{run['id']}").text, "Kaohsiung Pacific Crew Manning Agency")

    # An analyst cannot confirm, whoever proposed.
    proposal = _propose(reviewer, r_csrf, run["id"], row, hit)
    response = analyst.post(f"/proposals/{proposal}/confirm", data={"csrf_token": a_csrf}, headers={"Accept": "application/json"})
    assert response.status_code == 403 and "only a reviewer or admin" in response.json()["error"]
    # The proposer can never confirm their own proposal, even as a reviewer.
    response = reviewer.post(f"/proposals/{proposal}/confirm", data={"csrf_token": r_csrf}, headers={"Accept": "application/json"})
    assert response.status_code == 403 and "your own" in response.json()["error"]
    # Without the CSRF token, a second reviewer's confirmation is refused too.
    assert other.post(f"/proposals/{proposal}/confirm", data={}).status_code == 403
    assert other.post(f"/proposals/{proposal}/confirm", data={"csrf_token": r_csrf}).status_code == 403  # someone else's token
    # A second, different reviewer confirms; once.
    response = other.post(f"/proposals/{proposal}/confirm", data={"csrf_token": o_csrf}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = other.post(f"/proposals/{proposal}/reject", data={"csrf_token": o_csrf, "reason": "changed my mind"},
                          headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert other.post("/proposals/99999/confirm", data={"csrf_token": o_csrf}).status_code == 404
    assert other.post(f"/proposals/{proposal}/approve", data={"csrf_token": o_csrf}).status_code == 404


def test_reject_needs_a_reason_and_shows_in_the_log(web: TestClient, run: dict) -> None:
    analyst, a_csrf = client_for(web, "ana")
    admin, ad_csrf = client_for(web, "adam")
    row, hit = _row_hit(analyst.get(f"/runs/{run['id']}").text, "Abuja Premier Hospital Ltd")
    proposal = _propose(analyst, a_csrf, run["id"], row, hit, "escalate", "hospital staffing agency unclear")
    assert f'id="proposal-{proposal}"' in admin.get("/review").text
    assert admin.post(f"/proposals/{proposal}/reject", data={"csrf_token": ad_csrf, "reason": " "}).status_code == 400
    response = admin.post(f"/proposals/{proposal}/reject", data={"csrf_token": ad_csrf, "reason": "needs a site visit first",
                                                                 "next": "/review"}, follow_redirects=False)
    assert response.status_code == 303
    assert f'id="proposal-{proposal}"' not in admin.get("/review").text
    log = admin.get("/log").text
    assert "needs a site visit first" in log and f"reject #{proposal}" in log


def test_confirmed_false_positive_is_suppressed_on_rescreen(web: TestClient, run: dict) -> None:
    analyst, a_csrf = client_for(web, "ana")
    reviewer, r_csrf = client_for(web, "rita")
    page = analyst.get(f"/runs/{run['id']}").text
    row, hit = _row_hit(page, "Ulaanbaatar Construction Group LLC")
    proposal = _propose(analyst, a_csrf, run["id"], row, hit, reason="Mongolian firm, own staff only (site audit 2025)")
    assert "awaiting a second reviewer" in analyst.get(f"/runs/{run['id']}").text
    response = reviewer.post(f"/proposals/{proposal}/confirm", data={"csrf_token": r_csrf, "next": f"/runs/{run['id']}"},
                             follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/runs/{run['id']}"

    response = analyst.post(f"/runs/{run['id']}/rescreen", data={"csrf_token": a_csrf}, follow_redirects=False)
    assert response.status_code == 303
    new_id = response.headers["location"].rsplit("/", 1)[-1]
    assert wait_done(analyst, new_id)["status"] == "done"
    page = analyst.get(f"/runs/{new_id}").text
    # This one, and the Kaohsiung hit confirmed in the four-eyes test when it ran first.
    assert int(re.search(r'id="suppressed-count">(\d+)<', page).group(1)) >= 1  # type: ignore[union-attr]
    body = page.split('data-name="Ulaanbaatar Construction Group LLC"', 1)[1].split("</tbody>", 1)[0]
    assert "Suppressed:" in body and "confirmed by rita" in body and "site audit 2025" in body
    report = analyst.get(f"/runs/{new_id}/report.json").json()
    rows = [r for r in report["rows"] if r["fields"]["name"] == "Ulaanbaatar Construction Group LLC"]
    assert rows[0]["suppressed"][0]["decision"]["confirmed_by"] == "rita"
    assert rows[0]["score"] < 33  # the suppressed hit no longer counts


def test_decision_log_downloads_as_csv(web: TestClient, run: dict) -> None:
    analyst, a_csrf = client_for(web, "ana")
    row, hit = _row_hit(analyst.get(f"/runs/{run['id']}").text, "Selangor Build Contractors Sdn Bhd")
    _propose(analyst, a_csrf, run["id"], row, hit, "escalate", "=HYPERLINK(\"http://x\",\"y\") needs checking")
    response = analyst.get("/log.csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "at", "user", "role", "kind"]
    mine = [r for r in rows[1:] if r[8] == "Selangor Build Contractors Sdn Bhd"]
    assert mine and mine[-1][4] == "propose" and mine[-1][7].startswith("'=HYPERLINK")  # never a formula
    assert TestClient(web.app).get("/log.csv", follow_redirects=False).status_code == 303


def test_mapping_preview_shows_first_values(web: TestClient, run: dict) -> None:
    client, _ = client_for(web, "ana")
    page = client.get(run["upload"]).text
    assert "Hunchun Dongyang Seafood Industry &amp; Trade Co., Ltd." in page


def test_suppressed_hit_can_be_revisited(web: TestClient, run: dict) -> None:
    analyst, a_csrf = client_for(web, "ana")
    reviewer, r_csrf = client_for(web, "rita")
    row, hit = _row_hit(analyst.get(f"/runs/{run['id']}").text, "Saigon Star Garment Co., Ltd.")
    proposal = _propose(analyst, a_csrf, run["id"], row, hit, reason="garment firm with local staff")
    assert reviewer.post(f"/proposals/{proposal}/confirm", data={"csrf_token": r_csrf}).status_code == 200
    new_id = analyst.post(f"/runs/{run['id']}/rescreen", data={"csrf_token": a_csrf},
                          follow_redirects=False).headers["location"].rsplit("/", 1)[-1]
    assert wait_done(analyst, new_id)["status"] == "done"
    page = analyst.get(f"/runs/{new_id}").text
    body = page.split('data-name="Saigon Star Garment Co., Ltd."', 1)[1].split("</tbody>", 1)[0]
    row = re.search(r'name="row" value="(\d+)"', body).group(1)  # type: ignore[union-attr]
    suppressed_ref = re.search(r'name="hit" value="(s\d+)"', body).group(1)  # type: ignore[union-attr]
    # New facts: a true match, confirmed by a second reviewer, is in force from the next screening.
    reversal = _propose(analyst, a_csrf, new_id, row, suppressed_ref, "true match", "new audit found DPRK workers")
    assert reviewer.post(f"/proposals/{reversal}/confirm", data={"csrf_token": r_csrf}).status_code == 200
    third = analyst.post(f"/runs/{new_id}/rescreen", data={"csrf_token": a_csrf},
                         follow_redirects=False).headers["location"].rsplit("/", 1)[-1]
    assert wait_done(analyst, third)["status"] == "done"
    report = analyst.get(f"/runs/{third}/report.json").json()
    saigon = next(r for r in report["rows"] if r["fields"]["name"] == "Saigon Star Garment Co., Ltd.")
    assert "suppressed" not in saigon


def test_accounts_page_is_for_admins_only(web: TestClient) -> None:
    for name in ("ana", "rita"):
        client, csrf = client_for(web, name)
        assert client.get("/admin/users").status_code == 403
        response = client.post("/admin/users", data={"csrf_token": csrf, "name": "mallory", "role": "admin",
                                                     "password": PASSWORD})
        assert response.status_code == 403
    admin, csrf = client_for(web, "adam")
    assert "rita" in admin.get("/admin/users").text
    assert admin.post("/admin/users", data={"name": "vera", "role": "reviewer", "password": PASSWORD}).status_code == 403
    response = admin.post("/admin/users", data={"csrf_token": csrf, "name": "vera", "role": "reviewer", "password": "short"})
    assert response.status_code == 400 and "too short" in response.text
    response = admin.post("/admin/users", data={"csrf_token": csrf, "name": "vera", "role": "reviewer",
                                                "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    assert login(TestClient(web.app), "vera")
    assert "mallory" not in admin.get("/admin/users").text


def test_streamed_upload_over_the_limit_is_cut_off(web: TestClient) -> None:
    """Without a Content-Length (chunked), the body is counted as it arrives and refused past the limit."""
    client, csrf = client_for(web, "ana")
    boundary = "----screeningtest"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\nname,country\r\n").encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(40):  # 2.5 MB in 64 KB chunks, over the 1 MB limit
            yield b"x" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post("/uploads", content=body(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert "upload limit" in response.text


def test_serve_command_starts_the_page(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(tmp_path), "SCREENING_LISTS_DIR": str(tmp_path / "l")}
    proc = subprocess.Popen([sys.executable, "-m", "screening", "serve", "--port", str(port), "--db", str(tmp_path / "s.db")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "screening serve did not answer"
                time.sleep(0.2)
        assert response.status_code == 200 and "Log in" in response.text
        assert (tmp_path / "s.db").exists() and (tmp_path / "web").is_dir()
        assert oct((tmp_path / "web").stat().st_mode & 0o777) == "0o700"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_long_results_list_the_worst_rows_first(web: TestClient, run: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import screening.web.app as web_app

    monkeypatch.setattr(web_app, "ROWS_SHOWN", 3)
    client, _ = client_for(web, "ana")
    page = client.get(f"/runs/{run['id']}").text
    assert page.count('class="result-row"') == 3 and 'id="rows-capped"' in page
    bands = re.findall(r'class="result-row" id="row-\d+" data-band="(\w+)"', page)
    assert bands[:2] == ["critical", "critical"]


def test_csrf_token_in_a_header_for_scripted_calls(web: TestClient, run: dict) -> None:
    client, csrf = client_for(web, "ana")
    row, hit = _row_hit(client.get(f"/runs/{run['id']}").text, "Khabarovsk Timber Company")
    data = {"row": row, "hit": hit, "decision": "escalate", "reason": "timber in Khabarovsk krai"}
    refused = client.post(f"/runs/{run['id']}/decisions", data=data, headers={"Accept": "application/json",
                                                                               "X-CSRF-Token": "forged"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    accepted = client.post(f"/runs/{run['id']}/decisions", data=data, headers={"Accept": "application/json",
                                                                                "X-CSRF-Token": csrf})
    assert accepted.status_code == 201 and accepted.json()["status"] == "pending"
