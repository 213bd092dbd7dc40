"""The choice lists of maintenance (reference/maintenance.md): maintenance levels, review flags,
photo spots, the insurance+maintenance services, hazards and their serious-hazard criteria
(GB 45067-2024), rescue tiers and causes, passenger feedback."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MaintenanceLevel(models.TextChoices):
    """TSG T5002-2017's four levels; a higher level also counts as every lower one."""

    HALF_MONTHLY = "half_monthly", _("半月维保")
    QUARTERLY = "quarterly", _("季度维保")
    HALF_YEARLY = "half_yearly", _("半年维保")
    YEARLY = "yearly", _("年度维保")


# Position of each level, lowest first: a record of level L counts for every level at or below it.
LEVEL_ORDER = [level.value for level in MaintenanceLevel]


def levels_at_or_above(level: str) -> list[str]:
    """The levels whose records count as a record of `level`."""
    return LEVEL_ORDER[LEVEL_ORDER.index(level) :]


class MaintenanceState(models.TextChoices):
    OK = "ok", _("按期维保")
    OVERDUE = "overdue", _("维保超期")
    NONE = "none", _("无维保记录")


class ItemResult(models.TextChoices):
    NORMAL = "normal", _("正常")
    ADJUSTED = "adjusted", _("已调整")
    ABNORMAL = "abnormal", _("异常")
    NOT_APPLICABLE = "not_applicable", _("无此项")


class ScanMethod(models.TextChoices):
    QR = "qr", _("扫码")
    TYPED = "typed", _("手工输入")


class PhotoSpot(models.TextChoices):
    MACHINE_ROOM = "machine_room", _("机房")
    CAR_TOP = "car_top", _("轿顶")
    PIT = "pit", _("底坑")
    CAR_SIGN = "car_sign", _("轿厢内标识")
    OTHER = "other", _("其他")


class PhotoMoment(models.TextChoices):
    BEFORE = "before", _("作业前")
    AFTER = "after", _("作业后")


class ReviewFlag(models.TextChoices):
    """Why a maintenance record is doubtful (假维保 signs); a flagged record still counts."""

    CODE_TYPED = "code_typed", _("设备码手工输入")
    OUTSIDE_RADIUS = "outside_radius", _("签到位置超出范围")
    PHOTO_REUSED = "photo_reused", _("照片重复使用")
    WORKER_OVERLAP = "worker_overlap", _("同一人员作业时间重叠")
    TOO_SHORT = "too_short", _("作业时长过短")
    ONE_WORKER = "one_worker", _("仅一名作业人员")
    NO_EVIDENCE = "no_evidence", _("无现场作业证据")


class ReviewOutcome(models.TextChoices):
    PENDING = "pending", _("待复核")
    ACCEPTED = "accepted", _("复核通过")
    REJECTED = "rejected", _("认定不实")


class ServiceKind(models.TextChoices):
    """The insurance+maintenance services of the plan (四(四))."""

    USAGE_MONITORING = "usage_monitoring", _("电梯使用状况监测")
    MAINTENANCE_QUALITY = "maintenance_quality", _("维保质量评价")
    RISK_CONTROL = "risk_control", _("风险防控（隐患排查）")
    OLD_ELEVATOR_ASSESSMENT = "old_elevator_assessment", _("老旧电梯安全评估")
    THREE_NO_RECTIFICATION = "three_no_rectification", _("“三无”电梯隐患整治")
    SERIOUS_HAZARD_REPORT = "serious_hazard_report", _("重大隐患报告")
    RESCUE_DRILL = "rescue_drill", _("应急救援演练")
    TRAINING = "training", _("安全培训")


class AssessmentConclusion(models.TextChoices):
    """GB/T 42615-2023's conclusions of an in-service safety assessment."""

    KEEP_USING = "keep_using", _("继续使用")
    REPAIR = "repair", _("维修")
    MODERNISE = "modernise", _("改造")
    REPLACE = "replace", _("更新")


class HazardSource(models.TextChoices):
    SERVICE = "service", _("保险服务")
    MAINTENANCE = "maintenance", _("维保")
    INSPECTION = "inspection", _("检验")
    RESCUE = "rescue", _("救援")
    PUBLIC = "public", _("群众反映")


class HazardSeverity(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    SERIOUS = "serious", _("重大隐患")


class SeriousHazardCriterion(models.TextChoices):
    """GB 45067-2024's serious hazards for elevators, plus "other"."""

    INSPECTION_FAILED = "inspection_failed", _("定期检验结论为不合格仍继续使用")
    DOOR_LOCK_BYPASSED = "door_lock_bypassed", _("门锁安全回路被短接")
    GOVERNOR_SAFETY_GEAR_FAILED = "governor_safety_gear_failed", _("限速器—安全钳联动试验不合格")
    EMERGENCY_STOP_MISSING = "emergency_stop_missing", _("自动扶梯/人行道紧急停止装置缺失或失效")
    HANDRAIL_CLEARANCE = "handrail_clearance", _("扶手带外缘与障碍物距离不足400毫米且无防护")
    OTHER = "other", _("其他")


class HazardStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    CLOSED = "closed", _("已核销")


# Each status and the statuses it may move to (the regulator verifies and closes).
HAZARD_TRANSITIONS = {
    HazardStatus.OPEN: {HazardStatus.RECTIFYING, HazardStatus.RECTIFIED},
    HazardStatus.RECTIFYING: {HazardStatus.RECTIFIED},
    HazardStatus.RECTIFIED: {HazardStatus.CLOSED, HazardStatus.RECTIFYING},
    HazardStatus.CLOSED: set(),
}


class RescueTier(models.TextChoices):
    """Hubei's 963333 three tiers."""

    MAINTENANCE_COMPANY = "maintenance_company", _("维保单位")
    GRID_STATION = "grid_station", _("网格救援站")
    FIRE_BRIGADE = "fire_brigade", _("消防救援")


class RescueCause(models.TextChoices):
    POWER_CUT = "power_cut", _("停电")
    DOOR_FAULT = "door_fault", _("门系统故障")
    CONTROL_FAULT = "control_fault", _("控制系统故障")
    MISUSE = "misuse", _("使用不当")
    EXTERNAL = "external", _("外部原因")
    OTHER = "other", _("其他")


class FeedbackRating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    SO_SO = "so_so", _("一般")
    DISSATISFIED = "dissatisfied", _("不满意")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待保险机构确认")
    CONFIRMED = "confirmed", _("已确认立案")
    DECLINED = "declined", _("已拒绝")
