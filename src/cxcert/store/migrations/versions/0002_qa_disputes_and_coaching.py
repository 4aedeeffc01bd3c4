"""Quality feedback records: disputes of evaluations and coaching sessions with the agent's acknowledgement.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 07:45:07.624111
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_coaching_records",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("program", sa.String(length=100), nullable=True),
        sa.Column("coach_id", sa.String(length=100), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("evaluation_ids", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("agent_comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_coaching_records")),
    )
    with op.batch_alter_table("qa_coaching_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_coaching_records_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_coaching_records_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_coaching_records_held_on"), ["held_on"], unique=False)

    op.create_table(
        "qa_disputes",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("evaluation_id", sa.String(length=200), nullable=False),
        sa.Column("agent_id", sa.String(length=100), nullable=False),
        sa.Column("program", sa.String(length=100), nullable=True),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("parameter_ids", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_disputes")),
    )
    with op.batch_alter_table("qa_disputes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_disputes_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_disputes_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_disputes_evaluation_id"), ["evaluation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_qa_disputes_outcome"), ["outcome"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_disputes_outcome"))
        batch_op.drop_index(batch_op.f("ix_qa_disputes_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_qa_disputes_entity_id"))
        batch_op.drop_index(batch_op.f("ix_qa_disputes_agent_id"))

    op.drop_table("qa_disputes")
    with op.batch_alter_table("qa_coaching_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_coaching_records_held_on"))
        batch_op.drop_index(batch_op.f("ix_qa_coaching_records_entity_id"))
        batch_op.drop_index(batch_op.f("ix_qa_coaching_records_agent_id"))

    op.drop_table("qa_coaching_records")
