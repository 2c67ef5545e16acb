"""The foundation: configuration, database setup, migrations, demo data, the kiosk shell's
routes, htmx page-or-fragment, security headers, CSRF and the error pages."""

import os
import stat
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Blueprint, render_template_string
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from muling_kiosk import create_app
from muling_kiosk.access import public
from muling_kiosk.communities.models import Community, Subdistrict
from muling_kiosk.config import _instance_secret
from muling_kiosk.extensions import db
from muling_kiosk.home.services import has_kiosk_state
from muling_kiosk.i18n import format_when
from muling_kiosk.responses import page_or_fragment

# ---------- configuration ----------


def test_secret_is_generated_once_kept_private_and_reused(tmp_path):
    first = _instance_secret(tmp_path)
    path = tmp_path / "secret_key"
    assert len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert _instance_secret(tmp_path) == first
    assert not list(tmp_path.glob(".secret_key.*"))  # no temporary file left behind


def test_environment_overrides_instance_config_and_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("MULING_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MULING_IDLE_SECONDS", "120")
    monkeypatch.setenv("MULING_COMMUNITY", "yonghe")
    monkeypatch.setenv("MULING_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("MULING_PUBLIC_BASE_URL", "https://muling.example.cn")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["IDLE_SECONDS"] == 120
    assert app.config["COMMUNITY"] == "yonghe"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"
    assert app.config["PUBLIC_BASE_URL"] == "https://muling.example.cn"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    with app.app_context():
        db.engine.dispose()


def test_defaults_when_nothing_is_configured(app):
    assert app.config["IDLE_SECONDS"] == 90
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    assert app.config["MAX_CONTENT_LENGTH"] > 0


# ---------- database ----------


def test_sqlite_connections_use_wal_and_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_same_code_runs_on_the_configured_engine(app):
    expected = "postgresql" if os.environ.get("MULING_TEST_DATABASE_URL") else "sqlite"
    assert db.engine.dialect.name == expected


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_and_upgrade_round_trip(app):
    downgrade(revision="base")
    assert "community" not in _tables()
    upgrade()
    assert {"subdistrict", "community"} <= _tables()


def _tables() -> set[str]:
    from sqlalchemy import inspect

    db.session.remove()
    return set(inspect(db.engine).get_table_names())


def test_times_are_stored_in_utc_and_read_back_aware(app):
    from muling_kiosk.database import UTCDateTime

    column = UTCDateTime()
    stored = column.process_bind_param(datetime(2026, 11, 26, 9, 0, tzinfo=UTC), None)
    assert stored.tzinfo is None
    assert column.process_result_value(stored, None).tzinfo is UTC
    with pytest.raises(ValueError):
        column.process_bind_param(datetime(2026, 11, 26, 9, 0), None)


# ---------- demo data ----------


def test_seed_demo_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(select(func.count(Subdistrict.id))),
              db.session.scalar(select(func.count(Community.id))))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert counts == (1, 5)
    assert (db.session.scalar(select(func.count(Subdistrict.id))),
            db.session.scalar(select(func.count(Community.id)))) == counts
    names = set(db.session.scalars(select(Community.name)))
    assert {"南环社区", "利民社区", "建设社区", "胜利社区", "永和社区"} == names


# ---------- languages ----------


def test_home_renders_in_chinese_by_default(client, community):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in page
    assert "长者学堂报名" in page and "议事会投票" in page and "我有建议" in page
    assert "胜利社区" in page


@pytest.mark.parametrize("header", ["zh-CN", "zh-cn", "zh-Hans-CN", "zh-TW,zh;q=0.9", "zh"])
def test_any_chinese_browser_gets_chinese(client, community, header):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert "长者学堂报名" in page


def test_an_english_browser_gets_english_and_the_switch_is_remembered(client, community):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in page and "Sign up for classes" in page
    client.post_form("/language", {"lang": "zh_Hans", "next": "/classes/"})
    page = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "长者学堂报名" in page


def test_language_switch_goes_back_to_the_page_but_never_off_site(client):
    response = client.post_form("/language", {"lang": "en", "next": "/classes/"})
    assert response.status_code == 303 and response.headers["Location"] == "/classes/"
    for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post_form("/language", {"lang": "en", "next": bad})
        assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client, community):
    client.post_form("/language", {"lang": "fr"})
    assert "长者学堂报名" in client.get("/").get_data(as_text=True)


def test_dates_read_as_people_say_them(app):
    moment = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 9:00 in Yinchuan
    from flask_babel import refresh

    for header, expected in (("zh-CN", "11月26日 星期四 上午9:00"),
                             ("en", "Thursday 26 November, 9:00 AM")):
        with app.test_request_context(headers={"Accept-Language": header}):
            refresh()  # the test's app context would otherwise keep the first locale
            assert format_when(moment) == expected


# ---------- kiosk shell ----------


def test_idle_reset_forgets_the_person_and_comes_back_in_chinese(client, community):
    client.post_form("/language", {"lang": "en"})
    client.set_cookie("large_text", "1")
    with client.session_transaction() as session:
        session["signup_phone"] = "13812345678"
    response = client.post_form("/reset")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "signup_phone" not in session
    assert client.get_cookie("lang").value == "zh_Hans"
    assert client.get_cookie("large_text") is None
    assert "长者学堂报名" in client.get("/").get_data(as_text=True)


def test_the_home_screen_forgets_the_last_persons_data(client):
    with client.session_transaction() as session:
        session["person_phone"] = "13812345678"
    client.get("/")
    with client.session_transaction() as session:
        assert "person_phone" not in session


def test_idle_reset_from_htmx_asks_for_a_full_new_page(client):
    response = client.post_form("/reset", htmx=True)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"


def test_home_runs_the_idle_timer_only_when_there_is_something_to_clear(client, community):
    assert "data-idle-seconds" not in client.get("/").get_data(as_text=True)
    client.post_form("/language", {"lang": "en"})
    assert 'data-idle-seconds="90"' in client.get("/").get_data(as_text=True)
    assert 'data-idle-seconds="90"' in client.get("/classes/").get_data(as_text=True)


def test_what_counts_as_state_left_on_the_tablet():
    assert not has_kiosk_state({"csrf_token": "x"}, {})
    assert not has_kiosk_state({}, {"lang": "zh_Hans"})
    assert has_kiosk_state({"staff_mode": 1}, {})
    assert has_kiosk_state({}, {"lang": "en"})
    assert has_kiosk_state({}, {"large_text": "1"})


def test_every_kiosk_page_has_a_way_home_and_the_status_region(client, community):
    for path in ("/classes/", "/vote/", "/suggest/"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/"' in page, path
        assert page.count('role="status"') == 1, path


# ---------- htmx: the same URL renders the page or its fragment ----------


@pytest.fixture
def fragment_probe(app):
    bp = Blueprint("fragment_probe", __name__)

    @bp.get("/probe/list")
    @public
    def listing():
        return page_or_fragment("probe_page.html", "probe_fragment.html", items=["甲", "乙"])

    app.register_blueprint(bp)
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, DictLoader({
        "probe_page.html": '{% extends "layouts/kiosk.html" %}{% block main %}'
                           '<h1>列表</h1>{% include "probe_fragment.html" %}{% endblock %}',
        "probe_fragment.html": '<ul id="items">{% for i in items %}<li>{{ i }}</li>'
                               '{% endfor %}</ul>',
    })])


def test_page_fragment_and_history_restore(client, fragment_probe):
    page = client.get("/probe/list")
    assert "<html" in page.get_data(as_text=True) and "<li>甲</li>" in page.get_data(as_text=True)
    fragment = client.get("/probe/list", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).startswith('<ul id="items">')
    restore = client.get("/probe/list", headers={"HX-Request": "true",
                                                 "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    for response in (page, fragment, restore):
        assert "HX-Request" in response.headers["Vary"]


# ---------- security ----------


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_inline_script_in_any_template():
    import re
    from pathlib import Path

    for path in Path("templates").rglob("*.html"):
        source = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), path
        assert not re.search(r"\son[a-z]+=", source), path  # no inline event handlers


def test_session_cookie_flags(app, community):
    cookie = app.test_client().get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client().get("/", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" in secure


def test_a_write_without_csrf_token_gets_the_expired_page(client):
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "页面已过期，请返回重试" in page and 'href="/"' in page
    assert client.get_cookie("lang") is None


def test_htmx_sends_the_csrf_token_in_a_header(client, community):
    token = client.csrf_token()
    page = client.get("/").get_data(as_text=True)
    assert "X-CSRFToken" in page
    response = client.post("/language", data={"lang": "en"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 204


def test_an_expired_token_over_htmx_gets_a_fragment_for_the_alert_area(client):
    response = client.post("/language", data={"lang": "en"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#alerts"
    body = response.get_data(as_text=True)
    assert "<html" not in body and "页面已过期" in body


def test_request_size_is_limited(client, app):
    token = client.csrf_token()
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/language", data={"csrf_token": token, "lang": too_big})
    assert response.status_code == 413
    assert "提交的内容太大" in response.get_data(as_text=True)


# ---------- errors ----------


@pytest.fixture
def failing_routes(app):
    bp = Blueprint("failing", __name__)

    @bp.get("/probe/crash")
    @public
    def crash():
        raise RuntimeError("secret internals")

    @bp.get("/probe/locked")
    @public
    def locked():
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    @bp.get("/probe/undeclared")
    def undeclared():  # no access declaration: must be refused
        return "should never be seen"

    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.mark.parametrize(("path", "method", "code", "words"), [
    ("/no-such-page", "get", 404, "找不到这个页面"),
    ("/reset", "get", 405, "这里不能进行这个操作"),
    ("/probe/crash", "get", 500, "系统出了点问题"),
    ("/probe/locked", "get", 503, "请稍后再试"),
    ("/probe/undeclared", "get", 403, "您无权打开这个页面"),
])
def test_error_pages_are_big_kind_and_lead_home(client, failing_routes, path, method, code, words):
    response = getattr(client, method)(path)
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert words in page and 'href="/"' in page
    assert "Traceback" not in page and "secret internals" not in page
    assert "should never be seen" not in page


def test_error_pages_in_english(client, failing_routes):
    page = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We could not find this page" in page


def test_htmx_errors_are_fragments_for_the_alert_area(client, failing_routes):
    response = client.get("/probe/crash", headers={"HX-Request": "true"})
    assert response.status_code == 500
    assert response.headers["HX-Retarget"] == "#alerts"
    assert "<html" not in response.get_data(as_text=True)


def test_phone_pages_get_errors_in_the_phone_layout(client):
    page = client.get("/m/no-such-thing").get_data(as_text=True)
    assert '<body class="phone"' in page and "data-idle-seconds" not in page


def test_error_page_for_429_and_400(app, client):
    from flask import abort

    bp = Blueprint("aborts", __name__)

    @bp.get("/probe/abort/<int:code>")
    @public
    def do_abort(code):
        abort(code)

    app.register_blueprint(bp)
    assert "操作太频繁了" in client.get("/probe/abort/429").get_data(as_text=True)
    assert "请求内容有误" in client.get("/probe/abort/400").get_data(as_text=True)


def test_every_route_declares_who_may_use_it(app):
    from muling_kiosk.access import rule_for

    undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                  if rule_for(rule.endpoint) is None]
    assert undeclared == []


def test_query_count_header_for_the_benchmarks(make_app, community):
    quiet = make_app().test_client().get("/")
    assert "X-Query-Count" not in quiet.headers
    counted = make_app(QUERY_COUNT_HEADER=True).test_client().get("/")
    assert int(counted.headers["X-Query-Count"]) >= 1  # the kiosk's community


def test_database_answers(app):
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_render_macro_field_marks_errors_for_screen_readers(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "macros/ui.html" import field %}'
            '{{ field("phone", "手机号", value="<b>", error="请输入11位手机号") }}')
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="f-phone-error"' in html
    assert "&lt;b&gt;" in html  # escaped


# ---------- ids beyond the database's integer ----------


def test_an_id_too_large_for_the_database_is_a_404_not_a_crash(client, make_staff, sign_in):
    sign_in(client, make_staff("admin"))
    for path in ("/staff/people/2147483648", "/staff/people/99999999999999999999"):
        assert client.get(path).status_code == 404
    page = client.get("/staff/audit/?page=99999999999999999999&staff_id=2147483648")
    assert page.status_code == 200


def test_a_value_the_database_refuses_is_a_400_not_a_500(app, client):
    from sqlalchemy.exc import DataError

    bp = Blueprint("refused", __name__)

    @bp.get("/probe/refused")
    @public
    def refused():
        raise DataError("INSERT …", {}, Exception("integer out of range"))

    app.register_blueprint(bp)
    response = client.get("/probe/refused")
    assert response.status_code == 400 and "请求内容有误" in response.get_data(as_text=True)


def test_ids_from_a_browser_are_checked():
    from muling_kiosk.validation import id_or_none, parse_id

    assert parse_id("42") == 42 and parse_id(" 7 ") == 7
    for bad in ("0", "-1", "2147483648", "²", "٣", "1e3", "", None, "x"):
        assert id_or_none(bad) is None


def test_document_policies_on_pages_and_nosniff_on_everything(client):
    page = client.get("/")
    assert "Content-Security-Policy" in page.headers and "X-Frame-Options" in page.headers
    with client.get("/static/js/kiosk.js") as script:
        assert script.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in script.headers
    with client.get("/static/img/icons.svg") as svg:
        assert "Content-Security-Policy" in svg.headers  # an SVG can be opened as a document
