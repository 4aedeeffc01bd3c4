"""The registry of QA forms: published versions are frozen, evaluations look up the version they pinned."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cxcert.errors import CxcertError, NotFound, ValidationFailed
from cxcert.quality.form import FormStatus, QaForm, form_problems
from cxcert.quality.form_loader import packaged_forms


class FormFrozen(CxcertError):
    """A published form version was registered again with different content."""


class FormRegistry:
    """Forms by ``(id, version)``.

    A draft may be replaced; a published version may only be registered again with identical content (same
    content hash): changing a published form means publishing a new version, so that past evaluations keep
    the grid they were scored against.
    """

    def __init__(self, forms: Iterable[QaForm] = ()) -> None:
        self._forms: dict[tuple[str, int], QaForm] = {}
        for form in forms:
            self.register(form)

    @classmethod
    def packaged(cls) -> FormRegistry:
        """A registry holding the forms shipped with cxcert."""
        return cls(packaged_forms())

    def register(self, form: QaForm) -> QaForm:
        """Add or replace a form; refuses an invalid form and any change to a published version."""
        problems = form_problems(form)
        if problems:
            raise ValidationFailed([f"{'.'.join(map(str, p.path))}: {p.message}" for p in problems], where=form.label)
        existing = self._forms.get(form.key)
        if existing is not None and existing.status is FormStatus.PUBLISHED:
            if existing.content_hash() != form.content_hash():
                raise FormFrozen(
                    f"form {form.label} is published (on {existing.published_on}) and frozen; its content differs "
                    f"(hash {existing.content_hash()[:12]} vs {form.content_hash()[:12]}): "
                    f"publish the change as version {self.next_version(form.id)}"
                )
            return existing
        self._forms[form.key] = form
        return form

    def get(self, form_id: str, version: int) -> QaForm:
        """The form an evaluation pinned; raises :class:`NotFound` naming the versions that exist."""
        form = self._forms.get((form_id, version))
        if form is None:
            versions = self.versions(form_id)
            known = f"versions {', '.join(map(str, versions))}" if versions else "no such form"
            raise NotFound(f"QA form {form_id} v{version} not found ({known})")
        return form

    def latest(self, form_id: str, *, published_only: bool = True) -> QaForm:
        """The highest version of a form (published ones only, by default): what new evaluations use."""
        candidates = [
            f
            for f in self._forms.values()
            if f.id == form_id and (f.status is FormStatus.PUBLISHED or not published_only)
        ]
        if not candidates:
            raise NotFound(f"no {'published ' if published_only else ''}QA form '{form_id}'")
        return max(candidates, key=lambda f: f.version)

    def versions(self, form_id: str) -> tuple[int, ...]:
        return tuple(sorted(v for (i, v) in self._forms if i == form_id))

    def next_version(self, form_id: str) -> int:
        versions = self.versions(form_id)
        return (versions[-1] + 1) if versions else 1

    def __iter__(self) -> Iterator[QaForm]:
        return iter(sorted(self._forms.values(), key=lambda f: f.key))

    def __len__(self) -> int:
        return len(self._forms)

    def __contains__(self, key: object) -> bool:
        return key in self._forms
