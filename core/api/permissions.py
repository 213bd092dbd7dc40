"""The API's one permission: read what you see, write when your organisation's kind may."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class ReadVisibleWriteByKind(permissions.BasePermission):
    """Authenticated callers read (visibility decides what); writes need the viewset's rule.

    The viewset names who may write at all — `may_write(user)`, a rule of its app, usually "the
    organisation's kind is one of ..." — and the refusal shown otherwise (`write_refusal`).
    `write_actions`, when set, limits the check to those actions: the others act on one object
    and are the services' to decide (a renewal by the policyholder, say). Which object a writer
    may change is always the services' rule. Anonymous callers get 401, refused writers 403.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        write_actions = getattr(view, "write_actions", None)
        if write_actions is not None and view.action not in write_actions:
            return True
        may_write = getattr(view, "may_write", None)
        if may_write is None:  # a read-only viewset (coverage figures): no write to allow
            self.message = _("此接口只读。")
            return False
        if may_write(request.user):
            return True
        self.message = view.write_refusal
        return False

    def has_object_permission(self, request, view, obj):
        """An action on one object may name who may take it (`object_rules`: action → a
        core.rules.ObjectRule), so that a caller who may not is refused before its body is read."""
        rule = getattr(view, "object_rules", {}).get(view.action)
        if rule is None or request.method in permissions.SAFE_METHODS or rule(request.user, obj):
            return True
        self.message = rule.refusal
        return False
