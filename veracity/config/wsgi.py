import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veracity.config.settings")

from veracity.core.wsgi import wsgi_application  # noqa: E402 - after the settings module is named

application = wsgi_application()
