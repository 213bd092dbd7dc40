"""The OpenAPI schema as a whole; each endpoint's own components are checked by its test class
(tests/utils/api.py)."""

import pytest

from tests.utils.api import api_schema, is_list_envelope, undescribed

pytestmark = pytest.mark.django_db


def test_every_list_envelope_is_described():
    components = api_schema()["components"]["schemas"]
    envelopes = sorted(name for name in components if is_list_envelope(name))
    assert envelopes  # every list endpoint answers one
    missing = [m for name in envelopes for m in undescribed(components[name]["properties"], name)]
    assert missing == []
