"""Districts get aliases: the other names real files write a division by (decision 0006). The rows
get theirs from the city fixture, which the deployment loads after migrating."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_district_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="district",
            name="aliases",
            field=models.JSONField(blank=True, default=list, verbose_name="别名"),
        ),
    ]
