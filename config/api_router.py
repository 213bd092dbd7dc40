"""The one DRF router: each app's api/ registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from accounts.api.views import NoticeViewSet, OrganisationViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notices", NoticeViewSet, basename="notice")

urlpatterns = router.urls
