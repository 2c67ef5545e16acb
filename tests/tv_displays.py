"""TV displays over real HTTP for the tests of the stream caps (test_tv_streams.py, and through
nginx in test_production.py): `displays(base, token, address=…, headers=…)` opens one
(closed after the test). The other client addresses are 127.0.0.x: Linux routes all of
127/8 to this host."""

import http.client
from urllib.parse import urlsplit

import pytest

from muling_kiosk.votes import live

OPEN = "retry: 2000"  # the first line of a stream that stays open
REFUSED = f"retry: {live.REFUSED_RETRY_SECONDS * 1000}"


class Display:
    """One TV asking for its event stream from a given client address."""

    def __init__(self, base: str, token: str, address: str = "127.0.0.1",
                 headers: dict | None = None):
        where = urlsplit(base)
        self.connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10,
                                                     source_address=(address, 0))
        self.connection.request("GET", f"/vote/tv/{token}/events", headers=headers or {})
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.content_type = self.response.getheader("Content-Type")
        self.first_event = self._read_event()

    def _read_event(self) -> str:
        lines = []
        while (line := self.response.readline().decode()) not in ("\n", ""):
            lines.append(line)
        return "".join(lines)

    @property
    def is_open(self) -> bool:
        return self.first_event.startswith(OPEN)

    def rest(self) -> str:
        """What follows the first event, to its end (a refused answer ends at once)."""
        return self.response.read().decode()

    def close(self) -> None:
        self.response.close()  # the response holds the socket too
        self.connection.close()


@pytest.fixture
def displays():
    opened = []

    def open_display(*args, **kwargs):
        opened.append(Display(*args, **kwargs))
        return opened[-1]

    yield open_display
    for display in opened:
        display.close()
