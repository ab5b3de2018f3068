"""WSGI entry point (gunicorn ucmsc_crf.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ucmsc_crf.settings")

application = get_wsgi_application()
