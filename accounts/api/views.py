from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import VisibleModelViewSet

from ..filtersets import NoticeFilterSet, OrganisationFilterSet
from ..models import Notice, Organisation
from ..services import notices_mark_read
from .serializers import NoticeSerializer, OrganisationSerializer


class OrganisationViewSet(VisibleModelViewSet):
    """Organisations the caller may see: public bodies, its own, and (for regulators) more."""

    queryset = Organisation.objects.select_related("district").filter(is_active=True)
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet.for_api()


class NoticeViewSet(VisibleModelViewSet):
    """In-app notices addressed to the caller or the caller's organisation."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet.for_api()
    write_actions = ()  # marking one's own notices read is every reader's

    @extend_schema(request=None, responses={200: NoticeSerializer})
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        notice = self.get_object()
        notices_mark_read(user=request.user, notice_ids=[notice.pk])
        notice.refresh_from_db()
        return Response(self.get_serializer(notice).data)
