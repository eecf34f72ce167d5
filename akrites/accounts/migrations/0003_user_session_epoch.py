from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_kind_user_owner_org_apitoken")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_epoch",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
