from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "akrites.dedup"
    label = "dedup"
    verbose_name = "Duplicate detection"

    def ready(self) -> None:
        from akrites.dedup.services.intake import intake_decide, intake_index
        from akrites.intake import hooks

        # Intake (below us) asks whether each report is new, and has what it stored indexed.
        hooks.dedup_decide.provide(intake_decide)
        hooks.dedup_index.provide(intake_index)
