import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
application = get_wsgi_application()

# Load what every worker needs before gunicorn forks (with --preload): the CWE catalogue takes
# over a second to import and would otherwise stall each worker's first report.
from akrites.intake.parsers.common import preload  # noqa: E402

preload()
