"""Initial schema: organisations, entities and their scope, people and roles, engagements, answers, assessments,
findings, decisions, corrective actions, gap closure calls, evidence and the hash-chained audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 14:01:48.828047
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_trail")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_trail_hash")),
    )
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_trail_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_trail_subject"), ["subject"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("standard_urn", sa.String(length=300), nullable=False),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_entities_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entities_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "application_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("requirement_key", sa.String(length=50), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("hours_spent", sa.Float(), nullable=False),
        sa.Column("completion", sa.Float(), nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_application_answers_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_answers")),
    )
    with op.batch_alter_table("application_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_answers_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("assessors", sa.JSON(), nullable=False),
        sa.Column("management_commitment", sa.Boolean(), nullable=False),
        sa.Column("scope_items", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_assessments_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_kind"), ["kind"], unique=False)

    op.create_table(
        "clients",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("programs", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_clients_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "id", name=op.f("pk_clients")),
    )
    op.create_table(
        "coordinator_registrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=False),
        sa.Column("class_attended_on", sa.Date(), nullable=False),
        sa.Column("exam_score", sa.Float(), nullable=False),
        sa.Column("exam_taken_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_coordinator_registrations_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_coordinator_registrations_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_registrations")),
    )
    with op.batch_alter_table("coordinator_registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordinator_registrations_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordinator_registrations_person_id"), ["person_id"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_engagements_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_engagements")),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagements_stage"), ["stage"], unique=False)

    op.create_table(
        "entity_functions",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_functions_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "name", name=op.f("pk_entity_functions")),
    )
    op.create_table(
        "entity_services",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_services_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "service", name=op.f("pk_entity_services")),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=True),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_evidence_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_sha256"), ["sha256"], unique=False)

    op.create_table(
        "gap_closure_calls",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column("topic_id", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_gap_closure_calls_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "number", name=op.f("pk_gap_closure_calls")),
    )
    op.create_table(
        "key_suppliers",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("supplies", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_key_suppliers_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "id", name=op.f("pk_key_suppliers")),
    )
    op.create_table(
        "kickoff_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("duration_hours", sa.Float(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_kickoff_sessions_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kickoff_sessions")),
    )
    with op.batch_alter_table("kickoff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kickoff_sessions_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "locations",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_locations_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "id", name=op.f("pk_locations")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_country"), ["country"], unique=False)

    op.create_table(
        "processes",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_processes_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "id", name=op.f("pk_processes")),
    )
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processes_kind"), ["kind"], unique=False)

    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_role_grants_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_role_grants_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grants_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grants_person_id"), ["person_id"], unique=False)

    op.create_table(
        "corrective_actions",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("assessment_id", sa.String(length=100), nullable=True),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("finding_level", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_corrective_actions_assessment_id_assessments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_corrective_actions_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_actions")),
    )
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrective_actions_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrective_actions_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrective_actions_status"), ["status"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("assessment_id", sa.String(length=100), nullable=False),
        sa.Column("assessment_kind", sa.String(length=32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("rule_set_id", sa.String(length=100), nullable=False),
        sa.Column("standard_urn", sa.String(length=300), nullable=False),
        sa.Column("decision_class", sa.String(length=100), nullable=False),
        sa.Column("certifies", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("best_rank", sa.Integer(), nullable=False),
        sa.Column("scope_items", sa.JSON(), nullable=True),
        sa.Column("scorable", sa.Integer(), nullable=False),
        sa.Column("compliant", sa.Integer(), nullable=False),
        sa.Column("minor", sa.Integer(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("not_applicable", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("points_earned", sa.Float(), nullable=False),
        sa.Column("points_possible", sa.Float(), nullable=False),
        sa.Column("points_pass_mark", sa.Integer(), nullable=True),
        sa.Column("points_required", sa.Float(), nullable=True),
        sa.Column("points_passed", sa.Boolean(), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_decisions_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_decisions_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_decision_class"), ["decision_class"], unique=False)
        batch_op.create_index(batch_op.f("ix_decisions_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "engagement_transitions",
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("from_stage", sa.String(length=40), nullable=True),
        sa.Column("to_stage", sa.String(length=40), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["engagements.entity_id"],
            name=op.f("fk_engagement_transitions_entity_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "seq", name=op.f("pk_engagement_transitions")),
    )
    op.create_table(
        "findings",
        sa.Column("assessment_id", sa.String(length=100), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_findings_assessment_id_assessments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", "item", name=op.f("pk_findings")),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_level"), ["level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_level"))

    op.drop_table("findings")
    op.drop_table("engagement_transitions")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_entity_id"))
        batch_op.drop_index(batch_op.f("ix_decisions_decision_class"))
        batch_op.drop_index(batch_op.f("ix_decisions_decided_on"))
        batch_op.drop_index(batch_op.f("ix_decisions_assessment_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_actions_status"))
        batch_op.drop_index(batch_op.f("ix_corrective_actions_entity_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_actions_due_on"))

    op.drop_table("corrective_actions")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grants_person_id"))
        batch_op.drop_index(batch_op.f("ix_role_grants_entity_id"))

    op.drop_table("role_grants")
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processes_kind"))

    op.drop_table("processes")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_country"))

    op.drop_table("locations")
    with op.batch_alter_table("kickoff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kickoff_sessions_entity_id"))

    op.drop_table("kickoff_sessions")
    op.drop_table("key_suppliers")
    op.drop_table("gap_closure_calls")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_sha256"))
        batch_op.drop_index(batch_op.f("ix_evidence_expires_on"))
        batch_op.drop_index(batch_op.f("ix_evidence_entity_id"))

    op.drop_table("evidence")
    op.drop_table("entity_services")
    op.drop_table("entity_functions")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_stage"))

    op.drop_table("engagements")
    with op.batch_alter_table("coordinator_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordinator_registrations_person_id"))
        batch_op.drop_index(batch_op.f("ix_coordinator_registrations_entity_id"))

    op.drop_table("coordinator_registrations")
    op.drop_table("clients")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_kind"))
        batch_op.drop_index(batch_op.f("ix_assessments_entity_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("application_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_answers_entity_id"))

    op.drop_table("application_answers")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_organisation_id"))

    op.drop_table("entities")
    op.drop_table("people")
    op.drop_table("organisations")
    with op.batch_alter_table("audit_trail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_trail_subject"))
        batch_op.drop_index(batch_op.f("ix_audit_trail_action"))

    op.drop_table("audit_trail")
