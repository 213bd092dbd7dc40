import contextlib
import functools
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError, connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .api.exceptions import DATABASE_RETRY_AFTER
from .dbrouter import replica_reads
from .exceptions import ApplicationError
from .filtersets import LogEntryFilterSet
from .forms import ImportUploadForm
from .history import history_entries, history_rows, log_entries
from .imports import IMPORT_KINDS, import_kinds_for
from .models import ImportRun
from .services import import_confirm, import_submit, may_confirm
from .visibility import organisation_of
from .xlsx import write_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def healthz(request):
    """Liveness for the load balancer and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def server_error(request, template_name="500.html"):
    """The 500 page in the portal's layout, rendered from settings alone: whatever failed (the
    database, a context processor, the session) must not fail the error page too.

    A database that is gone (restarted, connection cut: the transaction was rolled back with it)
    is no error of the portal's: a 503 page that says nothing was saved and to try again, as the
    API's handler answers (core.api.exceptions). Django calls this inside its handler of the
    exception, which is why the exception is at hand, from a view or from a middleware."""
    exception = sys.exc_info()[1]
    context = {"portal_title": settings.PORTAL_TITLE, "rescue_phone": settings.TIBAO["RESCUE_PHONE"]}
    if isinstance(exception, OperationalError | InterfaceError):
        page = loader.get_template("503.html").render(context)
        return HttpResponse(page, status=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER)})
    return HttpResponseServerError(loader.get_template(template_name).render(context))


def sort_links(request, columns, *, default: str) -> dict[str, dict]:
    """For each sortable column: the URL that sorts by it (again: the other way) and the current direction."""
    current = request.GET.get("ordering", "").split(",")[0] or default
    links = {}
    for column in columns:
        direction = "asc" if current == column else "desc" if current == f"-{column}" else ""
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{column}" if direction == "asc" else column
        links[column] = {"url": f"?{query.urlencode()}", "direction": direction}
    return links


def refusals_return_to(url_name: str):
    """A view decorator: a refused action returns to `url_name`, reversed with the view's kwargs."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            request.refusal_redirect = reverse(url_name, args=args, kwargs=kwargs)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class Refusal:
    """What `refusals_on` caught: `error` is the refusal, or None when the block went through."""

    error: ApplicationError | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextlib.contextmanager
def refusals_on(form, *, fields: dict[str, str | None] | None = None):
    """Inside the block, a refused write (ApplicationError) becomes an error on `form`: on the
    field the service named when the form has it (or on `fields[name]`, when a mapping is given:
    a name it lacks goes on the whole form), else on the whole form. The caller renders the form
    again, which now has `form.errors`; the refusal itself is in the yielded `Refusal`::

        with refusals_on(form):
            run = import_submit(...)
            return redirect(...)
        return render(..., {"form": form})
    """
    refusal = Refusal()
    try:
        yield refusal
    except ApplicationError as exc:
        refusal.error = exc
        name = exc.field if fields is None else fields.get(exc.field)
        form.add_error(name if name in form.fields else None, exc.message)


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    """An .xlsx download."""
    return HttpResponse(
        content,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def may_read(user, kinds) -> bool:
    """Whether `user` opens a page meant for the organisation kinds `kinds`: a user of such an
    organisation, or the back office (a superuser, who sees everything through visible_to)."""
    if user.is_superuser:
        return True
    organisation = organisation_of(user)
    return organisation is not None and organisation.kind in kinds


def require_kind(user, kinds, refusal=None, *, back_office: bool = True):
    """The organisation `user` acts for when its kind is one of `kinds`; anyone else is refused
    (403, with `refusal` as the page's message). `back_office=False` refuses a superuser without an
    organisation too (for writes, which always act for an organisation)."""
    organisation = organisation_of(user)
    if back_office and user.is_superuser:
        return organisation
    if organisation is None or organisation.kind not in kinds:
        raise PermissionDenied(refusal)
    return organisation


class KindsOnlyMixin(LoginRequiredMixin):
    """Only users of the kinds in `reader_kinds` (and the back office) open the page; others 403."""

    reader_kinds: frozenset[str] = frozenset()
    refusal = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_read(request.user, self.reader_kinds):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


class VisibleQuerysetMixin(LoginRequiredMixin):
    """Browser counterpart of the API mixin: the page shows only what the user may see."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleListView(VisibleQuerysetMixin, ListView):
    """A list page: the rows the user may see, filtered by the model's one FilterSet (the one the
    API uses), sortable by the columns it names, paginated, and exported to Excel as listed.

    A page declares:
    - `page_title`, the heading;
    - `filterset_class`, and `list_filters`: the filters the page's form offers (None: all). The
      FilterSet's other filters still work from links; a bad value in one of them is shown apart.
    - `sortable_columns` and `default_ordering` (the model's default order), for `sort_links`.
    - for an export: `export_table` (queryset → headers and rows), `export_filename` (with a
      `{date}` placeholder), `export_sheet`, and the URL names `list_url_name`/`export_url_name`.
      The same class serves the export URL with `as_view(export=True)`: same visibility, filters
      and order as the list, never more than `export_max_rows`.
    The template extends "list_base.html".
    """

    page_title = ""
    filterset_class = None
    list_filters: list[str] | None = None
    sortable_columns: tuple[str, ...] = ()
    default_ordering = ""
    paginate_by = 25
    export = False
    export_table = None
    export_filename = ""
    export_sheet = "Sheet1"
    export_max_rows = 100_000
    list_url_name = ""
    export_url_name = ""

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is None:
            return queryset
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=queryset, request=self.request
        )
        if not self.filterset.is_bound:
            return queryset
        # A bad filter value shows its error and no rows: never silently every row.
        return self.filterset.qs if self.filterset.is_valid() else queryset.none()

    def get(self, request, *args, **kwargs):
        if self.export:
            return self.export_response()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = getattr(self, "filterset", None)
        context["filterset"] = filterset
        context["page_title"] = self.page_title
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        context["ordering"] = self.request.GET.get("ordering", "")
        if self.sortable_columns:
            context["sort_links"] = sort_links(
                self.request, self.sortable_columns, default=self.default_ordering
            )
        if filterset is not None:
            form = filterset.form
            shown = self.get_list_filters()
            if shown is None:
                shown = list(form.fields)
            context["filter_fields"] = [form[name] for name in shown if name != "ordering"]
            context["other_filter_errors"] = [
                _("%(label)s：%(error)s") % {"label": form[name].label, "error": error}
                for name, errors in form.errors.items()
                if name not in shown
                for error in errors
            ]
        if self.export_url_name:
            context["export_url"] = reverse(self.export_url_name)
        return context

    def get_list_filters(self) -> list[str] | None:
        """The filters the page's form offers (a page may vary them by viewer)."""
        return self.list_filters

    def export_response(self) -> HttpResponse:
        queryset = self.get_queryset()
        if self.filterset_class is not None and self.filterset.is_bound and not self.filterset.is_valid():
            # The list page shows what is wrong; an export must never fall back to every row.
            return self._back_to_list(_("筛选条件有误，请修改后再导出。"))
        with replica_reads():  # an export's rows are read from the read replica when there is one
            total = queryset.count()
            if total > self.export_max_rows:
                return self._back_to_list(
                    _("筛选结果共 %(total)s 条，超过单次导出上限 %(limit)s 条，请缩小筛选范围后再导出。")
                    % {"total": f"{total:,}", "limit": f"{self.export_max_rows:,}"}
                )
            headers, rows = self.export_table(queryset=queryset)
            content = write_xlsx(headers, rows, sheet_title=self.export_sheet)
        return xlsx_response(content, filename=self.export_filename.format(date=timezone.localdate()))

    def _back_to_list(self, message) -> HttpResponse:
        messages.error(self.request, message)
        query = self.request.GET.urlencode()
        return redirect(reverse(self.list_url_name) + (f"?{query}" if query else ""))


class VisibleDetailView(VisibleQuerysetMixin, DetailView):
    """One object the user may see; any other answers 404, whether it exists or not."""


class ImportRunListView(VisibleListView):
    model = ImportRun
    template_name = "core/import_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("created_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(kinds=import_kinds_for(self.request.user), **kwargs)


@login_required
def import_new(request, kind):
    """Upload a file of one import kind; it is checked (or imported) in the background."""
    import_kind = IMPORT_KINDS.get(kind)
    if import_kind is None:
        raise Http404
    if not import_kind.may_import(request.user):
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    options_form = import_kind.options_form(request.POST or None) if import_kind.options_form else None
    if request.method == "POST" and form.is_valid() and (options_form is None or options_form.is_valid()):
        with refusals_on(form):
            run = import_submit(
                kind=kind,
                uploaded_file=form.cleaned_data["file"],
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options=options_form.cleaned_data if options_form else None,
            )
            return redirect("import-detail", pk=run.pk)
    return render(
        request, "core/import_new.html", {"kind": import_kind, "form": form, "options_form": options_form}
    )


class ImportRunDetailView(VisibleDetailView):
    model = ImportRun
    template_name = "core/import_detail.html"

    def get_context_data(self, **kwargs):
        summary = self.object.summary or {}
        return super().get_context_data(
            kind=IMPORT_KINDS.get(self.object.kind),
            may_confirm=may_confirm(self.object),
            problems=summary.get("problems", [])[:200],
            duplicates=summary.get("duplicates", [])[:200],
            **kwargs,
        )


@login_required
@require_POST
@refusals_return_to("import-detail")
def import_run_confirm(request, pk):
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    real = import_confirm(run=run, user=request.user)
    return redirect("import-detail", pk=real.pk)


@login_required
def import_run_progress(request, pk):
    """The run's state and counts as JSON, for its page to poll while it runs (static/js/tibao.js)."""
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    return JsonResponse(run.progress(), headers={"Cache-Control": "no-store"})


@login_required
def import_run_errors(request, pk):
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    if not run.error_report:
        raise Http404
    return FileResponse(
        run.error_report.open("rb"), as_attachment=True, filename=f"错误报告-{run.filename}.xlsx"
    )


class ObjectHistoryView(VisibleDetailView):
    """An object's change history (变更历史), a tab beside its page: every log entry of the object
    (and of the rows of its reverse relations named in `history_related`), newest first, paginated;
    read only. The object is looked up as its page looks it up — `model` or `queryset`, through
    `visible_to` — so whoever may not see it gets the 404 its page gives. A URL declares::

        path("elevators/<int:pk>/history/", ObjectHistoryView.as_view(
            model=Elevator, list_url_name="elevator-list", detail_url_name="elevator-detail",
            history_related=("inspections",)), name="elevator-history")

    (`history_path` writes that line for a page whose URLs follow the `<name>-list` and
    `<name>-detail` pattern.) `detail_url_name` is empty for an object without a page of its own
    (the tab is then the page).
    A page with access rules beyond visibility (its kind, an organisation's administrators) is a
    subclass with the page's own mixin.
    """

    template_name = "core/object_history.html"
    paginate_by = 25
    history_related: tuple[str, ...] = ()
    list_url_name = ""
    detail_url_name = ""

    def get_context_data(self, **kwargs):
        entries = history_entries(obj=self.object, related=self.history_related)
        page = Paginator(entries.select_related("actor__organisation"), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            rows=history_rows(page.object_list),
            model_label=self.object._meta.verbose_name,
            list_url_name=self.list_url_name,
            list_label=self.object._meta.verbose_name_plural,
            detail_url=reverse(self.detail_url_name, args=[self.object.pk]) if self.detail_url_name else "",
            **kwargs,
        )


def history_path(route: str, *, model, name: str, history_related: tuple[str, ...] = ()):
    """The history tab of a page whose URLs are named `<name>-list` and `<name>-detail`: at
    `<route><int:pk>/history/`, named `<name>-history` (ObjectHistoryView)."""
    view = ObjectHistoryView.as_view(
        model=model,
        list_url_name=f"{name}-list",
        detail_url_name=f"{name}-detail",
        history_related=history_related,
    )
    return path(f"{route}<int:pk>/history/", view, name=f"{name}-history")


class AuditSearchView(KindsOnlyMixin, VisibleListView):
    """The city regulator's search of the whole change log (审计查询): by object type and object
    (deleted objects too: their entries stay), by the acting organisation, period and actor.
    Every other kind is refused (403), as the city regulator's other pages refuse it."""

    # core names no kind but this one: the whole log is the city regulator's (DESIGN.md section 2).
    reader_kinds = frozenset({"city_regulator"})
    page_title = gettext_lazy("审计查询")
    template_name = "core/audit_search.html"
    paginate_by = 50

    queryset = log_entries()
    filterset_class = LogEntryFilterSet

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = history_rows(context["object_list"])
        return context
