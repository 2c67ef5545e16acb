"""Faults a person may meet: the database locked longer than the busy timeout."""

import os
import sqlite3

import pytest

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
