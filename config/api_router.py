"""The one DRF router: each app's api/ registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from accounts.api.views import NoticeViewSet, OrganisationViewSet
from elevators.api.views import ElevatorViewSet, InspectionViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notices", NoticeViewSet, basename="notice")
router.register("elevators", ElevatorViewSet, basename="elevator")
router.register("inspections", InspectionViewSet, basename="inspection")

urlpatterns = router.urls
