"""English pages hold no Chinese the portal itself writes: stored factor inputs, place category
names and the admin's headings are translated (names of organisations and places stay as written)."""

import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from core.models import ImportRun
from elevators.models import PlaceCategory
from insurance.rating import factor_input_shown
from tests.elevators.factories import ElevatorFactory
from tests.factories import UserFactory
from tests.insurance.factories import policy, product_version
from tests.utils.clients import browser
from tests.utils.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """A request with the English cookie activates English for the thread: give it back after."""
    with translation.override("zh-hans"):
        yield


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_stored_factor_inputs_are_shown_in_the_pages_language():
    with translation.override("en"):
        assert factor_input_shown("age", "12年") == "12 yr"
        assert factor_input_shown("claims", "0次") == "0"
        assert factor_input_shown("maintenance", "无评分") == "No score"
        assert factor_input_shown("maintenance", "85") == "85"
        assert factor_input_shown("age", "未知") == "Unknown"
        assert factor_input_shown("place", "医院") == "Hospital"
    with translation.override("zh-hans"):
        assert factor_input_shown("age", "12年") == "12年"


def test_a_policy_rated_in_chinese_shows_its_factors_in_english():
    world = make_world()
    elevator = ElevatorFactory(
        district=world.fancheng,
        user_unit=world.orgs["pm_fancheng"],
        place_category=PlaceCategory.objects.get(code="HOSPITAL"),
    )
    with translation.override("zh-hans"):
        registered = policy(product_version(world.orgs["insurer_a"]), [elevator], start=timezone.localdate())
    assert registered.covered.get().rating["factors"][1]["input"] == "医院"
    page = english(browser(world, "pm_fancheng")).get(f"/policies/{registered.pk}/").content.decode()
    cells = re.findall(r'data-factor="(\w+)">\s*<div>(.*?)</div>', page)
    assert cells and all(not CJK.search(text) for _factor, text in cells), cells
    assert ("place", "Hospital") in cells


def test_place_categories_are_named_in_english():
    world = make_world()
    page = english(browser(world, "city")).get("/elevators/").content.decode()
    assert ">Hospital</option>" in page and "医院" not in page
    with translation.override("zh-hans"):
        assert str(PlaceCategory.objects.get(code="HOSPITAL")) == "医院"


def test_import_page_punctuation_follows_the_language():
    world = make_world()
    run = ImportRun.objects.create(
        kind="claims", filename="claims.xlsx", checksum="0" * 64, organisation=world.orgs["insurer_a"],
        created_by=world.users["insurer_a"], status=ImportRun.Status.DONE,
    )  # fmt: skip
    page = english(browser(world, "insurer_a")).get(f"/imports/{run.pk}/").content.decode()
    assert "Submitted by: u_insurer_a" in page and "：" not in page


def test_the_admin_headings_of_lockouts_and_api_keys_are_translated():
    root = UserFactory(organisation=None, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    client.cookies["django_language"] = "zh-hans"
    headings = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", client.get("/admin/").content.decode(), re.S)
    assert "登录失败记录与锁定" in headings and "API 密钥权限" in headings
    assert "Axes" not in headings and "API Key Permissions" not in headings
    english(client)
    headings = re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", client.get("/admin/").content.decode(), re.S)
    assert "Sign-in failures and lock-outs" in headings and "API key permissions" in headings
