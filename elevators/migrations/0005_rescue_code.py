"""Every elevator gets its 6-digit rescue code (电梯识别码): the column, then a random free code for
each existing row (elevators.rescue_codes, the drawing new elevators get through the services)."""

import django.core.validators
from django.db import migrations, models

from elevators.rescue_codes import rescue_codes_draw

BATCH = 5000


def assign_rescue_codes(apps, schema_editor):
    Elevator = apps.get_model("elevators", "Elevator")
    while batch := list(Elevator.objects.filter(rescue_code=None).order_by("pk")[:BATCH]):
        codes = rescue_codes_draw(count=len(batch), queryset=Elevator.objects.all())
        for elevator, code in zip(batch, codes, strict=True):
            elevator.rescue_code = code
        Elevator.objects.bulk_update(batch, ["rescue_code"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("elevators", "0004_district_moves_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="elevator",
            name="rescue_code",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=6,
                null=True,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator("^[1-9][0-9]{5}\\Z", "电梯识别码为6位数字，首位不为0。")
                ],
                verbose_name="电梯识别码",
            ),
        ),
        migrations.RunPython(assign_rescue_codes, migrations.RunPython.noop, elidable=True),
    ]
