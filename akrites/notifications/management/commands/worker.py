"""``akrites worker``: run tasks (django-tasks-db) with crash recovery and the scheduler.

Takes every option of ``db_worker`` (``--batch``, ``--interval``, ``--queue-name``,
``--max-tasks``, ``--worker-id`` …) plus ``--no-scheduler`` for workers that should only run
tasks. Running several workers, each with its scheduler, is safe (see ``notifications.worker``).
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from akrites.notifications.worker import AkritesWorker


class Command(DbWorkerCommand):
    help = "Run the task worker with crash recovery and the periodic-job scheduler"
    # System checks import the URL conf (every API router and its dependencies): seconds of
    # start-up a worker does not need; `akrites serve` and `manage check` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Only run tasks; do not enqueue periodic jobs.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queues = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queues:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = AkritesWorker(
            scheduler=options["scheduler"],
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
            return
        worker.configure_signals()
        worker.run()
