"""The import as a task of Django's tasks framework (``django-tasks``), queued in the database.

The task takes only the job's id; everything it needs is in the job row. ``parlons serve`` runs
the database worker (``db_worker``) beside the web server; see ``docs/architecture.md``.
"""

from __future__ import annotations

from django_tasks import task

from .services import run_job


@task()
def import_exports(job_id: int) -> str:
    return run_job(job_id)
