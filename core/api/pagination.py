from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination

LIST_ENVELOPE_HELP = {
    "next": _("下一页的地址（含游标）；已是最后一页时为空。"),
    "previous": _("上一页的地址（含游标）；已是第一页时为空。"),
    "results": _("本页的记录，按创建先后倒序。"),
}


class StandardCursorPagination(CursorPagination):
    """Cursor pagination: stable under inserts and cheap at any depth of a large table."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        for name, help_text in LIST_ENVELOPE_HELP.items():
            envelope["properties"][name]["description"] = str(help_text)
        return envelope

    def _get_position_from_instance(self, instance, ordering):
        """The cursor's position in a row: an object's or a dict's field, or the first column of a
        fast list's tuple (core.api.fast_list.list_rows selects the primary key first)."""
        if type(instance) is tuple:
            if ordering[0].lstrip("-") != "pk":
                raise ImproperlyConfigured("A fast list's cursor orders by the primary key.")
            return str(instance[0])
        return super()._get_position_from_instance(instance, ordering)
