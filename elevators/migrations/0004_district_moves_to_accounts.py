"""District moves from elevators to accounts, its rows untouched (step 2 of 3, see accounts 0003):
elevators points Elevator.district at accounts.District and forgets its own model, in the migration
state only (the table and its rows stay as they are)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_district"),
        ("elevators", "0003_code_form_derived"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="elevator",
                    name="district",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="elevators",
                        to="accounts.district",
                        verbose_name="所在区县",
                    ),
                ),
                migrations.DeleteModel(name="District"),
            ],
        ),
    ]
