"""organiser session version

Revision ID: 5b1f0c2d9e47
Revises: c674fc40985d
Create Date: 2026-11-28 02:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1f0c2d9e47'
down_revision = 'c674fc40985d'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions issued before this named no version, so they all end once, at deploy.
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('organisers', schema=None) as batch_op:
        batch_op.drop_column('session_version')
