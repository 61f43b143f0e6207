"""selection: formations, applications, results, appeals, audit log, appointments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

import chassis.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "passing_grades",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("twk_min", sa.Integer(), nullable=True),
        sa.Column("tiu_min", sa.Integer(), nullable=True),
        sa.Column("tkp_min", sa.Integer(), nullable=True),
        sa.Column("total_min", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("year", "category", name=op.f("pk_passing_grades")),
    )
    op.create_table(
        "formations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("education", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("announced_at", chassis.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("announced_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quota > 0", name=op.f("ck_formations_quota")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_formations")),
        sa.UniqueConstraint("code", name=op.f("uq_formations_code")),
    )
    with op.batch_alter_table("formations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_formations_year_position_education",
            ["year", "position", "education"],
            unique=False,
        )
    op.create_table(
        "applications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("formation_id", BIG_ID, nullable=False),
        sa.Column("registration_number", sa.String(length=32), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("education", sa.String(length=200), nullable=False),
        sa.Column("gpa", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("appeal_secret_hash", sa.String(length=128), nullable=False),
        sa.Column(
            "verification", sa.String(length=8), server_default=sa.text("'PENDING'"), nullable=False
        ),
        sa.Column("verification_reason", sa.String(length=500), nullable=True),
        sa.Column("twk", sa.Integer(), nullable=True),
        sa.Column("tiu", sa.Integer(), nullable=True),
        sa.Column("tkp", sa.Integer(), nullable=True),
        sa.Column("skb", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("gender IN ('M', 'F')", name=op.f("ck_applications_gender")),
        sa.CheckConstraint(
            "verification IN ('PENDING', 'MS', 'TMS')", name=op.f("ck_applications_verification")
        ),
        sa.ForeignKeyConstraint(
            ["formation_id"],
            ["formations.id"],
            name=op.f("fk_applications_formation_id_formations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint(
            "registration_number", name=op.f("uq_applications_registration_number")
        ),
        sa.UniqueConstraint("year", "nik", name="uq_applications_year_nik"),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applications_formation_id"), ["formation_id"], unique=False
        )
    op.create_table(
        "selection_results",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("formation_id", BIG_ID, nullable=False),
        sa.Column("skd_total", sa.Integer(), nullable=False),
        sa.Column("passed_grade", sa.Boolean(), nullable=False),
        sa.Column("shortlisted", sa.Boolean(), nullable=False),
        sa.Column("final_score", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("optimised_into", BIG_ID, nullable=True),
        sa.Column("ranked_at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_selection_results_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_selection_results")),
    )
    with op.batch_alter_table("selection_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_results_formation_id"), ["formation_id"], unique=False
        )
    op.create_table(
        "appeals",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("filed_at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("grounds", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", chassis.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision", sa.String(length=2000), nullable=True),
        sa.CheckConstraint(
            "status IN ('FILED', 'ACCEPTED', 'REJECTED')", name=op.f("ck_appeals_status")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_appeals_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("application_id", name=op.f("uq_appeals_application_id")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_entity_entity_id", ["entity", "entity_id"], unique=False
        )
    op.create_table(
        "appointments",
        sa.Column("application_id", BIG_ID, nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("formation_id", BIG_ID, nullable=False),
        sa.Column("appointed_at", chassis.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("appointed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_appointments_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("nip", name=op.f("uq_appointments_nip")),
    )


def downgrade() -> None:
    op.drop_table("appointments")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity_entity_id")
    op.drop_table("audit_log")
    op.drop_table("appeals")
    with op.batch_alter_table("selection_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_results_formation_id"))
    op.drop_table("selection_results")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applications_formation_id"))
    op.drop_table("applications")
    with op.batch_alter_table("formations", schema=None) as batch_op:
        batch_op.drop_index("ix_formations_year_position_education")
    op.drop_table("formations")
    op.drop_table("passing_grades")
