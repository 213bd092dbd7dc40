"""The API's one exception handler: user-caused errors become 400s with a readable body, and a
database that is gone (restarted, connection cut) a 503 in JSON that says to send again."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

#: Seconds a client is told to wait before sending a request the database could not serve.
DATABASE_RETRY_AFTER = 10


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": str(exc.message)}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, OperationalError | InterfaceError):
        # The connection broke (a restart, a failover, a killed backend): the open transaction was
        # rolled back with it. The bulk endpoints write a batch in one transaction and are keyed by
        # the caller's numbers, so sending the batch again completes it without duplicates.
        logger.exception("database unavailable during %s", context["request"].path)
        return Response(
            {"detail": _("数据库暂时不可用，请求未能完成，请稍后重新发送。")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    return drf_exception_handler(exc, context)
