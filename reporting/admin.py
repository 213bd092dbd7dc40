"""Frozen months, their re-freezes and the report runs in the back office, read-only: every change
to them goes through reporting.services (freezing, approval, re-runs keep their rules and records)."""

from django.contrib import admin

from .models import FrozenMonth, Refreeze, ReportRun, Target


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FrozenMonth)
class FrozenMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "status", "frozen_at", "frozen_by_label", "approved_at", "published_at"]
    list_filter = ["status"]


@admin.register(Refreeze)
class RefreezeAdmin(ReadOnlyAdmin):
    list_display = ["frozen_month", "refrozen_at", "refrozen_by_label", "reason", "previous_status"]
    exclude = ["figures_before", "figures_after"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["due_on", "district", "rate", "set_by", "set_at"]
    list_filter = ["district"]


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["frozen_month", "department", "status", "attempts", "size", "finished_at", "emailed_at"]
    list_filter = ["status", "department"]
