"""trust: ended sign-ins (sign-out ends a session and its remember-me cookie on the server)

Revision ID: b7c1e2d3f4a5
Revises: 00e04348efb2
Create Date: 2026-12-02 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lms.extensions


# revision identifiers, used by Alembic.
revision = 'b7c1e2d3f4a5'
down_revision = '00e04348efb2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ended_logins',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('ended_at', lms.extensions.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_ended_logins')),
    )
    with op.batch_alter_table('ended_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ended_logins_ended_at'), ['ended_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ended_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ended_logins_ended_at'))
    op.drop_table('ended_logins')
