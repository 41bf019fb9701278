"""A bulk import runs with fewer garbage-collector passes and leaves the process's thresholds as it found them."""

import gc

import pytest

from veracity.imports.bulk import gc_passes, runner
from veracity.imports.tests.helpers import csv_bytes, run_now, upload
from veracity.imports.tests.test_bulk import GOOD, HEADER, usd_rate  # noqa: F401 - a fixture (usefixtures)
from veracity.sales.models import Order


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_thresholds_are_raised_inside_and_restored_after_the_block_even_when_it_fails(default_thresholds):
    with pytest.raises(RuntimeError), gc_passes.fewer_gc_passes():
        assert gc.get_threshold() == gc_passes.BULK_GC_THRESHOLDS
        raise RuntimeError("the load failed")
    assert gc.get_threshold() == default_thresholds


def test_nested_blocks_restore_the_thresholds_only_when_the_outermost_ends(default_thresholds):
    with gc_passes.fewer_gc_passes():
        with gc_passes.fewer_gc_passes():
            pass
        assert gc.get_threshold() == gc_passes.BULK_GC_THRESHOLDS  # the outer import still runs
    assert gc.get_threshold() == default_thresholds


@pytest.mark.usefixtures("usd_rate")
@pytest.mark.django_db
def test_a_bulk_dry_run_and_load_run_with_the_raised_thresholds(admin, settings, monkeypatch, default_thresholds):
    settings.VERACITY_IMPORT_BULK_MIN_BYTES = 0
    seen = []
    apply = runner.batch_apply

    def spying_apply(*args, **kwargs):
        seen.append(gc.get_threshold())
        return apply(*args, **kwargs)

    monkeypatch.setattr(runner, "batch_apply", spying_apply)
    run = run_now(admin, upload(admin, csv_bytes([HEADER, *GOOD]), "orders", batch_size=2))

    assert run.status == "completed" and Order.objects.count() == 3
    assert len(seen) >= 4 and set(seen) == {gc_passes.BULK_GC_THRESHOLDS}  # dry run and load, every batch
    assert gc.get_threshold() == default_thresholds
