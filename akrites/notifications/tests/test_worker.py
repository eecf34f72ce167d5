"""The worker: orphan recovery, the scheduler, and real worker processes (kill, concurrency)."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from akrites.core import clock, periodic
from akrites.notifications.models import PeriodicJobState, WorkerHeartbeat
from akrites.notifications.tests.conftest import wait_for
from akrites.notifications.tests.probe_tasks import probe
from akrites.notifications.worker import MAX_LOST, beat, recover_orphans, schedule_due

# How long a worker process may take to start and work through its jobs. Generous: a
# busy machine (a CI runner, or two suites at once) starts Python and Django slowly; these
# are liveness waits, not performance assertions (make bench measures the worker).
START = 90

LEASE = timedelta(seconds=2)


def _running(worker_ids, started_ago):
    result = probe.enqueue(directory="/nonexistent", name="x")
    started = timezone.now() - started_ago
    DBTaskResult.objects.filter(id=result.id).update(
        status="RUNNING", worker_ids=worker_ids, started_at=started
    )
    return result.id


@pytest.mark.django_db
def test_task_of_a_dead_worker_is_requeued():
    task_id = _running(["dead"], timedelta(seconds=10))
    assert recover_orphans(lease=LEASE) == [str(task_id)]
    row = DBTaskResult.objects.get(id=task_id)
    assert (row.status, row.started_at) == ("READY", None)
    assert recover_orphans(lease=LEASE) == []


@pytest.mark.django_db
def test_task_of_a_live_worker_is_left_alone():
    beat("alive")
    task_id = _running(["alive"], timedelta(seconds=10))
    assert recover_orphans(lease=LEASE) == []
    assert DBTaskResult.objects.get(id=task_id).status == "RUNNING"


@pytest.mark.django_db
def test_a_task_that_keeps_killing_its_worker_fails_instead_of_looping():
    task_id = _running([f"w{i}" for i in range(MAX_LOST)], timedelta(seconds=10))
    assert recover_orphans(lease=LEASE) == []
    assert DBTaskResult.objects.get(id=task_id).status == "FAILED"


@pytest.mark.django_db
def test_scheduler_enqueues_each_due_job_once(monkeypatch):
    monkeypatch.setattr(periodic, "_REGISTRY", {})
    periodic.register(
        "test.probe",
        every=timedelta(minutes=5),
        task="akrites.notifications.tasks.sweep",
    )
    assert schedule_due() == ["test.probe"]
    # A second scheduler at the same moment finds the run claimed.
    assert schedule_due() == []
    clock.advance(timedelta(minutes=4))
    assert schedule_due() == []
    clock.advance(timedelta(minutes=2))
    assert schedule_due() == ["test.probe"]
    state = PeriodicJobState.objects.get(name="test.probe")
    assert state.next_run_at == state.last_enqueued_at + timedelta(minutes=5)


@pytest.mark.django_db
def test_a_broken_job_does_not_stop_the_others(monkeypatch):
    monkeypatch.setattr(periodic, "_REGISTRY", {})
    periodic.register("a.broken", every=timedelta(minutes=1), task="no.such.task")
    periodic.register(
        "b.fine", every=timedelta(minutes=1), task="akrites.notifications.tasks.sweep"
    )
    assert schedule_due() == ["b.fine"]


# --- real worker processes ------------------------------------------------------------------


def _database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(tmp_path, tag, *extra):
    env = {
        **os.environ,
        "AKRITES_DATABASE_URL": _database_url(),
        "AKRITES_WORKER_LEASE_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / f"worker-{tag}.log").open("w")
    argv = [sys.executable, "-m", "akrites_cli.main", "worker", "--no-reload", "--interval", "0.1"]
    argv += ["--no-startup-delay", "--no-scheduler", *extra]
    return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _lines(path):
    return path.read_text().split() if path.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_task_interrupted_by_a_killed_worker_completes_once_after_restart(tmp_path):
    result = probe.enqueue(directory=str(tmp_path), name="job", block_first_run=True)
    first = _start_worker(tmp_path, "first")
    try:
        wait_for(lambda: (tmp_path / "job.started").exists(), START, "the task to start")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
    finally:
        _stop(first)
    assert DBTaskResult.objects.get(id=result.id).status == "RUNNING"  # orphaned
    second = _start_worker(tmp_path, "second")
    try:
        wait_for(
            lambda: DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL",
            START,
            "the task to complete after restart",
        )
    finally:
        _stop(second)
    assert _lines(tmp_path / "completions.log") == ["job"]
    runs = (tmp_path / "runs.log").read_text().splitlines()
    assert len(runs) == 2 and runs[0] != runs[1]  # two processes, one completion
    assert len(DBTaskResult.objects.get(id=result.id).worker_ids) == 2
    assert not WorkerHeartbeat.objects.filter(pid=second.pid).exists()  # retired on exit


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_task(tmp_path):
    workers = [_start_worker(tmp_path, f"w{i}") for i in range(2)]
    try:
        for i in range(2):
            log = tmp_path / f"worker-w{i}.log"
            wait_for(
                lambda log=log: "Starting worker" in log.read_text(), START, "workers to start"
            )
        ids = [
            probe.enqueue(directory=str(tmp_path), name=f"t{i}", seconds=0.05).id for i in range(40)
        ]
        wait_for(
            lambda: DBTaskResult.objects.filter(id__in=ids, status="SUCCESSFUL").count() == 40,
            START,
            "all tasks to finish",
        )
    finally:
        for w in workers:
            _stop(w)
    runs = [line.split() for line in (tmp_path / "runs.log").read_text().splitlines()]
    assert sorted(name for name, _ in runs) == sorted(f"t{i}" for i in range(40))  # once each
    assert {pid for _, pid in runs} == {str(w.pid) for w in workers}  # both took part
