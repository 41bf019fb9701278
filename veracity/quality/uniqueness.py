"""Pluggable duplicate metrics. Until the dedup app's matcher is wired in (at merge, by registering
its functions here from its own AppConfig.ready() or the lead's wiring), duplicates are exact-key
duplicates: live customers sharing a phone, email or credit code; contacts sharing a mobile or email."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q
from django.utils import timezone

from veracity.customers.models import Contact, Customer

KEYS = {"customer": ("phone", "email", "credit_code"), "contact": ("mobile", "email")}
MODELS = {"customer": Customer, "contact": Contact}


def exact_key_duplicate_ids(entity: str) -> set[int]:
    """Ids of live records of `entity` that share a non-empty key with another live record."""
    model = MODELS[entity]
    ids: set[int] = set()
    for key in KEYS[entity]:
        shared = (model.objects.exclude(**{key: ""}).values(key).annotate(n=Count("id")).filter(n__gt=1)
                  .values_list(key, flat=True))
        ids.update(model.objects.filter(**{f"{key}__in": list(shared)}).values_list("id", flat=True))
    return ids


def exact_key_duplicates_created_by(user, start: dt.date, end: dt.date) -> int:
    """Customers `user` created in [start, end] that repeat a key of an older live customer."""
    created = Customer.objects.filter(created_by=user, created_at__date__gte=start, created_at__date__lte=end)
    count = 0
    for customer in created.only("id", "phone", "email", "credit_code", "created_at"):
        keys = Q(pk__in=[])
        for key in KEYS["customer"]:
            if getattr(customer, key):
                keys |= Q(**{key: getattr(customer, key)})
        if Customer.objects.filter(keys, created_at__lt=customer.created_at).exclude(pk=customer.pk).exists():
            count += 1
    return count


def matcher_duplicates_created_by(user, start: dt.date, end: dt.date) -> int:
    """The dedup matcher's count for the scorecard's inclusive date range [start, end]."""
    from veracity.dedup.selectors import duplicates_created_by as created_by

    tz = timezone.get_current_timezone()
    return created_by(user, dt.datetime.combine(start, dt.time(), tzinfo=tz),
                      dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


duplicate_ids: Callable[[str], set[int]] = exact_key_duplicate_ids
duplicates_created_by: Callable[..., int] = exact_key_duplicates_created_by


def duplicate_metrics_register(*, ids: Callable[[str], set[int]] | None = None,
                               created_by: Callable[..., int] | None = None) -> None:
    """Let the dedup matcher replace the exact-key defaults (e.g. dedup.selectors.duplicates_created_by)."""
    global duplicate_ids, duplicates_created_by
    if ids is not None:
        duplicate_ids = ids
    if created_by is not None:
        duplicates_created_by = created_by
