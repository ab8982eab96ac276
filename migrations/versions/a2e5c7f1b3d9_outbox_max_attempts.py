"""outbox messages may have their own limit on attempts

Revision ID: a2e5c7f1b3d9
Revises: 9d4a6b2c8e15
Create Date: 2026-11-28 03:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2e5c7f1b3d9'
down_revision = '9d4a6b2c8e15'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('max_attempts')
