"""A typed finding that departs from the computed evidence it replaced keeps that computed level and the reason.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 23:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Findings stored before had no computed level to depart from and no reason: NULL and "" say exactly that.
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("computed_level", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=sa.text("''")))
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.alter_column("reason", existing_type=sa.Text(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("computed_level")
