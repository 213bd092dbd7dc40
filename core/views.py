from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from .exceptions import ApplicationError
from .forms import ImportUploadForm
from .imports import IMPORT_KINDS, import_confirm, import_kinds_for, import_submit
from .models import ImportRun


def healthz(request):
    """Liveness for the load balancer and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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


class VisibleQuerysetMixin(LoginRequiredMixin):
    """Browser counterpart of the API mixin: the page shows only what the user may see."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class VisibleListView(VisibleQuerysetMixin, ListView):
    """A paginated list filtered by the model's one FilterSet (the same one the API and exports use)."""

    filterset_class = None
    paginate_by = 25

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class VisibleDetailView(VisibleQuerysetMixin, DetailView):
    pass


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
        try:
            run = import_submit(
                kind=kind,
                uploaded_file=form.cleaned_data["file"],
                user=request.user,
                dry_run=form.cleaned_data["dry_run"],
                options=options_form.cleaned_data if options_form else None,
            )
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
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
            problems=summary.get("problems", [])[:200],
            duplicates=summary.get("duplicates", [])[:200],
            **kwargs,
        )


@login_required
@require_POST
def import_run_confirm(request, pk):
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    try:
        real = import_confirm(run=run, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("import-detail", pk=run.pk)
    return redirect("import-detail", pk=real.pk)


@login_required
def import_run_errors(request, pk):
    run = get_object_or_404(ImportRun.objects.visible_to(request.user), pk=pk)
    if not run.error_report:
        raise Http404
    return FileResponse(
        run.error_report.open("rb"), as_attachment=True, filename=f"错误报告-{run.filename}.xlsx"
    )
