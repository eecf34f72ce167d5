"""Anchoring the audit chain to signed checkpoints: the attacks that the chain alone misses
(cutting the tail, replacing the table with a valid chain, reordering and re-hashing), each
performed as an attacker holding the database would, then `akrites audit verify`."""

import base64
import io
import json
import logging
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from akrites.audit.anchoring import ChainDoesNotExtend
from akrites.audit.checkpoints import Checkpoint, line_hash
from akrites.audit.models import AuditEntry
from akrites.audit.services import audit_append
from akrites.audit.tests.attack import replace_table, triggers_lifted
from akrites.core.actors import SystemActor
from akrites.core.signing import key_id

ACTOR = SystemActor("test")


@pytest.fixture(autouse=True)
def _var(settings, tmp_path, monkeypatch):
    # The checkpoint file and the platform key live under VAR_DIR: one per test.
    monkeypatch.delenv("AKRITES_SIGNING_KEY", raising=False)
    monkeypatch.delenv("AKRITES_SIGNING_KEY_FILE", raising=False)
    settings.VAR_DIR = tmp_path
    return tmp_path


def _append(n, start=0):
    for i in range(start, start + n):
        with transaction.atomic():
            audit_append(actor=ACTOR, action="test.event", object_type="thing", object_id=str(i))


def audit(*args):
    """Run ``akrites audit …``; return (exit code, stdout, stderr or the error message)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def _checkpoint_file(var):
    return var / "audit-checkpoints.jsonl"


def _run_checkpoint_job():
    from akrites.audit.tasks import checkpoint

    return checkpoint.call()


def test_cutting_the_newest_40_entries_is_detected(db, _var):
    _append(100)
    assert _run_checkpoint_job() == 100
    with triggers_lifted():
        AuditEntry.objects.filter(seq__gt=60).delete()
    code, _, message = audit("verify")
    assert code == 1
    assert "seq 61" in message and "ends at seq 60" in message
    assert "checkpoint seq 100" in message


def test_replacing_the_table_with_a_shorter_valid_chain_is_detected(db, _var):
    _append(60)
    assert audit("checkpoint")[0] == 0
    replace_table(list(AuditEntry.objects.order_by("seq")[:20]))
    code, _, message = audit("verify")
    assert code == 1
    assert "ends at seq 20, before checkpoint seq 60" in message


def test_replacing_the_table_with_a_rewritten_chain_of_the_same_length_is_detected(db, _var):
    _append(60)
    audit("checkpoint")
    entries = list(AuditEntry.objects.order_by("seq"))
    entries[10].action = "innocent"
    replace_table(entries)
    code, _, message = audit("verify")
    assert code == 1
    assert "seq 60" in message and "does not match the checkpoint" in message


def test_reordering_entries_and_recomputing_the_hashes_is_detected(db, _var):
    _append(50)
    audit("checkpoint")
    entries = list(AuditEntry.objects.order_by("seq"))
    entries[45], entries[48] = entries[48], entries[45]
    replace_table(entries)
    code, _, message = audit("verify")
    assert code == 1
    assert "does not match the checkpoint" in message


def test_an_intact_chain_verifies_against_its_checkpoint(db, _var):
    _append(30)
    audit("checkpoint")
    _append(5, start=30)  # entries after the newest checkpoint are fine
    code, out, _ = audit("verify")
    assert code == 0
    assert "35 entries verified" in out and "checkpoint seq 30" in out


def test_an_edited_middle_entry_is_still_detected(db, _var):
    _append(30)
    audit("checkpoint")
    with triggers_lifted():
        AuditEntry.objects.filter(seq=12).update(action="innocent")
    code, _, message = audit("verify")
    assert code == 1 and "seq 12" in message and "entry content changed" in message


def _forged_line(prev_line, *, seq, head):
    """A checkpoint line as an attacker without the platform key would write it: well
    formed, chained to the previous line, signed with the attacker's own key."""
    attacker = Ed25519PrivateKey.generate()
    pem = attacker.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = Checkpoint(
        seq=seq,
        head=head,
        at="2030-01-01T00:00:00.000000+00:00",
        kind="checkpoint",
        prev=line_hash(prev_line),
        key=key_id(pem.decode()),
        sig="",
    )
    sig = base64.b64encode(attacker.sign(unsigned.signed_bytes())).decode()
    return unsigned.with_signature(sig).line()


def test_a_forged_checkpoint_line_is_reported(db, _var):
    _append(50)
    audit("checkpoint")
    # Cut the tail, then append a checkpoint that vouches for the cut head.
    with triggers_lifted():
        AuditEntry.objects.filter(seq__gt=20).delete()
    path = _checkpoint_file(_var)
    last = path.read_text().splitlines()[-1]
    head = AuditEntry.objects.get(seq=20).hash
    with path.open("a") as fh:
        fh.write(_forged_line(last, seq=20, head=head) + "\n")
    code, _, message = audit("verify")
    assert code == 1
    assert "checkpoint line 2" in message and "signature" in message


def test_checkpoint_lines_removed_from_the_middle_are_reported(db, _var):
    for i in range(3):
        _append(10, start=10 * i)
        audit("checkpoint")
    path = _checkpoint_file(_var)
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    code, _, message = audit("verify")
    assert code == 1
    assert "checkpoint line 2" in message and "does not chain" in message


def test_a_witness_checkpoint_catches_a_cut_even_when_the_local_file_is_gone(db, _var, tmp_path):
    _append(40)
    code, out, _ = audit("checkpoint")
    assert code == 0
    signed = json.loads(out)
    assert (signed["seq"], signed["kind"]) == (40, "checkpoint")
    witness = tmp_path / "witness.json"
    witness.write_text(json.dumps(signed, indent=2))  # a witness may keep it pretty-printed
    assert audit("verify", "--checkpoint", str(witness))[0] == 0

    # The attacker holds the host: cuts the tail and removes the local checkpoint file.
    with triggers_lifted():
        AuditEntry.objects.filter(seq__gt=25).delete()
    _checkpoint_file(_var).unlink()
    code, _, warning = audit("verify")
    assert code == 0 and "not anchored" in warning
    code, _, message = audit("verify", "--checkpoint", str(witness))
    assert code == 1 and "ends at seq 25, before checkpoint seq 40" in message


def test_a_witness_copy_of_the_whole_file_is_verified_line_by_line(db, _var, tmp_path):
    for i in range(3):
        _append(10, start=10 * i)
        audit("checkpoint")
    copy = tmp_path / "copy.jsonl"
    lines = _checkpoint_file(_var).read_text().splitlines()
    # The first line removed: the copy does not start the chain.
    copy.write_text("\n".join(lines[1:]) + "\n")
    code, _, message = audit("verify", "--checkpoint", str(copy))
    assert code == 1 and "checkpoint line 1" in message
    copy.write_text("\n".join(lines) + "\n")
    assert audit("verify", "--checkpoint", str(copy))[0] == 0


def test_the_checkpoint_job_writes_only_when_the_head_moved(db, _var):
    assert _run_checkpoint_job() is None  # nothing to anchor yet
    _append(3)
    assert _run_checkpoint_job() == 3
    assert _run_checkpoint_job() is None
    _append(2, start=3)
    assert _run_checkpoint_job() == 5
    lines = _checkpoint_file(_var).read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [3, 5]


def test_the_checkpoint_job_refuses_to_anchor_a_cut_chain(db, _var):
    # Otherwise the attacker would only have to wait for the next checkpoint.
    _append(30)
    _run_checkpoint_job()
    with triggers_lifted():
        AuditEntry.objects.filter(seq__gt=10).delete()
    _append(25, start=100)  # the chain grows again, past the checkpoint's seq
    with pytest.raises(ChainDoesNotExtend, match="checkpoint seq 30"):
        _run_checkpoint_job()
    assert len(_checkpoint_file(_var).read_text().splitlines()) == 1
    assert audit("checkpoint")[0] == 1


def test_each_checkpoint_is_logged_with_identifiers_only(db, _var, caplog):
    _append(4)
    with caplog.at_level(logging.INFO, logger="akrites.audit"):
        _, out, _ = audit("checkpoint")
    signed = json.loads(out)
    [record] = [r for r in caplog.records if r.name == "akrites.audit"]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    for value in (str(signed["seq"]), signed["head"], signed["sig"]):
        assert value in message
    assert "test.event" not in message  # identifiers only, no entry content


def test_the_checkpoint_file_is_private_and_its_lines_chain(db, _var):
    _append(2)
    audit("checkpoint")
    _append(2, start=2)
    audit("checkpoint")
    path = _checkpoint_file(_var)
    assert path.stat().st_mode & 0o777 == 0o600
    first, second = path.read_text().splitlines()
    assert json.loads(first)["prev"] == "0" * 64
    assert json.loads(second)["prev"] == line_hash(first)


def test_a_restore_to_an_older_backup_is_recorded_then_verifies(db, _var):
    _append(20)
    audit("checkpoint")
    _append(20, start=20)
    audit("checkpoint")
    # What restoring the backup taken at seq 20 does to the table.
    with triggers_lifted():
        AuditEntry.objects.filter(seq__gt=20).delete()
    code, _, message = audit("verify")
    assert code == 1 and "--after-restore" in message
    code, out, _ = audit("checkpoint", "--after-restore")
    assert code == 0
    restore = json.loads(out)
    assert (restore["kind"], restore["seq"], restore["superseded_seq"]) == ("restore", 20, 40)
    assert audit("verify")[0] == 0
    _append(5, start=40)
    assert _run_checkpoint_job() == 25
    assert audit("verify")[0] == 0


def test_after_restore_refuses_a_chain_that_is_not_an_earlier_state(db, _var):
    _append(20)
    audit("checkpoint")
    _append(20, start=20)
    audit("checkpoint")
    # A log of 30 entries that differs from the checkpointed one at seq 4: checkpoint seq 20
    # (at or below its head) tells it apart from an earlier state of this log.
    entries = list(AuditEntry.objects.order_by("seq")[:30])
    entries[3].action = "innocent"
    replace_table(entries)
    code, _, message = audit("checkpoint", "--after-restore")
    assert code == 1 and "checkpoint seq" in message
    assert len(_checkpoint_file(_var).read_text().splitlines()) == 2


@pytest.mark.django_db(transaction=True)
def test_a_real_backup_and_restore_keeps_the_anchor_working(_var, tmp_path):
    from akrites.core.backup import backup_create, backup_restore

    _append(10)
    audit("checkpoint")
    backup = backup_create(directory=tmp_path / "backups")
    _append(10, start=10)
    audit("checkpoint")
    backup_restore(path=backup.path)
    assert AuditEntry.objects.count() == 10
    assert audit("verify")[0] == 1
    assert audit("checkpoint", "--after-restore")[0] == 0
    assert audit("verify")[0] == 0


def test_the_checkpoint_job_is_registered():
    from akrites.core.periodic import jobs

    job = {j.name: j for j in jobs()}["audit.checkpoint"]
    assert job.task == "akrites.audit.tasks.checkpoint"
    assert job.every == timedelta(minutes=5)
