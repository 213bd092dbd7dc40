"""What each role (organisation kind) may see and do, in words for its home page (DESIGN.md section 2)."""

from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind as K

ROLE_SUMMARIES = {
    K.CITY_REGULATOR: {
        "sees": _("全市全部电梯、保单、理赔和维保服务"),
        "does": _("维护电梯登记和检验数据，决定隐患处置，设定目标，生成报表"),
    },
    K.DISTRICT_REGULATOR: {
        "sees": _("本辖区电梯及其保单、理赔和服务"),
        "does": _("维护本辖区电梯登记数据"),
    },
    K.SECTOR_DEPARTMENT: {
        "sees": _("本行业场所的电梯、保单及理赔汇总"),
        "does": _("查阅投保率与月度报表"),
    },
    K.FINANCE_BUREAU: {
        "sees": _("财政资金投保的保单及其电梯"),
        "does": _("查阅财政投保情况与月度报表"),
    },
    K.INSURANCE_REGULATOR: {
        "sees": _("全部保单、理赔、服务及各保险机构指标"),
        "does": _("监督保险机构的承保、理赔与服务"),
    },
    K.INSURER: {
        "sees": _("本机构的产品、保单、理赔、服务及所承保电梯"),
        "does": _("登记产品、保单、理赔和服务（可通过 API）"),
    },
    K.PROPERTY_MANAGER: {
        "sees": _("本单位使用或产权的电梯及其保单和服务"),
        "does": _("投保、续保，维护电梯使用信息"),
    },
    K.MAINTENANCE_COMPANY: {
        "sees": _("本单位维保的电梯"),
        "does": _("填报维保记录"),
    },
}


def role_summary(user) -> dict:
    """The role of `user` for display: kind label, organisation, what it sees and does."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return {"label": _("后台管理员"), "organisation": None, "sees": _("全部数据（管理后台）"), "does": ""}
    return {
        "kind": organisation.kind,
        "label": organisation.get_kind_display(),
        "organisation": organisation,
        **ROLE_SUMMARIES[organisation.kind],
    }
