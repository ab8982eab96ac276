"""events count their changes of time, place and status (iTIP SEQUENCE)

Revision ID: b8d2f4a6c1e3
Revises: a2e5c7f1b3d9
Create Date: 2026-11-28 03:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d2f4a6c1e3'
down_revision = 'a2e5c7f1b3d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('sequence')
