import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
application = get_wsgi_application()

# Load what every worker needs before gunicorn forks (with --preload): the CWE catalogue takes
# over a second to import and would otherwise stall each worker's first report.
from akrites.intake.parsers.common import preload  # noqa: E402

preload()

# Import every view and API router too (the URL conf pulls in jsonschema's format checkers,
# several seconds of grammar compilation), so no worker's first request pays for it.
from django.urls import get_resolver  # noqa: E402

_url_patterns = get_resolver().url_patterns
