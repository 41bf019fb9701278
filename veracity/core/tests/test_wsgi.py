"""The WSGI application: it serves, and what was alive at start-up is left out of garbage collections."""

import gc

from django.test import Client

from veracity.core.wsgi import wsgi_application


def test_wsgi_application_serves_with_start_up_objects_frozen(db):
    try:
        application = wsgi_application()
        assert gc.get_freeze_count() > 1000   # Django, the URLconf and the libraries
        environ = Client()._base_environ(PATH_INFO="/login/", REQUEST_METHOD="GET")
        statuses = []
        body = b"".join(application(environ, lambda status, headers: statuses.append(status)))
        assert statuses == ["200 OK"] and b"<form" in body
    finally:
        gc.unfreeze()
