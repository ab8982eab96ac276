"""audit entries record the client's address

Revision ID: 3b1f6a2d9c47
Revises: 5b1d2e7a9c40
Create Date: 2026-11-28 02:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b1f6a2d9c47'
down_revision = '5b1d2e7a9c40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('address')
