"""Who may act on one object: a predicate of its app, with the refusal said to whoever may not.

One rule serves every door: the service requires it (`RULE.require(user, obj)` raises
PermissionDenied with the refusal), a page asks it (`RULE(user, obj)`) to offer or refuse the
action in the same words, and an API viewset names it for the action (`object_rules`, read by
core.api.permissions.ReadVisibleWriteByKind) so that a caller who may not act is answered 403
before the body is read, not 400 about a body it may not send.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class ObjectRule:
    may: Callable[[Any, Any], bool]
    refusal: str  # a lazy translation

    def __call__(self, user, obj) -> bool:
        return self.may(user, obj)

    def require(self, user, obj) -> None:
        """PermissionDenied with the refusal unless `user` may act on `obj`."""
        if not self.may(user, obj):
            raise PermissionDenied(self.refusal)
