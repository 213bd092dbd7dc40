"""Fields that read codes the way people type them, and what every registry serializer shares.

Codes arrive full width, lower case, with spaces, and are stored canonical: equipment codes through
elevators.codes, districts by their 6-digit code, place categories by code or Chinese name,
organisations by their Unified Social Credit Code.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField

from accounts.models import District, Organisation, OrganisationKind
from accounts.validators import normalise_credit_code
from core.text import normalise_code

from ...codes import CATEGORY_CHOICES, ELEVATOR_CATEGORIES, category_by_code_or_name, normalise_equipment_code
from ...models import PlaceCategory


def django_messages(exc: DjangoValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def with_help(fields: dict, help_texts: dict) -> dict:
    """Give every field its description for the OpenAPI schema (the models carry only names)."""
    for name, field in fields.items():
        field.help_text = help_texts[name]
    return fields


class EquipmentCodeField(serializers.CharField):
    """设备代码: 18-character device code or 20-digit legacy registration code, normalised."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        try:
            code, _form = normalise_equipment_code(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_messages(exc)) from exc
        return code


class CategoryField(serializers.ChoiceField):
    """设备品种: the catalogue code ("3110"), its name, or both ("3110 曳引驱动乘客电梯")."""

    def __init__(self, **kwargs):
        super().__init__(choices=CATEGORY_CHOICES, **kwargs)

    def to_internal_value(self, data):
        category = category_by_code_or_name(data)
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in ELEVATOR_CATEGORIES)
            raise serializers.ValidationError(
                _("未知的设备品种“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return category.code


class DistrictField(serializers.SlugRelatedField):
    """所在区县 by its 6-digit division code (development zones have internal codes, codes.md)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=District.objects.all(), **kwargs)

    def to_internal_value(self, data):
        code = normalise_code(data)
        district = self.get_queryset().filter(code=code).first()
        if district is None:
            known = "、".join(f"{d.code} {d.name}" for d in self.get_queryset())
            raise serializers.ValidationError(
                _("未知的区县代码“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return district


class PlaceCategoryField(serializers.SlugRelatedField):
    """场所类别 by its code (RESIDENTIAL) or its Chinese name (住宅小区)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=PlaceCategory.objects.all(), **kwargs)

    def to_internal_value(self, data):
        text = str(data or "").strip()
        queryset = self.get_queryset()
        category = (
            queryset.filter(code=normalise_code(text).replace("-", "_")).first()
            or queryset.filter(name=text).first()
        )
        if category is None:
            known = "、".join(f"{c.code} {c.name}" for c in queryset)
            raise serializers.ValidationError(
                _("未知的场所类别“%(value)s”，可选：%(known)s。") % {"value": data, "known": known}
            )
        return category


class OrganisationByCreditCodeField(serializers.SlugRelatedField):
    """An active organisation by its Unified Social Credit Code (spaces, lower case, full width accepted).

    Registry writers are regulators, who name units of the whole registry; so any active
    organisation may be named, not only those the writer sees. `kind` narrows it (维保单位).
    """

    def __init__(self, *, kind: str | None = None, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(
            slug_field="credit_code", queryset=Organisation.objects.filter(is_active=True), **kwargs
        )

    def run_validation(self, data=serializers.empty):
        # A related field turns "" into null; here "" is what a unit without a credit code reads as,
        # so sending a record back unchanged must keep that unit, never silently drop it.
        if data == "":
            current = getattr(self.parent.instance, self.source, None) if self.parent else None
            if current is not None and not current.credit_code:
                raise SkipField
            raise serializers.ValidationError(_("请填写统一社会信用代码；没有该单位请填 null。"))
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            code = normalise_credit_code(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_messages(exc)) from exc
        organisation = self.get_queryset().filter(credit_code=code).first()
        if organisation is None:
            raise serializers.ValidationError(
                _("统一社会信用代码为 %(code)s 的机构不存在或已停用。") % {"code": code}
            )
        if self.kind and organisation.kind != self.kind:
            raise serializers.ValidationError(
                _("“%(name)s”不是%(kind)s。")
                % {"name": organisation.name, "kind": OrganisationKind(self.kind).label}
            )
        return organisation


class TodayMixin:
    """Computed facts are as of today (Asia/Shanghai); one date for the whole response."""

    @property
    def today(self):
        today = self.context.get("today")
        if today is None:
            today = self.context["today"] = timezone.localdate()
        return today
