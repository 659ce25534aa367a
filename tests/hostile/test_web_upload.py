"""The same hostile workbooks through the web page's upload: a clear refusal naming the file, nothing
stored, and the server still serving the next upload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from screening.review import add_user, open_db
from screening.web.app import create_app
from screening.web.config import WebConfig
from tests.hostile import corpus
from tests.web_support import PASSWORD, USERS, login

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "suppliers-sample.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Path]]:
    root = tmp_path_factory.mktemp("web")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCREENING_LISTS_DIR", str(root / "lists"))
    db = str(root / "review.db")
    engine = open_db(db)
    for name, role in USERS.items():
        add_user(engine, name, role, PASSWORD)
    config = WebConfig.build(db=db, data=root / "data", max_upload_mb=8)
    with TestClient(create_app(config)) as client:
        yield client, login(client, "ana"), root / "data" / "uploads"
    mp.undo()


def build(kind: str, folder: Path) -> Path:
    builders = {
        "far-cells.xlsx": lambda p: corpus.far_cells_xlsx(p),
        "lying-bomb.xlsx": lambda p: corpus.bomb_xlsx(p, inflated_mib=3072, declared_bytes=1000),
        "entities.xlsx": lambda p: corpus.entity_xlsx(p, "xl/worksheets/sheet1.xml", external=True),
        "locked.xlsx": lambda p: corpus.encrypted_xlsx(p),
    }
    return builders[kind](folder / kind)


@pytest.mark.parametrize("kind, says", [
    ("far-cells.xlsx", "over the 100,000,000-cell limit"),
    ("lying-bomb.xlsx", "holds more data than the archive states"),
    ("entities.xlsx", "declares a DTD or entities"),
    ("locked.xlsx", "is password-protected; save an unprotected copy"),
])
def test_hostile_upload_is_refused_clearly(web: tuple[TestClient, str, Path], tmp_path: Path, kind: str, says: str) -> None:
    client, csrf, uploads = web
    before = set(uploads.iterdir()) if uploads.exists() else set()
    data = build(kind, tmp_path).read_bytes()
    response = client.post("/uploads", data={"csrf_token": csrf}, files={"file": (kind, data, XLSX)}, follow_redirects=False)
    assert response.status_code == 400
    assert kind in response.text and says in response.text
    assert "Traceback" not in response.text
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == before  # nothing stored
    good = client.post("/uploads", data={"csrf_token": csrf},
                       files={"file": ("suppliers-sample.xlsx", SAMPLE.read_bytes(), XLSX)}, follow_redirects=False)
    assert good.status_code == 303  # the server is unharmed
