"""seed_demo's shortcuts at scale: one hash of the shared demo password, no frozen history by
default from benchmark scale on."""

import random

import pytest
from django.contrib.auth.hashers import check_password

from accounts.models import User
from demo.accounts import (
    DEMO_PASSWORD,
    districts_load,
    organisation_details,
    organisation_plan,
    organisations_ensure,
    users_ensure,
)
from demo.registry import BULK_THRESHOLD
from demo.reporting import MONTHS, months_wanted


@pytest.mark.django_db
def test_demo_logins_share_one_full_strength_hash_of_the_demo_password():
    districts = districts_load()
    plan = organisation_plan(districts=districts)
    details = organisation_details(rng=random.Random(1), plan=plan, districts=districts)
    organisations, _created = organisations_ensure(plan=plan, details=details, districts=districts)
    assert users_ensure(plan=plan, details=details, organisations=organisations) > 2
    logins = User.objects.exclude(is_superuser=True)
    hashes = set(logins.values_list("password", flat=True))
    assert len(hashes) == 1
    assert check_password(DEMO_PASSWORD, hashes.pop())
    assert User.objects.get(username="admin").check_password(DEMO_PASSWORD)
    # outside the demo's block, a password is hashed on its own again
    user = logins.first()
    user.set_password(DEMO_PASSWORD)
    assert user.password not in set(logins.values_list("password", flat=True))


@pytest.mark.parametrize(
    ("options", "months"),
    [
        ({"elevators": 3000}, MONTHS),
        ({"elevators": BULK_THRESHOLD}, 0),
        ({"elevators": BULK_THRESHOLD, "months": 2}, 2),
        ({"elevators": 3000, "months": 0}, 0),
    ],
)
def test_months_frozen_by_default_depend_on_the_scale(options, months):
    assert months_wanted({"months": None, **options}) == months
