"""suppressed addresses; outbox messages can be bounced or suppressed

Revision ID: 9d4a6b2c8e15
Revises: 3b1f6a2d9c47
Create Date: 2026-11-28 02:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9d4a6b2c8e15'
down_revision = '3b1f6a2d9c47'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed')"
NEW_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'bounced', 'suppressed')"


def upgrade():
    op.create_table('suppressions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('hard_bounce', 'refused', 'complaint')",
                       name=op.f('ck_suppressions_reason_known')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'],
                            name=op.f('fk_suppressions_message_id_outbox_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppressions')),
    sa.UniqueConstraint('address', name=op.f('uq_suppressions_address'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_status_known'),
                                         sa.text(NEW_STATUSES))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_messages_status_known'),
                                         sa.text(OLD_STATUSES))
    op.drop_table('suppressions')
