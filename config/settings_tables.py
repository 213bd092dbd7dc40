"""The settings that are fixed tables rather than choices of a machine: the periodic tasks, the
OpenAPI schema's names, and what the audit log records. config.settings imports them (it is still
the one module Django reads, and the only one that reads the environment); they live here so that
it stays short enough to read.
"""

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

# --- Celery beat ----------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE = {
    "daily-policy-housekeeping": {
        "task": "insurance.tasks.daily_policy_housekeeping",
        "schedule": crontab(hour=7, minute=0),  # Asia/Shanghai
    },
    "freeze-previous-month": {
        "task": "reporting.tasks.freeze_previous_month",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),  # Asia/Shanghai: the month just ended
    },
    "refresh-daily-figures": {
        "task": "reporting.tasks.refresh_daily_figures",
        "schedule": crontab(minute=10),  # hourly: today's coverage figures the dashboards read
    },
    "escalate-overdue-hazards": {
        "task": "maintenance.tasks.escalate_overdue_hazards",
        "schedule": crontab(hour=7, minute=30),  # Asia/Shanghai, before the regulators' working day
    },
    "drain-task-outbox": {
        "task": "core.tasks.drain_task_outbox",
        "schedule": 60.0,  # the tasks kept while the broker was down go out within a minute of its return
    },
}

# --- OpenAPI schema (drf-spectacular) -------------------------------------------------------
SPECTACULAR_SETTINGS = {
    "TITLE": "梯保 Tibao API",
    "DESCRIPTION": "Elevator safety liability insurance: registry, policies, claims, services, reports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One name for a choice set used by several fields (an elevator's latest result, an inspection's).
    "ENUM_NAME_OVERRIDES": {
        "InspectionResultEnum": "elevators.models.InspectionResult",
        "ClaimStatusEnum": "insurance.models.ClaimStatus",
        "ClaimKindEnum": "insurance.models.Claim.Kind",
        "CoverageItemEnum": "insurance.models.CoverageItem",
        "PolicyStatusEnum": "insurance.models.Policy.Status",
        "ElevatorStatusEnum": "elevators.models.ElevatorStatus",
        "InsuranceModelEnum": "insurance.models.InsuranceModel",
        "ServiceKindEnum": "maintenance.models.ServiceKind",
        "HazardStatusEnum": "maintenance.models.HazardStatus",
        "ProposalStatusEnum": "maintenance.models.ProposalStatus",
        "MaintenanceLevelEnum": "maintenance.models.MaintenanceLevel",
    },
}

# --- Audit log ------------------------------------------------------------------------------
# Every model of the project is audited by default; only plumbing tables are left out.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "admin",
    "sessions",
    "contenttypes",
    "axes",
    "auditlog",
    "accounts.notice",
    # Plumbing: a task kept while the broker was down, deleted once sent (core.outbox).
    "core.taskoutbox",
    # Backup codes are secrets, used up one by one; their device's rows below say when a set is made.
    "otp_static.statictoken",
    # Frozen figures are written and replaced in bulk; reporting.Refreeze is their history.
    "reporting.frozenfigure",
    # The figures kept per day are counts recomputed every hour, replaced whole: an entry per row
    # replaced (with a query for its name) was half of a month's freeze at 1,000,000 elevators.
    "reporting.dailysnapshot",
    "reporting.dailyfigure",
)
# Authenticators: who enrolled and removed one, never the key nor the counters every code check moves.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "otp_totp.totpdevice", "include_fields": ["user", "name", "confirmed"]},
    {"model": "otp_static.staticdevice", "include_fields": ["user", "name", "confirmed"]},
    # The key library's fields have no verbose names; the history tab names them (core.history).
    {
        "model": "accounts.organisationapikey",
        "mapping_fields": {
            "name": _("名称"),
            "prefix": _("前缀"),
            "created": _("创建时间"),
            "revoked": _("已吊销"),
            "expiry_date": _("有效期至"),
        },
    },
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = ("password", "hashed_key", "last_login", "last_used_at", "modified")
