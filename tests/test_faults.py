"""Faults a person may meet: the database locked longer than the busy timeout."""

import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import select

from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db

pytestmark = pytest.mark.skipif(bool(os.environ.get("MULING_TEST_DATABASE_URL")),
                                reason="SQLite's lock and busy timeout")


def test_a_database_locked_too_long_gives_a_please_try_again_page(make_app, community):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    client = app.test_client()
    token = client.csrf_token("/staff/login")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # a backup tool or a stuck process holds the lock
    try:
        response = client.post("/staff/login", data={
            "csrf_token": token, "username": "nobody", "password": "x"})
        htmx = client.post("/staff/login", headers={"HX-Request": "true"}, data={
            "csrf_token": token, "username": "nobody", "password": "x"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "系统繁忙" in page and "请稍后再试" in page and "Traceback" not in page
    assert htmx.status_code == 503 and htmx.headers["HX-Retarget"] == "#alerts"
    # Once the lock is gone, the same request works.
    again = client.post("/staff/login", data={"csrf_token": token, "username": "nobody",
                                              "password": "x"})
    assert again.status_code == 422


def test_an_audited_download_waits_for_a_write_in_progress_instead_of_failing(
        make_app, community, make_staff, sign_in, make_suggestion):
    """A GET that records itself (an export with whole numbers) starts its transaction with
    the write lock: a neighbour's write committed meanwhile cannot make it fail."""
    app = make_app()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    make_suggestion()
    client = sign_in(app.test_client(), make_staff("admin"))
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE community SET name = name")  # a write, not yet committed

    def commit_soon():
        time.sleep(0.5)
        writer.execute("COMMIT")

    committer = threading.Thread(target=commit_soon)
    committer.start()
    try:
        response = client.get("/staff/suggestions/export.csv")
    finally:
        committer.join(5)
        writer.close()
    assert response.status_code == 200
    assert "text/csv" in response.headers["Content-Type"]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "suggestions.export" in actions
