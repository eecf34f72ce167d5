"""Processes starting together on a fresh install must agree on one secret and one keyring."""

import multiprocessing
from pathlib import Path

from akrites.core.crypto import Keyring, load_keyring, reset_cache
from akrites.core.env import create_exclusive, generated_secret


def _secret(path: str, queue) -> None:
    queue.put(generated_secret(Path(path)))


def _keyring(path: str, queue) -> None:
    reset_cache()
    queue.put(load_keyring(env_value=None, path=Path(path)).to_json())


def _race(target, path, n=8):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(str(path), queue)) for _ in range(n)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


def test_racing_processes_share_one_generated_secret(tmp_path):
    results = _race(_secret, tmp_path / "secret_key")
    assert len(set(results)) == 1 and len(results[0]) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left


def test_racing_processes_share_one_keyring(tmp_path):
    results = _race(_keyring, tmp_path / "keys.json")
    assert len(set(results)) == 1
    assert Keyring.from_json(results[0]).active


def test_create_exclusive_never_overwrites(tmp_path):
    path = tmp_path / "f"
    assert create_exclusive(path, "first") is True
    assert create_exclusive(path, "second") is False
    assert path.read_text() == "first"
