"""booking questions, their answers, and attendees' changes of needs for the digest

Revision ID: e4c7a9d2b6f1
Revises: d4f7a2c9e8b1
Create Date: 2026-11-28 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4c7a9d2b6f1'
down_revision = 'd4f7a2c9e8b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('short_text', 'long_text', 'one_choice', 'several_choices', 'yes_no')", name=op.f('ck_booking_questions_kind_known')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_booking_questions_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_questions'))
    )
    with op.batch_alter_table('booking_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_questions_event_id'), ['event_id'], unique=False)

    op.create_table('booking_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('chosen', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_answers_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['booking_questions.id'], name=op.f('fk_booking_answers_question_id_booking_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_answers')),
    sa.UniqueConstraint('booking_id', 'question_id', name=op.f('uq_booking_answers_booking_id'))
    )
    with op.batch_alter_table('booking_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_answers_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_answers_question_id'), ['question_id'], unique=False)

    op.create_table('needs_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_needs_changes_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_needs_changes_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_changes'))
    )
    with op.batch_alter_table('needs_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_changes_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_changes_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('needs_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_changes_event_id'))
        batch_op.drop_index(batch_op.f('ix_needs_changes_booking_id'))
    op.drop_table('needs_changes')
    with op.batch_alter_table('booking_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_booking_answers_booking_id'))
    op.drop_table('booking_answers')
    with op.batch_alter_table('booking_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_questions_event_id'))
    op.drop_table('booking_questions')
