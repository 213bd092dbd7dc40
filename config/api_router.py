"""The one DRF router: each app's api/ registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from accounts.api.views import NoticeViewSet, OrganisationViewSet
from elevators.api.views import ElevatorViewSet, InspectionViewSet
from insurance.api.views import ClaimViewSet, PolicyViewSet, ProductViewSet, QuoteViewSet
from maintenance.api.views.hazards import HazardViewSet
from maintenance.api.views.records import MaintenanceRecordViewSet
from maintenance.api.views.rescues import ClaimProposalViewSet, RescueViewSet
from maintenance.api.views.service_records import ServiceRecordViewSet
from reporting.api.reports import CoverageTrendViewSet, ReportRunViewSet
from reporting.api.views import CoverageViewSet

# No ".json" twins of every route: several actions take no `format` argument (a 500), and
# ?format= does the same.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("notices", NoticeViewSet, basename="notice")
router.register("elevators", ElevatorViewSet, basename="elevator")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("claims", ClaimViewSet, basename="claim")
router.register("products", ProductViewSet, basename="product")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("policies", PolicyViewSet, basename="policy")
router.register("coverage/trend", CoverageTrendViewSet, basename="coverage-trend")
router.register("coverage", CoverageViewSet, basename="coverage")
router.register("reports", ReportRunViewSet, basename="report-run")
router.register("rescues", RescueViewSet, basename="rescue")
router.register("claim-proposals", ClaimProposalViewSet, basename="claim-proposal")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("services", ServiceRecordViewSet, basename="service")
router.register("maintenance-records", MaintenanceRecordViewSet, basename="maintenance-record")

urlpatterns = router.urls
