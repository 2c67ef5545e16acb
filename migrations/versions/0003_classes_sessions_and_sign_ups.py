"""长者学堂: courses, class sessions and sign-ups (with the waiting list)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 19:21:17.283586

"""
from alembic import op
import sqlalchemy as sa
import muling_kiosk.database


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('teacher', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_course_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_community_id'), ['community_id'], unique=False)

    op.create_table('class_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('ends_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('cancel_reason', sa.String(length=200), nullable=False),
    sa.Column('cancelled_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_class_session_community_id_community')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_class_session_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_session'))
    )
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.create_index('ix_class_session_community_starts', ['community_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_session_course_id'), ['course_id'], unique=False)

    op.create_table('signup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', muling_kiosk.database.UTCDateTime(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('created_by_staff_id', sa.Integer(), nullable=True),
    sa.Column('promoted_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('attended_at', muling_kiosk.database.UTCDateTime(), nullable=True),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_staff_id'], ['staff.id'], name=op.f('fk_signup_created_by_staff_id_staff')),
    sa.ForeignKeyConstraint(['session_id'], ['class_session.id'], name=op.f('fk_signup_session_id_class_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup')),
    sa.UniqueConstraint('request_key', name=op.f('uq_signup_request_key'))
    )
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index('ix_signup_phone', ['phone'], unique=False)
        batch_op.create_index('ix_signup_session_status', ['session_id', 'status', 'id'], unique=False)
        # One number holds at most one place or queue place per session.
        batch_op.create_index('uq_signup_active_phone', ['session_id', 'phone'], unique=True, sqlite_where=sa.text("status IN ('confirmed', 'waiting')"), postgresql_where=sa.text("status IN ('confirmed', 'waiting')"))



def downgrade():
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index('uq_signup_active_phone', sqlite_where=sa.text("status IN ('confirmed', 'waiting')"), postgresql_where=sa.text("status IN ('confirmed', 'waiting')"))
        batch_op.drop_index('ix_signup_session_status')
        batch_op.drop_index('ix_signup_phone')

    op.drop_table('signup')
    with op.batch_alter_table('class_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_session_course_id'))
        batch_op.drop_index('ix_class_session_community_starts')

    op.drop_table('class_session')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_community_id'))

    op.drop_table('course')
