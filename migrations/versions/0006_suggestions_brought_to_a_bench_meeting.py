"""suggestions brought to a bench meeting

提交议事会: a suggestion remembers the agenda item it became (suggestion.agenda_item_id), so
the result of that item's poll comes back into its history by itself. Removing the item
from the agenda unlinks the suggestion (ON DELETE SET NULL).

On SQLite the batch mode copies the suggestion table, which the foreign keys of
suggestion_event and suggestion_photo refer to: env.py turns foreign-key enforcement off
around the migrations and checks the references afterwards.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 20:28:38.259948

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_suggestion_agenda_item_id'), ['agenda_item_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_suggestion_agenda_item_id_agenda_item'),
                                    'agenda_item', ['agenda_item_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_suggestion_agenda_item_id_agenda_item'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_suggestion_agenda_item_id'))
        batch_op.drop_column('agenda_item_id')
