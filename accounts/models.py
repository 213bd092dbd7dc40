"""The city's divisions, organisations, their users and API keys, in-app notices — and who of them
may see which organisations (the mechanism is core.visibility)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from core.visibility import VisibleQuerySet

from .validators import validate_credit_code


class Department(models.TextChoices):
    """The eight departments of the plan (襄市监发〔2021〕29号), by code."""

    SAMR = "SAMR", _("市场监督管理局")
    NFRA = "NFRA", _("金融监管分局")
    FINANCE = "FINANCE", _("财政局")
    HOUSING = "HOUSING", _("住房和城乡建设局")
    TRANSPORT = "TRANSPORT", _("交通运输局")
    HEALTH = "HEALTH", _("卫生健康委员会")
    CULTURE = "CULTURE", _("文化和旅游局")
    OFFICES = "OFFICES", _("机关事务服务中心")


class OrganisationKind(models.TextChoices):
    CITY_REGULATOR = "city_regulator", _("市级市场监管部门")
    DISTRICT_REGULATOR = "district_regulator", _("县市区市场监管部门")
    SECTOR_DEPARTMENT = "sector_department", _("行业主管部门")
    FINANCE_BUREAU = "finance_bureau", _("财政部门")
    INSURANCE_REGULATOR = "insurance_regulator", _("金融监管部门")
    INSURER = "insurer", _("保险机构")
    PROPERTY_MANAGER = "property_manager", _("使用单位/产权单位")
    MAINTENANCE_COMPANY = "maintenance_company", _("维保单位")


GOVERNMENT_KINDS = frozenset(
    {
        OrganisationKind.CITY_REGULATOR,
        OrganisationKind.DISTRICT_REGULATOR,
        OrganisationKind.SECTOR_DEPARTMENT,
        OrganisationKind.FINANCE_BUREAU,
        OrganisationKind.INSURANCE_REGULATOR,
    }
)
# Kinds whose members are one of the eight departments and so carry a department code.
DEPARTMENT_KINDS = frozenset(
    {
        OrganisationKind.CITY_REGULATOR,
        OrganisationKind.SECTOR_DEPARTMENT,
        OrganisationKind.FINANCE_BUREAU,
        OrganisationKind.INSURANCE_REGULATOR,
    }
)
# Public bodies: anyone signed in may see that they exist (name, code, district).
PUBLIC_KINDS = GOVERNMENT_KINDS | {OrganisationKind.INSURER}


class District(models.Model):
    """An administrative division (or development zone) of the city, keyed by its 6-digit code.

    It lives with the organisations because an organisation is located in one and a district
    regulator's jurisdiction is one; the registry and the other apps point at it.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("市辖区")
        COUNTY = "county", _("县")
        COUNTY_CITY = "county_city", _("县级市")
        ZONE = "zone", _("开发区")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    # The other ways files write the division (东津新区, 襄城); the code, the name without its
    # bracketed part and the city prefix need no alias (accounts.selectors.district_by_name).
    aliases = models.JSONField(_("别名"), default=list, blank=True)
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

    def clean(self):
        super().clean()
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) and alias.strip() for alias in self.aliases
        ):
            raise ValidationError({"aliases": _("别名应为名称的列表。")})


class OrganisationQuerySet(VisibleQuerySet):
    def for_city_regulator(self, org):
        return self

    def for_insurance_regulator(self, org):
        return self

    def for_district_regulator(self, org):
        return self.filter(Q(kind__in=PUBLIC_KINDS) | Q(district_id=org.district_id))

    def _public_and_self(self, org):
        return self.filter(Q(kind__in=PUBLIC_KINDS) | Q(pk=org.pk))

    for_sector_department = for_finance_bureau = _public_and_self
    for_insurer = for_property_manager = for_maintenance_company = _public_and_self


class Organisation(models.Model):
    Kind = OrganisationKind

    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    # Registry exports often lack the code of a user unit; such organisations are matched by name.
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, default="", validators=[validate_credit_code]
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所在区县"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    department = models.CharField(
        _("部门代码"), max_length=16, choices=Department.choices, blank=True, default=""
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_department_iff_department_kind",
                condition=(
                    Q(kind__in=sorted(DEPARTMENT_KINDS)) & ~Q(department="")
                    | ~Q(kind__in=sorted(DEPARTMENT_KINDS)) & Q(department="")
                ),
                violation_error_message=_("八部门之一必须有部门代码，其他机构不得有部门代码。"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_credit_code_unique",
                violation_error_message=_("该统一社会信用代码已属于另一机构。"),
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=~Q(department=""),
                name="organisation_one_per_department",
                violation_error_message=_("每个部门代码只能属于一个机构。"),
            ),
            models.CheckConstraint(
                name="district_regulator_has_district",
                condition=~Q(kind="district_regulator") | Q(district__isnull=False),
                violation_error_message=_("县市区市场监管部门必须有所在区县。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contact_emails(self) -> list[str]:
        """Addresses that receive this organisation's reports and notices."""
        return [c.email for c in self.contacts.all() if c.email and c.receives_notices]


class Contact(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("机构")
    )
    name = models.CharField(_("联系人"), max_length=50)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    receives_notices = models.BooleanField(_("接收报表和通知"), default=True)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


class UserQuerySet(VisibleQuerySet):
    def for_city_regulator(self, org):
        return self

    def _own_organisation(self, org):
        return self.filter(organisation=org)

    for_district_regulator = for_sector_department = for_finance_bureau = _own_organisation
    for_insurance_regulator = for_insurer = for_property_manager = _own_organisation
    for_maintenance_company = _own_organisation


class TibaoUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Every operator belongs to one organisation; its kind is their role.

    Only back-office staff (superusers working in the Django admin) may have none.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    is_org_admin = models.BooleanField(
        _("机构管理员"), default=False, help_text=_("可管理本机构的 API 密钥。")
    )

    objects = TibaoUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def role(self) -> str | None:
        return self.organisation.kind if self.organisation_id else None


class OrganisationApiKeyQuerySet(VisibleQuerySet):
    def _own_organisation(self, org):
        return self.filter(organisation=org)

    for_city_regulator = for_district_regulator = for_sector_department = _own_organisation
    for_finance_bureau = for_insurance_regulator = for_insurer = _own_organisation
    for_property_manager = for_maintenance_company = _own_organisation


class OrganisationApiKeyManager(APIKeyManager.from_queryset(OrganisationApiKeyQuerySet)):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("organisation")


class OrganisationApiKey(AbstractAPIKey):
    """An API key of one organisation: shown once, stored hashed, named, revocable."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("机构")
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("创建人")
    )

    objects = OrganisationApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")
        ordering = ["-created"]


class NoticeQuerySet(VisibleQuerySet):
    """A notice is seen by its user, or by every user of its organisation when addressed to it."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        org_id = getattr(user, "organisation_id", None) or getattr(
            getattr(user, "organisation", None), "pk", None
        )
        addressed = (
            Q(recipient_organisation_id=org_id, recipient_user__isnull=True) if org_id else Q(pk__in=[])
        )
        if getattr(user, "pk", None):
            addressed |= Q(recipient_user_id=user.pk)
        return self.filter(addressed)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """An in-app message (站内通知). E-mail to the organisation's contacts goes with it."""

    recipient_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notices", verbose_name=_("接收机构")
    )
    recipient_user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("接收用户"),
    )
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient_organisation", "read_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
