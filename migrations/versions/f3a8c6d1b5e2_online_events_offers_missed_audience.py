"""online and hybrid events, waiting-list offers, the follow-up audience of people missed

Revision ID: f3a8c6d1b5e2
Revises: d4f7a1c9e2b6
Create Date: 2026-11-28 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3a8c6d1b5e2'
down_revision = 'd4f7a1c9e2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_mode', sa.String(length=16), nullable=False,
                                      server_default='in_person'))
        batch_op.add_column(sa.Column('online_link', sa.String(length=2000), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('offer_hours', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_events_attendance_mode_known'),
            "attendance_mode IN ('in_person', 'online', 'mixed')")
        batch_op.create_check_constraint(
            batch_op.f('ck_events_offer_hours_positive'),
            'offer_hours IS NULL OR offer_hours > 0')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_expires_at', sa.DateTime(),
                                      nullable=True))
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_follow_ups_audience_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_follow_ups_audience_known'),
                                         "audience IN ('checked_in', 'missed', 'confirmed')")


def downgrade():
    op.execute("UPDATE follow_ups SET audience = 'confirmed' WHERE audience = 'missed'")
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_follow_ups_audience_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_follow_ups_audience_known'),
                                         "audience IN ('checked_in', 'confirmed')")
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('offer_expires_at')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_events_offer_hours_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_events_attendance_mode_known'), type_='check')
        batch_op.drop_column('offer_hours')
        batch_op.drop_column('online_link')
        batch_op.drop_column('attendance_mode')
