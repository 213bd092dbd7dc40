"""The elevator registry: divisions, place categories, elevators and their lifecycle."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department


class District(models.Model):
    """An administrative division (or development zone) of the city, keyed by its 6-digit code."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("市辖区")
        COUNTY = "county", _("县")
        COUNTY_CITY = "county_city", _("县级市")
        ZONE = "zone", _("开发区")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    city_code = models.CharField(_("所属城市代码"), max_length=6)
    city_name = models.CharField(_("所属城市"), max_length=20)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("区县")
        verbose_name_plural = _("区县")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class PlaceCategory(models.Model):
    """A kind of place where elevators stand (场所类别), and the sector departments that watch it."""

    code = models.CharField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    is_public_gathering = models.BooleanField(_("公众聚集场所"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("场所类别")
        verbose_name_plural = _("场所类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class PlaceCategorySector(models.Model):
    """Which department has a place category in its sector (public housing has two)."""

    place_category = models.ForeignKey(
        PlaceCategory, on_delete=models.CASCADE, related_name="sectors", verbose_name=_("场所类别")
    )
    department = models.CharField(_("部门"), max_length=16, choices=Department.choices)

    class Meta:
        verbose_name = _("场所类别主管部门")
        verbose_name_plural = _("场所类别主管部门")
        constraints = [
            models.UniqueConstraint(
                fields=["place_category", "department"], name="place_category_sector_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place_category} → {self.get_department_display()}"
