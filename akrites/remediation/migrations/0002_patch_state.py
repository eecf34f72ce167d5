# The patch proposal's state becomes one field driven by a transition table
# (remediation.lifecycle): ``canonical`` (a flag) is replaced by ``state``, and the one-canonical-
# fix-per-case index follows it.

from django.db import migrations, models


def flag_to_state(apps, schema_editor):
    PatchProposal = apps.get_model("remediation", "PatchProposal")
    PatchProposal.objects.filter(canonical=True).update(state="canonical")


def state_to_flag(apps, schema_editor):
    PatchProposal = apps.get_model("remediation", "PatchProposal")
    PatchProposal.objects.filter(state="canonical").update(canonical=True)


class Migration(migrations.Migration):
    dependencies = [
        ("remediation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="patchproposal",
            name="state",
            field=models.CharField(
                choices=[("proposed", "Proposed"), ("canonical", "Canonical fix")],
                default="proposed",
                max_length=12,
            ),
        ),
        migrations.RunPython(flag_to_state, state_to_flag),
        migrations.RemoveConstraint(
            model_name="patchproposal",
            name="patch_one_canonical_per_case",
        ),
        migrations.RemoveField(
            model_name="patchproposal",
            name="canonical",
        ),
        migrations.AddConstraint(
            model_name="patchproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "canonical")),
                fields=("case",),
                name="patch_one_canonical_per_case",
            ),
        ),
    ]
