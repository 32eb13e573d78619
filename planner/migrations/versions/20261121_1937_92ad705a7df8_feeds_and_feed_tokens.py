"""feeds and feed tokens

Revision ID: 92ad705a7df8
Revises: 34e00115750f
Create Date: 2026-11-21 19:37:44.497365
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "92ad705a7df8"
down_revision: str | None = "34e00115750f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "collaboration",
                "person",
                "organisation",
                "region",
                name="feedscope",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("collaboration_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("blocked_days", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(scope = 'collaboration') = (collaboration_id IS NOT NULL)"
            " AND (scope = 'person') = (person_id IS NOT NULL)"
            " AND (scope = 'organisation') = (organisation_id IS NOT NULL)"
            " AND (scope = 'region') = (region IS NOT NULL)",
            name=op.f("ck_feed_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["collaboration_id"],
            ["collaboration.id"],
            name=op.f("fk_feed_collaboration_id_collaboration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_feed_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_feed_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed")),
        sa.UniqueConstraint("key", name=op.f("uq_feed_key")),
    )
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_collaboration_id"), ["collaboration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feed_person_id"), ["person_id"], unique=False)

    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("renewed_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feed.id"], name=op.f("fk_feed_token_feed_id_feed"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["renewed_from_id"],
            ["feed_token.id"],
            name=op.f("fk_feed_token_renewed_from_id_feed_token"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_token_token_hash")),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_token_feed_id"), ["feed_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_token_feed_id"))

    op.drop_table("feed_token")
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_person_id"))
        batch_op.drop_index(batch_op.f("ix_feed_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_feed_collaboration_id"))

    op.drop_table("feed")
