"""One FilterSet per model, shared by the API, the list page and its export; one module per part."""
