"""A corrective action's root cause, its plan, and how its closing was verified.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 00:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("root_cause", "plan", "verification")


def upgrade() -> None:
    # Actions stored before had none of the three: "" says so (an action closed then keeps its note in the audit
    # trail, where `cxcert actions show` finds it).
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        for column in reversed(_COLUMNS):
            batch_op.drop_column(column)
