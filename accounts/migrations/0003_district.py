"""District moves from elevators to accounts, its rows untouched (step 1 of 3).

An organisation is located in a district and a district regulator's jurisdiction is one, so the
division belongs with the organisations; elevators points at it from above. Here accounts takes the
model over in the migration state only, on the table that already holds the rows, and points
Organisation.district at it; elevators 0004 lets go of it and accounts 0004 renames the table.
The content type is renamed in place so that permissions and audit entries stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models


def content_type_move(app_from: str, app_to: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        if not types.filter(app_label=app_to, model="district").exists():
            types.filter(app_label=app_from, model="district").update(app_label=app_to)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("elevators", "0003_code_form_derived"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="District",
                    fields=[
                        (
                            "code",
                            models.CharField(
                                max_length=6, primary_key=True, serialize=False, verbose_name="区划代码"
                            ),
                        ),
                        ("name", models.CharField(max_length=50, unique=True, verbose_name="名称")),
                        ("short_name", models.CharField(blank=True, max_length=20, verbose_name="简称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("district", "市辖区"),
                                    ("county", "县"),
                                    ("county_city", "县级市"),
                                    ("zone", "开发区"),
                                ],
                                max_length=16,
                                verbose_name="类型",
                            ),
                        ),
                        ("city_code", models.CharField(max_length=6, verbose_name="所属城市代码")),
                        ("city_name", models.CharField(max_length=20, verbose_name="所属城市")),
                        ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                    ],
                    options={
                        "verbose_name": "区县",
                        "verbose_name_plural": "区县",
                        "ordering": ["sort_order", "code"],
                        "db_table": "elevators_district",
                    },
                ),
                migrations.AlterField(
                    model_name="organisation",
                    name="district",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="organisations",
                        to="accounts.district",
                        verbose_name="所在区县",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            content_type_move("elevators", "accounts"), content_type_move("accounts", "elevators")
        ),
    ]
