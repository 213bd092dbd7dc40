"""Base viewsets: reads pass through the model's visibility rule, writes through services.

Every API viewset derives from `VisibleModelViewSet` (list and detail of what the caller may see;
anything else answers 404) and adds `ServiceCreateMixin` / `ServiceUpdateMixin` for the writes it
offers. A write is shaped by a serializer and decided by a service: the viewset's
`perform_create(data)` / `perform_update(instance, data)` call the service and return the object;
nothing is written through `serializer.save()`. The answer re-reads the object through
`get_queryset()` (visibility, annotations, prefetches) and serializes it for reading.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .bulk import CREATED
from .permissions import ReadVisibleWriteByKind


class VisibleQuerysetMixin:
    """Restricts `queryset` to what the caller may see (`Model.objects.visible_to(user)`).

    Objects outside it answer 404, so the existence of another organisation's data never leaks.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleModelViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and detail of the rows the caller may see; writes as the subclass adds them.

    Declare `queryset`, `serializer_class` (reading), `filterset_class` (the model's FilterSet,
    `.for_api()`), and for writes `write_serializer_class` (the shape of a write; default the
    reading serializer), `may_write(user)` and `write_refusal` (see ReadVisibleWriteByKind).
    """

    permission_classes = [ReadVisibleWriteByKind]
    write_serializer_class = None
    write_actions: tuple[str, ...] | None = None
    write_refusal = _("您无权进行此操作。")

    @staticmethod
    def may_write(user) -> bool:
        return False

    def get_write_serializer(self, *args, **kwargs):
        serializer_class = self.write_serializer_class or self.get_serializer_class()
        kwargs.setdefault("context", self.get_serializer_context())
        return serializer_class(*args, **kwargs)

    def respond(self, instance, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The written object as a reader sees it (through visibility, with the list's annotations)."""
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status_code)

    def respond_upserted(self, data, write: Callable[[dict], tuple[object, str]]) -> Response:
        """A write by the row's own key (a POST that creates or updates): the write serializer checks
        the shape of `data`, `write(validated_data)` (a service) returns the object and its outcome;
        201 when it created the object, else 200."""
        shape = self.get_write_serializer(data=data)
        shape.is_valid(raise_exception=True)
        instance, outcome = write(shape.validated_data)
        return self.respond(
            instance, status_code=status.HTTP_201_CREATED if outcome == CREATED else status.HTTP_200_OK
        )


REFUSED = OpenApiResponse(description=_("被拒绝。"))


def upsert_schema(*, summary, description, request, response, refused: OpenApiResponse = REFUSED):
    """The schema of a POST answered by `respond_upserted`: 201 created, 200 updated or unchanged,
    400 refused."""
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={201: response, 200: response, 400: refused},
    )


class ServiceCreateMixin:
    """POST on the list: the write serializer checks the shape, `perform_create(data)` the rules."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_write_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create(serializer.validated_data)
        return self.respond(instance, status_code=status.HTTP_201_CREATED)

    def perform_create(self, data: dict):
        raise NotImplementedError(f"{type(self).__name__} must create through a service")


class ServiceUpdateMixin:
    """PUT and PATCH on one object: the shape by the write serializer, the rules by `perform_update`."""

    def update(self, request, *args, partial: bool = False, **kwargs):
        instance = self.get_object()
        serializer = self.get_write_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_update(instance, serializer.validated_data)
        return self.respond(instance)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def perform_update(self, instance, data: dict):
        raise NotImplementedError(f"{type(self).__name__} must update through a service")
