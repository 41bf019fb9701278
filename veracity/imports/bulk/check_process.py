"""The entry points of an import's check worker (bulk.workers). A spawned worker unpickles these before
Django is set up, so this module imports nothing of Django or Veracity at the top."""

from __future__ import annotations

# The cache of cleaned values, kept for the whole import like BulkState.cache.
_cache: dict = {}


def worker_start(rules: dict, language: str | None) -> None:
    import django

    django.setup()
    from django.utils import translation

    from veracity.standards.validation import rule_sets_pin

    rule_sets_pin(rules)
    if language:
        translation.activate(language)


def worker_check(frame, codes: list[str]):
    from veracity.imports.bulk.workers import batch_check

    return batch_check(frame, codes, _cache)
