"""Inserting the new rows of a bulk write at once: by COPY with ids from the table's sequence on
PostgreSQL (core.pgcopy.copy_insert, decision 0019), by bulk_create elsewhere. Either way the rows
skip save() and signals: the caller has checked them and audits them (core.audit.log_bulk), and a
unique key taken meanwhile is Django's IntegrityError."""

from django.db import connection

from core.pgcopy import copy_insert


def rows_insert(objs: list) -> list:
    """Insert unsaved instances of one model; returns them with their ids."""
    if not objs:
        return objs
    if connection.vendor == "postgresql":
        return copy_insert(objs)
    return type(objs[0]).objects.bulk_create(objs)
