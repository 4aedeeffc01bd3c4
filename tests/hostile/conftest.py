"""The CLI workspace of tests/cli (init and the entity acme-care, built once and copied per test)."""

from __future__ import annotations

from cli.conftest import workspace, workspace_template

__all__ = ["workspace", "workspace_template"]
