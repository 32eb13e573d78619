"""initial schema

Revision ID: c89694a3c01a
Revises: (none)
Create Date: 2026-11-21 18:29:25.471543
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c89694a3c01a"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_pending", ["done_at", "dead_at", "available_at"], unique=False
        )

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "school",
                "board",
                "partner",
                name="organisationkind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("brin", sa.String(length=6), nullable=True),
        sa.Column(
            "sector",
            sa.Enum(
                "po",
                "vo",
                "so",
                "mbo",
                name="sector",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind = 'partner' OR region IS NOT NULL", name=op.f("ck_organisation_school_has_region")
        ),
        sa.CheckConstraint(
            "region IN ('noord', 'midden', 'zuid')", name=op.f("ck_organisation_region_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("brin", name=op.f("uq_organisation_brin")),
    )
    op.create_table(
        "school_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("compulsory", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_on >= first_on", name=op.f("ck_school_holiday_range_forward")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_holiday")),
        sa.UniqueConstraint(
            "school_year", "name", "region", name=op.f("uq_school_holiday_school_year_name_region")
        ),
    )
    op.create_table(
        "busy_period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "test_week",
                "open_day",
                "study_day",
                "exam_period",
                "report_meetings",
                "holiday",
                "other",
                name="busykind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column(
            "severity",
            sa.Enum(
                "hard",
                "soft",
                name="severity",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_on >= first_on", name=op.f("ck_busy_period_range_forward")),
        sa.CheckConstraint(
            "organisation_id IS NULL OR region IS NULL", name=op.f("ck_busy_period_one_scope")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_busy_period_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_period")),
    )
    with op.batch_alter_table("busy_period", schema=None) as batch_op:
        batch_op.create_index("ix_busy_period_days", ["first_on", "last_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_busy_period_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "closure_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_closure_day_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closure_day")),
        sa.UniqueConstraint(
            "organisation_id", "kind", name=op.f("uq_closure_day_organisation_id_kind")
        ),
    )
    with op.batch_alter_table("closure_day", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_closure_day_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "holiday_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("first_on", sa.Date(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_on >= first_on", name=op.f("ck_holiday_override_range_forward")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_holiday_override_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_override")),
        sa.UniqueConstraint(
            "organisation_id",
            "school_year",
            "name",
            name=op.f("uq_holiday_override_organisation_id_school_year_name"),
        ),
    )
    with op.batch_alter_table("holiday_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_holiday_override_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("holiday_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_override_organisation_id"))

    op.drop_table("holiday_override")
    with op.batch_alter_table("closure_day", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closure_day_organisation_id"))

    op.drop_table("closure_day")
    with op.batch_alter_table("busy_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_busy_period_organisation_id"))
        batch_op.drop_index("ix_busy_period_days")

    op.drop_table("busy_period")
    op.drop_table("school_holiday")
    op.drop_table("organisation")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_pending")

    op.drop_table("event")
