"""Helpers shared by the web API tests and the browser test."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
USERS = {"ana": "analyst", "rita": "reviewer", "rolf": "reviewer", "adam": "admin"}

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log `client` in as `name`; returns the session's CSRF token."""
    page = client.get("/login")
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": token(page.text),
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return token(client.get("/").text)


def wait_done(client: TestClient, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/runs/{run_id}/status").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")
