"""Smaller trust items of issue 13: redirects after a write stay on the site, exports are
safe to open and not kept by caches, masking, the lock-out and sessions after a password
change."""

import pytest

from muling_kiosk.responses import is_local_path

# ---------- where a write goes back to ----------

OFF_SITE = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
            "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "/\x00/x",
            "/\u200b/evil.example", "http:/evil.example", "javascript:alert(1)",
            "\\/evil.example", "/\x0b/evil.example", "evil.example", "/" + "a" * 3000]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_next_that_a_browser_would_read_as_another_site_is_refused(target):
    assert not is_local_path(target)


@pytest.mark.parametrize("target", ["/", "/classes/", "/vote/run/polls/3?x=1",
                                    "/m/s/abc%09def", "/board?c=shengli#top"])
def test_paths_of_the_site_are_kept(target):
    assert is_local_path(target)


def test_the_language_switch_never_sends_to_a_tab_hidden_host(client):
    # /language?next=/%09/evil.example: the tab arrives decoded.
    for bad in ("/\t/evil.example", "/\n/evil.example", "/\r\nSet-Cookie: x=1"):
        response = client.post_form("/language", {"lang": "en", "next": bad})
        assert response.status_code == 303 and response.headers["Location"] == "/"


def test_signing_in_with_a_crafted_next_goes_to_the_dashboard_not_off_site(
        client, make_staff):
    staff = make_staff("admin", community=None)
    for bad in ("/%09/evil.example", "/%0a/evil.example", "/%0d%0aX-Evil:%201"):
        page = client.get(f"/staff/login?next={bad}")
        assert page.status_code == 200
        token = client.csrf_token("/staff/login")
        response = client.post(f"/staff/login?next={bad}", data={
            "csrf_token": token, "username": staff.username, "password": "correct horse"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/", response.headers["Location"]
        client.post_form("/staff/logout")

