"""trust: sign-up confirms the email address first (pending sign-ups)

Revision ID: c3a9e5f7b1d2
Revises: b7c1e2d3f4a5
Create Date: 2026-12-03 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
import lms.extensions


# revision identifiers, used by Alembic.
revision = 'c3a9e5f7b1d2'
down_revision = 'b7c1e2d3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signup_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('about', sa.JSON(), nullable=False),
        sa.Column('created_at', lms.extensions.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signup_requests')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_signup_requests_token_hash')),
    )
    with op.batch_alter_table('signup_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_requests_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_signup_requests_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('signup_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_signup_requests_email'))
    op.drop_table('signup_requests')
