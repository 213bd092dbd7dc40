"""Who may see what: the one visibility mechanism (DESIGN.md section 2).

Every model's QuerySet derives from `VisibleQuerySet` and answers `visible_to(user)`. The caller
is a signed-in user or an organisation's API key (both carry `.organisation`); the rule is chosen
by the organisation's kind: `for_<kind>(org)`. A kind a model does not name sees nothing of it, so
a new kind or a new model starts closed. Pages, API views, exports and reports all call
`visible_to`; no view filters by organisation on its own.

The mechanism is plumbing and knows no rule: the kinds and the rules per model live with the models
(accounts names the kinds, each app writes its `for_<kind>` methods).
"""

from django.db import models


def organisation_of(user):
    """The organisation a user or API-key principal acts for, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "organisation", None)


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rows `user` may see (deny by default)."""
        if (
            user is None
            or not getattr(user, "is_authenticated", False)
            or not getattr(user, "is_active", True)
        ):
            return self.none()
        org = organisation_of(user)
        if org is None:
            # Back-office staff without an organisation work in the admin and see everything.
            return self.all() if getattr(user, "is_superuser", False) else self.none()
        if not org.is_active:
            return self.none()
        rule = getattr(self, f"for_{org.kind}", None)
        return rule(org) if rule is not None else self.none()
