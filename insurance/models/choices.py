"""The choice lists of insurance: models of insurance, coverage items, funding sources, rating
factors, claim statuses; and the sizes of money and coefficient fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
COEFFICIENT = {"max_digits": 6, "decimal_places": 3}


class InsuranceModel(models.TextChoices):
    """The plan's two models (二(四)): liability insurance, and insurance + maintenance service."""

    LIABILITY = "liability", _("电梯安全责任险")
    INSURANCE_MAINTENANCE = "insurance_maintenance", _("保险+维保服务")


class CoverageItem(models.TextChoices):
    """What a product covers (plan 四(三)); each item is optional and has its own limit."""

    DEATH_DISABILITY = "death_disability", _("每人死亡伤残")
    MEDICAL = "medical", _("每人医疗费用")
    PROPERTY = "property", _("每次事故财产损失")
    PER_ACCIDENT = "per_accident", _("每次事故")
    AGGREGATE = "aggregate", _("保险年度累计")
    RESCUE = "rescue", _("救援费用")
    APPRAISAL = "appraisal", _("鉴定费用")
    LITIGATION = "litigation", _("诉讼费用")
    MAJOR_PARTS = "major_parts", _("重要部件更换")
    OVERHAUL = "overhaul", _("大修改造")


class FundingSource(models.TextChoices):
    SELF = "self", _("自筹")
    PUBLIC_FINANCE = "public_finance", _("财政")
    MAINTENANCE_FUND = "maintenance_fund", _("专项维修资金")
    INSURER = "insurer", _("保险机构")


class RatingFactor(models.TextChoices):
    """Coefficient tables of a product version (plan 四(五))."""

    AGE = "age", _("梯龄（年）")
    PLACE = "place", _("场所类别")
    CLAIMS = "claims", _("近三年理赔次数")
    MAINTENANCE = "maintenance", _("维保质量评分")


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", _("已报案")
    ACCEPTED = "accepted", _("已受理")
    PAID = "paid", _("已赔付")
    REJECTED = "rejected", _("已拒赔")
    WITHDRAWN = "withdrawn", _("已撤案")
    CLOSED = "closed", _("已结案")
