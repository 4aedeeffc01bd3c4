"""Every table, imported here so ``Base.metadata`` is complete for Alembic and the model-vs-migration check."""

from cxcert.store.models.assessment import ApplicationAnswerRow, AssessmentRow, DecisionRow, FindingRow
from cxcert.store.models.audit_trail import AuditEntryRow
from cxcert.store.models.base import Base
from cxcert.store.models.engagement import EngagementRow, EngagementTransitionRow
from cxcert.store.models.evidence import EvidenceRow
from cxcert.store.models.feedback import QaCoachingRow, QaDisputeRow
from cxcert.store.models.follow_up import CorrectiveActionRow, GapClosureCallRow
from cxcert.store.models.organisation import (
    ClientRow,
    EntityFunctionRow,
    EntityRow,
    EntityServiceRow,
    KeySupplierRow,
    LocationRow,
    OrganisationRow,
    ProcessRow,
)
from cxcert.store.models.people import CoordinatorRegistrationRow, KickoffSessionRow, PersonRow, RoleGrantRow

__all__ = [
    "ApplicationAnswerRow",
    "AssessmentRow",
    "AuditEntryRow",
    "Base",
    "ClientRow",
    "CoordinatorRegistrationRow",
    "CorrectiveActionRow",
    "DecisionRow",
    "EngagementRow",
    "EngagementTransitionRow",
    "EntityFunctionRow",
    "EntityRow",
    "EntityServiceRow",
    "EvidenceRow",
    "FindingRow",
    "GapClosureCallRow",
    "KeySupplierRow",
    "KickoffSessionRow",
    "LocationRow",
    "OrganisationRow",
    "PersonRow",
    "ProcessRow",
    "QaCoachingRow",
    "QaDisputeRow",
    "RoleGrantRow",
]
