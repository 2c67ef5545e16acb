"""Browser fixtures: a live server per test, Debian's Chromium at tablet and phone size."""

import os
import shutil
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from playwright.sync_api import expect

from muling_kiosk.extensions import db
from muling_kiosk.stations import services
from muling_kiosk.stations.current import _SALT
from muling_kiosk.stations.current import COOKIE as STATION_COOKIE
from tests.factories_stations import enroll_station

CHROMIUM = os.environ.get("MULING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync",
]
TABLET = {"viewport": {"width": 1280, "height": 800}, "has_touch": True}
TABLET_PORTRAIT = {"viewport": {"width": 800, "height": 1280}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
SCREENSHOT_DIR = Path(os.environ.get(
    "MULING_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("MULING_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _page(browser, base_url, device, locale="zh-CN", station=None):
    """A new browser; with station=(app, community), enrolled as that community's tablet
    (through the service, as an admin's 设为本社区平板 would) before its first page."""
    context = browser.new_context(base_url=base_url, locale=locale, **device)
    context.set_default_timeout(10_000)
    if station is not None:
        app, community = station
        _station, cookie = enroll_station(app, community, name="驿站平板 1")
        context.add_cookies([{"name": STATION_COOKIE, "value": cookie, "url": base_url}])
    return context, context.new_page()



@pytest.fixture
def station_of(app, community):
    """What _page needs to enroll a browser as the kiosk community's tablet."""
    return app, community


@pytest.fixture
def enroll_context(app, community, live_server):
    """enroll_context(context): make a browser context the tests built themselves an enrolled
    tablet of the kiosk's community."""
    def enroll(context):
        _station, cookie = enroll_station(app, community)
        context.add_cookies([{"name": STATION_COOKIE, "value": cookie, "url": live_server}])

    return enroll


@pytest.fixture
def hand_over_tablet(app):
    """hand_over_tablet(page, poll): the facilitator hands this browser's tablet over for the
    poll (what 把平板交给居民投票 does), for tests that open the ballot directly."""
    def arm(page, poll):
        cookie = next(c["value"] for c in page.context.cookies()
                      if c["name"] == STATION_COOKIE)
        token = URLSafeSerializer(app.secret_key, salt=_SALT).loads(cookie)
        services.arm_ballot(services.station_for_token(token), poll.id)
        db.session.commit()

    return arm


@pytest.fixture
def tablet(browser, live_server, station_of):
    """The station tablet (enrolled) at landscape size."""
    context, page = _page(browser, live_server, TABLET, station=station_of)
    yield page
    context.close()


@pytest.fixture
def tablet_portrait(browser, live_server, station_of):
    """The station tablet turned upright (800×1280)."""
    context, page = _page(browser, live_server, TABLET_PORTRAIT, station=station_of)
    yield page
    context.close()


# The station tablet's four views: landscape and portrait, normal and with 大字. A layout test
# parametrized over these names checks each screen in all of them.
KIOSK_VIEWS = ("tablet", "portrait", "large-text-tablet", "large-text-portrait")


@pytest.fixture
def kiosk_view(browser, live_server, station_of):
    """kiosk_view("large-text-portrait") → a tablet page of that view; 大字 is turned on by
    tapping its toggle on the home screen, as a resident would."""
    contexts = []

    def open_view(view):
        device = TABLET_PORTRAIT if view.endswith("portrait") else TABLET
        context, page = _page(browser, live_server, device, station=station_of)
        contexts.append(context)
        if view.startswith("large-text"):
            page.goto("/")
            page.get_by_role("button", name="大字").click()
            expect(page.locator("html")).to_have_class("large-text")
        return page

    yield open_view
    for context in contexts:
        context.close()


@pytest.fixture
def phone(browser, live_server):
    """A resident's phone: not the station tablet."""
    context, page = _page(browser, live_server, PHONE)
    yield page
    context.close()


@pytest.fixture
def new_tablet(browser, live_server, station_of):
    """Another enrolled tablet (a second browser with its own cookies), for tests that need
    two."""
    contexts = []

    def make(locale="zh-CN"):
        context, page = _page(browser, live_server, TABLET, locale, station=station_of)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


# The password the browser tests give staff accounts they sign in with on the console.
CONSOLE_PASSWORD = "right password"


@pytest.fixture
def console(browser, live_server):
    """console(staff) → a desktop browser (1280×900) signed in to the staff console
    (the account made with password=CONSOLE_PASSWORD)."""
    contexts = []

    def open_as(staff, **context_options):
        context = browser.new_context(base_url=live_server, locale="zh-CN",
                                      viewport={"width": 1280, "height": 900}, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/staff/login")
        page.get_by_label("用户名").fill(staff.username)
        page.get_by_label("密码").fill(CONSOLE_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
        return page

    yield open_as
    for context in contexts:
        context.close()
