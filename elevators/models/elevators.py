"""Place categories and their sectors, the conditions on elevators (in scope, old, insured, three-no,
and those other apps register), and the elevators themselves (the divisions they stand in are
accounts.District)."""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, District, OrganisationKind
from core.visibility import VisibleQuerySet, organisation_of

from ..choices import PASSING_RESULTS, ElevatorStatus, InspectionResult
from ..codes import (
    CATEGORIES_BY_CODE,
    CATEGORY_CHOICES,
    ELEVATOR_CATEGORIES,
    EQUIPMENT_CODE_FORMS_BY_LENGTH,
    EQUIPMENT_CODE_MAX_LENGTH,
    EquipmentCodeForm,
    normalise_registration_number,
)
from ..rescue_codes import RESCUE_CODE_LENGTH, rescue_code_validator
from ..safety import SafetyState, inspection_due_soon_condition, safety_state_expression, safety_state_for


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
        # The name is data in Chinese; the page's language shows it through the catalogue
        # (elevators.place_names). Lookups and imports match on `name` itself.
        return gettext(self.name)


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


OLD_ELEVATOR_YEARS = 15


def in_scope_condition(*, on: date) -> Q:
    """In scope on `on`: registered, in use, and within a valid inspection period (latest inspection
    passed, next due on or after `on` — the due date itself still counts). DESIGN.md section 3."""
    return Q(
        ~Q(registration_number=""),
        status=ElevatorStatus.IN_USE,
        inspection_result__in=PASSING_RESULTS,
        next_inspection_due__gte=on,
    )


def old_condition(*, on: date) -> Q:
    """Old elevators: 15 years or more since installation on `on`."""
    return Q(installed_on__lte=years_before(on, OLD_ELEVATOR_YEARS))


# Conditions on elevators that another app defines, by name: fn(**params) -> Q over Elevator. The
# registry names what it needs ("insured" on a day, "covered_by_insurer", "publicly_funded");
# insurance registers what they mean (insurance/conditions.py), so elevators never imports it.
ElevatorCondition = Callable[..., Q]
ELEVATOR_CONDITIONS: dict[str, ElevatorCondition] = {}
NO_ELEVATOR = Q(pk__in=[])


def register_elevator_condition(name: str) -> Callable[[ElevatorCondition], ElevatorCondition]:
    """Apps define the named conditions the registry uses (a decorator; one provider per name)."""

    def register(condition: ElevatorCondition) -> ElevatorCondition:
        ELEVATOR_CONDITIONS[name] = condition
        return condition

    return register


def elevator_condition(name: str, **params) -> Q:
    """The registered condition `name`; with no app defining it, no elevator meets it."""
    condition = ELEVATOR_CONDITIONS.get(name)
    return condition(**params) if condition is not None else NO_ELEVATOR


def insured_condition(*, on: date) -> Q:
    """Insured on `on`: some policy's cover of the elevator is in force that day (DESIGN.md 3)."""
    return elevator_condition("insured", on=on)


def three_no_condition() -> Q:
    """ "三无电梯": no user unit, no maintenance contract, or no repair funds on record."""
    return Q(user_unit__isnull=True) | Q(maintenance_company__isnull=True) | Q(has_repair_funds=False)


class ElevatorQuerySet(VisibleQuerySet):
    # --- the single definitions every figure uses (DESIGN.md section 3) ---------------------
    def in_scope(self, *, on: date):
        """Elevators the plan requires to be insured on `on` (see in_scope_condition)."""
        return self.filter(in_scope_condition(on=on))

    def old(self, *, on: date):
        return self.filter(old_condition(on=on))

    def three_no(self):
        return self.filter(three_no_condition())

    def insured(self, *, on: date):
        return self.filter(insured_condition(on=on))

    def with_flags(self, *, on: date):
        """Annotate the single conditions (in scope, insured, old, 三无) for pages that show badges."""
        return self.annotate(
            flag_in_scope=ExpressionWrapper(in_scope_condition(on=on), output_field=models.BooleanField()),
            flag_insured=ExpressionWrapper(insured_condition(on=on), output_field=models.BooleanField()),
            flag_old=ExpressionWrapper(old_condition(on=on), output_field=models.BooleanField()),
            flag_three_no=ExpressionWrapper(three_no_condition(), output_field=models.BooleanField()),
        )

    def with_safety(self, *, on: date):
        """Annotate each elevator's safety state on `on` (`safety_state`, a key of elevators.safety;
        read it as `elevator.safety`) and whether its inspection falls due within 30 days."""
        return self.annotate(
            safety_state=safety_state_expression(on=on),
            flag_inspection_due_soon=ExpressionWrapper(
                inspection_due_soon_condition(on=on), output_field=models.BooleanField()
            ),
        )

    def maintenance(self, *, on: date, state: str | None = None, overdue_level: str | None = None):
        """Elevators in maintenance `state` on `on` (ok, overdue, none: the half-monthly rule), or
        overdue for the higher level `overdue_level` (quarterly, half_yearly, yearly). The
        maintenance app defines both conditions (maintenance/selectors/records.py); one query."""
        if state is not None:
            return self.filter(elevator_condition("maintenance_state", state=state, on=on))
        return self.filter(elevator_condition("maintenance_level_overdue", level=overdue_level, on=on))

    def in_group(self, group: str):
        return self.filter(category__in=[c.code for c in ELEVATOR_CATEGORIES if c.group == group])

    # --- visibility (core.visibility) ------------------------------------------------------
    def for_city_regulator(self, org):
        return self

    def for_insurance_regulator(self, org):
        return self

    def for_district_regulator(self, org):
        return self.filter(district_id=org.district_id)

    def for_sector_department(self, org):
        sector = PlaceCategorySector.objects.filter(department=org.department).values("place_category_id")
        return self.filter(place_category_id__in=sector)

    def for_finance_bureau(self, org):
        """Public housing (its sector in codes.md) and every elevator under a publicly funded policy."""
        sector = PlaceCategorySector.objects.filter(department=org.department).values("place_category_id")
        return self.filter(Q(place_category_id__in=sector) | elevator_condition("publicly_funded"))

    def for_insurer(self, org):
        """Elevators the insurer covers or has covered (it looks others up by code for quoting)."""
        return self.filter(elevator_condition("covered_by_insurer", insurer=org))

    def for_property_manager(self, org):
        return self.filter(Q(user_unit=org) | Q(owner=org))

    def for_maintenance_company(self, org):
        return self.filter(maintenance_company=org)

    def quotable_by(self, user):
        """Elevators whose registry facts `user` may read one code at a time to quote a policy.

        An active insurer may look up any elevator by its exact code before it covers it (DESIGN.md
        section 2, "registry lookup by equipment code for quoting"); nobody else gains anything here.
        Callers show only the quoting facts, never the whole record, and never list this queryset.
        """
        org = organisation_of(user)
        if org is None or not org.is_active or not getattr(user, "is_active", True):
            return self.none()
        return self if org.kind == OrganisationKind.INSURER else self.none()


def registration_number_for(number: str, *, category: str) -> str:
    """The canonical use-registration number, checked against the category's variety number and
    the configured province and city letter (codes.md). Raises ValidationError."""
    return normalise_registration_number(
        number,
        category_code=category,
        province=settings.TIBAO["PROVINCE_ABBREVIATION"],
        city_letter=settings.TIBAO["CITY_LETTER"],
    )


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Elevator(models.Model):
    """One registered elevator, escalator or moving walkway (one row of the provincial registry)."""

    Status = ElevatorStatus

    equipment_code = models.CharField(_("设备代码"), max_length=EQUIPMENT_CODE_MAX_LENGTH, unique=True)
    # Derived from the code in clean(); stored so that lists can show and filter it.
    code_form = models.CharField(_("代码形式"), max_length=16, choices=EquipmentCodeForm.choices, blank=True)
    registration_number = models.CharField(_("使用登记证编号"), max_length=32, blank=True, db_index=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    category = models.CharField(_("设备品种"), max_length=4, choices=CATEGORY_CHOICES)
    manufacturer = models.CharField(_("制造单位"), max_length=200, blank=True)
    model_number = models.CharField(_("产品型号"), max_length=100, blank=True)
    factory_serial = models.CharField(_("出厂编号"), max_length=100, blank=True)
    manufactured_on = models.DateField(_("制造日期"), null=True, blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    site_name = models.CharField(_("楼盘/场所名称"), max_length=200, blank=True)
    address = models.CharField(_("使用地点"), max_length=300)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="elevators",
        verbose_name=_("所在区县"),
        db_index=False,  # an index of the model's Meta leads with it (decision 0030)
    )
    place_category = models.ForeignKey(
        PlaceCategory, on_delete=models.PROTECT, related_name="elevators", verbose_name=_("场所类别")
    )
    user_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="used_elevators",
        verbose_name=_("使用单位"),
    )
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_elevators",
        verbose_name=_("产权单位"),
    )
    maintenance_company = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="maintained_elevators",
        verbose_name=_("维保单位"),
    )
    has_repair_funds = models.BooleanField(_("有维修资金"), default=True)
    # The registered location, against which a maintenance scan-in position is checked.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # 按需维保 pilot: its maintenance intervals are the pilot's (TIBAO maintenance settings).
    on_demand_maintenance = models.BooleanField(_("按需维保试点"), default=False, db_default=False)
    status = models.CharField(
        _("设备状态"), max_length=16, choices=ElevatorStatus.choices, default=ElevatorStatus.IN_USE
    )
    # The latest inspection's facts, kept by the inspection service (elevators.services) so that
    # "in scope" is one indexed filter; the Inspection rows remain the history.
    last_inspected_on = models.DateField(_("最近检验日期"), null=True, blank=True)
    inspection_result = models.CharField(
        _("检验结论"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    next_inspection_due = models.DateField(_("下次检验日期"), null=True, blank=True)
    # The 6-digit code a trapped passenger reads to the rescue line (电梯识别码), drawn by
    # elevators.services.rescue_codes_assign; null only until a bulk path has assigned it.
    rescue_code = models.CharField(
        _("电梯识别码"),
        max_length=RESCUE_CODE_LENGTH,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        validators=[rescue_code_validator],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ElevatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("电梯")
        verbose_name_plural = _("电梯")
        ordering = ["equipment_code"]
        indexes = [
            models.Index(fields=["status", "next_inspection_due"], name="elevator_scope_idx"),
            models.Index(fields=["district", "place_category"], name="elevator_slice_idx"),
        ]

    def __str__(self) -> str:
        return self.equipment_code

    def clean(self):
        """Facts derived from the codes, the same through every door (API, import, admin)."""
        if self.equipment_code:
            self.code_form = EQUIPMENT_CODE_FORMS_BY_LENGTH.get(len(self.equipment_code), self.code_form)
        if self.registration_number and self.category in CATEGORIES_BY_CODE:
            try:
                self.registration_number = registration_number_for(
                    self.registration_number, category=self.category
                )
            except ValidationError as exc:
                raise ValidationError({"registration_number": exc.messages}) from exc

    @property
    def category_info(self):
        return CATEGORIES_BY_CODE[self.category]

    @property
    def group(self) -> str:
        return self.category_info.group

    @property
    def safety(self) -> SafetyState:
        """The safety state annotated by ElevatorQuerySet.with_safety; loaded without it, today's."""
        key = getattr(self, "safety_state", None)
        if key is None:
            key = (
                Elevator.objects.filter(pk=self.pk)
                .with_safety(on=timezone.localdate())
                .values_list("safety_state", flat=True)
                .get()
            )
        return safety_state_for(key)

    def is_in_scope(self, *, on: date) -> bool:
        """Predicate twin of ElevatorQuerySet.in_scope for one loaded elevator."""
        return (
            bool(self.registration_number)
            and self.status == ElevatorStatus.IN_USE
            and self.inspection_result in PASSING_RESULTS
            and self.next_inspection_due is not None
            and self.next_inspection_due >= on
        )

    def is_old(self, *, on: date) -> bool:
        """Predicate twin of old_condition."""
        return self.installed_on is not None and self.installed_on <= years_before(on, OLD_ELEVATOR_YEARS)

    def is_three_no(self) -> bool:
        """Predicate twin of three_no_condition."""
        return self.user_unit_id is None or self.maintenance_company_id is None or not self.has_repair_funds
