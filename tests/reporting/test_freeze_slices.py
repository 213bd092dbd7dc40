"""Every slice of a month from one pass (reporting.selectors.slices, PostgreSQL): the same figures
as each slice counted apart and as coverage_by for each scope's reader, at the edges the cells
must get right (publicly funded elevators outside the finance bureau's sector, two covers of one
elevator by one insurer, a public cover beside a private one)."""

from datetime import timedelta

import pytest
from django.db import connection

from core.principal import SYSTEM
from insurance.models import FundingSource, InsuranceModel
from reporting.months import freeze_scopes, freeze_slices
from reporting.selectors import GROUPINGS, coverage_by
from reporting.services import months
from tests.elevators.factories import ElevatorFactory
from tests.insurance.factories import policy, product_version

from .conftest import ON, place

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one pass is PostgreSQL's"),
]


@pytest.fixture
def edges(world, registry):
    """Beside the registry: a residential elevator (outside the finance bureau's sector) insured by
    a publicly funded policy and a private one of the other model; one whose publicly funded policy
    ended before ON (publicly funded, uninsured); one covered twice by one insurer (two models)."""
    fan, xiang = world.fancheng, world.xiangcheng
    due = ON + timedelta(days=200)
    a_liability = product_version(world.orgs["insurer_a"], model=InsuranceModel.LIABILITY, code="A-L2")
    a_service = product_version(
        world.orgs["insurer_a"], model=InsuranceModel.INSURANCE_MAINTENANCE, code="A-M"
    )
    b_service = product_version(
        world.orgs["insurer_b"], model=InsuranceModel.INSURANCE_MAINTENANCE, code="B-M2"
    )
    public_residential = ElevatorFactory(district=fan, next_inspection_due=due)
    lapsed_public = ElevatorFactory(district=xiang, next_inspection_due=due)
    twice = ElevatorFactory(district=xiang, place_category=place("HOSPITAL"), next_inspection_due=due)
    start = ON - timedelta(days=100)
    public = FundingSource.PUBLIC_FINANCE
    policy(a_liability, [public_residential], start=start, funding_source=public)
    policy(b_service, [public_residential], start=start)
    policy(
        a_liability,
        [lapsed_public],
        start=ON - timedelta(days=300),
        end=ON - timedelta(days=40),
        funding_source=public,
    )
    policy(a_liability, [twice], start=start)
    policy(a_service, [twice], start=start)


def rows(figures):
    return [(f.scope, f.scope_code, f.by, f.key, f.label, f.in_scope, f.insured) for f in figures]


def test_one_pass_gives_what_each_slice_counted_apart_gives(edges):
    keys = freeze_slices()
    one_pass = months.slices_figures(keys=keys, on=ON)
    apart = []
    for key in keys:
        scopes = months.slice_scopes(key)
        for scope, groupings in zip(scopes, months._slice_coverage(key, ON), strict=True):
            apart.append(months._figure(scope.key, months.TOTAL, groupings[GROUPINGS[0]].total))
            for by in GROUPINGS:
                apart += [months._figure(scope.key, by, row) for row in groupings[by].rows]
    assert rows(one_pass) == rows(apart)
    for key in keys:  # each slice alone (a freeze_slice task) reads only what it needs
        scopes = {scope.key for scope in months.slice_scopes(key)}
        assert rows(months.slice_figures(key=key, on=ON)) == [r for r in rows(one_pass) if r[:2] in scopes]


def test_one_pass_gives_what_coverage_by_answers_each_reader(edges):
    figures = months.slices_figures(keys=freeze_slices(), on=ON)
    for scope in freeze_scopes():
        mine = [f for f in figures if (f.scope, f.scope_code) == scope.key]
        for by in GROUPINGS:
            live = coverage_by(user=scope.principal, on=ON, by=by, filters=scope.filters)
            [total] = [f for f in mine if f.by == months.TOTAL]
            assert (total.in_scope, total.insured) == (live.total.in_scope, live.total.insured), scope.key
            assert [(f.key, f.label, f.in_scope, f.insured) for f in mine if f.by == by] == [
                (r.key, r.label, r.in_scope, r.insured) for r in live.rows
            ], (scope.key, by)


def test_the_finance_bureau_counts_its_publicly_funded_elevators_and_covers_only(world, edges):
    [finance] = [s for s in freeze_scopes() if s.code == "FINANCE"]
    live = coverage_by(user=finance.principal, on=ON, by="funding_source")
    # public housing (insured, public), the residential one insured publicly, the lapsed one
    assert (live.total.in_scope, live.total.insured) == (3, 2)
    assert [(r.key, r.insured) for r in live.rows] == [(FundingSource.PUBLIC_FINANCE, 2)]
    figures = months.slices_figures(keys=["FINANCE"], on=ON)
    assert [(f.key, f.insured) for f in figures if f.by == "funding_source"] == [
        (FundingSource.PUBLIC_FINANCE, 2)
    ]
    city = coverage_by(user=SYSTEM, on=ON, by="insurer")
    insurer_a = world.orgs["insurer_a"]
    [row] = [r for r in city.rows if r.key == (insurer_a.credit_code or str(insurer_a.pk))]
    frozen = [
        f for f in months.slices_figures(keys=["city"], on=ON) if f.by == "insurer" and f.key == row.key
    ]
    assert frozen[0].insured == row.insured  # the elevator insurer A covers twice counts once
