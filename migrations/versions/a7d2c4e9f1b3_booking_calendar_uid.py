"""a booking's calendar UID drawn with it, so its first email needs no id

Revision ID: a7d2c4e9f1b3
Revises: f3a8c6d1b5e2
Create Date: 2026-11-28 11:20:00.000000

Bookings made before keep no value: their invitations' UID carries their id, as it always
has, so calendars go on updating the entries they already hold.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d2c4e9f1b3'
down_revision = 'f3a8c6d1b5e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('calendar_uid')
