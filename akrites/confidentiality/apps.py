from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    name = "akrites.confidentiality"
    # The label of the tables and migrations, from before the policy moved to akrites.access.
    label = "access"
    verbose_name = "Confidentiality"

    def ready(self) -> None:
        from akrites.access import facts
        from akrites.cases.parties import add_visibility
        from akrites.confidentiality.parties import grant_roles, granted
        from akrites.confidentiality.services.consent import consent_in_force

        # Observers and downstreams are parties while their grant is in force.
        facts.add_case_roles(grant_roles)
        add_visibility(granted)
        facts.prenotify_consented.provide(consent_in_force)
