"""member consent: whether a school agreed that a collaboration sees its busy periods' notes

Revision ID: 5c0a7e3d9b21
Revises: 0cbd6c535a71
Create Date: 2026-12-04 02:00:00

Memberships that exist already are "asked": until a school administrator agrees on the
school's memberships page, the collaboration sees the school's busy periods as kind and dates.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c0a7e3d9b21"
down_revision: str | None = "0cbd6c535a71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("collaboration_member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "consent",
                sa.Enum(
                    "asked",
                    "agreed",
                    "declined",
                    name="memberconsent",
                    native_enum=False,
                    create_constraint=True,
                    length=10,
                ),
                nullable=False,
                server_default="asked",
            )
        )
        batch_op.add_column(sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("consent_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_collaboration_member_consent_by_id_person"),
            "person",
            ["consent_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("collaboration_member", schema=None) as batch_op:
        batch_op.alter_column("consent", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("collaboration_member", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_collaboration_member_consent_by_id_person"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("ck_collaboration_member_memberconsent"), type_="check")
        batch_op.drop_column("consent_by_id")
        batch_op.drop_column("consent_at")
        batch_op.drop_column("consent")
