from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "akrites.orgs"
    label = "orgs"

    def ready(self) -> None:
        from akrites.access import facts
        from akrites.orgs.selectors import membership_roles

        # The policy (below us) asks who holds which role in which organisation.
        facts.membership_roles.provide(membership_roles)
