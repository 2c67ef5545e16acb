"""cancel codes of sign-ups made on phones

A sign-up made on a device that is not the station tablet keeps the hash of the short cancel
code its receipt showed: 我的报名 on a phone asks for the number and that code.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_code_hash', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_column('cancel_code_hash')
