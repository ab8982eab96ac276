"""check-in codes on manage links; walk-ins, who may have no email address

Revision ID: d4f7a1c9e2b6
Revises: e4c1a7b9d2f5
Create Date: 2026-11-28 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4f7a1c9e2b6'
down_revision = 'e4c1a7b9d2f5'
branch_labels = None
depends_on = None

OLD_WHERE = "status != 'cancelled'"
NEW_WHERE = "status != 'cancelled' AND email_normalised != ''"


def upgrade():
    # Links issued before have no check-in code yet: their token is known only to the
    # email that carried it, so the code is recorded the next time the link is opened
    # (docs/DOOR.md).
    with op.batch_alter_table('booking_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_booking_links_check_in_hash'), ['check_in_hash'])
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('walk_in', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_index('uq_bookings_live_email', sqlite_where=sa.text(OLD_WHERE),
                            postgresql_where=sa.text(OLD_WHERE))
        batch_op.create_index('uq_bookings_live_email', ['event_id', 'email_normalised'],
                              unique=True, sqlite_where=sa.text(NEW_WHERE),
                              postgresql_where=sa.text(NEW_WHERE))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_bookings_live_email', sqlite_where=sa.text(NEW_WHERE),
                            postgresql_where=sa.text(NEW_WHERE))
        batch_op.create_index('uq_bookings_live_email', ['event_id', 'email_normalised'],
                              unique=True, sqlite_where=sa.text(OLD_WHERE),
                              postgresql_where=sa.text(OLD_WHERE))
        batch_op.drop_column('walk_in')
    with op.batch_alter_table('booking_links', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_booking_links_check_in_hash'), type_='unique')
        batch_op.drop_column('check_in_hash')
