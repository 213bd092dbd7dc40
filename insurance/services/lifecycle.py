"""Writes that end policies: cancellation (退保), expiry and the expiry notices."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services import notice_send
from core.audit import update_audited
from core.exceptions import ApplicationError

from ..models import Policy, PolicyElevator
from ..permissions import CANCEL_POLICY


def _cancel_refusal(policy: Policy, on: date) -> ApplicationError:
    """Why Policy.can_cancel(on) is false, in words."""
    if policy.status == Policy.Status.CANCELLED:
        return ApplicationError(
            _("保单 %(number)s 已于 %(on)s 退保。")
            % {"number": policy.number, "on": policy.cancelled_on.isoformat()},
            field="policy",
        )
    if policy.status != Policy.Status.ACTIVE:
        return ApplicationError(
            _("保单 %(number)s 已到期，不能退保。") % {"number": policy.number}, field="policy"
        )
    if on < policy.start_date:
        return ApplicationError(
            _("退保日期不能早于保险起期（%(start)s）。") % {"start": policy.start_date.isoformat()},
            field="date",
        )
    return ApplicationError(
        _("退保日期不能晚于保险止期（%(end)s）。") % {"end": policy.end_date.isoformat()}, field="date"
    )


@transaction.atomic
def policy_cancel(*, user, policy: Policy, on: date) -> Policy:
    """Cancel (退保) a policy from `on`: its cover ends the day before, so from `on` its elevators
    count as uninsured and may be covered anew.

    Only the insurer (or the back office) cancels, and only a policy in force, from a day of its
    period (Policy.can_cancel). Each cover's end date becomes the day before `on`; a cover that had
    not begun by then never took effect and is marked cancelled with its dates kept (a period
    ending before it starts is no period). The policy keeps its contracted end date; its status and
    cancellation date keep the history.
    """
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    CANCEL_POLICY.require(user, policy)
    if not policy.can_cancel(on):
        raise _cancel_refusal(policy, on)
    policy.status, policy.cancelled_on = Policy.Status.CANCELLED, on
    policy.save(update_fields=["status", "cancelled_on"])
    covers = policy.covered.filter(is_cancelled=False)
    update_audited(covers.filter(start_date__gte=on), is_cancelled=True)
    update_audited(covers.filter(end_date__gte=on), end_date=on - timedelta(days=1))
    return policy


def policies_expire(*, today: date) -> int:
    """Mark active policies whose period has ended as expired (daily); returns how many."""
    ended = Policy.objects.filter(status=Policy.Status.ACTIVE, end_date__lt=today)
    return update_audited(ended, status=Policy.Status.EXPIRED)


def policy_expiry_notices(*, today: date, days: int = 30) -> int:
    """Tell policyholders (in-app and e-mail) about policies ending within `days` whose elevators
    have no follow-on policy. Each policy is announced once. Returns the number of notices sent."""

    horizon = today + timedelta(days=days)
    ending = Policy.objects.filter(
        status=Policy.Status.ACTIVE,
        end_date__gte=today,
        end_date__lte=horizon,
        expiry_notified_at__isnull=True,
    ).select_related("policyholder")
    ending = list(ending)
    covers = list(
        PolicyElevator.objects.in_force_during(today).filter(policy__in=ending).select_related("elevator")
    )
    # Cover that begins after today, per elevator and model: a follow-on policy if it starts after
    # the ending policy does (two covers of one model cannot overlap).
    later_starts: dict[tuple[int, str], list[date]] = defaultdict(list)
    for elevator_id, model, start in (
        PolicyElevator.objects.in_force_during(today)
        .filter(elevator_id__in={c.elevator_id for c in covers}, start_date__gt=today)
        .values_list("elevator_id", "model", "start_date")
    ):
        later_starts[(elevator_id, model)].append(start)
    by_policy: dict[int, list[str]] = defaultdict(list)
    for cover in covers:
        if not any(start > cover.end_date for start in later_starts[(cover.elevator_id, cover.model)]):
            by_policy[cover.policy_id].append(cover.elevator.equipment_code)
    by_holder: dict[Organisation, list[tuple[Policy, list[str]]]] = defaultdict(list)
    for policy in ending:
        if by_policy.get(policy.pk):
            by_holder[policy.policyholder].append((policy, sorted(by_policy[policy.pk])))
    sent = 0
    with transaction.atomic():
        for holder, items in by_holder.items():
            lines = [
                _("保单 %(number)s 将于 %(end)s 到期，%(n)d 台电梯尚无续保：%(codes)s")
                % {
                    "number": p.number,
                    "end": p.end_date.isoformat(),
                    "n": len(codes),
                    "codes": "、".join(codes[:20]),
                }
                for p, codes in items
            ]
            notice_send(
                organisation=holder,
                subject=_("%(n)d 份电梯保险保单即将到期，请及时续保") % {"n": len(items)},
                body="\n".join(lines),
                link=f"/policies/?expiring_within={days}",
            )
            Policy.objects.filter(pk__in=[p.pk for p, _codes in items]).update(
                expiry_notified_at=timezone.now()
            )
            sent += 1
    return sent
