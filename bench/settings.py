"""Benchmark-only settings: the real settings plus a URLconf that adds the bare reference view.
Never used by the product; `bench/run.py` points DJANGO_SETTINGS_MODULE here for its server."""

from veracity.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.reference_urls"
