"""change notices wait for a burst of edits to end (pending_change_notices)

Revision ID: d4f7a2c9e8b1
Revises: b8d2f4a6c1e3
Create Date: 2026-11-28 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4f7a2c9e8b1'
down_revision = 'b8d2f4a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_change_notices',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('edits', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE',
                            name=op.f('fk_pending_change_notices_event_id_events')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_pending_change_notices'))
    )
    with op.batch_alter_table('pending_change_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_change_notices_due_at'), ['due_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('pending_change_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_change_notices_due_at'))
    op.drop_table('pending_change_notices')
