"""Issue 15 part 5: one phone's ballots in two polls share no stored value, and no ballot
keeps a time finer than its poll's; the migration converts the ballots already cast."""

import re
from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from muling_kiosk.extensions import db
from muling_kiosk.tokens import digest
from muling_kiosk.votes import services
from muling_kiosk.votes.models import PASS, PHONE, Ballot, Poll

from .factories_votes import option_id

HX = {"HX-Request": "true"}


def _vote(client, poll, label):
    url = f"/m/v/{poll.phone_token}"
    client.get(url)
    confirm = client.get(f"{url}?option={option_id(poll, label)}",
                         headers=HX).get_data(as_text=True)
    key = re.search(r'name="request_key" value="([^"]+)"', confirm).group(1)
    voted = client.post_form(url, {"option_id": option_id(poll, label), "request_key": key},
                             htmx=True)
    assert voted.status_code == 200
    db.session.rollback()


def test_one_phones_ballots_in_two_polls_share_no_stored_value(phone_client, make_poll,
                                                                clock):
    first, second = make_poll(question="建充电棚？"), make_poll(question="换路灯？")
    clock.shift(timedelta(minutes=7))
    _vote(phone_client, first, "赞成")
    clock.shift(timedelta(minutes=3))
    _vote(phone_client, second, "赞成")
    one, two = (db.session.scalar(select(Ballot).where(Ballot.poll_id == p.id))
                for p in (first, second))
    # Every column; the channel says only "by phone", as every phone ballot does.
    for column in inspect(Ballot).columns:
        if column.key == "channel":
            continue
        a, b = getattr(one, column.key), getattr(two, column.key)
        assert a is None or a != b, column.key
    # Nor does a ballot keep the device id itself, or a time of its own.
    assert one.device_id != two.device_id and len(one.device_id) == 64
    assert one.created_at == first.opened_at and two.created_at == second.opened_at
    # The phone still finds its own ballot, and a second vote is not counted.
    again = phone_client.get(f"/m/v/{first.phone_token}").get_data(as_text=True)
    assert "您已投票" in again
    phone_client.post_form(f"/m/v/{first.phone_token}",
                           {"option_id": option_id(first, "反对")}, htmx=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Ballot.id)).where(
        Ballot.poll_id == first.id)) == 1


def test_a_passed_tablet_ballot_keeps_the_polls_time_and_the_tally_counts_it(make_poll,
                                                                               clock):
    poll = make_poll()
    clock.shift(timedelta(minutes=12))
    ballot, _new = services.cast_ballot(poll.id, option_id(poll, "赞成"), PASS)
    db.session.commit()
    assert ballot.created_at == poll.opened_at
    assert services.tally(poll).pass_ == 1


def test_the_migration_hashes_the_ballots_already_cast(app, make_poll, clock):
    polls = [(p.id, option_id(p, "赞成"), p.opened_at) for p in (make_poll(), make_poll())]
    clock.shift(timedelta(minutes=5))
    db.session.commit()
    downgrade(revision="0010")
    db.session.remove()
    with db.engine.begin() as connection:
        for poll_id, yes, opened_at in polls:
            connection.execute(text(
                "INSERT INTO ballot (poll_id, option_id, channel, device_id, created_at) "
                "VALUES (:poll, :option, :channel, 'phone-of-wang', :at)"),
                {"poll": poll_id, "option": yes, "channel": PHONE,
                 "at": opened_at + timedelta(minutes=3)})
    upgrade()
    db.session.remove()
    rows = db.session.execute(select(Ballot.poll_id, Ballot.device_id, Ballot.created_at)
                              .order_by(Ballot.poll_id)).all()
    assert [r.device_id for r in rows] == [digest(f"{poll_id}:phone-of-wang")
                                           for poll_id, _yes, _at in polls]
    assert [r.created_at for r in rows] == [opened_at for _id, _yes, opened_at in polls]
    # The phone's look-up finds its converted ballot: it cannot vote twice.
    assert services.ballot_of_device(db.session.get(Poll, polls[0][0]), "phone-of-wang")
