"""Base viewsets: every API queryset passes through the model's visibility rule, once, here."""

from rest_framework import viewsets


class VisibleQuerysetMixin:
    """Restricts `queryset` to what the caller may see (`Model.objects.visible_to(user)`).

    Objects outside it answer 404, so the existence of another organisation's data never leaks.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleReadOnlyModelViewSet(VisibleQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    pass
