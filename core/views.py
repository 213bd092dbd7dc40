from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.views.generic import DetailView, ListView


def healthz(request):
    """Liveness for the load balancer and docker compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class VisibleDetailView(VisibleQuerysetMixin, DetailView):
    pass
