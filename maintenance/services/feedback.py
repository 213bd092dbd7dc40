"""What passengers say on the public card (/e/<code>/): anyone, no login, no personal data.

Throttled in the cache, by fixed hourly windows: a few posts an hour from one address (its hash
only: the address itself is neither stored nor kept as a key), and a ceiling per elevator so that
many addresses cannot flood one elevator's record either.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, full_clean_or_refuse
from core.text import normalise_code
from elevators.models import Elevator
from elevators.rescue_codes import is_rescue_code

from ..models import FeedbackRating, PassengerFeedback

FEEDBACK_PER_ADDRESS_PER_HOUR = 5
FEEDBACK_PER_ELEVATOR_PER_HOUR = 60
WINDOW_SECONDS = 3600
# The model's TextField does not check its max_length itself (only forms do).
COMPLAINT_MAX = PassengerFeedback._meta.get_field("complaint").max_length


class FeedbackThrottled(ApplicationError):
    """Too many posts from one address or for one elevator this hour (the API answers 429)."""


def feedback_elevator(code: str) -> Elevator | None:
    """The elevator of the card: by its equipment code or its 6-digit rescue code (any case, spaces)."""
    code = normalise_code(code or "")
    if not code:
        return None
    lookup = {"rescue_code": code} if is_rescue_code(code) else {"equipment_code": code}
    return Elevator.objects.filter(**lookup).first()


def _window_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"feedback:{kind}:{digest}"


def _count(key: str) -> int:
    """Add one to the hour's counter at `key` and return it (the window starts with its first post)."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def _throttle(elevator: Elevator, address: str) -> None:
    limits = (
        (_window_key("address", address or "unknown"), FEEDBACK_PER_ADDRESS_PER_HOUR),
        (_window_key("elevator", str(elevator.pk)), FEEDBACK_PER_ELEVATOR_PER_HOUR),
    )
    for key, limit in limits:
        if _count(key) > limit:
            raise FeedbackThrottled(
                _("提交过于频繁：每小时最多提交%(limit)d次，请稍后再试。") % {"limit": limit}
            )


def feedback_submit(
    *, elevator: Elevator, rating: str, complaint: str = "", contact: str = "", address: str = ""
) -> PassengerFeedback:
    """Store a passenger's rating of `elevator` with an optional complaint and optional contact.

    `address` is the sender's IP address, used only for throttling (FeedbackThrottled past the
    hourly limits). Refusals are ApplicationError naming the field.
    """
    if rating not in FeedbackRating.values:
        raise ApplicationError(_("请选择评价。"), field="rating")
    complaint = (complaint or "").strip()
    if len(complaint) > COMPLAINT_MAX:
        raise ApplicationError(_("投诉内容最多%(limit)d字。") % {"limit": COMPLAINT_MAX}, field="complaint")
    feedback = PassengerFeedback(
        elevator=elevator, rating=rating, complaint=complaint, contact=(contact or "").strip()
    )
    full_clean_or_refuse(feedback, exclude=["elevator"])
    _throttle(elevator, address)
    feedback.save()
    return feedback
