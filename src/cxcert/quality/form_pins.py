"""Published form versions frozen across processes: each one's content hash is pinned in a file.

A pin is the SHA-256 of the form's canonical JSON (:meth:`QaForm.content_hash`: sorted keys, no whitespace; YAML
comments and layout do not count). The packaged forms' pins ship in ``data/forms/published_hashes.yaml``: a
published packaged form without a pin, with a different content, or a pinned version that disappeared is refused
at load. A user's forms are pinned on first sight (the caller writes the new pins, :func:`pins_text`); from then
on the same refusal applies. Changing a published form means publishing a new version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import Field

from cxcert.quality.form import FormStatus, QaForm
from cxcert.quality.packaged import parse_settings
from cxcert.standards.issues import ValidationIssue
from cxcert.standards.schema import Frozen

Pins = Mapping[tuple[str, int], str]


class PinnedHashes(Frozen):
    forms: dict[str, dict[int, str]] = Field(
        default_factory=dict, description="form id -> version -> SHA-256 of its canonical content"
    )


@dataclass(frozen=True)
class SourcedForm:
    form: QaForm
    file: str


def parse_pins(text: str, file: str) -> dict[tuple[str, int], str]:
    """A pins file as {(form id, version): sha256}; a value that is not a SHA-256 hex digest is refused."""
    pinned = parse_settings(text, PinnedHashes, file) if text.strip() else PinnedHashes()
    pins: dict[tuple[str, int], str] = {}
    bad: list[ValidationIssue] = []
    for form_id, versions in pinned.forms.items():
        for version, digest in versions.items():
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                bad.append(ValidationIssue(file, None, f"forms.{form_id}.{version}", "not a SHA-256 hex digest"))
            pins[(form_id, version)] = digest
    if bad:
        from cxcert.standards.issues import DocumentInvalid

        raise DocumentInvalid(bad)
    return pins


def pins_text(pins: Pins, header: str) -> str:
    """The pins as a YAML file (sorted), with ``header`` as its comment."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines.append("forms:" if pins else "forms: {}")
    for form_id in sorted({f for f, _ in pins}):
        lines.append(f"  {form_id}:")
        lines.extend(f"    {v}: {pins[(f, v)]}" for f, v in sorted(pins) if f == form_id)
    return "\n".join(lines) + "\n"


def pin_issues(forms: Sequence[SourcedForm], pins: Pins, pins_file: str, *, complete: bool) -> list[ValidationIssue]:
    """Published forms whose content is not the pinned one; with ``complete`` (packaged forms) also published
    forms without a pin and pinned versions no form file holds."""
    issues: list[ValidationIssue] = []
    seen = set()
    for sourced in forms:
        form = sourced.form
        seen.add(form.key)
        if form.status is not FormStatus.PUBLISHED:
            continue
        actual, pinned = form.content_hash(), pins.get(form.key)
        if pinned is None:
            if complete:
                issues.append(
                    ValidationIssue(
                        sourced.file, None, "(form)", f"form {form.label} is published but its hash is not pinned in "
                        f"{pins_file}: add {form.id}: {{{form.version}: {actual}}} once the version is final",
                        rule="form_pin",
                    )
                )  # fmt: skip
        elif pinned != actual:
            issues.append(
                ValidationIssue(
                    sourced.file, None, "(form)", f"form {form.label} was changed after it was published (content "
                    f"hash {actual[:12]}, pinned {pinned[:12]} in {pins_file}): a published form is frozen; restore "
                    f"it and publish the change as version {form.version + 1}",
                    rule="form_pin",
                )
            )  # fmt: skip
    if complete:
        for form_id, version in sorted(set(pins) - seen):
            issues.append(
                ValidationIssue(
                    pins_file, None, f"forms.{form_id}.{version}",
                    f"form {form_id} v{version} is pinned but no form file holds it: a published version is never "
                    "removed (evaluations pin it)", rule="form_pin",
                )
            )  # fmt: skip
    return issues


def new_pins(forms: Sequence[SourcedForm], pins: Pins) -> dict[tuple[str, int], str]:
    """The published forms not pinned yet, with their hashes (a user's forms on first sight)."""
    return {
        s.form.key: s.form.content_hash()
        for s in forms
        if s.form.status is FormStatus.PUBLISHED and s.form.key not in pins
    }
