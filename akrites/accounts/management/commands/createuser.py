"""``akrites createuser``: create an account, optionally with a role in an organisation."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from akrites.accounts.services import user_create
from akrites.core.actors import SystemActor
from akrites.core.errors import AkritesError
from akrites.orgs.models import Organisation, OrgKind
from akrites.orgs.services import membership_add, org_create


class Command(BaseCommand):
    help = "Create a user. The password is read from stdin (--password-stdin) or prompted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--org", help="organisation slug")
        parser.add_argument("--role", help="role in the organisation")
        parser.add_argument("--staff", action="store_true", help="may open the admin (SIRT)")
        parser.add_argument("--password-stdin", action="store_true")
        parser.add_argument(
            "--create-sirt", action="store_true", help="create the SIRT organisation if missing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = SystemActor("cli")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
        try:
            with transaction.atomic():
                user = user_create(
                    actor=actor,
                    username=options["username"],
                    password=password,
                    email=options["email"],
                    staff=options["staff"],
                )
                if options["org"]:
                    org = Organisation.objects.filter(slug=options["org"]).first()
                    if org is None and options["create_sirt"]:
                        org = org_create(
                            actor=actor, name="Akrites SIRT", kind=OrgKind.SIRT, slug=options["org"]
                        )
                    if org is None:
                        raise CommandError("no such organisation")
                    membership_add(actor=actor, org=org, user=user, role=options["role"] or "")
        except AkritesError as exc:
            field = getattr(exc, "field", "")
            raise CommandError(f"{field + ': ' if field else ''}{exc.message}") from None
        self.stdout.write(f"created user {user.username}")
