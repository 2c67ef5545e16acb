"""bench meetings: agenda, polls, ballots, hand counts, present counts and commitments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 19:25:58.039579

"""
from alembic import op
import sqlalchemy as sa
import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('starts_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('present_count', sa.Integer(), nullable=True),
    sa.Column('display_token', sa.String(length=32), nullable=False),
    sa.Column('current_item_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_meeting_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('display_token', name=op.f('uq_meeting_display_token'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_item_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_meeting_id'), ['meeting_id'], unique=False)

    # meeting.current_item_id and agenda_item.meeting_id point at each other: the first of the
    # two foreign keys can only be added once both tables exist.
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_meeting_current_item_id_agenda_item'), 'agenda_item',
                                    ['current_item_id'], ['id'], ondelete='SET NULL')

    op.create_table('present_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_present_count_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_present_count_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_present_count'))
    )
    with op.batch_alter_table('present_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_present_count_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('who', sa.String(length=40), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_commitment_agenda_item_id_agenda_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_agenda_item_id'), ['agenda_item_id'], unique=False)

    op.create_table('poll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('quorum_kind', sa.String(length=10), nullable=False),
    sa.Column('quorum_value', sa.Integer(), nullable=False),
    sa.Column('channel_hand', sa.Boolean(), nullable=False),
    sa.Column('channel_pass', sa.Boolean(), nullable=False),
    sa.Column('channel_phone', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('closed_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=True),
    sa.Column('ballots_total', sa.Integer(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('phone_token', sa.String(length=32), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_poll_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id'], name=op.f('fk_poll_closed_by_id_staff')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['staff.id'], name=op.f('fk_poll_opened_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll')),
    sa.UniqueConstraint('phone_token', name=op.f('uq_poll_phone_token')),
    sa.UniqueConstraint('request_key', name=op.f('uq_poll_request_key'))
    )
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_status'), ['status'], unique=False)
        batch_op.create_index('uq_poll_one_open_per_item', ['agenda_item_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('poll_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_option_poll_id_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_option'))
    )
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_option_poll_id'), ['poll_id'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], name=op.f('fk_ballot_option_id_poll_option')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_ballot_poll_id_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('poll_id', 'device_id', name=op.f('uq_ballot_poll_id_device_id')),
    sa.UniqueConstraint('request_key', name=op.f('uq_ballot_request_key'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_poll_id'), ['poll_id'], unique=False)

    op.create_table('hand_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('undoes_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], name=op.f('fk_hand_count_option_id_poll_option')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_hand_count_poll_id_poll')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_hand_count_staff_id_staff')),
    sa.ForeignKeyConstraint(['undoes_id'], ['hand_count.id'], name=op.f('fk_hand_count_undoes_id_hand_count')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hand_count')),
    sa.UniqueConstraint('request_key', name=op.f('uq_hand_count_request_key')),
    sa.UniqueConstraint('undoes_id', name=op.f('uq_hand_count_undoes_id'))
    )
    with op.batch_alter_table('hand_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hand_count_poll_id'), ['poll_id'], unique=False)



def downgrade():
    with op.batch_alter_table('hand_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hand_count_poll_id'))

    op.drop_table('hand_count')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_poll_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_option_poll_id'))

    op.drop_table('poll_option')
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_index('uq_poll_one_open_per_item', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_poll_status'))
        batch_op.drop_index(batch_op.f('ix_poll_agenda_item_id'))

    op.drop_table('poll')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_agenda_item_id'))

    op.drop_table('commitment')
    with op.batch_alter_table('present_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_present_count_meeting_id'))

    op.drop_table('present_count')
    if op.get_bind().dialect.name != 'sqlite':
        # (SQLite: dropping agenda_item sets current_item_id to NULL, then meeting goes too.)
        op.drop_constraint(op.f('fk_meeting_current_item_id_agenda_item'), 'meeting', type_='foreignkey')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_meeting_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meeting_community_id'))

    op.drop_table('meeting')
