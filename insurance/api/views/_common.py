"""What the products and policies viewsets share: who may create through them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from ...permissions import insurer_of, is_back_office


class InsurerWrites(permissions.BasePermission):
    """Reads for every caller (visibility decides what); creating products and policies is the
    insurers' (back-office staff too). Actions on one object are left to the services."""

    message = _("只有保险机构可以通过 API 登记产品和保单；使用单位请在门户中投保。")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or view.action not in ("create", "bulk"):
            return True
        return insurer_of(request.user) is not None or is_back_office(request.user)
