"""Faults a person may meet: the database locked longer than the busy timeout, in whatever
form the "locked" reaches the app (SQLAlchemy's error, a raw sqlite3 one, wrapped, at commit)."""

import os
import sqlite3
import threading
import time

import psycopg.errors
import pytest
from flask import Blueprint
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from muling_kiosk.access import public
from muling_kiosk.audit.models import AuditEvent
from muling_kiosk.extensions import db

sqlite_only = pytest.mark.skipif(bool(os.environ.get("MULING_TEST_DATABASE_URL")),
                                 reason="SQLite's lock and busy timeout")


@sqlite_only
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


@sqlite_only
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


@sqlite_only
def test_writers_queued_too_long_in_the_process_get_the_please_try_again_page(
        make_app, community):
    """The in-process writers' queue raises a raw sqlite3.OperationalError from the "begin"
    event (SQLAlchemy does not wrap it): still the 503 page, never a 500."""
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=200)
    client = app.test_client()
    token = client.csrf_token("/staff/login")
    form = {"csrf_token": token, "username": "nobody", "password": "x"}
    with app.test_request_context("/hold", method="POST"), db.engine.connect() as holder:
        holder.execute(text("UPDATE community SET name = name"))  # a POST holding the queue
        response = client.post("/staff/login", data=form)
        htmx = client.post("/staff/login", data=form, headers={"HX-Request": "true"})
        holder.rollback()
    assert response.status_code == 503
    assert "请稍后再试" in response.get_data(as_text=True)
    assert htmx.status_code == 503 and htmx.headers["HX-Retarget"] == "#alerts"
    assert client.post("/staff/login", data=form).status_code == 422


class Wrapped(Exception):
    pass


def _raw_locked():
    raise sqlite3.OperationalError("database is locked")


def _wrapped_locked():
    try:
        _raw_locked()
    except sqlite3.OperationalError as error:
        raise Wrapped("while saving") from error


def _postgres_lock_timeout():
    raise OperationalError("UPDATE x", {}, psycopg.errors.LockNotAvailable(
        "canceling statement due to lock timeout"))


def _locked_at_commit():
    def refuse(_session):
        raise sqlite3.OperationalError("database is locked")

    event.listen(db.session, "before_commit", refuse, once=True)
    db.session.execute(text("SELECT 1"))
    db.session.commit()


@pytest.fixture
def locked_routes(app):
    bp = Blueprint("locked_probes", __name__)
    for name, raiser in [("raw", _raw_locked), ("wrapped", _wrapped_locked),
                         ("postgres", _postgres_lock_timeout), ("commit", _locked_at_commit)]:
        def view(raiser=raiser):
            raiser()
            return "never"
        bp.add_url_rule(f"/probe/locked-{name}", f"locked_{name}", public(view),
                        methods=["GET", "POST"])

    @bp.get("/probe/other-database-error")
    @public
    def other():
        raise sqlite3.OperationalError("no such table: secret_internals")

    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.mark.parametrize("name", ["raw", "wrapped", "postgres", "commit"])
def test_every_form_of_database_is_locked_gives_the_please_try_again_page(
        client, locked_routes, name):
    response = client.get(f"/probe/locked-{name}")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "请稍后再试" in page and "Traceback" not in page and "never" not in page
    htmx = client.get(f"/probe/locked-{name}", headers={"HX-Request": "true"})
    assert htmx.status_code == 503 and htmx.headers["HX-Retarget"] == "#alerts"


def test_another_database_error_stays_a_500_without_its_details(client, locked_routes):
    response = client.get("/probe/other-database-error")
    assert response.status_code == 500
    assert "secret_internals" not in response.get_data(as_text=True)
