"""Serving an attachment to those who may see its owner."""

from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from maintenance.models import Attachment


@login_required
def attachment_download(request, pk: int):
    """The file, always as a download with its stored type: an attachment of a row the user may
    not see is a 404, like the row itself."""
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=PurePath(attachment.file.name).name.split("-", 1)[-1],
        content_type=attachment.content_type,
    )
    # Browsers must not guess another type than the one checked on upload.
    response["X-Content-Type-Options"] = "nosniff"
    return response
