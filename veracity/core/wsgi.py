"""The WSGI application every way of serving Veracity uses (`veracity serve`, veracity.config.wsgi for
other servers, the dashboard benchmark)."""

import gc

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver


def wsgi_application():
    """Django's WSGI handler, with the URLconf (every view and API module) imported and then every object
    alive at that point frozen out of the garbage collector's generations.

    Why: a full (generation 2) collection walks every tracked object in the process — Django's app
    registry, URL resolvers, templates, Polars and the other libraries — and a page that builds many
    objects (the products dashboard draws 2,000 rows) set one off every few requests: ~250 ms on top of
    a ~90 ms request at 10M order lines. Objects that live as long as the process never need collecting;
    gc.freeze() leaves them out (and keeps their pages shared after a fork)."""
    application = get_wsgi_application()
    get_resolver().url_patterns   # noqa: B018 - imports every view module now, not on the first request
    gc.collect()
    gc.freeze()
    return application
