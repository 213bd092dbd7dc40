"""District names as real files write them: every form of every division of the city fixture."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import District
from accounts.selectors import district_by_name, district_names

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[2] / "accounts" / "fixtures" / "xiangyang.json"


@pytest.fixture(autouse=True)
def city(db):
    call_command("loaddata", "xiangyang", verbosity=0)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("420672", "420672"),
        (420672, "420672"),
        (420672.0, "420672"),
        ("４２０６７２", "420672"),
        ("襄阳经济技术开发区（东津新区）", "420672"),
        ("襄阳经济技术开发区(东津新区)", "420672"),
        ("襄阳经济技术开发区【东津新区】", "420672"),
        ("襄阳经济技术开发区", "420672"),
        ("经济技术开发区", "420672"),
        ("东津新区", "420672"),
        ("襄阳市东津新区", "420672"),
        ("经开区", "420672"),
        ("襄阳经开区", "420672"),
        (" 襄阳 经开区 ", "420672"),
        ("襄阳高新技术产业开发区", "420671"),
        ("高新技术产业开发区", "420671"),
        ("高新区", "420671"),
        ("襄阳高新区", "420671"),
        ("襄阳市高新区", "420671"),
        ("鱼梁洲", "420673"),
        ("鱼梁洲经济开发区", "420673"),
        ("樊城区", "420606"),
        ("襄阳市樊城区", "420606"),
        ("襄阳樊城区", "420606"),
        ("樊城", "420606"),
        ("襄城区", "420602"),
        ("老河口市", "420682"),
        ("襄阳市老河口市", "420682"),
    ],
)
def test_every_way_a_file_writes_a_division(text, code):
    assert district_by_name(text=text).code == code


@pytest.mark.parametrize("text", ["", None, "武昌区", "襄阳市", "襄阳", "区", "()"])
def test_what_is_no_division_of_the_city(text):
    assert district_by_name(text=text) is None


def test_no_two_divisions_share_a_name():
    names = district_names()
    ambiguous = [key for key, district in names.by_key.items() if district is None]
    assert ambiguous == []
    assert {d.code for d in names.by_key.values()} == set(District.objects.values_list("code", flat=True))


def test_a_name_two_divisions_share_names_neither():
    District.objects.filter(code="420673").update(aliases=["东津新区"])
    assert district_by_name(text="东津新区") is None
    assert district_by_name(text="经开区").code == "420672"


def test_the_fixture_gives_every_division_its_aliases_as_a_list_of_names():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert all(isinstance(r["fields"]["aliases"], list) for r in records)
    for district in District.objects.all():
        district.full_clean()
    district.aliases = "东津新区"
    with pytest.raises(ValidationError):
        district.full_clean()
