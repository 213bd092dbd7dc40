"""Writes that register policies: one at a time, once per number, and renewals."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.services import notice_send
from core.audit import log_bulk
from core.exceptions import ApplicationError
from elevators.models import Elevator

from ..models import FundingSource, Policy, PolicyElevator, ProductVersion
from ..models.policies import renewal_window_days
from ..permissions import RENEW_POLICY, may_register_policy, property_manager_of
from ..rating import quote
from .premiums import policy_premium


def policy_default_end(start: date) -> date:
    """The last day of one policy year from `start` (both ends inclusive; 29 February ends on the 28th)."""
    if start.year >= date.max.year:
        raise ApplicationError(
            _("保险起期 %(start)s 超出了可以计算保险止期的范围。") % {"start": start.isoformat()},
            field="start_date",
        )
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:
        return date(start.year + 1, 3, 1) - timedelta(days=1)


def _check_policy_writer(user, *, insurer: Organisation, policyholder: Organisation) -> None:
    """Insurers register their own policies; property managers those they hold (DESIGN.md 2)."""
    if not may_register_policy(user, insurer_id=insurer.pk, policyholder_id=policyholder.pk):
        raise PermissionDenied(_("只有承保的保险机构或投保人本身可以登记保单。"))


def _check_policyholder(policyholder: Organisation, elevators: list[Elevator]) -> None:
    """Plan 四(二): the policyholder is the owner or the user unit of every covered elevator."""
    at_fault = [e for e in elevators if policyholder.pk not in (e.owner_id, e.user_unit_id)]
    if at_fault:
        raise ApplicationError(
            _("投保人“%(holder)s”不是下列电梯的产权单位或使用单位：%(codes)s")
            % {"holder": policyholder.name, "codes": "、".join(e.equipment_code for e in at_fault)},
            field="elevators",
            extra={"elevators": [e.equipment_code for e in at_fault]},
        )


def _overlaps(*, elevator_ids: list[int], model: str, start: date, end: date, exclude_policy=None):
    """Cover of the same model in force on some day of start..end for any of these elevators."""
    covers = (
        PolicyElevator.objects.in_force_during(start, end)
        .filter(elevator_id__in=elevator_ids, model=model)
        .select_related("policy", "elevator")
    )
    return covers.exclude(policy=exclude_policy) if exclude_policy else covers


def _overlap_error(covers, *, user) -> ApplicationError:
    """The overlap refusal. It names each conflicting policy the caller may see (DESIGN.md 3); one
    it may not see (another insurer's) is only said to exist, without its number."""
    visible = set(
        Policy.objects.visible_to(user)
        .filter(pk__in={c.policy_id for c in covers})
        .values_list("pk", flat=True)
    )
    pairs = sorted(
        {(c.elevator.equipment_code, c.policy.number if c.policy_id in visible else "") for c in covers}
    )
    reasons = [
        _("电梯 %(code)s 已由保单 %(number)s 承保") % {"code": code, "number": number}
        if number
        else _("电梯 %(code)s 已由其他保险机构的保单承保") % {"code": code}
        for code, number in pairs
    ]
    return ApplicationError(
        _("保险期间与已有保单重叠：%(pairs)s") % {"pairs": "；".join(reasons)},
        field="elevators",
        extra={"conflicts": [{"elevator": code, "policy": number or None} for code, number in pairs]},
    )


def _next_number(insurer: Organisation, start: date) -> str:
    """A number for a policy registered in the portal before the insurer's own number is known."""
    prefix = f"TB{start:%Y%m%d}"
    taken = Policy.objects.filter(insurer=insurer, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:05d}"


NUMBER_ATTEMPTS = 5


def _create_numbered(fields: dict, *, number: str, insurer: Organisation, start: date) -> Policy:
    """Create the policy row. Two registrations racing for one number meet at the unique
    constraint: a number the caller chose is refused with a message, a portal number is drawn again.
    Any other constraint's refusal is not a number clash and is raised as it is."""
    for _attempt in range(NUMBER_ATTEMPTS):
        candidate = number or _next_number(insurer, start)
        try:
            with transaction.atomic():
                return Policy.objects.create(number=candidate, **fields)
        except IntegrityError:
            # A unique violation is raised once the other row is committed, so a clash is visible.
            if not Policy.objects.filter(insurer=insurer, number=candidate).exists():
                raise
            if number:
                raise ApplicationError(
                    _("保单号 %(number)s 已存在。") % {"number": number}, field="number"
                ) from None
    raise ApplicationError(_("系统繁忙，未能生成保单号，请重试。"))


def check_policy_terms(
    *, product, has_elevators: bool, start_date: date, end_date: date | None, renewal: bool
) -> date:
    """The rules of a policy's terms that need no reads (one policy or a batch): some elevator, an end
    not before the start, a product on sale unless renewing. Returns the end date, one policy year
    from the start when none is given (policy_default_end)."""
    if not has_elevators:
        raise ApplicationError(_("请至少选择一台电梯。"), field="elevators")
    end_date = end_date or policy_default_end(start_date)
    if end_date < start_date:
        raise ApplicationError(_("保险止期不能早于起期。"), field="end_date")
    if not renewal and not product.is_on_sale:
        raise ApplicationError(_("该产品已停售。"), field="product")
    return end_date


@transaction.atomic
def policy_register(
    *,
    user,
    version: ProductVersion,
    policyholder: Organisation,
    elevators: list[Elevator],
    start_date: date,
    end_date: date | None = None,
    number: str = "",
    funding_source: str = FundingSource.SELF,
    declared_premiums: dict[int, Decimal] | None = None,
    renewed_from: Policy | None = None,
) -> Policy:
    """Register a policy: rules checked, every elevator priced by `rating.quote`, cover written.

    The whole policy is refused if any rule fails: the policyholder must own or use every elevator,
    no elevator may already be covered under the same model for an overlapping period (PostgreSQL's
    exclusion constraint makes that true under concurrency too). A declared premium (imports, API,
    the browser's confirmed quote) is the contract's and is stored as it is, the rating beside it;
    outside the version's band it is flagged, and only what cannot be a premium is refused
    (services.premiums.policy_premium). An elevator without a declared premium takes its rating.
    End date defaults to one policy year (policy_default_end).
    """
    insurer = version.product.insurer
    _check_policy_writer(user, insurer=insurer, policyholder=policyholder)
    end_date = check_policy_terms(
        product=version.product,
        has_elevators=bool(elevators),
        start_date=start_date,
        end_date=end_date,
        renewal=renewed_from is not None,
    )
    if number and Policy.objects.filter(insurer=insurer, number=number).exists():
        raise ApplicationError(_("保单号 %(number)s 已存在。") % {"number": number}, field="number")
    # Lock the elevators in a stable order: two registrations for one elevator queue up here, and
    # the second sees the first's cover below.
    ids = sorted({e.pk for e in elevators})
    elevators = list(Elevator.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
    _check_policyholder(policyholder, elevators)
    model = version.product.model
    conflicts = list(_overlaps(elevator_ids=ids, model=model, start=start_date, end=end_date))
    if conflicts:
        raise _overlap_error(conflicts, user=user)
    priced = quote(version=version, elevators=elevators, start=start_date).by_elevator()
    premium = policy_premium(version=version, priced=priced, declared=declared_premiums)
    fields = {
        "insurer": insurer,
        "product_version": version,
        "model": model,
        "policyholder": policyholder,
        "start_date": start_date,
        "end_date": end_date,
        **premium.policy_fields(),
        "funding_source": funding_source,
        "renewed_from": renewed_from,
        "created_by": user if getattr(user, "pk", None) else None,
    }
    policy = _create_numbered(fields, number=number, insurer=insurer, start=start_date)
    covers = [
        PolicyElevator(
            policy=policy,
            elevator_id=elevator_id,
            premium=premium.declared[elevator_id],
            rated_premium=line.premium,
            rating=line.as_dict(),
            model=model,
            start_date=start_date,
            end_date=end_date,
        )
        for elevator_id, line in priced.items()
    ]
    try:
        with transaction.atomic():
            PolicyElevator.objects.bulk_create(covers)
            log_bulk(created=covers)
    except IntegrityError as exc:
        conflicts = list(
            _overlaps(elevator_ids=ids, model=model, start=start_date, end=end_date, exclude_policy=policy)
        )
        if conflicts:
            raise _overlap_error(conflicts, user=user) from exc
        raise
    holder = property_manager_of(user)
    if holder is not None and holder.pk == policyholder.pk:
        _notify_insurer(policy)
    return policy


def _notify_insurer(policy: Policy) -> None:
    """Tell the insurer that a policyholder registered a policy with it itself (browser or API)."""
    notice_send(
        organisation=policy.insurer,
        subject=_("新投保：%(holder)s 投保保单 %(number)s")
        % {"holder": policy.policyholder.name, "number": policy.number},
        body=_("%(holder)s 在门户中为 %(n)d 台电梯投保，保险期间 %(start)s 至 %(end)s，保费 %(total)s 元。")
        % {
            "holder": policy.policyholder.name,
            "n": policy.covered.count(),
            "start": policy.start_date.isoformat(),
            "end": policy.end_date.isoformat(),
            "total": policy.total_premium,
        },
        link=reverse("policy-detail", args=[policy.pk]),
    )


def policy_differences(
    policy: Policy,
    *,
    version: ProductVersion,
    policyholder: Organisation,
    elevators: list[Elevator],
    start_date: date,
    end_date: date | None = None,
    funding_source: str = FundingSource.SELF,
    declared_premiums: dict[int, Decimal] | None = None,
) -> list[str]:
    """What differs between a registered policy and the same number sent again (empty: identical)."""
    covers = {c.elevator_id: c.premium for c in policy.covered.all()}
    checks = [
        (policy.product_version.product_id == version.product_id, _("保险产品")),
        (policy.policyholder_id == policyholder.pk, _("投保人")),
        (set(covers) == {e.pk for e in elevators}, _("承保电梯")),
        (
            (policy.start_date, policy.end_date) == (start_date, end_date or policy_default_end(start_date)),
            _("保险期间"),
        ),
        (policy.funding_source == funding_source, _("资金来源")),
        (
            all(
                elevator_id in covers and covers[elevator_id] == declared
                for elevator_id, declared in (declared_premiums or {}).items()
            ),
            _("保费"),
        ),
    ]
    return [str(label) for same, label in checks if not same]


def policy_register_once(*, user, number: str, **registration) -> tuple[Policy, bool]:
    """Register a policy the insurer may send more than once (bulk API, policy lists): a number it
    already has is left alone when the content is the same, and refused when it differs.

    The existing policy is compared only when the caller may see it: a number taken by a policy the
    caller does not see (another holder's) is refused plainly, telling nothing about that policy.
    Takes policy_register's arguments; returns (policy, created).
    """
    version = registration["version"]
    insurer = version.product.insurer
    _check_policy_writer(user, insurer=insurer, policyholder=registration["policyholder"])
    if not Policy.objects.filter(insurer=insurer, number=number).exists():
        return policy_register(user=user, number=number, **registration), True
    existing = (
        Policy.objects.visible_to(user)
        .filter(insurer=insurer, number=number)
        .select_related("product_version")
        .first()
    )
    if existing is None:
        raise ApplicationError(_("保单号 %(number)s 已被使用。") % {"number": number}, field="number")
    keys = ("policyholder", "elevators", "start_date", "end_date", "funding_source", "declared_premiums")
    differences = policy_differences(
        existing, version=version, **{k: registration[k] for k in keys if k in registration}
    )
    if differences:
        raise ApplicationError(
            _("保单号 %(number)s 已存在，且%(fields)s与已登记的不同。")
            % {"number": number, "fields": "、".join(differences)},
            field="number",
            extra={"differences": differences},
        )
    return existing, False


@transaction.atomic
def policy_renew(*, user, policy: Policy, start_date: date | None = None) -> Policy:
    """Renew a policy into the next period in one step: same elevators (those the holder still owns
    or uses and that are still in use), the product's latest version, priced anew, for one policy
    year from the day after its end (policy_default_end, the rule a quote and a registration use).

    The policy's insurer or its policyholder renews it (Policy.can_renew): once, never a cancelled
    policy, and from TIBAO_RENEWAL_WINDOW_DAYS before its end (the refusal names that day). The policy is locked, so two renewals of one policy queue and the second is
    refused.
    """
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    RENEW_POLICY.require(user, policy)
    today = timezone.localdate()
    if not policy.can_renew(today):
        renewal = policy.renewal_or_none
        if renewal is not None:
            raise ApplicationError(
                _("保单 %(number)s 已续保为保单 %(renewal)s，不能重复续保。")
                % {"number": policy.number, "renewal": renewal.number},
                field="policy",
            )
        if policy.status == Policy.Status.CANCELLED:
            raise ApplicationError(
                _("保单 %(number)s 已退保，不能续保。") % {"number": policy.number}, field="policy"
            )
        raise ApplicationError(
            _("保单 %(number)s 于 %(end)s 到期，自 %(opens)s 起（到期前 %(days)d 天）可以续保。")
            % {
                "number": policy.number,
                "end": policy.end_date.isoformat(),
                "opens": policy.renewal_opens_on.isoformat(),
                "days": renewal_window_days(),
            },
            field="policy",
        )
    try:
        start_date = start_date or policy.end_date + timedelta(days=1)
    except OverflowError:
        raise ApplicationError(_("续保期间超出了可以计算的日期范围。"), field="start_date") from None
    end_date = policy_default_end(start_date)  # one policy year, as a quote for that start says
    version = policy.product_version.product.current_version
    elevators = [
        cover.elevator
        for cover in policy.covered.select_related("elevator")
        if cover.elevator.status == Elevator.Status.IN_USE
        and policy.policyholder_id in (cover.elevator.owner_id, cover.elevator.user_unit_id)
    ]
    return policy_register(
        user=user,
        version=version,
        policyholder=policy.policyholder,
        elevators=elevators,
        start_date=start_date,
        end_date=end_date,
        funding_source=policy.funding_source,
        renewed_from=policy,
    )
