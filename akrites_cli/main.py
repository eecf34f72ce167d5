"""The ``akrites`` command.

Operator commands (serve, migrate, demo, worker, createuser, audit, docs, manage) run on the
host and wrap Django management commands. Client commands (``submit`` …) talk to /api/v1/
like any other client.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

OPERATOR_COMMANDS = {
    "migrate": ["migrate", "--no-input"],
    "demo": ["demo"],
    "worker": ["worker"],
    "mail-sink": ["mail_sink"],
    "mail": ["mail"],
    "createuser": ["createuser"],
    "audit": ["audit"],
    "keys": ["keys"],
    "import-projects": ["import_projects"],
    "backup": ["backup"],
    "restore": ["restore"],
    "import-osv": ["import_osv"],
    "dedup-reindex": ["dedup_reindex"],
    "eval": ["eval"],
}


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["akrites", *argv])
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Run the production WSGI server (gunicorn); migrate first so a fresh install works."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akrites.settings")
    if not args.no_migrate:
        _django(["migrate", "--no-input", "-v", "0"])
        _django(["collectstatic", "--no-input", "-v", "0"])
    argv = [
        sys.executable, "-m", "gunicorn", "akrites.wsgi:application",
        "--bind", args.bind, "--workers", str(args.workers), "--threads", str(args.threads),
        "--preload",
        "--access-logfile", "-", "--graceful-timeout", "10", "--timeout", "60",
    ]  # fmt: skip
    if args.with_worker or args.with_mail_sink:
        from akrites_cli.supervise import mail_sink_argv, run_together, worker_argv

        others = ([worker_argv()] if args.with_worker else []) + (
            [mail_sink_argv()] if args.with_mail_sink else []
        )
        return run_together([argv, *others])
    os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell
    return 0  # pragma: no cover - execv does not return


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="akrites", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--bind", default=os.environ.get("AKRITES_BIND", "127.0.0.1:8000"))
    serve.add_argument(
        "--workers", type=int, default=int(os.environ.get("AKRITES_WEB_WORKERS", "2"))
    )
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument("--no-migrate", action="store_true")
    serve.add_argument("--with-worker", action="store_true", help="also run one task worker")
    serve.add_argument(
        "--with-mail-sink",
        action="store_true",
        help="also run the demo's SMTP sink on AKRITES_EMAIL_HOST:PORT (loopback only)",
    )
    for name in OPERATOR_COMMANDS:
        sub.add_parser(name, help=f"operator: {name}", add_help=False)
    sub.add_parser(
        "docs", help="operator: regenerate docs generated from transition tables", add_help=False
    )
    sub.add_parser("manage", help="operator: any Django management command", add_help=False)
    sub.add_parser("submit", help="client: submit report files to /api/v1/", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in OPERATOR_COMMANDS:
        return _django([*OPERATOR_COMMANDS[argv[0]], *argv[1:]])
    if argv and argv[0] == "docs":
        # ``akrites docs [NAME] [--check]``: documents generated from transition tables.
        return _django(["state_doc", *argv[1:]])
    if argv and argv[0] == "manage":
        return _django(argv[1:])
    if argv and argv[0] == "submit":
        from akrites_cli.submit import run

        return run(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
