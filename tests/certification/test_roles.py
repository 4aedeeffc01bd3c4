"""Role grants: which roles a grant may confer, and which authority roles nobody holds yet."""

from __future__ import annotations

import pytest

from cxcert.certification.people import CERTIFYING_SIDE, Role, RoleGrant, check_grantable, roles_without_person
from cxcert.errors import CxcertError


def test_a_coordinator_is_registered_not_granted() -> None:
    with pytest.raises(CxcertError, match="use `cxcert coordinator register`"):
        check_grantable(Role.COORDINATOR)
    for role in Role:
        if role is not Role.COORDINATOR:
            check_grantable(role)


def test_certifying_side_roles() -> None:
    """DOMAIN.md section 1: lead auditor, licensee and headquarters act for the certifying body."""
    assert {Role.LEAD_AUDITOR, Role.LICENSEE, Role.HEADQUARTERS} <= CERTIFYING_SIDE
    assert Role.MANAGER not in CERTIFYING_SIDE and Role.COORDINATOR not in CERTIFYING_SIDE


def test_roles_without_person_keeps_order_and_drops_repeats() -> None:
    grants = [RoleGrant(person_id="jo", entity_id="e", role=Role.LEAD_AUDITOR)]
    needed = ["licensee", "lead_auditor", "coordinator", "headquarters", "lead_auditor", "licensee"]
    assert roles_without_person(needed, grants) == ("licensee", "coordinator", "headquarters")
    assert roles_without_person([], grants) == ()
