"""Who may write what in insurance (DESIGN.md section 2): the one place that asks "is this caller
an insurer, and which one". Services enforce these; views and API permissions ask them only to
show a button or answer 403 early. Reads are visibility's business (`visible_to`), not this module's.
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from core.rules import ObjectRule
from core.visibility import organisation_of


def is_active_insurer(org: Organisation | None) -> bool:
    """Whether `org` is an insurer that may act (an inactive organisation may do nothing)."""
    return org is not None and org.kind == OrganisationKind.INSURER and org.is_active


def insurer_of(user) -> Organisation | None:
    """The active insurer `user` (a signed-in user or an API key) acts for, or None."""
    org = organisation_of(user)
    return org if is_active_insurer(org) else None


def property_manager_of(user) -> Organisation | None:
    """The active property manager / owner (使用单位) `user` acts for, or None."""
    org = organisation_of(user)
    if org is None or org.kind != OrganisationKind.PROPERTY_MANAGER or not org.is_active:
        return None
    return org


def is_back_office(user) -> bool:
    """Operators without an organisation: superusers in the admin, SYSTEM in commands and tasks."""
    return organisation_of(user) is None and bool(getattr(user, "is_superuser", False))


def writes_as_insurer(user) -> bool:
    """Whether `user` may write as some insurer at all: an active insurer, or the back office."""
    return insurer_of(user) is not None or is_back_office(user)


def acts_for_insurer(user, insurer_id: int) -> bool:
    """Whether `user` may write as the insurer `insurer_id`: the insurer itself, or the back office."""
    if is_back_office(user):
        return True
    org = insurer_of(user)
    return org is not None and org.pk == insurer_id


def may_register_policy(user, *, insurer_id: int, policyholder_id: int) -> bool:
    """Insurers register (and renew) their own policies; property managers those they hold."""
    if acts_for_insurer(user, insurer_id):
        return True
    holder = property_manager_of(user)
    return holder is not None and holder.pk == policyholder_id


def may_renew_policy(user, policy) -> bool:
    """Renewing is registering the next period: the policy's insurer or its policyholder."""
    return may_register_policy(user, insurer_id=policy.insurer_id, policyholder_id=policy.policyholder_id)


def may_cancel_policy(user, policy) -> bool:
    """Only the insurer cancels (退保) a policy, and the back office; a policyholder asks its insurer."""
    return acts_for_insurer(user, policy.insurer_id)


def may_change_product(user, product) -> bool:
    """A product's terms are its insurer's to change (and the back office's)."""
    return acts_for_insurer(user, product.insurer_id)


CHANGE_PRODUCT = ObjectRule(may_change_product, _("只有保险机构本身可以维护自己的产品和保单。"))
RENEW_POLICY = ObjectRule(may_renew_policy, _("只有承保的保险机构或投保人本身可以续保。"))
CANCEL_POLICY = ObjectRule(may_cancel_policy, _("只有承保的保险机构可以退保。"))
