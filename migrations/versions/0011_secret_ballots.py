"""secret ballots: a per-poll hash of the device id, no time of a ballot's own

Ballot.device_id held the phone's device id, the same for a year across polls: one phone's
votes could be linked. It now holds sha256("<poll id>:<device id>") (tokens.digest), and
created_at the poll's opening time (a ballot's own second, beside the queue at the tablet,
could tell who cast it). Existing rows are converted here, in Python, so PostgreSQL and
SQLite give the same hash; a row already converted is not hashed twice (a 64-letter hex).
The downgrade cannot give the device ids back: it leaves the hashes (a phone that voted
before the downgrade may vote once more in a poll still open).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:40:00

"""
import hashlib
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_HASHED = re.compile(r"[0-9a-f]{64}")

ballot = sa.table('ballot', sa.column('id', sa.Integer), sa.column('poll_id', sa.Integer),
                  sa.column('device_id', sa.String), sa.column('created_at', sa.DateTime))
poll = sa.table('poll', sa.column('id', sa.Integer), sa.column('opened_at', sa.DateTime))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(ballot.c.id, ballot.c.poll_id, ballot.c.device_id)
                              .where(ballot.c.device_id.is_not(None))).all()
    for ballot_id, poll_id, device_id in rows:
        if _HASHED.fullmatch(device_id):
            continue
        hashed = hashlib.sha256(f"{poll_id}:{device_id}".encode()).hexdigest()
        connection.execute(sa.update(ballot).where(ballot.c.id == ballot_id)
                           .values(device_id=hashed))
    # Every ballot takes its poll's opening time.
    opened = sa.select(poll.c.opened_at).where(poll.c.id == ballot.c.poll_id).scalar_subquery()
    connection.execute(sa.update(ballot).values(created_at=opened))


def downgrade():
    pass  # the device ids and times cannot be recovered (see above); the schema is unchanged
