"""a community can be retired (and restored) by a subdistrict admin

A retired community leaves the kiosk's choices and new enrolments; every record of it stays.
Existing communities start as serving (NULL).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:30:00

"""
from alembic import op
import sqlalchemy as sa

import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', muling_kiosk.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
