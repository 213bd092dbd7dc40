"""The change history of objects: django-auditlog's entries, read back for people.

Every write is logged by auditlog (one entry per create, change or delete; bulk writes through
core.audit.log_bulk). Here the entries are read: an object's own, or any the city regulator searches
for. Each entry becomes a `HistoryRow` — when (Asia/Shanghai), who (a user, an API key, a command
or a task, as core.audit records them), what (each field by its verbose name, old → new, a choice
by its label, a foreign key by the object it names). Reading a page of rows costs one query per
model the page's foreign keys point at, never one per entry.
"""

import sysconfig
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .visibility import VisibleQuerySet

EMPTY = "—"
TRUNCATE_AT = 200  # characters of one value (a long description, a JSON list)

ACTIONS = {
    LogEntry.Action.CREATE: ("create", "success"),
    LogEntry.Action.UPDATE: ("update", "primary"),
    LogEntry.Action.DELETE: ("delete", "danger"),
    LogEntry.Action.ACCESS: ("access", "secondary"),
}


def action_label(action: int) -> str:
    return {
        LogEntry.Action.CREATE: _("新建"),
        LogEntry.Action.UPDATE: _("修改"),
        LogEntry.Action.DELETE: _("删除"),
        LogEntry.Action.ACCESS: _("查看"),
    }.get(action, str(action))


@dataclass(frozen=True)
class Change:
    field: str  # the field's verbose name
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    entry: LogEntry
    at: datetime  # in the portal's time zone
    action: str  # "create", "update", "delete"
    action_label: str
    tone: str  # the badge's colour
    model_label: str  # the object's kind (its model's verbose name)
    object_repr: str
    object_pk: str
    actor: str
    changes: list[Change]


def history_entries(*, obj: models.Model, related: Sequence[str] = ()):
    """Every log entry of `obj` and of the rows of its reverse relations named in `related` (an
    elevator's inspections, a claim's payments), newest first. Rows of a relation that are gone
    are found through the audit search."""
    condition = Q(content_type=ContentType.objects.get_for_model(obj.__class__), object_pk=str(obj.pk))
    for name in related:
        relation = obj._meta.get_field(name)
        child = relation.related_model
        pks = child._base_manager.filter(**{relation.field.name: obj.pk}).values_list("pk", flat=True)
        condition |= Q(
            content_type=ContentType.objects.get_for_model(child), object_pk__in=[str(pk) for pk in pks]
        )
    return LogEntry.objects.filter(condition).order_by("-timestamp", "-pk")


class LogEntryQuerySet(VisibleQuerySet):
    """The whole log is searched by the city regulator alone (and the back office); an object's
    history is shown beside the object, to whoever sees it (core.views.ObjectHistoryView)."""

    def for_city_regulator(self, org):
        return self


def log_entries() -> LogEntryQuerySet:
    """Every log entry, newest first, with what its rows show joined (the audit search's rows)."""
    return (
        LogEntryQuerySet(model=LogEntry).select_related("actor__organisation").order_by("-timestamp", "-pk")
    )


def audited_models() -> list[type[models.Model]]:
    """The audit search's object types, by verbose name: the models auditlog logs, but for
    many-to-many tables and installed libraries' own tables, unless settings name them
    (AUDITLOG_INCLUDE_TRACKING_MODELS: the authenticators)."""
    named = {
        (item["model"] if isinstance(item, dict) else item).lower()
        for item in settings.AUDITLOG_INCLUDE_TRACKING_MODELS
    }
    libraries = sysconfig.get_paths()["purelib"]

    def searched(model) -> bool:
        if model._meta.auto_created:
            return False
        return model._meta.label_lower in named or not model._meta.app_config.path.startswith(libraries)

    return sorted(filter(searched, auditlog.get_models()), key=lambda model: str(model._meta.verbose_name))


def history_rows(entries: Iterable[LogEntry]) -> list[HistoryRow]:
    """`entries` made readable (see the module's docstring)."""
    entries = list(entries)
    _prefetch_actors(entries)
    names = _related_names(entries)
    rows = []
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        action, tone = ACTIONS.get(entry.action, ("other", "secondary"))
        rows.append(
            HistoryRow(
                entry=entry,
                at=timezone.localtime(entry.timestamp),
                action=action,
                action_label=action_label(entry.action),
                tone=tone,
                model_label=str(model._meta.verbose_name) if model else _("已移除的数据类型"),
                object_repr=entry.object_repr,
                object_pk=entry.object_pk,
                actor=actor_label(entry),
                changes=_changes(entry, model, names),
            )
        )
    return rows


# --- who ------------------------------------------------------------------------------------

# How core.audit names a caller that is no user: "<kind>:<name>".
CALLER_KINDS = {
    "command": lambda name: _("命令 %(name)s") % {"name": name},
    "task": lambda name: _("后台任务 %(name)s") % {"name": name},
    "import": lambda name: _("数据导入 %(name)s") % {"name": name},
    "bench": lambda name: _("基准测试 %(name)s") % {"name": name},
}


def actor_label(entry: LogEntry) -> str:
    """Who made the change: the user (and their organisation), the API key (its name, prefix and
    organisation's credit code), the command or the task; "系统" when nobody was named."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    caller = data.get("actor") or ("" if entry.actor_id else entry.actor_email or "")
    kind, _sep, name = str(caller).partition(":")
    if kind == "api-key":
        caller = _("API 密钥“%(name)s”（%(prefix)s）") % {"name": data.get("api_key", ""), "prefix": name}
        if data.get("organisation"):
            caller += f" · {data['organisation']}"
    elif kind in CALLER_KINDS and name:
        caller = CALLER_KINDS[kind](name)
    if entry.actor_id is None:
        return caller or _("系统")
    person = entry.actor
    label = person.get_full_name() or person.get_username()
    if person.organisation_id:
        label = f"{label} · {person.organisation}"
    return _("%(person)s（%(caller)s）") % {"person": label, "caller": caller} if caller else label


def _prefetch_actors(entries: list[LogEntry]) -> None:
    """The entries' users and their organisations, in one query (when not joined already)."""
    missing = {e.actor_id for e in entries if e.actor_id and not LogEntry.actor.is_cached(e)}
    if not missing:
        return
    from django.contrib.auth import get_user_model

    users = get_user_model()._base_manager.select_related("organisation").in_bulk(missing)
    for entry in entries:
        if entry.actor_id in users:
            LogEntry.actor.field.set_cached_value(entry, users[entry.actor_id])


# --- what -----------------------------------------------------------------------------------


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str, field) -> str:
    if field is None:
        return name
    mapping = auditlog.get_model_fields(model).get("mapping_fields", {}) if auditlog.contains(model) else {}
    if name in mapping:
        return str(mapping[name])
    if not field.concrete:  # a reverse one-to-one relation: named by the model that points here
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def _is_key(field) -> bool:
    return field is not None and field.concrete and (field.many_to_one or field.one_to_one)


def _key(field, raw):
    """The related object's primary key in a logged foreign-key value, or None."""
    if raw in (None, "", "None"):
        return None
    try:
        return field.related_model._meta.pk.to_python(raw)
    except (ValidationError, TypeError, ValueError):
        return None


def _pairs(entry: LogEntry):
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    return changes.items()


def _related_names(entries: list[LogEntry]) -> dict[tuple[type, object], str]:
    """The text of every object a foreign key of the entries names, one query per related model
    (each with its own foreign keys joined, which the objects' texts often read)."""
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        for name, values in _pairs(entry):
            field = _field(model, name)
            if _is_key(field) and isinstance(values, list | tuple):
                wanted[field.related_model].update(
                    key for key in (_key(field, value) for value in values) if key is not None
                )
    names = {}
    for related, keys in wanted.items():
        joined = [f.name for f in related._meta.concrete_fields if f.many_to_one or f.one_to_one]
        for pk, obj in related._base_manager.select_related(*joined).in_bulk(keys).items():
            names[related, pk] = str(obj)
    return names


def _changes(entry: LogEntry, model, names) -> list[Change]:
    """The entry's changes in the model's field order; a reverse relation's manager, which
    auditlog logs as its text ("app.Model.None") on creation, says nothing and is left out."""
    changes = []
    order = {f.name: n for n, f in enumerate(model._meta.get_fields())} if model else {}
    for name, values in sorted(_pairs(entry), key=lambda pair: order.get(pair[0], len(order))):
        field = _field(model, name)
        if field is not None and field.auto_created and (field.one_to_many or field.many_to_many):
            continue
        label = _field_label(model, name, field) if model else name
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = "、".join(str(o) for o in values.get("objects", []))
            if values.get("operation") == "delete":
                changes.append(Change(label, objects, EMPTY))
            else:
                changes.append(Change(label, EMPTY, objects))
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:
            changes.append(Change(label, EMPTY, _shorten(str(values))))
            continue
        old, new = (_display(field, value, names) for value in values)
        changes.append(Change(label, old, new))
    return changes


def _display(field, raw, names) -> str:
    """One logged value as people read it (auditlog logs the value's text)."""
    if raw is None or raw in ("None", ""):
        return EMPTY
    if field is None or not field.concrete:
        return _shorten(str(raw))
    if field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return str(labels.get(str(raw), raw))
    if _is_key(field):
        key = _key(field, raw)
        if (field.related_model, key) in names:
            return names[field.related_model, key]
        return _("已删除的%(model)s（%(pk)s）") % {"model": field.related_model._meta.verbose_name, "pk": raw}
    if isinstance(field, models.BooleanField):
        return _("是") if str(raw) == "True" else _("否") if str(raw) == "False" else str(raw)
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(str(raw))
        except ValueError:
            return str(raw)
        if timezone.is_naive(moment):  # auditlog logs an aware time as naive UTC
            moment = moment.replace(tzinfo=UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return _shorten(str(raw))


def _shorten(text: str) -> str:
    return text if len(text) <= TRUNCATE_AT else text[:TRUNCATE_AT] + "…"
