"""The indexes every write pays for (decision 0030): each foreign key still has one index that leads
with its column, and the pattern indexes nothing reads are gone."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

PROJECT_APPS = ("accounts", "core", "elevators", "insurance", "maintenance", "reporting")

pytestmark = pytest.mark.django_db


def _constraints(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _pattern_indexed(table: str) -> set[str]:
    """The columns of `table` with a varchar_pattern_ops index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%varchar_pattern_ops%"],
        )
        return {definition.split("(")[-1].split()[0].strip('"') for (definition,) in cursor.fetchall()}


def test_every_foreign_key_leads_an_index():
    """A key without an index of its own is served by the composite one that starts with it: the
    parent's PROTECT / CASCADE check and every join by that key still find an index."""
    missing = []
    for model in (m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()):
        if model._meta.proxy or not model._meta.managed:
            continue
        leading = {
            found["columns"][0] for found in _constraints(model._meta.db_table).values() if found["columns"]
        }
        for field in model._meta.concrete_fields:
            if field.is_relation and field.column not in leading:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []


@pytest.mark.postgres
def test_pattern_indexes_only_where_a_prefix_is_searched():
    assert _pattern_indexed("auditlog_logentry") == set()
    # equipment codes are searched by prefix (the registry's search box); the others exactly
    assert _pattern_indexed("elevators_elevator") == {"equipment_code"}


@pytest.mark.postgres
def test_pattern_indexes_come_back_when_migrated_backwards():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("core", "0004_task_outbox"), ("elevators", "0006_elevator_location_on_demand")])
        assert _pattern_indexed("auditlog_logentry") == {"object_pk", "cid"}
        assert {"registration_number", "rescue_code", "place_category_id"} <= _pattern_indexed(
            "elevators_elevator"
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _pattern_indexed("auditlog_logentry") == set()
