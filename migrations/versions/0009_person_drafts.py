"""person drafts: a sign-up's name and number kept on the server, not in the session cookie

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 01:40:00

"""
from alembic import op
import sqlalchemy as sa

import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'person_draft',
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('updated_at', muling_kiosk.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_person_draft')),
    )
    with op.batch_alter_table('person_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_draft_updated_at'), ['updated_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('person_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_draft_updated_at'))
    op.drop_table('person_draft')
