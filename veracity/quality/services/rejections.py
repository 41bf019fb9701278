"""Recording saves the entry rules rejected (standards.rejections), for the scorecards."""

from veracity.quality.models import EntryRejection


def entry_rejection_record(*, actor, notes: list[tuple[str, tuple[str, ...]]], source: str) -> EntryRejection | None:
    """One row for one rejected save, however many times the rules were asked within it (an order and
    its lines, a service re-checking): the first entity rejected, every field named."""
    if not notes or not getattr(actor, "pk", None):
        return None
    entity = notes[0][0]
    fields = sorted({field if name == entity else f"{name}.{field}" for name, names in notes for field in names})
    return EntryRejection.objects.create(actor=actor, entity=entity, fields=fields, source=source)
