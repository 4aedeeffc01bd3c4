"""Application answers, assessments and findings: rows <-> :mod:`cxcert.certification.assessment` values."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from cxcert.certification.assessment import ApplicationAnswer, Assessment, AssessmentKind, Finding
from cxcert.errors import CxcertError, NotFound
from cxcert.standards.rule_set import FindingLevel
from cxcert.store.models import ApplicationAnswerRow, AssessmentRow, FindingRow


class AssessmentRepository:
    """What the coordinator answered and what the assessors found."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- application answers ---
    def record_answer(self, entity_id: str, answer: ApplicationAnswer) -> bool:
        """Append ``answer`` to ``entity_id``'s application; an identical answer already stored is skipped.

        Answers are history, not a slot to overwrite: the core counts the latest one per requirement for
        completion and adds up the hours of all of them. Skipping exact repeats makes re-importing a file a no-op.
        Returns whether the answer was new.
        """
        key = answer.requirement_id or ""
        same = select(ApplicationAnswerRow.id).where(
            ApplicationAnswerRow.entity_id == entity_id,
            ApplicationAnswerRow.item == answer.item,
            ApplicationAnswerRow.requirement_key == key,
            ApplicationAnswerRow.answer == answer.answer,
            ApplicationAnswerRow.hours_spent == answer.hours_spent,
            ApplicationAnswerRow.completion == answer.completion,
            ApplicationAnswerRow.answered_by.is_(None)
            if answer.answered_by is None
            else ApplicationAnswerRow.answered_by == answer.answered_by,
            ApplicationAnswerRow.answered_on.is_(None)
            if answer.answered_on is None
            else ApplicationAnswerRow.answered_on == answer.answered_on,
        )
        if self.session.scalars(same).first() is not None:
            return False
        self.session.add(
            ApplicationAnswerRow(
                entity_id=entity_id,
                item=answer.item,
                requirement_key=key,
                answer=answer.answer,
                hours_spent=answer.hours_spent,
                completion=answer.completion,
                answered_by=answer.answered_by,
                answered_on=answer.answered_on,
            )
        )
        self.session.flush()
        return True

    def answers(self, entity_id: str) -> tuple[ApplicationAnswer, ...]:
        """``entity_id``'s application answers, in the order recorded."""
        rows = self.session.scalars(
            select(ApplicationAnswerRow)
            .where(ApplicationAnswerRow.entity_id == entity_id)
            .order_by(ApplicationAnswerRow.id)
        )
        return tuple(
            ApplicationAnswer(
                item=r.item,
                requirement_id=r.requirement_key or None,
                answer=r.answer,
                hours_spent=r.hours_spent,
                completion=r.completion,
                answered_by=r.answered_by,
                answered_on=r.answered_on,
            )
            for r in rows
        )

    # --- assessments ---
    def save_assessment(self, assessment: Assessment) -> None:
        """Insert or replace ``assessment`` with all its findings."""
        row = self.session.get(AssessmentRow, assessment.id, options=(selectinload(AssessmentRow.findings),))
        if row is None:
            row = AssessmentRow(id=assessment.id)
            self.session.add(row)
        elif row.entity_id != assessment.entity_id:
            raise CxcertError(f"assessment {assessment.id!r} belongs to entity {row.entity_id!r}")
        row.entity_id = assessment.entity_id
        row.kind = assessment.kind.value
        row.started_on = assessment.started_on
        row.ended_on = assessment.ended_on
        row.assessors = list(assessment.assessors)
        row.management_commitment = assessment.management_commitment
        row.scope_items = None if assessment.scope_items is None else list(assessment.scope_items)
        row.findings.clear()
        self.session.flush()
        row.findings.extend(
            FindingRow(
                item=f.item,
                position=i,
                level=f.level.value,
                note=f.note,
                source=f.source,
                computed_level=None if f.computed_level is None else f.computed_level.value,
                reason=f.reason,
            )
            for i, f in enumerate(assessment.findings)
        )
        self.session.flush()

    def record_finding(self, assessment_id: str, finding: Finding) -> None:
        """Insert or replace the finding on ``finding.item`` (one finding per assessment and item)."""
        self._assessment_row(assessment_id)
        row = self.session.get(FindingRow, (assessment_id, finding.item))
        if row is None:
            last = self.session.scalar(
                select(func.max(FindingRow.position)).where(FindingRow.assessment_id == assessment_id)
            )
            row = FindingRow(assessment_id=assessment_id, item=finding.item, position=-1 if last is None else last)
            row.position += 1
            self.session.add(row)
        row.level = finding.level.value
        row.note = finding.note
        row.source = finding.source
        row.computed_level = None if finding.computed_level is None else finding.computed_level.value
        row.reason = finding.reason
        self.session.flush()

    def find_assessment(self, assessment_id: str) -> Assessment | None:
        row = self.session.get(AssessmentRow, assessment_id, options=(selectinload(AssessmentRow.findings),))
        return None if row is None else _assessment(row)

    def get_assessment(self, assessment_id: str) -> Assessment:
        """The assessment with its findings; :class:`NotFound` if there is none."""
        found = self.find_assessment(assessment_id)
        if found is None:
            raise NotFound(f"no assessment {assessment_id!r}")
        return found

    def assessments(self, entity_id: str, kinds: tuple[AssessmentKind, ...] | None = None) -> tuple[Assessment, ...]:
        """``entity_id``'s assessments, oldest first (by start date, then id); only ``kinds`` when given (which
        kinds decide is the rule set's to say: ``rule_set.kinds_giving``)."""
        query = (
            select(AssessmentRow)
            .options(selectinload(AssessmentRow.findings))
            .where(AssessmentRow.entity_id == entity_id)
            .order_by(AssessmentRow.started_on, AssessmentRow.id)
        )
        if kinds is not None:
            query = query.where(AssessmentRow.kind.in_([k.value for k in kinds]))
        return tuple(_assessment(r) for r in self.session.scalars(query))

    def _assessment_row(self, assessment_id: str) -> AssessmentRow:
        row = self.session.get(AssessmentRow, assessment_id)
        if row is None:
            raise NotFound(f"no assessment {assessment_id!r}")
        return row


def _assessment(row: AssessmentRow) -> Assessment:
    return Assessment(
        id=row.id,
        entity_id=row.entity_id,
        kind=AssessmentKind(row.kind),
        started_on=row.started_on,
        ended_on=row.ended_on,
        assessors=tuple(row.assessors),
        findings=tuple(
            Finding(
                item=f.item,
                level=FindingLevel(f.level),
                note=f.note,
                source=f.source,
                computed_level=None if f.computed_level is None else FindingLevel(f.computed_level),
                reason=f.reason,
            )
            for f in row.findings
        ),
        management_commitment=row.management_commitment,
        scope_items=None if row.scope_items is None else tuple(row.scope_items),
    )
