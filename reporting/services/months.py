"""Freezing, approving and publishing months, the figures kept per day, and targets."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import District, OrganisationKind
from core.exceptions import ApplicationError
from core.principal import SYSTEM
from elevators.models import PlaceCategorySector

from ..models import (
    DailyFigure,
    DailySnapshot,
    DailySummary,
    FrozenFigure,
    FrozenMonth,
    MonthStatus,
    Refreeze,
    ScopeKind,
    Target,
)
from ..months import CITY_SLICE, TOTAL, freeze_scopes, freeze_slices, month_end, month_start, slice_scopes
from ..selectors import GROUPINGS, coverage_all
from ..selectors.forecast import forecast_all, forecast_slices
from ..selectors.slices import CellSlice, coverage_slices
from ..selectors.summaries import summaries_all, summaries_slices
from ..tasks import freeze_finish, freeze_slice, generate_month_reports
from .permissions import actor_of, check_city_regulator

# --- freezing -----------------------------------------------------------------------------------


def slice_figures(*, key: str, on: date) -> list[FrozenFigure]:
    """The figures of one slice of a month (reporting.months.freeze_slices) on `on`: each of its
    scopes' total and rows of every grouping, as coverage_by answers them for the scope's reader."""
    return slices_figures(keys=[key], on=on)


def slices_figures(*, keys: list[str], on: date) -> list[FrozenFigure]:
    """The figures of the slices `keys` on `on`, in that order. On PostgreSQL every slice's come
    from one pass over the registry (selectors.slices.coverage_slices: four statements, whatever
    the slices); elsewhere, or for a scope whose reader's rule is not one of the cells', each
    slice is counted apart (coverage_all: the city and its districts from the same three scans)."""
    scopes = [scope for key in keys for scope in slice_scopes(key)]
    cells = [_cell_slice(scope) for scope in scopes]
    if connection.vendor == "postgresql" and None not in cells:
        per_scope = coverage_slices(on=on, slices=cells)
    else:
        per_scope = [groupings for key in keys for groupings in _slice_coverage(key, on)]
    figures = []
    for scope, groupings in zip(scopes, per_scope, strict=True):
        figures.append(_figure(scope.key, TOTAL, groupings[GROUPINGS[0]].total))
        for by in GROUPINGS:
            figures += [_figure(scope.key, by, row) for row in groupings[by].rows]
    return figures


def _slice_coverage(key: str, on: date) -> list[dict]:
    """Every grouping of each scope of the slice `key`, counted for the slice alone."""
    scopes = slice_scopes(key)
    if key == CITY_SLICE:
        districts = [scope.code for scope in scopes[1:]]
        answers = coverage_all(user=SYSTEM, on=on, districts=districts)
        return [answers[None], *(answers[code] for code in districts)]
    [scope] = scopes
    return [coverage_all(user=scope.principal, on=on, filters=scope.filters)[None]]


def _cell_slice(scope) -> CellSlice | None:
    """The registry's cells `scope` holds (selectors.slices), by what its reader sees: the city
    all, a district regulator its district, a sector department the place categories of its
    sector, the finance bureau its sector and every publicly funded elevator, seeing only the
    publicly funded policies (elevators' and insurance's visibility rules for those kinds). None
    for a scope of any other kind or with other filters: it is counted apart."""
    if scope.kind == ScopeKind.CITY and not scope.filters:
        return CellSlice()
    if scope.kind == ScopeKind.DISTRICT and scope.filters == {"district": scope.code}:
        return CellSlice(district=scope.code)
    organisation = getattr(scope.principal, "organisation", None)
    if scope.kind != ScopeKind.DEPARTMENT or scope.filters or organisation is None:
        return None
    sector = frozenset(
        PlaceCategorySector.objects.filter(department=organisation.department).values_list(
            "place_category_id", flat=True
        )
    )
    if organisation.kind == OrganisationKind.SECTOR_DEPARTMENT:
        return CellSlice(place_categories=sector)
    if organisation.kind == OrganisationKind.FINANCE_BUREAU:
        return CellSlice(place_categories=sector, publicly_funded=True, public_covers_only=True)
    return None


def _figures_at(on: date) -> list[FrozenFigure]:
    """Every slice's figures on `on`, in the order of freeze_slices."""
    return slices_figures(keys=freeze_slices(), on=on)


def _figure(scope: tuple[str, str], by: str, row) -> FrozenFigure:
    return FrozenFigure(
        scope=scope[0],
        scope_code=scope[1],
        by=by,
        key=row.key,
        label=row.label[:200],
        in_scope=row.in_scope,
        insured=row.insured,
    )


def _figures_as_list(figures) -> list[list]:
    return [[f.scope, f.scope_code, f.by, f.key, f.label, f.in_scope, f.insured] for f in figures]


def _figures_from_lists(rows: list[list]) -> list[FrozenFigure]:
    fields = ("scope", "scope_code", "by", "key", "label", "in_scope", "insured")
    return [FrozenFigure(**dict(zip(fields, row, strict=True))) for row in rows]


def month_freeze(
    *, user, month: date, reason: str = "", figures: list[list] | None = None
) -> tuple[FrozenMonth, bool]:
    """Freeze `month` (any day of it): the figures of every scope and grouping at its last day.

    Idempotent: a month already frozen is left as it is, unless the city regulator re-freezes it
    with a `reason`, which is recorded with the figures before and after (the month goes back to
    draft and must be approved and published again). A month that has not ended is refused.
    Returns (the frozen month, whether figures were computed).

    `figures` are the month's rows already computed by its slices (month_freeze_in_slices: one
    task per slice, then this as the finishing step); without them they are computed here.
    """
    first, on = month_start(month), month_end(month)
    if on >= timezone.localdate():
        raise ApplicationError(
            _("%(month)s 尚未结束，不能冻结。") % {"month": f"{first:%Y-%m}"}, field="month"
        )
    reason = (reason or "").strip()
    if reason:
        check_city_regulator(user, _("只有市级市场监管部门可以重新冻结月度数据。"))
    else:
        check_city_regulator(user, _("只有市级市场监管部门可以冻结月度数据。"))
    existing = FrozenMonth.objects.filter(month=first).first()
    if existing is not None and not reason:
        return existing, False
    person, label = actor_of(user)
    with transaction.atomic():
        frozen = FrozenMonth.objects.select_for_update().filter(month=first).first()
        if frozen is None:
            try:
                with transaction.atomic():
                    frozen = FrozenMonth.objects.create(
                        month=first, on=on, frozen_at=timezone.now(), frozen_by=person, frozen_by_label=label
                    )
            except IntegrityError:
                # another freeze of the same month won the race: its figures stand
                return FrozenMonth.objects.get(month=first), False
            figures = _figures_from_lists(figures) if figures is not None else _figures_at(on)
            _store(frozen, figures)
            return frozen, True
        if not reason:
            return frozen, False
        before = _figures_as_list(frozen.figures.order_by("pk"))
        previous = {"previous_frozen_at": frozen.frozen_at, "previous_status": frozen.status}
        figures = _figures_from_lists(figures) if figures is not None else _figures_at(on)
        frozen.figures.all().delete()
        _store(frozen, figures)
        now = timezone.now()
        Refreeze.objects.create(
            frozen_month=frozen,
            refrozen_at=now,
            refrozen_by=person,
            refrozen_by_label=label,
            reason=reason,
            figures_before=before,
            figures_after=_figures_as_list(figures),
            **previous,
        )
        frozen.frozen_at, frozen.frozen_by, frozen.frozen_by_label = now, person, label
        frozen.status = MonthStatus.DRAFT
        frozen.approved_at = frozen.approved_by = frozen.published_at = frozen.published_by = None
        frozen.save()
        return frozen, True


def month_freeze_in_slices(*, user, month: date):
    """Freeze `month` on the workers: one task per slice of freeze_slices computes its figures
    (several workers share the month), and one finishing task stores them all in one transaction
    through month_freeze, so a month is frozen whole or not at all and freezing stays idempotent
    (a month already frozen is left alone; re-freezing with a reason is month_freeze's, by hand).
    Returns the chord's result; with tasks run in-process the month is frozen when this returns."""
    from celery import chord

    first, on = month_start(month), month_end(month)
    if on >= timezone.localdate():
        raise ApplicationError(
            _("%(month)s 尚未结束，不能冻结。") % {"month": f"{first:%Y-%m}"}, field="month"
        )
    check_city_regulator(user, _("只有市级市场监管部门可以冻结月度数据。"))
    header = [freeze_slice.si(first.isoformat(), key) for key in freeze_slices()]
    return chord(header)(freeze_finish.s(first.isoformat()))


# --- the daily figures the dashboards read ------------------------------------------------------


def daily_figures_refresh(
    *, on: date | None = None, figures: list[FrozenFigure] | None = None
) -> DailySnapshot:
    """Keep the coverage figures of `on` (today by default) for every scope and grouping, the same
    rows a frozen month stores (slice_figures), replacing that day's in one transaction: the
    dashboards read them (selectors.daily.coverage_kept) instead of counting on each request.
    Beside them each scope's summary (the insurance figures, the maintenance states, the first
    ending policies: selectors.summaries), so that a dashboard request counts nothing.
    `figures`: the day's rows already computed (a month's freeze passes its own, and keeps no
    summaries: a dashboard of that day counts them live)."""
    on = on or timezone.localdate()
    summaries = []
    if figures is None:
        figures = _figures_at(on) + _forecast_figures(on)
        summaries = _summaries_at(on)
    with transaction.atomic():
        DailySnapshot.objects.filter(day=on).delete()
        snapshot = DailySnapshot.objects.create(day=on, computed_at=timezone.now())
        DailyFigure.objects.bulk_create(
            [
                DailyFigure(
                    snapshot=snapshot,
                    scope=f.scope,
                    scope_code=f.scope_code,
                    by=f.by,
                    key=f.key,
                    label=f.label,
                    in_scope=f.in_scope,
                    insured=f.insured,
                )
                for f in figures
            ],
            batch_size=1000,
        )
        for summary in summaries:
            summary.snapshot = snapshot
        DailySummary.objects.bulk_create(summaries)
    return snapshot


FORECAST = "forecast"  # the `by` of a kept day's renewal-cliff points (key: the days ahead)


def _forecast_figures(on: date) -> list[FrozenFigure]:
    """The renewal cliff's points of every scope on `on` (coverage_forecast's), one grouped count
    per slice (forecast_all), as rows `by = "forecast"`."""
    figures = []
    every_scope = _every_scope(
        one_pass=lambda cells: forecast_slices(on=on, slices=cells),
        slice_by_slice=lambda **slice_: forecast_all(on=on, **slice_),
    )
    for scope, points in every_scope:
        figures += [_figure(scope.key, FORECAST, point.figure) for point in points]
    return figures


def _summaries_at(on: date) -> list[DailySummary]:
    """Every scope's summary on `on` (selectors.summaries), as DailySummary rows."""
    every_scope = _every_scope(
        one_pass=lambda cells: summaries_slices(on=on, slices=cells),
        slice_by_slice=lambda **slice_: summaries_all(on=on, **slice_),
    )
    return [DailySummary(scope=scope.kind, scope_code=scope.code, **fields) for scope, fields in every_scope]


def _every_scope(*, one_pass, slice_by_slice) -> list[tuple]:
    """(scope, answer) for every scope of freeze_scopes: from one pass of cells (`one_pass`, given
    each scope's CellSlice) when every scope is a set of cells, as slices_figures does; otherwise
    slice by slice as each scope's reader (`slice_by_slice`, see _per_scope)."""
    scopes = freeze_scopes()
    cells = [_cell_slice(scope) for scope in scopes]
    if None in cells:
        return _per_scope(slice_by_slice)
    return list(zip(scopes, one_pass(cells), strict=True))


def _per_scope(answers_of) -> list[tuple]:
    """(scope, answer) for every scope of freeze_slices, from one call per slice of `answers_of`
    (a selector answering a slice as None and each of its `districts`, as forecast_all does): the
    city with its districts as the system, a department as its scope's reader."""
    answers = []
    for key in freeze_slices():
        scopes = slice_scopes(key)
        if key == CITY_SLICE:
            districts = [scope.code for scope in scopes[1:]]
            per_scope = answers_of(user=SYSTEM, districts=districts)
            answers += zip(scopes, [per_scope[None], *(per_scope[code] for code in districts)], strict=True)
        else:
            [scope] = scopes
            answers.append((scope, answers_of(user=scope.principal, filters=scope.filters)[None]))
    return answers


def _store(frozen: FrozenMonth, figures: list[FrozenFigure]) -> None:
    for figure in figures:
        figure.frozen_month = frozen
    FrozenFigure.objects.bulk_create(figures, batch_size=1000)
    # the month's last day is kept for the dashboards too (its "as of" reads them)
    daily_figures_refresh(on=frozen.on, figures=figures)


def _transition(*, user, frozen_month: FrozenMonth, status: str, refusal: str) -> FrozenMonth:
    check_city_regulator(user, _("只有市级市场监管部门可以审核和发布月度数据。"))
    frozen = FrozenMonth.objects.select_for_update().get(pk=frozen_month.pk)
    if not frozen.can_transition_to(status):
        raise ApplicationError(refusal % {"month": frozen.label, "status": frozen.get_status_display()})
    person, _label = actor_of(user)
    frozen.status = status
    if status == MonthStatus.APPROVED:
        frozen.approved_at, frozen.approved_by = timezone.now(), person
    elif status == MonthStatus.PUBLISHED:
        frozen.published_at, frozen.published_by = timezone.now(), person
    frozen.save()
    return frozen


@transaction.atomic
def month_approve(*, user, frozen_month: FrozenMonth) -> FrozenMonth:
    """Approve a draft month (the city regulator): draft → approved."""
    return _transition(
        user=user,
        frozen_month=frozen_month,
        status=MonthStatus.APPROVED,
        refusal=_("%(month)s 当前为“%(status)s”，只有草稿可以审核。"),
    )


@transaction.atomic
def month_publish(*, user, frozen_month: FrozenMonth, reports: bool = True) -> FrozenMonth:
    """Publish an approved month (the city regulator): approved → published. Departments, their
    reports and the public page see it from now on; its reports are built after commit (unless
    `reports` is false: a history back-filled at once, whose reports nobody waits for)."""
    frozen = _transition(
        user=user,
        frozen_month=frozen_month,
        status=MonthStatus.PUBLISHED,
        refusal=_("%(month)s 当前为“%(status)s”，只有已审核的月份可以发布。"),
    )
    if reports:
        transaction.on_commit(lambda: generate_month_reports.delay(frozen.pk))
    return frozen


# --- targets ------------------------------------------------------------------------------------


def target_set(*, user, due_on: date, rate, district: District | None = None) -> Target:
    """Set (or change) the coverage target due on `due_on` for the city or one district."""
    check_city_regulator(user, _("只有市级市场监管部门可以设定目标。"))
    try:
        rate = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("目标投保率应为 0 到 1 之间的数。"), field="rate") from None
    if not (0 <= rate <= 1):
        raise ApplicationError(_("目标投保率应为 0 到 1 之间的数。"), field="rate")
    person, _label = actor_of(user)
    with transaction.atomic():
        target, _created = Target.objects.select_for_update().update_or_create(
            district=district,
            due_on=due_on,
            defaults={"rate": rate.quantize(Decimal("0.0001")), "set_by": person},
        )
    return target
