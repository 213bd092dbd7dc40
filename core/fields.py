"""Model fields the apps declare alike."""

from django.conf import settings
from django.db import models


def user_reference(verbose_name) -> models.ForeignKey:
    """The user who did something (froze a month, set a target, asked for a report): optional, set
    to null when the user is deleted, with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
