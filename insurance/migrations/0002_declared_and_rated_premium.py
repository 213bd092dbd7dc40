# Declared and rated premiums side by side, and the premium band (费率浮动区间) of product versions.

from decimal import Decimal

from django.db import migrations, models


def rated_as_declared(apps, schema_editor):
    """Policies registered so far had to match the rating: their rated premium is the declared one."""
    Policy = apps.get_model("insurance", "Policy")
    PolicyElevator = apps.get_model("insurance", "PolicyElevator")
    PolicyElevator.objects.update(rated_premium=models.F("premium"))
    Policy.objects.update(
        rated_total_premium=models.F("total_premium"),
        premium_deviation=Decimal("0.0000"),
        premium_outside_band=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("insurance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="policy",
            name="premium_deviation",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="（约定总保费 − 费率计算总保费）÷ 费率计算总保费；费率计算为0而约定不为0时为空。",
                max_digits=12,
                null=True,
                verbose_name="保费偏离",
            ),
        ),
        migrations.AddField(
            model_name="policy",
            name="premium_outside_band",
            field=models.BooleanField(default=False, verbose_name="超出费率浮动区间"),
        ),
        migrations.AddField(
            model_name="policy",
            name="rated_total_premium",
            field=models.DecimalField(
                decimal_places=2, default=0, max_digits=14, verbose_name="费率计算总保费（元）"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="policyelevator",
            name="rated_premium",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="按产品费率计算的保费（rating）。",
                max_digits=14,
                verbose_name="费率计算保费（元）",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(rated_as_declared, migrations.RunPython.noop),
        migrations.AddField(
            model_name="productversion",
            name="premium_band_lower",
            field=models.DecimalField(
                decimal_places=4,
                default=Decimal("-0.3000"),
                help_text="保单约定保费低于费率计算结果的最大比例，如 -0.30 表示下浮30%。",
                max_digits=6,
                verbose_name="费率浮动下限",
            ),
        ),
        migrations.AddField(
            model_name="productversion",
            name="premium_band_upper",
            field=models.DecimalField(
                decimal_places=4,
                default=Decimal("0.3000"),
                help_text="保单约定保费高于费率计算结果的最大比例，如 0.30 表示上浮30%。",
                max_digits=6,
                verbose_name="费率浮动上限",
            ),
        ),
        migrations.AlterField(
            model_name="policyelevator",
            name="premium",
            field=models.DecimalField(
                decimal_places=2, help_text="保单约定的保费。", max_digits=14, verbose_name="保费（元）"
            ),
        ),
        migrations.AddIndex(
            model_name="policy",
            index=models.Index(
                condition=models.Q(("premium_outside_band", True)),
                fields=["insurer"],
                name="policy_outside_band_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.CheckConstraint(
                condition=models.Q(("rated_total_premium__gte", 0)), name="policy_rated_premium_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="policyelevator",
            constraint=models.CheckConstraint(
                condition=models.Q(("rated_premium__gte", 0)),
                name="policy_elevator_rated_premium_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="productversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("premium_band_lower__gte", -1),
                    ("premium_band_lower__lte", 0),
                    ("premium_band_upper__gte", 0),
                    ("premium_band_upper__lte", 10),
                ),
                name="product_version_premium_band_valid",
            ),
        ),
    ]
