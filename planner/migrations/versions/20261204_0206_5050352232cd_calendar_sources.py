"""calendar sources: a school's calendar by URL

Revision ID: 5050352232cd
Revises: 5c0a7e3d9b21
Create Date: 2026-12-04 02:06:21.241224

A school's published year calendar by its address (calendar_source: the URL, the rules for the
kinds, the conditional-GET validators and the sync status), and on busy_period which linked
calendar and which of its events a synced period came from.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5050352232cd"
down_revision: str | None = "5c0a7e3d9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("etag", sa.String(length=500), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.JSON(), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_change", sa.JSON(), nullable=True),
        sa.Column("last_change_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_calendar_source_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_source")),
        sa.UniqueConstraint(
            "organisation_id", "url", name=op.f("uq_calendar_source_organisation_id_url")
        ),
    )
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_source_next_run_at"), ["next_run_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_calendar_source_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("busy_period", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sync_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_busy_period_calendar_source_id"), ["calendar_source_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_busy_period_calendar_source_id_calendar_source"),
            "calendar_source",
            ["calendar_source_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_busy_period_calendar_source_id_sync_key"),
            ["calendar_source_id", "sync_key"],
        )


def downgrade() -> None:
    with op.batch_alter_table("busy_period", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_busy_period_calendar_source_id_sync_key"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_busy_period_calendar_source_id_calendar_source"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_busy_period_calendar_source_id"))
        batch_op.drop_column("sync_key")
        batch_op.drop_column("calendar_source_id")

    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_source_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_calendar_source_next_run_at"))

    op.drop_table("calendar_source")
