"""The navigation bar: which entries each role sees. Entries are data; the view shows what fits."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind as K

ALL_KINDS = frozenset(K.values)
# Who reads insurance (products, claims): the insurers themselves and the regulators over them.
INSURANCE_READERS = frozenset({K.INSURER, K.CITY_REGULATOR, K.DISTRICT_REGULATOR, K.INSURANCE_REGULATOR})
# The registry's regulators, who see the city's (or district's) boards and rankings.
REGULATORS = frozenset({K.CITY_REGULATOR, K.DISTRICT_REGULATOR})
# Who follows hazards and rescues: everyone but the finance bureau and the insurance regulator.
SAFETY_READERS = ALL_KINDS - {K.FINANCE_BUREAU, K.INSURANCE_REGULATOR}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    kinds: frozenset = ALL_KINDS
    org_admin_only: bool = False
    icon: str = ""


NAVIGATION = [
    NavItem(_("首页"), "home", icon="house"),
    NavItem(
        _("投保率"),
        "coverage-overview",
        kinds=frozenset(
            {
                K.CITY_REGULATOR,
                K.DISTRICT_REGULATOR,
                K.SECTOR_DEPARTMENT,
                K.FINANCE_BUREAU,
                K.INSURANCE_REGULATOR,
            }
        ),
        icon="speedometer2",
    ),
    NavItem(_("电梯"), "elevator-list", icon="building"),
    NavItem(_("保单"), "policy-list", kinds=ALL_KINDS - {K.MAINTENANCE_COMPANY}, icon="shield-check"),
    NavItem(
        _("保险产品"), "product-list", kinds=INSURANCE_READERS | {K.PROPERTY_MANAGER}, icon="journal-text"
    ),
    NavItem(_("理赔"), "claim-list", kinds=INSURANCE_READERS | {K.SECTOR_DEPARTMENT}, icon="cash-coin"),
    NavItem(_("保险服务"), "service-list", kinds=ALL_KINDS - {K.FINANCE_BUREAU}, icon="clipboard2-pulse"),
    NavItem(
        _("月度报表"),
        "reports",
        kinds=frozenset({K.CITY_REGULATOR, K.SECTOR_DEPARTMENT, K.FINANCE_BUREAU, K.INSURANCE_REGULATOR}),
        icon="file-earmark-bar-graph",
    ),
    NavItem(
        _("数据导入"),
        "import-list",
        kinds=frozenset({K.CITY_REGULATOR, K.DISTRICT_REGULATOR, K.INSURER, K.PROPERTY_MANAGER}),
        icon="upload",
    ),
    NavItem(_("维保记录"), "maintenance-record-list", icon="tools"),
    NavItem(
        _("维保复核"),
        "maintenance-record-review-queue",
        kinds=REGULATORS | {K.MAINTENANCE_COMPANY},
        icon="patch-question",
    ),
    NavItem(_("维保单位排名"), "maintenance-company-ranking", kinds=REGULATORS, icon="trophy"),
    NavItem(_("隐患"), "hazard-list", kinds=SAFETY_READERS, icon="exclamation-triangle"),
    NavItem(_("隐患看板"), "hazard-board", kinds=REGULATORS, icon="clipboard-data"),
    NavItem(_("困人救援"), "rescue-list", kinds=SAFETY_READERS, icon="life-preserver"),
    NavItem(_("救援看板"), "rescue-board", kinds=REGULATORS, icon="stopwatch"),
    NavItem(_("救援理赔建议"), "claim-proposal-list", kinds=INSURANCE_READERS, icon="cash-stack"),
    NavItem(
        _("乘客评价"),
        "feedback-list",
        kinds=REGULATORS | {K.MAINTENANCE_COMPANY, K.PROPERTY_MANAGER},
        icon="chat-square-text",
    ),
    NavItem(_("审计查询"), "audit-search", kinds=frozenset({K.CITY_REGULATOR}), icon="journal-text"),
    NavItem(_("通知"), "notice-list", icon="bell"),
    NavItem(_("用户"), "org-user-list", org_admin_only=True, icon="people"),
    NavItem(_("API 密钥"), "api-key-list", org_admin_only=True, icon="key"),
    NavItem(_("接口文档"), "api-docs", icon="braces"),
]


def navigation_for(user) -> list[dict]:
    """The entries `user` may use, resolved to URLs (an entry whose page is not built yet is left out)."""
    kind = user.organisation.kind if getattr(user, "organisation_id", None) else None
    items = []
    for item in NAVIGATION:
        if kind is None and not user.is_superuser:
            continue
        if kind is not None and kind not in item.kinds:
            continue
        # Organisation pages (its API keys, its users) need an organisation: a superuser without
        # one manages them in the Django admin, and the page would refuse them with a 403.
        if item.org_admin_only and not (kind is not None and user.is_org_admin):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "url_name": item.url_name})
    return items
