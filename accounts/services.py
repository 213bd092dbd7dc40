"""Writes for organisations, users, API keys and notices."""

import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, full_clean_or_refuse, refusal_from

from .models import Notice, Organisation, OrganisationApiKey, User
from .tasks import deliver_notice_email
from .validators import normalise_credit_code


def organisation_create(*, kind: str, name: str, credit_code: str = "", **fields) -> Organisation:
    """Create an organisation after normalising and validating its credit code (if any) and fields."""
    try:
        code = normalise_credit_code(credit_code) if credit_code else ""
    except ValidationError as exc:
        raise refusal_from(exc, field="credit_code") from exc
    organisation = Organisation(kind=kind, name=name.strip(), credit_code=code, **fields)
    full_clean_or_refuse(organisation)
    organisation.save()
    return organisation


def user_create(
    *,
    organisation: Organisation,
    username: str,
    password: str | None = None,
    password_hash: str | None = None,
    **fields,
) -> tuple[User, str]:
    """Create an operator of an active organisation; without a password one is generated.

    The username and e-mail are validated like the admin's, a given password against the password
    rules. `password_hash` is `make_password(password)` made once by a caller creating many logins
    with one password (the demo), so that each login does not hash the same text again. Returns the
    user and the password (to hand over once).
    """
    if not organisation.is_active:
        raise ApplicationError(_("机构“%(name)s”已停用，不能添加用户。") % {"name": organisation.name})
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("用户名 %(username)s 已存在。") % {"username": username}, field="username")
    user = User(username=username, organisation=organisation, **fields)
    try:
        user.full_clean(exclude=["password"])
        if password is not None:
            password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        field = "password" if not hasattr(exc, "error_dict") else next(iter(exc.message_dict))
        prefix = _("密码不符合要求：") if field == "password" else ""
        raise refusal_from(exc, field="password", prefix=prefix) from exc
    password = password or secrets.token_urlsafe(12)
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    return user, password


def api_key_create(
    *, organisation: Organisation, name: str, created_by: User | None = None
) -> tuple[OrganisationApiKey, str]:
    """Issue a named API key for `organisation`. The plain key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写密钥名称。"), field="name")
    if organisation.api_keys.filter(name=name, revoked=False).exists():
        raise ApplicationError(_("本机构已有同名的有效密钥：%(name)s。") % {"name": name}, field="name")
    return OrganisationApiKey.objects.create_key(organisation=organisation, name=name, created_by=created_by)


def api_key_revoke(*, api_key: OrganisationApiKey) -> OrganisationApiKey:
    """Revoke a key for good; requests with it fail from now on."""
    if not api_key.revoked:
        api_key.revoked = True
        api_key.save(update_fields=["revoked"])
    return api_key


def notice_send(
    *,
    organisation: Organisation,
    subject: str,
    body: str = "",
    link: str = "",
    user: User | None = None,
    email: bool = True,
) -> Notice:
    """Post an in-app notice to an organisation (or one of its users) and e-mail it after commit."""
    notice = Notice.objects.create(
        recipient_organisation=organisation, recipient_user=user, subject=subject, body=body, link=link
    )
    if email:
        transaction.on_commit(lambda: deliver_notice_email.delay(notice.pk))
    return notice


def notice_email_deliver(*, notice_id: int) -> bool:
    """E-mail one notice to its recipients, once. Returns whether a message went out."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(of=("self",))
            .select_related("recipient_organisation", "recipient_user")
            .filter(pk=notice_id, emailed_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        if notice.recipient_user_id:
            recipients = [notice.recipient_user.email] if notice.recipient_user.email else []
        else:
            recipients = notice.recipient_organisation.contact_emails()
        if not recipients:
            return False
        send_mail(notice.subject, _notice_email_text(notice), None, recipients)
        notice.emailed_at = timezone.now()
        notice.save(update_fields=["emailed_at"])
        return True


def _notice_email_text(notice: Notice) -> str:
    lines = [notice.body] if notice.body else []
    if notice.link:
        lines.append(notice.link)
    lines.append("— " + str(settings.PORTAL_TITLE))
    return "\n\n".join(lines)


def notices_mark_read(*, user, notice_ids: list[int] | None = None) -> int:
    """Mark the user's visible notices (all, or the given ones) read; returns how many changed."""
    notices = Notice.objects.visible_to(user).unread()
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())


def user_deactivate(*, user: User, by: User) -> User:
    """Deactivate an operator of `by`'s organisation: they can no longer sign in, and their open
    sessions end with their next request. The row stays, for the audit log and the records naming
    them. Only an administrator of the same organisation may do it, never to themselves."""
    if not (by.organisation_id and by.is_org_admin and user.organisation_id == by.organisation_id):
        raise ApplicationError(_("只有本机构的管理员可以停用本机构的用户。"))
    if user.pk == by.pk:
        raise ApplicationError(_("不能停用自己的账号。"))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
    return locked
