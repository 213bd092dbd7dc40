"""organisation_by_code_or_name: the one answer to "which organisation does this text name"."""

import pytest

from accounts.models import Organisation
from accounts.selectors import organisation_by_code_or_name
from tests.factories import OrganisationFactory, credit_code_for

pytestmark = pytest.mark.django_db


def spelled_loosely(code: str) -> str:
    """The code as people type it: lower case, full width, with spaces."""
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code.lower())
    return f" {full_width[:6]} {full_width[6:]} "


def test_by_credit_code_in_any_spelling():
    organisation = OrganisationFactory(credit_code=credit_code_for(1))
    assert organisation_by_code_or_name(credit_code=spelled_loosely(organisation.credit_code)) == organisation


def test_the_code_wins_over_the_name():
    by_code = OrganisationFactory(credit_code=credit_code_for(1))
    by_name = OrganisationFactory(name="襄阳测试物业服务有限公司")
    found = organisation_by_code_or_name(credit_code=by_code.credit_code, name=by_name.name)
    assert found == by_code


def test_an_unknown_code_falls_back_to_the_name():
    organisation = OrganisationFactory(name="襄阳测试物业服务有限公司")
    found = organisation_by_code_or_name(credit_code=credit_code_for(99), name=" 襄阳测试物业服务有限公司 ")
    assert found == organisation


def test_free_text_is_a_code_or_a_name():
    organisation = OrganisationFactory(name="襄阳测试物业服务有限公司", credit_code=credit_code_for(2))
    for ref in (organisation.credit_code.lower(), "襄阳测试物业服务有限公司"):
        assert organisation_by_code_or_name(credit_code=ref, name=ref) == organisation


def test_nothing_matches():
    OrganisationFactory(name="襄阳测试物业服务有限公司")
    assert organisation_by_code_or_name(credit_code=credit_code_for(99), name="别的单位") is None
    assert organisation_by_code_or_name(credit_code="", name="  ") is None


def test_the_queryset_narrows_where_to_look():
    organisation = OrganisationFactory(credit_code=credit_code_for(1), is_active=False)
    active = Organisation.objects.filter(is_active=True)
    assert organisation_by_code_or_name(credit_code=organisation.credit_code, queryset=active) is None
    assert organisation_by_code_or_name(name=organisation.name, queryset=active) is None


def test_known_organisations_are_consulted_before_the_database_at_each_step(django_assert_num_queries):
    by_code = OrganisationFactory(credit_code=credit_code_for(1))
    by_name = OrganisationFactory(name="襄阳测试物业服务有限公司", credit_code="")
    known = {("code", by_code.credit_code): by_code, ("name", by_name.name): by_name}
    with django_assert_num_queries(0):
        assert organisation_by_code_or_name(credit_code=by_code.credit_code, known=known) == by_code
        assert organisation_by_code_or_name(name=by_name.name, known=known) == by_name
    # An unknown code is looked up in the database before a known name is taken.
    elsewhere = OrganisationFactory(credit_code=credit_code_for(2))
    with django_assert_num_queries(1):
        found = organisation_by_code_or_name(
            credit_code=elsewhere.credit_code, name=by_name.name, known=known
        )
    assert found == elsewhere
