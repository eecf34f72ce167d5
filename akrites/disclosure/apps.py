from datetime import timedelta

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "akrites.disclosure"
    label = "disclosure"

    def ready(self) -> None:
        from akrites.cases.triage import assessed
        from akrites.core.periodic import register
        from akrites.disclosure.services import (
            advisory_credit_finders,
            advisory_take_assessment,
            advisory_uncredit_finders,
        )
        from akrites.intake import hooks

        # Finders whose reports join a case (intake, dedup: below us) are offered credit in
        # its draft and lose it when split out; the SIRT's assessment (cases.triage) goes in.
        hooks.finders_joined.provide(advisory_credit_finders)
        hooks.finders_left.provide(advisory_uncredit_finders)
        assessed.severity_assessed.provide(advisory_take_assessment)

        # Publication is due at an instant; a minute of lag is the promise we make.
        register(
            "disclosure.publish_due",
            every=timedelta(minutes=1),
            task="akrites.disclosure.tasks.publish_due",
        )
