"""suggestions, their history, drafts, photos and QR locations

The 百姓畅言亭 tables: QR points (suggestion_location), suggestions with their tracking
codes, each one's public history (suggestion_event), drafts waiting for 确认提交, and the
re-encoded photos (stored in the database, served only through the app).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:28:30.153148

"""
from alembic import op
import sqlalchemy as sa
import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_suggestion_location_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_location')),
    sa.UniqueConstraint('token', name=op.f('uq_suggestion_location_token'))
    )
    with op.batch_alter_table('suggestion_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_location_community_id'), ['community_id'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=20), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('on_board', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.String(length=12), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=False),
    sa.Column('rated_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], name=op.f('fk_suggestion_assignee_id_staff')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_suggestion_community_id_community')),
    sa.ForeignKeyConstraint(['location_id'], ['suggestion_location.id'], name=op.f('fk_suggestion_location_id_suggestion_location')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['suggestion.id'], name=op.f('fk_suggestion_merged_into_id_suggestion')),
    sa.ForeignKeyConstraint(['written_by_id'], ['staff.id'], name=op.f('fk_suggestion_written_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion')),
    sa.UniqueConstraint('code', name=op.f('uq_suggestion_code')),
    sa.UniqueConstraint('request_key', name=op.f('uq_suggestion_request_key'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_category'), ['category'], unique=False)
        batch_op.create_index('ix_suggestion_community_created', ['community_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_state'), ['state'], unique=False)

    op.create_table('suggestion_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('step_key', sa.String(length=64), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=20), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_suggestion_draft_community_id_community')),
    sa.ForeignKeyConstraint(['location_id'], ['suggestion_location.id'], name=op.f('fk_suggestion_draft_location_id_suggestion_location')),
    sa.ForeignKeyConstraint(['written_by_id'], ['staff.id'], name=op.f('fk_suggestion_draft_written_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_draft')),
    sa.UniqueConstraint('request_key', name=op.f('uq_suggestion_draft_request_key'))
    )
    with op.batch_alter_table('suggestion_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_draft_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_draft_created_at'), ['created_at'], unique=False)

    op.create_table('suggestion_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_suggestion_event_staff_id_staff')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], name=op.f('fk_suggestion_event_suggestion_id_suggestion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_event'))
    )
    with op.batch_alter_table('suggestion_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_event_suggestion_id'), ['suggestion_id'], unique=False)

    op.create_table('suggestion_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['suggestion_draft.id'], name=op.f('fk_suggestion_photo_draft_id_suggestion_draft')),
    sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], name=op.f('fk_suggestion_photo_suggestion_id_suggestion')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_photo'))
    )
    with op.batch_alter_table('suggestion_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_photo_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_photo_suggestion_id'), ['suggestion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('suggestion_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_photo_suggestion_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_photo_draft_id'))

    op.drop_table('suggestion_photo')
    with op.batch_alter_table('suggestion_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_event_suggestion_id'))

    op.drop_table('suggestion_event')
    with op.batch_alter_table('suggestion_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_draft_created_at'))
        batch_op.drop_index(batch_op.f('ix_suggestion_draft_community_id'))

    op.drop_table('suggestion_draft')
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_state'))
        batch_op.drop_index(batch_op.f('ix_suggestion_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_location_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_created_at'))
        batch_op.drop_index('ix_suggestion_community_created')
        batch_op.drop_index(batch_op.f('ix_suggestion_category'))
        batch_op.drop_index(batch_op.f('ix_suggestion_assignee_id'))

    op.drop_table('suggestion')
    with op.batch_alter_table('suggestion_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_location_community_id'))

    op.drop_table('suggestion_location')
