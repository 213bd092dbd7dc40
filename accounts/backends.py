"""Password sign-in and the signed-in user of each request (Django's ModelBackend), with the
user's organisation read in the same query.

Every request of a signed-in user reads the user; nearly every one then reads the organisation
(visibility, navigation, the API's rules), one more round trip to the database each time, most of
a small API page's fixed cost (bench/list_api.py). Password checks are ModelBackend's unchanged.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class OrganisationModelBackend(ModelBackend):
    """ModelBackend whose `get_user` selects the user's organisation with it."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("organisation")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
