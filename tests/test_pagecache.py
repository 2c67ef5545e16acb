"""The page cache: a public page is rendered once for the next visitors, never anybody's own,
and a write shows at once."""

import re
import threading
import time
from datetime import timedelta

import pytest
from flask import render_template_string

from muling_kiosk import pagecache
from muling_kiosk.database import utcnow
from muling_kiosk.extensions import db
from muling_kiosk.signups import services as signups

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def counted(make_app, community):
    """The app served with the benchmark headers (X-Query-Count, X-Page-Cache)."""
    return make_app(QUERY_COUNT_HEADER=True)


def visit(app, path="/classes/", **kwargs):
    """A visit by a new phone: the phones of a community share kept pages (an enrolled tablet
    has its own, keyed by its station cookie: test_stations_communities.py)."""
    return app.test_client(as_station=False).get(path, **kwargs)


def week_of(starts_at) -> int:
    now = utcnow()
    return (signups.local_day(starts_at) - signups.week_start(0, now)).days // 7


def test_the_next_visitor_gets_the_kept_page_with_a_token_of_their_own(counted):
    first = visit(counted)
    assert first.headers["X-Page-Cache"] == "miss"
    client = counted.test_client(as_station=False)
    second = client.get("/classes/")
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.headers["X-Query-Count"] == "0"
    first_token = TOKEN.search(first.get_data(as_text=True)).group(1)
    second_token = TOKEN.search(second.get_data(as_text=True)).group(1)
    assert first_token != second_token
    assert second.get_data(as_text=True).replace(second_token, "T") == \
        first.get_data(as_text=True).replace(first_token, "T")
    # The token on the kept page is this visitor's: their next write is accepted.
    switched = client.post("/language", data={"csrf_token": second_token, "lang": "en",
                                              "next": "/classes/"})
    assert switched.status_code == 303
    english = client.get("/classes/")
    assert english.headers["X-Page-Cache"] == "miss"  # another language, another page
    assert '<html lang="en"' in english.get_data(as_text=True)


def test_a_committed_write_shows_at_once(counted, make_class_session, make_course):
    assert visit(counted).headers["X-Page-Cache"] == "miss"
    assert visit(counted).headers["X-Page-Cache"] == "hit"
    course = make_course(title="剪纸新班")
    session = make_class_session(course=course, starts_in=timedelta(hours=3))
    page = visit(counted, f"/classes/?week={week_of(session.starts_at)}")
    assert "剪纸新班" in page.get_data(as_text=True)
    again = visit(counted, f"/classes/?week={week_of(session.starts_at)}")
    assert again.headers["X-Page-Cache"] == "hit"
    session.capacity = 99  # any committed write, even one the page may not show
    db.session.commit()
    after = visit(counted, f"/classes/?week={week_of(session.starts_at)}")
    assert after.headers["X-Page-Cache"] == "miss"


def test_a_staff_members_page_is_neither_kept_nor_served_from_the_cache(
        counted, make_staff, sign_in):
    facilitator = make_staff("facilitator", display_name="马主任")
    tablet = sign_in(counted.test_client(), facilitator, via="tablet")
    assert visit(counted, "/").headers["X-Page-Cache"] == "miss"
    theirs = tablet.get("/")
    assert theirs.headers["X-Page-Cache"] == "miss"
    assert "马主任" in theirs.get_data(as_text=True)
    anyone = visit(counted, "/")
    assert anyone.headers["X-Page-Cache"] == "hit"
    assert "马主任" not in anyone.get_data(as_text=True)


def test_a_message_for_one_person_is_never_shown_to_the_next(counted):
    visit(counted, "/board")
    client = counted.test_client(as_station=False)
    client.get("/board")
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "您的建议已收到")]
    theirs = client.get("/board")
    assert theirs.headers["X-Page-Cache"] == "miss"
    assert "您的建议已收到" in theirs.get_data(as_text=True)
    assert "您的建议已收到" not in visit(counted, "/board").get_data(as_text=True)


def test_a_page_holding_a_one_off_request_key_is_never_kept(app):
    renders = []

    def render(template):
        renders.append(1)
        return render_template_string(template)

    def visit(path, template):  # each in its own app context, as a real request is
        with app.app_context(), app.test_request_context(path):
            pagecache.cached_page(lambda: render(template))

    for _ in range(2):
        visit("/probe", "{{ new_request_key() }}")
    assert len(renders) == 2
    for _ in range(2):
        visit("/probe-plain", "<p>同一页</p>")
    assert len(renders) == 3


def test_visitors_arriving_together_wait_for_one_render(app):
    renders, started = [], threading.Event()

    def slow_render():
        renders.append(1)
        started.set()
        time.sleep(0.3)
        return "<p>同一页</p>"

    def visit():
        with app.app_context(), app.test_request_context("/together"):
            bodies.append(pagecache.cached_page(slow_render).get_data(as_text=True))

    bodies: list[str] = []
    first = threading.Thread(target=visit)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=visit) for _ in range(3)]
    for thread in [*others]:
        thread.start()
    for thread in [first, *others]:
        thread.join(5)
    assert len(renders) == 1
    assert bodies == ["<p>同一页</p>"] * 4


def test_fragments_and_full_pages_are_kept_apart(counted):
    visit(counted)
    fragment = visit(counted, headers={"HX-Request": "true", "HX-Target": "class-week"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "<html" in visit(counted).get_data(as_text=True)


def test_a_hard_reload_renders_afresh_and_a_kept_page_expires(counted, monkeypatch):
    visit(counted, "/board")
    reload = visit(counted, "/board", headers={"Cache-Control": "no-cache"})
    assert reload.headers["X-Page-Cache"] == "miss"
    assert visit(counted, "/board").headers["X-Page-Cache"] == "hit"
    later = pagecache.time.monotonic() + counted.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert visit(counted, "/board").headers["X-Page-Cache"] == "miss"


def test_the_cache_can_be_turned_off(make_app, community):
    app = make_app(QUERY_COUNT_HEADER=True, PAGE_CACHE_SECONDS=0)
    visit(app)
    assert visit(app).headers["X-Page-Cache"] == "miss"
