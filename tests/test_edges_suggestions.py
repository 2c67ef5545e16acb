"""Issue 16's rough edges in 居民建议 at the console: each test fails without its fix."""

import pytest

from muling_kiosk.extensions import db
from muling_kiosk.suggestions import services


@pytest.fixture
def two(make_suggestion):
    mine = make_suggestion(text="凉亭的灯坏了。", contact_name="王秀英",
                           contact_phone="13812345678")
    other = make_suggestion(text="垃圾桶满了。", contact_name="李桂兰",
                            contact_phone="13998765432")
    return mine, other


@pytest.mark.parametrize("typed", [
    "{first}", "{first_lower}-", "{first}-{next2}", "{first_lower}{next2}", "王秀英", "秀英",
    "138-1234", "138 1234 5678", "5678", "１３８１２３４", "{code}",
])
def test_the_inbox_search_finds_a_code_prefix_a_name_or_a_number(make_staff, two, typed):
    mine, _other = two
    code = mine.code
    q = typed.format(first=code[:5], first_lower=code[:5].lower(), next2=code[5:7], code=code)
    found = db.session.scalars(services.inbox_query(make_staff("volunteer"),
                                                    services.InboxFilters(q=q))).all()
    assert found == [mine], q


def test_short_or_foreign_terms_find_nothing_by_code_or_number(make_staff, two):
    viewer = make_staff("volunteer")
    for q in ("138", two[0].code[:3], "灯坏了 5678"):
        assert db.session.scalars(services.inbox_query(
            viewer, services.InboxFilters(q=q))).all() == [], q


def test_the_inbox_page_finds_the_first_half_of_a_code_and_a_number(client, make_staff,
                                                                     sign_in, two):
    mine, other = two
    sign_in(client, make_staff("volunteer"))
    for q in (services.group_code(mine.code)[:5], "13812345678", "王秀英"):
        page = client.get("/staff/suggestions/", query_string={"q": q}).get_data(as_text=True)
        assert services.group_code(mine.code) in page
        assert services.group_code(other.code) not in page
