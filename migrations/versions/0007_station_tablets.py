"""station tablets

A device an admin enrolled as a community's shared tablet (设为本社区平板): the hash of the
token its cookie holds, who enrolled it and when, and when it was revoked; and the
pass-the-tablet hand-over (the poll it may take a ballot for, armed or recorded).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 22:10:00

"""
from alembic import op
import sqlalchemy as sa
import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('ballot_poll_id', sa.Integer(), nullable=True),
    sa.Column('ballot_state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_station_community_id_community')),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['staff.id'], name=op.f('fk_station_enrolled_by_id_staff')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['staff.id'], name=op.f('fk_station_revoked_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_station_token_hash'))
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_community_id'), ['community_id'], unique=False)


def downgrade():
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_community_id'))
    op.drop_table('station')
