from django.conf import settings

from .navigation import navigation_for


def portal(request):
    """What every page needs: title, navigation for the role, unread notices."""
    user = getattr(request, "user", None)
    context = {"portal_title": settings.PORTAL_TITLE, "rescue_phone": settings.TIBAO["RESCUE_PHONE"]}
    if user is not None and user.is_authenticated:
        from .models import Notice

        context["nav_items"] = navigation_for(user)
        context["unread_notice_count"] = Notice.objects.visible_to(user).unread().count()
    return context
