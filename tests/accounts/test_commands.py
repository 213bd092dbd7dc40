"""The operator commands: seed_demo, create_api_key, create_user."""

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import (
    Contact,
    Department,
    District,
    Organisation,
    OrganisationApiKey,
    OrganisationKind,
    User,
)
from accounts.services import organisation_create
from accounts.validators import normalise_credit_code
from demo import accounts as demo

K = OrganisationKind

DEPARTMENTS = {
    "SAMR": ("襄阳市市场监督管理局", K.CITY_REGULATOR),
    "NFRA": ("国家金融监督管理总局襄阳监管分局", K.INSURANCE_REGULATOR),
    "FINANCE": ("襄阳市财政局", K.FINANCE_BUREAU),
    "HOUSING": ("襄阳市住房和城乡建设局", K.SECTOR_DEPARTMENT),
    "TRANSPORT": ("襄阳市交通运输局", K.SECTOR_DEPARTMENT),
    "HEALTH": ("襄阳市卫生健康委员会", K.SECTOR_DEPARTMENT),
    "CULTURE": ("襄阳市文化和旅游局", K.SECTOR_DEPARTMENT),
    "OFFICES": ("襄阳市机关事务服务中心", K.SECTOR_DEPARTMENT),
}


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--elevators", "0", *args, stdout=out)
    return out.getvalue()


def codes_by_name() -> dict[str, str]:
    return dict(Organisation.objects.values_list("name", "credit_code"))


def wipe_demo() -> None:
    """Back to an empty database (as far as the demo is concerned) within one test."""
    from insurance.models import Product, ProductVersion

    ProductVersion.objects.all().delete()
    Product.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()


def log_in(username: str, password: str) -> bool:
    response = APIClient().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def make_organisation(name: str = "襄阳测试物业服务有限公司", **fields) -> Organisation:
    code = demo.credit_code_generate(rng=random.Random(name), registration=demo.ENTERPRISE, region="420606")
    return organisation_create(
        kind=fields.pop("kind", K.PROPERTY_MANAGER), name=name, credit_code=code, **fields
    )


# --- seed_demo ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_builds_the_departments_regulators_and_insurers():
    seed()
    for department, (name, kind) in DEPARTMENTS.items():
        organisation = Organisation.objects.get(department=department)
        assert (organisation.name, organisation.kind) == (name, kind)
        assert organisation.credit_code[:2] == demo.GOVERNMENT_BODY
    assert set(Department.values) == set(DEPARTMENTS)

    assert District.objects.count() == 12
    regulators = Organisation.objects.filter(kind=K.DISTRICT_REGULATOR)
    assert regulators.count() == 12
    assert set(regulators.values_list("district", flat=True)) == set(
        District.objects.values_list("pk", flat=True)
    )
    assert Organisation.objects.filter(name="襄阳市樊城区市场监督管理局", district="420606").exists()

    insurers = set(Organisation.objects.filter(kind=K.INSURER).values_list("name", flat=True))
    assert len(insurers) == 5
    assert "中国人民财产保险股份有限公司襄阳市分公司" in insurers
    assert Organisation.objects.filter(kind=K.PROPERTY_MANAGER).count() >= 15
    assert Organisation.objects.filter(kind=K.MAINTENANCE_COMPANY).count() >= 5


@pytest.mark.django_db
def test_seed_demo_credit_codes_are_valid_and_contacts_receive_notices():
    seed()
    organisations = Organisation.objects.prefetch_related("contacts")
    assert len({o.credit_code for o in organisations}) == organisations.count()
    for organisation in organisations:
        code = organisation.credit_code
        assert normalise_credit_code(code.lower()) == code
        # Position 17 checks the GB 11714 organisation code in positions 9-16.
        assert demo.organisation_code_check_digit(code[8:16]) == code[16]
        if organisation.district and organisation.district.kind != District.Kind.ZONE:
            assert code[2:8] == organisation.district.code
        else:
            assert code[2:8] == "420600"
        emails = organisation.contact_emails()
        assert len(emails) == 1 and emails[0].endswith(".example")


@pytest.mark.django_db
def test_seed_demo_gives_every_role_a_login_with_the_demo_password():
    output = seed()
    for kind in OrganisationKind.values:
        users = User.objects.filter(organisation__kind=kind, is_org_admin=True)
        assert users.exists(), kind
    for username in [
        "samr",
        "nfra",
        "finance",
        "housing",
        "district_fancheng",
        "insurer_picc",
        "pm_1",
        "maint_1",
    ]:
        assert User.objects.get(username=username).check_password(demo.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.organisation is None
    assert log_in("district_fancheng", demo.DEMO_PASSWORD)

    assert demo.DEMO_PASSWORD in output
    for login in demo.demo_logins():
        assert login.username in output
    assert "district_fancheng" in output and "襄阳市樊城区市场监督管理局" in output
    assert "县市区市场监管部门" in output


@pytest.mark.django_db
def test_seed_demo_is_deterministic():
    seed()
    first = codes_by_name()
    wipe_demo()
    seed()
    assert codes_by_name() == first
    wipe_demo()
    seed("--seed", "7")
    other = codes_by_name()
    assert other.keys() == first.keys() and other != first

    districts = {d.code: d for d in District.objects.all()}
    plan = demo.organisation_plan(districts=districts)
    once = demo.organisation_details(rng=random.Random(1), plan=plan, districts=districts)
    assert demo.organisation_details(rng=random.Random(1), plan=plan, districts=districts) == once


@pytest.mark.django_db
def test_seed_demo_twice_creates_nothing_new_and_keeps_changed_passwords():
    seed()
    counts = (Organisation.objects.count(), User.objects.count(), Contact.objects.count())
    samr = User.objects.get(username="samr")
    samr.set_password("Changed-Pass-77")
    samr.save()

    output = seed()

    assert (Organisation.objects.count(), User.objects.count(), Contact.objects.count()) == counts
    assert User.objects.get(username="samr").check_password("Changed-Pass-77")
    assert "samr" in output and "maint_1" in output and demo.DEMO_PASSWORD in output


@pytest.mark.django_db
def test_seed_demo_reuses_an_organisation_that_already_exists_by_name():
    make_organisation(name="襄阳市财政局", kind=K.FINANCE_BUREAU, department=Department.FINANCE)
    seed()
    assert Organisation.objects.filter(department=Department.FINANCE).count() == 1
    assert User.objects.get(username="finance").organisation.name == "襄阳市财政局"


@pytest.mark.django_db
def test_seed_demo_refuses_a_negative_count():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--elevators", "-1", stdout=io.StringIO())


# --- create_api_key -------------------------------------------------------------------------


def create_api_key(*args) -> str:
    out = io.StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


def printed_key(output: str) -> str:
    key = output.splitlines()[1].strip()
    assert "." in key  # prefix.secret, as djangorestframework-api-key issues them
    return key


@pytest.mark.django_db
def test_create_api_key_prints_a_key_that_authenticates():
    organisation = make_organisation(kind=K.INSURER, name="测试财产保险股份有限公司襄阳中心支公司")
    spelled = " ".join([organisation.credit_code[:8].lower(), organisation.credit_code[8:]])

    output = create_api_key("--org", spelled, "--name", "承保系统")

    key = printed_key(output)
    assert "无法再次显示" in output
    stored = OrganisationApiKey.objects.get(organisation=organisation)
    assert stored.name == "承保系统" and key not in {stored.hashed_key, stored.id}
    client = APIClient()
    assert client.get("/api/v1/organisations/").status_code == 401
    response = client.get("/api/v1/organisations/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_api_key_finds_the_organisation_by_full_name():
    organisation = make_organisation()
    printed_key(create_api_key("--org", organisation.name, "--name", "对接"))
    assert organisation.api_keys.count() == 1


@pytest.mark.django_db
def test_create_api_key_fails_for_an_unknown_organisation_or_a_duplicate_name():
    organisation = make_organisation()
    with pytest.raises(CommandError, match="未找到机构"):
        create_api_key("--org", "不存在的机构", "--name", "对接")
    create_api_key("--org", organisation.credit_code, "--name", "对接")
    with pytest.raises(CommandError, match="同名"):
        create_api_key("--org", organisation.credit_code, "--name", "对接")
    assert OrganisationApiKey.objects.count() == 1


# --- create_user ----------------------------------------------------------------------------


def create_user(*args, **options) -> str:
    out = io.StringIO()
    call_command("create_user", *args, stdout=out, stdin=options.pop("stdin", io.StringIO()), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_create_user_adds_an_operator_who_can_log_in():
    organisation = make_organisation()
    create_user(
        "--org", organisation.credit_code, "--username", "zhangsan", "--password", "Hanjiang-2026",
        "--email", "zhangsan@pm.xiangyang.example", "--name", "张三", "--org-admin",
    )  # fmt: skip
    user = User.objects.get(username="zhangsan")
    assert (user.organisation, user.email, user.first_name, user.is_org_admin) == (
        organisation,
        "zhangsan@pm.xiangyang.example",
        "张三",
        True,
    )
    assert log_in("zhangsan", "Hanjiang-2026")


@pytest.mark.django_db
def test_create_user_without_a_password_prints_a_generated_one():
    organisation = make_organisation()
    output = create_user("--org", organisation.name, "--username", "lisi")
    password = output.strip().splitlines()[-1].rsplit("：", 1)[1]
    user = User.objects.get(username="lisi")
    assert not user.is_org_admin
    assert log_in("lisi", password)


@pytest.mark.django_db
def test_create_user_asks_for_the_password_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    organisation = make_organisation()
    answers = iter(["Xiangyang-Lift-9", "Xiangyang-Lift-9"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    output = create_user("--org", organisation.credit_code, "--username", "wangwu", stdin=Terminal())
    assert "初始密码" not in output
    assert User.objects.get(username="wangwu").check_password("Xiangyang-Lift-9")


@pytest.mark.django_db
def test_create_user_refuses_bad_input():
    organisation = make_organisation()
    with pytest.raises(CommandError, match="未找到机构"):
        create_user("--org", "914206000000000000", "--username", "nobody", "--password", "Hanjiang-2026")
    with pytest.raises(CommandError, match="密码不符合要求"):
        create_user("--org", organisation.credit_code, "--username", "weak", "--password", "12345678")
    with pytest.raises(CommandError):
        create_user(
            "--org", organisation.credit_code, "--username", "bad name!", "--password", "Hanjiang-2026"
        )
    create_user("--org", organisation.credit_code, "--username", "taken", "--password", "Hanjiang-2026")
    with pytest.raises(CommandError, match="已存在"):
        create_user("--org", organisation.credit_code, "--username", "taken", "--password", "Hanjiang-2026")
    assert list(User.objects.values_list("username", flat=True)) == ["taken"]
