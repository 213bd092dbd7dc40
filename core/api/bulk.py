"""One bulk endpoint shape for every bulk API (policies, claims, and what comes).

A request is `{"<items>": [...]}`; each item is checked by the item serializer on its own, the
valid ones go to the app's `store` (a service: it decides, writes and audits), and the answer has
one result per item, in order, and the counts:

    {"counts": {"created": 2, "updated": 0, "unchanged": 1, "refused": 1},
     "results": [{"index": 0, "key": "P-1", "outcome": "created", "id": 17, "errors": {},
                  "details": {}}, ...]}

An item refused by its shape or by a rule has `outcome` "refused", `id` null and `errors` by field
(`non_field_errors` for the whole item); `details` holds what the rule adds for machines (the
conflicting policies, the elevators at fault: an ApplicationError's `extra`, as the single
endpoints answer it beside `detail`). The other items are stored all the same.
"""

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import ApplicationError

from .shapes import QuickShape

CREATED, UPDATED, UNCHANGED, REFUSED = "created", "updated", "unchanged", "refused"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, REFUSED)


@dataclass
class BulkItemResult:
    """What storing one item did."""

    outcome: str
    id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    details: dict = field(default_factory=dict)


def refusal_errors(exc: Exception) -> dict[str, list[str]]:
    """A refusal (ApplicationError, PermissionDenied, ValidationError) as errors by field."""
    if isinstance(exc, ApplicationError):
        return {exc.field or NON_FIELD_ERRORS: [str(exc.message)]}
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    if isinstance(exc, ValidationError):
        return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}
    return {NON_FIELD_ERRORS: [str(exc)]}


def refused(exc: Exception) -> BulkItemResult:
    """The result of an item a rule refused."""
    return BulkItemResult(REFUSED, errors=refusal_errors(exc), details=getattr(exc, "extra", {}))


def _shape_errors(exc: serializers.ValidationError) -> dict:
    return exc.detail if isinstance(exc.detail, dict) else {NON_FIELD_ERRORS: exc.detail}


def bulk_response(
    *,
    data,
    items_key: str,
    max_items: int,
    item_serializer: serializers.Serializer,
    key_field: str,
    store: Callable[[list[dict]], Sequence[BulkItemResult]],
) -> Response:
    """Check each item's shape, store the valid ones with `store`, answer a result per item.

    `store` receives the validated items in request order and returns one BulkItemResult each,
    in the same order. A body that is not `{items_key: [items]}` or holds more than `max_items`
    is refused whole with a 400, before anything is stored.
    """
    items = data.get(items_key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise serializers.ValidationError(
            {items_key: [_('请求体须为 {"%(key)s": [...]}，且列表不能为空。') % {"key": items_key}]}
        )
    if len(items) > max_items:
        raise serializers.ValidationError(
            {
                items_key: [
                    _("一次最多提交%(limit)d条，本次%(count)d条，请分批提交。")
                    % {"limit": max_items, "count": len(items)}
                ]
            }
        )
    results: list[dict | None] = [None] * len(items)
    valid: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        key = item.get(key_field) if isinstance(item, dict) else None
        results[index] = {"index": index, "key": str(key) if isinstance(key, str | int) else None}
        try:
            valid.append((index, item_serializer.run_validation(item)))
        except serializers.ValidationError as exc:
            results[index].update(outcome=REFUSED, id=None, errors=_shape_errors(exc), details={})
    stored = store([validated for _index, validated in valid]) if valid else []
    for (index, _validated), result in zip(valid, stored, strict=True):
        results[index].update(
            outcome=result.outcome, id=result.id, errors=result.errors, details=result.details
        )
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        counts[result["outcome"]] += 1
    return Response({"counts": counts, "results": results})


class BulkResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=gettext_lazy("该条在请求列表中的位置（从0起）。"))
    key = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("该条自己的编号（保单号、理赔编号等），未提供时为空。")
    )
    # Text rather than an enum: one name in the schema for every bulk API.
    outcome = serializers.CharField(
        help_text=gettext_lazy(
            "created 新建；updated 已更新；unchanged 无变化（未写入）；refused 被拒绝（见 errors）。"
        )
    )
    id = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("在本平台的编号（被拒绝时为空）。"))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("被拒绝的原因，按字段列出（non_field_errors 为整条的原因）。"),
    )
    details = serializers.DictField(
        help_text=gettext_lazy(
            "被拒绝时业务规则给出的明细（如冲突的保单、不符合的电梯），与单条接口400答复中 detail 之外的字段相同。"
        )
    )


class BulkCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=gettext_lazy("新建的条数。"))
    updated = serializers.IntegerField(help_text=gettext_lazy("已更新的条数。"))
    unchanged = serializers.IntegerField(help_text=gettext_lazy("无变化的条数。"))
    refused = serializers.IntegerField(help_text=gettext_lazy("被拒绝的条数。"))


class BulkResponseSerializer(serializers.Serializer):
    """The answer of every bulk API."""

    counts = BulkCountsSerializer(help_text=gettext_lazy("各结果的条数。"))
    results = BulkResultSerializer(many=True, help_text=gettext_lazy("逐条结果，与请求顺序相同。"))


_pauses_lock = threading.Lock()
_pauses = {"depth": 0, "was_enabled": False}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused inside (nested and concurrent uses stack up).

    A bulk request of 1,000 items allocates a few hundred thousand objects (parsed JSON, values,
    model instances, change sets, COPY text) and frees nearly all of them by reference counting:
    they form no cycles. The allocations alone triggered about 85 young and 8 full collections in
    12 requests, each full one walking the whole Django heap: a fifth of the request's CPU
    (measured in-process, 1,000 new claims a request). Paused, the request does the same work;
    the few cycles it leaves are collected by the next collection after it.
    """
    with _pauses_lock:
        if _pauses["depth"] == 0:
            _pauses["was_enabled"] = gc.isenabled()
            gc.disable()
        _pauses["depth"] += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses["depth"] -= 1
            if _pauses["depth"] == 0 and _pauses["was_enabled"]:
                gc.enable()


def bulk_action(
    *,
    summary,
    description,
    request_serializer: type[serializers.Serializer],
    refused_description,
    items_key: str,
    max_items: int,
    item_serializer: type[serializers.Serializer],
    key_field: str,
    store: Callable[[object, list[dict]], Sequence[BulkItemResult]],
    item_kwargs: Callable[[object], dict] | None = None,
    quick: bool = False,
):
    """A viewset's POST .../bulk/ action answering with `bulk_response`, described in the schema.

    Assign it in the class body (`bulk = bulk_action(...)`); `store(request, items)` is the app's
    bulk service. Only the texts, the body's key and the service differ between bulk APIs.
    `item_kwargs(view)` gives the item serializer's arguments for the request (its context, a
    flag); `quick` checks the items with `core.api.shapes.QuickShape` (DRF's answer, quicker for
    the plain valid item). The request runs with the garbage collector paused (`collector_paused`).
    """

    @extend_schema(
        summary=summary,
        description=description,
        request=request_serializer,
        responses={200: BulkResponseSerializer, 400: OpenApiResponse(description=refused_description)},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="bulk", pagination_class=None, filterset_class=None)
    def bulk(self, request):
        with collector_paused():
            shape = item_serializer(**(item_kwargs(self) if item_kwargs else {}))
            return bulk_response(
                data=request.data,
                items_key=items_key,
                max_items=max_items,
                item_serializer=QuickShape(shape) if quick else shape,
                key_field=key_field,
                store=lambda items: store(request, items),
            )

    return bulk
