"""outbox: whether a stored email still holds a link for its recipient alone

Revision ID: 7c3e9a1d2f60
Revises: 5b1f0c2d9e47
Create Date: 2026-11-28 02:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3e9a1d2f60'
down_revision = '5b1f0c2d9e47'
branch_labels = None
depends_on = None


def upgrade():
    # Emails queued before this are left as they are: only new ones are marked.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds_private_links', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('holds_private_links')
