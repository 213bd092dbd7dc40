"""Every URL pattern of the URL configuration as a concrete path filled with the scene's objects
(tests.config.tenants), and one request of a viewer classified as the matrix writes it."""

import re
from dataclasses import dataclass

from django.urls import get_resolver
from django.urls.resolvers import URLResolver

API_PREFIX = "api/v1/"
GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")

# Which object of side "a" fills the pk of a URL, by the URL's name (API names without "api:").
PK_OBJECT = {
    "import": "import", "elevator": "elevator", "inspection": "inspection", "policy": "policy",
    "product": "product", "claim-proposal": "proposal", "claim": "claim", "org-user": "colleague",
    "api-key": "api_key", "report-run": "report", "report": "report", "frozen-month": "month",
    "maintenance-record": "record", "maintenance-attachment": "attachment", "service": "service",
    "hazard": "hazard", "rescue": "rescue", "notice": "notice", "organisation": "organisation",
    "target": "target",
}  # fmt: skip


@dataclass(frozen=True)
class Route:
    key: str  # the matrix row: "api:<name>" for the API, the URL name for pages
    pattern: str  # the full pattern, as the error messages name it
    suffixed: bool  # the router's ".<format>" twin of a route

    def path(self, scene) -> str:
        return "/" + GROUP.sub(lambda m: _value(self, scene, m.group(1) or m.group(2)), _plain(self.pattern))


def _plain(pattern: str) -> str:
    pattern = pattern.replace("^", "").replace("$", "").replace("\\.", ".")
    return pattern.removesuffix("/?")


def _value(route: Route, scene, kwarg: str) -> str:
    objects = scene.a.objects
    if kwarg == "format":
        return "json"
    if kwarg == "code":
        return scene.a.elevator.equipment_code
    if kwarg == "kind":
        return "claims"
    name = route.key.removeprefix("api:")
    for prefix in sorted(PK_OBJECT, key=len, reverse=True):
        if name.startswith(prefix):
            key = PK_OBJECT[prefix]
            if key == "elevator":
                return str(scene.a.elevator.pk)
            if key == "organisation":
                return str(scene.world.orgs["insurer_a"].pk)
            return str(objects[key].pk)
    raise AssertionError(f"no object fills <{kwarg}> of {route.pattern} ({route.key}): add it to PK_OBJECT")


def routes() -> list[Route]:
    """Every named or unnamed pattern of the URL configuration, in order."""
    found = []

    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, pattern)
                continue
            api = pattern.startswith(API_PREFIX)
            name = entry.name or f"<unnamed {pattern}>"
            found.append(Route(key=f"api:{name}" if api else name, pattern=pattern, suffixed="<format>" in pattern
                               or "(?P<format>" in pattern))  # fmt: skip

    walk(get_resolver(), "")
    return found
