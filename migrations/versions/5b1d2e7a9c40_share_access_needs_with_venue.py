"""events.share_access_needs_with_venue

Revision ID: 5b1d2e7a9c40
Revises: 7c3e9a1d2f60
Create Date: 2026-11-28 02:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1d2e7a9c40'
down_revision = '7c3e9a1d2f60'
branch_labels = None
depends_on = None


def upgrade():
    # Existing events have told nobody that the venue sees their needs: false for them.
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_access_needs_with_venue', sa.Boolean(),
                                      nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('share_access_needs_with_venue')
