"""District moves from elevators to accounts (step 3 of 3, see accounts 0003): once no model state
names elevators.District any more, its table takes the accounts name. Foreign keys follow a renamed
table on PostgreSQL and on SQLite (3.26+), so no row is copied."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_district"),
        ("elevators", "0004_district_moves_to_accounts"),
    ]

    operations = [
        migrations.AlterModelTable(name="district", table=None),
    ]
