"""Event pages built faster: the description's stored HTML, each event's places version

Revision ID: e4c1a7b9d2f5
Revises: e4c7a9d2b6f1
Create Date: 2026-11-28 04:30:00

The description's HTML is filled here with the sanitiser as it stands; whenever its rules
change later, pages render afresh until `flask events render-descriptions` stores them
(docs/CACHING.md).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4c1a7b9d2f5'
down_revision = 'e4c7a9d2b6f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_html', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('description_rules', sa.String(length=64),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('places_version', sa.BigInteger(), nullable=False,
                                      server_default='0'))
    from eventsite.web.stored_html import RULES, markdown_html

    events = sa.table('events', sa.column('id', sa.Integer), sa.column('description', sa.Text),
                      sa.column('description_html', sa.Text),
                      sa.column('description_rules', sa.String))
    connection = op.get_bind()
    for event_id, description in connection.execute(
            sa.select(events.c.id, events.c.description)).all():
        connection.execute(events.update().where(events.c.id == event_id).values(
            description_html=markdown_html(description), description_rules=RULES))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('places_version')
        batch_op.drop_column('description_rules')
        batch_op.drop_column('description_html')
