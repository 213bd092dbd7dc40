"""Browser pages of accounts: home per role, notices, the user's own password, the organisation's
users and API keys, and the organisations the user may see."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.contrib.auth.views import PasswordChangeView
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, View

from core.views import ObjectHistoryView, VisibleListView, refusals_on

from ..filtersets import NoticeFilterSet, OrganisationFilterSet
from ..forms import ApiKeyCreateForm, OrganisationUserCreateForm
from ..models import Notice, Organisation, OrganisationApiKey, User
from ..roles import role_summary
from ..services import api_key_create, api_key_revoke, notices_mark_read, user_create, user_deactivate


@login_required
def home(request):
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "role": role_summary(user),
            "visible_organisation_count": Organisation.objects.visible_to(user).count(),
            "recent_notices": Notice.objects.visible_to(user)[:5],
        },
    )


class OrganisationListView(VisibleListView):
    """The organisations the user may see (the home page's 可见机构 figure), searchable by name or
    credit code, by kind and district."""

    page_title = gettext_lazy("可见机构")
    queryset = Organisation.objects.select_related("district")
    filterset_class = OrganisationFilterSet
    list_filters = ["q", "kind", "district"]
    template_name = "accounts/organisation_list.html"


class NoticeListView(VisibleListView):
    model = Notice
    filterset_class = NoticeFilterSet
    template_name = "accounts/notice_list.html"


@login_required
@require_POST
def notice_mark_read(request):
    if request.POST.get("all") == "1":
        notices_mark_read(user=request.user)
    else:
        ids = [int(i) for i in request.POST.getlist("notice") if i.isascii() and i.isdigit() and len(i) < 19]
        notices_mark_read(user=request.user, notice_ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notice-list"
    return redirect(target)


class OrgAdminRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        user = self.request.user
        return bool(user.organisation_id and user.is_org_admin)


class ApiKeyListView(OrgAdminRequiredMixin, FormView):
    """The organisation's API keys; a new key is shown once, right after it is made."""

    template_name = "accounts/api_key_list.html"
    form_class = ApiKeyCreateForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["api_keys"] = OrganisationApiKey.objects.visible_to(self.request.user).select_related(
            "created_by"
        )
        return context

    def form_valid(self, form):
        with refusals_on(form):
            api_key, raw_key = api_key_create(
                organisation=self.request.user.organisation,
                name=form.cleaned_data["name"],
                created_by=self.request.user,
            )
            context = self.get_context_data(
                form=ApiKeyCreateForm(), new_key=raw_key, new_key_name=api_key.name
            )
            return self.render_to_response(context)
        return self.form_invalid(form)


class ApiKeyRevokeView(OrgAdminRequiredMixin, View):
    def post(self, request, pk):
        api_key = get_object_or_404(OrganisationApiKey.objects.visible_to(request.user), pk=pk)
        api_key_revoke(api_key=api_key)
        messages.success(request, _("密钥“%(name)s”已吊销。") % {"name": api_key.name})
        return redirect("api-key-list")


class ApiKeyHistoryView(OrgAdminRequiredMixin, ObjectHistoryView):
    """An API key's change history (made, revoked), for its organisation's administrators."""

    model = OrganisationApiKey
    list_url_name = "api-key-list"


class PortalPasswordChangeView(SuccessMessageMixin, PasswordChangeView):
    """The user changes their own password (the old one, then the new one twice, against the
    password rules); the session stays signed in."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")
    success_message = gettext_lazy("密码已修改。")


def organisation_users(user):
    """The users of `user`'s own organisation among those `user` may see."""
    return User.objects.visible_to(user).filter(organisation_id=user.organisation_id)


class OrganisationUserListView(OrgAdminRequiredMixin, VisibleListView):
    """The organisation's users, for its administrators: add, deactivate."""

    model = User
    page_title = gettext_lazy("本机构用户")
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return organisation_users(self.request.user).order_by("-is_active", "username")


class OrganisationUserHistoryView(OrgAdminRequiredMixin, ObjectHistoryView):
    """A user's change history, for the administrators of the user's organisation (as its list)."""

    list_url_name = "org-user-list"

    def get_queryset(self):
        return organisation_users(self.request.user)


class OrganisationUserCreateView(OrgAdminRequiredMixin, FormView):
    """Add a user to the administrator's organisation; the generated password is shown once."""

    template_name = "accounts/user_create.html"
    form_class = OrganisationUserCreateForm

    def form_valid(self, form):
        with refusals_on(form):
            new_user, password = user_create(organisation=self.request.user.organisation, **form.cleaned_data)
            context = self.get_context_data(
                form=OrganisationUserCreateForm(), new_user=new_user, password=password
            )
            return self.render_to_response(context)
        return self.form_invalid(form)


class OrganisationUserDeactivateView(OrgAdminRequiredMixin, View):
    def post(self, request, pk):
        target = get_object_or_404(organisation_users(request.user), pk=pk)
        request.refusal_redirect = reverse("org-user-list")
        user_deactivate(user=target, by=request.user)
        messages.success(request, _("用户“%(username)s”已停用。") % {"username": target.get_username()})
        return redirect("org-user-list")
