"""Print, as JSON, the ids of the security warnings that Django's own
check --deploy reports for the settings module named by
DJANGO_SETTINGS_MODULE (PYTHONPATH points at the fixture scenario)."""
import json

import django
from django.core.checks import Tags, run_checks

django.setup()
print(json.dumps(sorted({m.id for m in run_checks(include_deployment_checks=True, tags=[Tags.security])})))
