"""Liveness (/healthz: the process answers) and readiness (/readyz: the database answers)."""

import shutil

import pytest


def test_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert client.get("/healthz").status_code == 200


def test_not_ready_but_alive_when_the_database_is_gone(make_app, tmp_path):
    # A database that cannot be opened: a file in a directory that does not exist (SQLite),
    # a port nobody listens on (PostgreSQL): the same answer either way.
    for url in (f"sqlite:///{tmp_path}/gone/kiosk.sqlite3",
                "postgresql+psycopg://postgres@127.0.0.1:9/nothing?connect_timeout=2"):
        app = make_app(SQLALCHEMY_DATABASE_URI=url)
        client = app.test_client(as_station=False)
        response = client.get("/readyz")
        assert response.status_code == 503, url
        assert "database" in response.get_data(as_text=True)
        assert client.get("/healthz").status_code == 200, url


def test_ready_again_once_the_database_is_back(make_app, database_url, tmp_path):
    """The check remembers no failure: once the database answers again, so does /readyz."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only: it lets the test take the database away and back")
    missing = tmp_path / "later"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}/kiosk.sqlite3")
    client = app.test_client(as_station=False)
    assert client.get("/readyz").status_code == 503
    missing.mkdir()
    shutil.copyfile(database_url.removeprefix("sqlite:///"), missing / "kiosk.sqlite3")
    assert client.get("/readyz").status_code == 200
