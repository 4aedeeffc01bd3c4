"""One entry point to every repository over a session: ``Repositories(session).entities.get_entity(...)``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from cxcert.home import cxcert_home
from cxcert.store.assessments import AssessmentRepository
from cxcert.store.audit_trail import AuditTrail
from cxcert.store.corrective_actions import CorrectiveActionRepository
from cxcert.store.decisions import DecisionRepository
from cxcert.store.engagements import EngagementRepository
from cxcert.store.evidence import EvidenceStore
from cxcert.store.feedback import FeedbackRepository
from cxcert.store.gap_closure_calls import GapClosureRepository
from cxcert.store.organisations import OrganisationRepository
from cxcert.store.people import PeopleRepository


class Repositories:
    """The repositories of one unit of work (they share ``session``; the caller commits)."""

    def __init__(self, session: Session, *, evidence_root: Path | None = None) -> None:
        self.session = session
        self.organisations = OrganisationRepository(session)
        self.people = PeopleRepository(session)
        self.assessments = AssessmentRepository(session)
        self.decisions = DecisionRepository(session)
        self.engagements = EngagementRepository(session)
        self.corrective_actions = CorrectiveActionRepository(session)
        self.gap_closure = GapClosureRepository(session)
        self.feedback = FeedbackRepository(session)
        self.audit_trail = AuditTrail(session)
        self.evidence = EvidenceStore(session, evidence_root or cxcert_home() / "evidence")
