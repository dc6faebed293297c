"""programme: organisations, partner and facilitator links, public events, people's organisation,
country and gender, the two manager roles; cohorts' free-text partner becomes an organisation

Revision ID: b7c1e2a9d4f0
Revises: af4adcc9e7f3
Create Date: 2026-12-02 19:50:00

"""
from alembic import op
import sqlalchemy as sa
import lms.extensions


revision = 'b7c1e2a9d4f0'
down_revision = 'af4adcc9e7f3'
branch_labels = None
depends_on = None

UTC = lms.extensions.UTCDateTime(timezone=True)


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('is_partner', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint("kind in ('cci', 'bso', 'university', 'public', 'avm', 'other')", name=op.f('ck_organisations_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_is_partner'), ['is_partner'], unique=False)

    op.create_table('organisation_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_staff_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_staff')),
    sa.UniqueConstraint('organisation_id', 'user_id', 'role', name=op.f('uq_organisation_staff_organisation_id_user_id_role'))
    )
    with op.batch_alter_table('organisation_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_staff_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_staff_user_id'), ['user_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', UTC, nullable=False),
    sa.Column('ends_at', UTC, nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('languages', sa.String(length=60), nullable=False),
    sa.Column('checkin_token', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', UTC, nullable=True),
    sa.CheckConstraint("kind in ('info_day', 'workshop', 'matchmaking', 'other')", name=op.f('ck_events_kind_known')),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisations.id'], name=op.f('fk_events_organiser_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('checkin_token', name=op.f('uq_events_checkin_token'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_organiser_id'), ['organiser_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)

    op.create_table('event_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_partners_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_event_partners_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_partners')),
    sa.UniqueConstraint('event_id', 'organisation_id', name=op.f('uq_event_partners_event_id_organisation_id'))
    )
    with op.batch_alter_table('event_partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_partners_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_partners_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('gender', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('consent_at', UTC, nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('confirmed_at', UTC, nullable=True),
    sa.Column('cancelled_at', UTC, nullable=True),
    sa.Column('attendance', sa.String(length=10), nullable=False),
    sa.Column('attendance_source', sa.String(length=12), nullable=False),
    sa.Column('recorded_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_event_registrations_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_event_registrations_event_id_email')),
    sa.UniqueConstraint('token', name=op.f('uq_event_registrations_token'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_status'), ['status'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('organisation_name', sa.String(length=160), server_default='', nullable=False))
        batch_op.add_column(sa.Column('country', sa.String(length=2), server_default='', nullable=False))
        batch_op.add_column(sa.Column('gender', sa.String(length=12), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_users_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint('role_known', type_='check')
        batch_op.create_check_constraint(
            'role_known',
            "role in ('learner', 'facilitator', 'partner_manager', 'programme_manager', 'admin')",
        )

    # Cohorts: the free-text partner becomes an organisation. Names matched case-insensitively
    # after trimming; the first spelling met becomes the organisation's name.
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    orgs = sa.table('organisations', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('short_name', sa.String), sa.column('country', sa.String),
                    sa.column('kind', sa.String), sa.column('website', sa.String),
                    sa.column('is_partner', sa.Boolean), sa.column('created_at', UTC))
    by_key = {}
    rows = conn.execute(sa.text('SELECT id, partner FROM cohorts ORDER BY id')).all()
    from lms.extensions import utcnow
    for cohort_id, partner in rows:
        name = " ".join((partner or "").split()) or "Unknown partner"
        key = name.casefold()
        if key not in by_key:
            conn.execute(orgs.insert().values(
                name=name[:160], short_name='', country='', kind='other', website='',
                is_partner=True, created_at=utcnow()))
            by_key[key] = conn.execute(
                sa.text('SELECT id FROM organisations WHERE name = :n'), {'n': name[:160]}
            ).scalar_one()
        conn.execute(sa.text('UPDATE cohorts SET partner_id = :p WHERE id = :c'),
                     {'p': by_key[key], 'c': cohort_id})
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.alter_column('partner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_cohorts_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cohorts_partner_id_organisations'), 'organisations', ['partner_id'], ['id'])
        batch_op.drop_column('partner')


def downgrade():
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner', sa.String(length=160), server_default='', nullable=False))
    op.execute('UPDATE cohorts SET partner = (SELECT name FROM organisations WHERE organisations.id = cohorts.partner_id)')
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cohorts_partner_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cohorts_partner_id'))
        batch_op.drop_column('partner_id')
    op.execute("UPDATE users SET role = 'facilitator' WHERE role IN ('partner_manager', 'programme_manager')")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('role_known', type_='check')
        batch_op.create_check_constraint('role_known', "role in ('learner', 'facilitator', 'admin')")
        batch_op.drop_constraint(batch_op.f('fk_users_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_column('gender')
        batch_op.drop_column('country')
        batch_op.drop_column('organisation_name')
        batch_op.drop_column('organisation_id')
    op.drop_table('event_registrations')
    op.drop_table('event_partners')
    op.drop_table('events')
    op.drop_table('organisation_staff')
    op.drop_table('organisations')
