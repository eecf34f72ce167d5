from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "akrites.intake"
    label = "intake"

    def ready(self) -> None:
        from akrites.access import facts as policy_facts
        from akrites.cases.parties import add_visibility
        from akrites.intake.parties import reported, reporter_roles

        # Reporters are parties to their reports' cases (the policy and cases are below us).
        policy_facts.add_case_roles(reporter_roles)
        add_visibility(reported)

        from akrites.cases.triage import reports
        from akrites.intake import facts

        # Triage (in cases, below us) credits outcomes to senders and counts their reports.
        reports.sent_reports.provide(facts.sent_reports)
        reports.sender_report_count.provide(facts.sender_report_count)
