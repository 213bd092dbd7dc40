"""factory_boy factories shared by the whole suite."""

import factory

from accounts.models import District, Notice, Organisation, OrganisationKind, User
from accounts.validators import CREDIT_CODE_ALPHABET, credit_code_check_character


def credit_code_for(n: int, *, prefix: str = "91420600") -> str:
    """A valid Unified Social Credit Code, distinct for each n."""
    body = ""
    for _ in range(9):
        n, digit = divmod(n, 31)
        body = CREDIT_CODE_ALPHABET[digit] + body
    first17 = prefix + body
    return first17 + credit_code_check_character(first17)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = "420606"
    name = factory.LazyAttribute(
        lambda d: {"420606": "樊城区", "420602": "襄城区"}.get(d.code, f"区{d.code}")
    )
    kind = District.Kind.DISTRICT
    city_code = "420600"
    city_name = "襄阳市"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.PROPERTY_MANAGER
    name = factory.Sequence(lambda n: f"测试机构{n}号")
    credit_code = factory.Sequence(lambda n: credit_code_for(n + 1000))
    department = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    recipient_organisation = factory.SubFactory(OrganisationFactory)
    subject = factory.Sequence(lambda n: f"通知{n}")
