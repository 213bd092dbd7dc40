"""Storing the photos and documents of maintenance records, services, hazards and rescues.

Every part of the app stores its attachments through `attachment_add`; the caller has already
decided that the user may add to that owner. The type is read from the file's first bytes, never
from its name or the browser's declared type: only JPEG, PNG and PDF are kept, so nothing a
browser would run (HTML, SVG, scripts, executables) is ever served back from the portal.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from maintenance.models import Attachment, Hazard, MaintenanceRecord, RescueIncident, ServiceRecord

# The owner model → the Attachment field naming it.
OWNER_FIELD_BY_MODEL = {
    MaintenanceRecord: "record",
    ServiceRecord: "service",
    Hazard: "hazard",
    RescueIncident: "rescue",
}


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    signature: bytes


# Magic numbers of the accepted types (JPEG's SOI marker and first segment marker, PNG's
# eight-byte signature, PDF's header).
ACCEPTED_TYPES = (
    FileType("image/jpeg", ".jpg", b"\xff\xd8\xff"),
    FileType("image/png", ".png", b"\x89PNG\r\n\x1a\n"),
    FileType("application/pdf", ".pdf", b"%PDF-"),
)
SNIFF_BYTES = max(len(kind.signature) for kind in ACCEPTED_TYPES)


def attachment_type_of(head: bytes) -> FileType | None:
    """The accepted type whose signature `head` (the file's first bytes) starts with, or None."""
    return next((kind for kind in ACCEPTED_TYPES if head.startswith(kind.signature)), None)


def _read_checked(file) -> tuple[bytes, FileType]:
    limit = settings.TIBAO["ATTACHMENT_MAX_BYTES"]
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    if hasattr(file, "seek"):
        file.seek(0)
    # One byte past the limit is enough to know the file is too large, whatever `size` said.
    content = file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    if not content:
        raise ApplicationError(_("文件为空。"), field="file")
    kind = attachment_type_of(content[:SNIFF_BYTES])
    if kind is None:
        raise ApplicationError(
            _("只接受JPEG、PNG图片或PDF文件（按文件内容判断，与文件名无关）。"), field="file"
        )
    return content, kind


def _too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        _("文件超过%(limit)dMB的大小限制。") % {"limit": limit // (1024 * 1024)}, field="file"
    )


def _stored_name(original: str, kind: FileType) -> str:
    # The stem the user chose is kept (made safe); the extension is the content's own, so a PDF
    # sent as "photo.jpg" is stored and served as a PDF.
    stem = get_valid_filename(PurePath(original or "").stem)[:80] or "attachment"
    return f"{stem}{kind.extension}"


def attachment_add(*, owner, file, spot: str = "", moment: str = "", taken_at=None) -> Attachment:
    """Store `file` as an attachment of `owner` (a maintenance record, service, hazard or rescue).

    Refused with an ApplicationError on field "file" when the file is empty, larger than
    settings.TIBAO["ATTACHMENT_MAX_BYTES"], or neither JPEG, PNG nor PDF by its content. The
    content type stored is the one the content shows; the SHA-256 is kept so a photo used before
    can be recognised. The write is audited like every model save.
    """
    field = OWNER_FIELD_BY_MODEL.get(type(owner))
    if field is None or owner.pk is None:
        raise ValueError(f"attachments belong to a saved record, service, hazard or rescue, not {owner!r}")
    content, kind = _read_checked(file)
    attachment = Attachment(
        **{field: owner},
        content_type=kind.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        spot=spot or "",
        moment=moment or "",
        taken_at=taken_at,
    )
    if spot and spot not in Attachment.Spot.values:
        raise ApplicationError(_("拍摄部位无效。"), field="spot")
    if moment and moment not in Attachment.Moment.values:
        raise ApplicationError(_("拍摄时点无效。"), field="moment")
    with transaction.atomic():
        attachment.file.save(_stored_name(getattr(file, "name", ""), kind), ContentFile(content), save=False)
        attachment.save()
    return attachment
