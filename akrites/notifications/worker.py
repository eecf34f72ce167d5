"""``akrites worker``: django-tasks-db's worker, plus leases for crashed workers and a scheduler.

What django-tasks-db 0.13 gives: a worker claims the next ready task inside a transaction with
``SELECT … FOR UPDATE SKIP LOCKED`` and marks it RUNNING before committing. On PostgreSQL two
workers therefore never claim the same task (the second skips the locked row, or re-checks
``status`` after the first commits and finds it RUNNING); on SQLite the claim runs in an
EXCLUSIVE transaction, one writer at a time.

What it lacks, added here:

* **Recovery.** A task whose worker is killed stays RUNNING forever. Every worker writes a
  heartbeat row; a supervisor thread in each worker puts a RUNNING task back to READY when the
  worker that claimed it has not beaten for ``AKRITES_WORKER_LEASE_SECONDS``. The reset is a
  conditional UPDATE on (id, RUNNING, started_at), so two supervisors cannot both re-queue it,
  and a task lost ``MAX_LOST`` times is marked FAILED instead of looping. Tasks must be
  idempotent (ours claim their own rows), since a re-queued task runs again from the start.
* **The scheduler.** ``akrites.core.periodic`` jobs are due per ``PeriodicJobState`` row; a run
  is claimed by ``UPDATE … SET next_run_at = now + every WHERE name = … AND next_run_at <= now``
  and enqueued in the same transaction, so several schedulers never double-enqueue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from akrites.core import periodic
from akrites.core.clock import now
from akrites.notifications.models import PeriodicJobState, WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_LOST = 5


def beat(worker_id: str) -> None:
    """Record that ``worker_id`` is alive (real time: task timestamps are real time too)."""
    t = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=t)
    if not updated:
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            pid=os.getpid(),
            hostname=socket.gethostname()[:200],
            started_at=t,
            seen_at=t,
        )


def recover_orphans(*, lease: timedelta) -> list[str]:
    """Re-queue RUNNING tasks whose worker stopped beating; return their ids."""
    cutoff = timezone.now() - lease
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued: list[str] = []
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for row in running.values("id", "worker_ids", "started_at"):
        owners: list[str] = row["worker_ids"] or []
        if (owners and owners[-1] in alive) or (row["started_at"] or cutoff) > cutoff:
            continue
        same = DBTaskResult.objects.filter(
            id=row["id"], status=TaskResultStatus.RUNNING, started_at=row["started_at"]
        )
        if len(owners) >= MAX_LOST:
            same.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="akrites.notifications.worker.WorkerLost",
                traceback=f"the task's worker died {len(owners)} times",
            )
            logger.error("task %s failed: its worker died %d times", row["id"], len(owners))
        elif same.update(status=TaskResultStatus.READY, started_at=None):
            requeued.append(str(row["id"]))
            logger.warning(
                "task %s re-queued: worker %s stopped", row["id"], owners[-1] if owners else "-"
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff - 10 * lease).delete()
    return requeued


def schedule_due() -> list[str]:
    """Enqueue every periodic job that is due; return the names enqueued."""
    t = now()
    jobs = {job.name: job for job in periodic.jobs()}
    known = set(PeriodicJobState.objects.values_list("name", flat=True))
    PeriodicJobState.objects.bulk_create(
        [PeriodicJobState(name=name, next_run_at=t) for name in jobs if name not in known],
        ignore_conflicts=True,
    )
    due = PeriodicJobState.objects.filter(name__in=jobs, next_run_at__lte=t)
    enqueued: list[str] = []
    for name in due.values_list("name", flat=True):
        job = jobs[name]
        try:
            with transaction.atomic():
                claimed = PeriodicJobState.objects.filter(name=name, next_run_at__lte=t).update(
                    next_run_at=t + job.every, last_enqueued_at=t
                )
                if claimed:
                    import_string(job.task).enqueue()
                    enqueued.append(name)
        except Exception:
            # One broken job (a bad task path) must not stop the others.
            logger.exception("periodic job %s could not be enqueued", name)
    return enqueued


class Supervisor(threading.Thread):
    """Heartbeat, orphan recovery and (optionally) the scheduler, beside the worker loop."""

    def __init__(self, *, worker_id: str, lease: timedelta, scheduler: bool) -> None:
        super().__init__(name="akrites-supervisor", daemon=True)
        self.worker_id = worker_id
        self.lease = lease
        self.scheduler = scheduler
        self.stopping = threading.Event()
        self.tick = min(1.0, lease.total_seconds() / 4)

    def run(self) -> None:
        # Heartbeats and recovery write, so they run a few times per lease rather than every
        # tick (SQLite has one writer); the scheduler only reads until a job is due.
        beat_every = self.lease.total_seconds() / 4
        last_beat = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() - last_beat >= beat_every:
                    beat(self.worker_id)
                    recover_orphans(lease=self.lease)
                    last_beat = time.monotonic()
                if self.scheduler:
                    schedule_due()
            except Exception:
                logger.exception("worker supervisor tick failed")
                connection.close()
            self.stopping.wait(self.tick)
        connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


class AkritesWorker(Worker):
    def __init__(self, *, scheduler: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scheduler = scheduler

    def run(self) -> None:
        lease = timedelta(seconds=settings.AKRITES_WORKER_LEASE_SECONDS)
        # Register before the first claim, so a task is never held by an unknown worker.
        beat(self.worker_id)
        supervisor = Supervisor(worker_id=self.worker_id, lease=lease, scheduler=self.scheduler)
        supervisor.start()
        try:
            super().run()
        finally:
            supervisor.stop()
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            # A second signal: stop at once, like a crash. The running task stays RUNNING and
            # another worker re-queues it after the lease, instead of django-tasks-db's
            # default of recording it as FAILED (which would lose it).
            logger.warning("forced stop of worker %s", self.worker_id)
            os._exit(1)
        super().shutdown(signum, frame)
