"""``python -m parlons.web COMMAND``: Django's manage.py for the workspace (migrate, db_worker, check...)."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parlons.web.settings.local")
execute_from_command_line([sys.argv[0], *sys.argv[1:]])
