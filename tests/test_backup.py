"""Backup and restore round-trip the data, also while writes keep coming."""

import threading

from sqlalchemy import create_engine, select, text

from muling_kiosk.communities.models import Community
from muling_kiosk.extensions import db


def test_backup_and_restore_round_trip_under_load(app, runner, make_community, tmp_path):
    for n in range(20):
        make_community(f"before-{n}", f"备份前{n}社区")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    stop = threading.Event()
    written = []

    def keep_writing():
        # Another connection, as a serving worker would be: it writes during the backup.
        engine = create_engine(url)
        n = 0
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO community (subdistrict_id, slug, name, name_en) "
                    "SELECT id, :slug, :name, '' FROM subdistrict LIMIT 1"),
                    {"slug": f"during-{n}", "name": f"备份中{n}"})
            written.append(n)
            n += 1
        engine.dispose()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        result = runner.invoke(args=["backup", str(tmp_path / "kiosk.backup")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output

    make_community("after", "备份后社区")
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "kiosk.backup")])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    slugs = set(db.session.scalars(select(Community.slug)))
    assert {f"before-{n}" for n in range(20)} <= slugs
    assert "after" not in slugs
    # A consistent snapshot: the rows written during the backup are 0..k-1, with no gap.
    during = sorted(int(s.split("-")[1]) for s in slugs if s.startswith("during-"))
    assert len(during) >= 5 and during == list(range(len(during)))
    assert len(during) <= len(written)


def test_restore_refuses_something_that_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
