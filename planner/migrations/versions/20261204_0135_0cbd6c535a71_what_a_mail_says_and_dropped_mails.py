"""what a mail says (its meeting and basis) and mails dropped as out of date

Revision ID: 0cbd6c535a71
Revises: 85ee0826fb26
Create Date: 2026-12-04 01:35:00

`mail.meeting_id` and `mail.basis` record, when a mail is composed, what it says about meetings;
the worker checks them just before sending and drops a stale mail (`dropped_at`,
`dropped_reason`). Mails queued before this revision have no basis and are sent as they are.
The pending index includes `dropped_at`, so claiming skips dropped mails.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0cbd6c535a71"
down_revision: str | None = "85ee0826fb26"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dropped_reason", sa.String(length=30), nullable=True))
        batch_op.drop_index("ix_mail_pending")
        batch_op.create_index(
            "ix_mail_pending", ["sent_at", "dead_at", "dropped_at", "available_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mail_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_meeting_id"))
        batch_op.drop_index("ix_mail_pending")
        batch_op.create_index(
            "ix_mail_pending", ["sent_at", "dead_at", "available_at"], unique=False
        )
        batch_op.drop_column("dropped_reason")
        batch_op.drop_column("dropped_at")
        batch_op.drop_column("basis")
        batch_op.drop_column("meeting_id")
