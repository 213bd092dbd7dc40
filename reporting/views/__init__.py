"""Dashboard pages of the coverage engine: the overview and its drill-down, the uninsured work list,
the insurers' figures, the public page of published months. Every figure comes from reporting.selectors with the viewer's visibility."""

from .insurers import InsurerFiguresView
from .overview import CoverageOverviewView
from .public import PublicCoverageView
from .worklist import UninsuredListView

__all__ = ["CoverageOverviewView", "InsurerFiguresView", "PublicCoverageView", "UninsuredListView"]
