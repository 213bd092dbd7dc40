"""What the products and policies viewsets share: who may create through them."""

from django.utils.translation import gettext_lazy as _

from core.api.viewsets import VisibleModelViewSet

from ...permissions import writes_as_insurer


class InsurerWritesViewSet(VisibleModelViewSet):
    """Reads for every caller (visibility decides what); creating products and policies is the
    insurers' (back-office staff too). Actions on one object are left to the services."""

    may_write = staticmethod(writes_as_insurer)
    write_actions = ("create", "bulk")
    write_refusal = _("只有保险机构可以通过 API 登记产品和保单；使用单位请在门户中投保。")
