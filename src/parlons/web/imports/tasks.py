"""Imports and collections as tasks of Django's tasks framework (``django-tasks``), queued in the database.

Each task takes only the job's (or the run's) id; everything it needs is in its row. ``parlons serve``
runs the database worker (``db_worker``) beside the web server; see ``docs/architecture.md``.
"""

from __future__ import annotations

from django_tasks import task

from .collect import run_collect
from .services import run_job


@task()
def import_exports(job_id: int) -> str:
    return run_job(job_id)


@task()
def collect_posts(run_id: int) -> str:
    return run_collect(run_id)
