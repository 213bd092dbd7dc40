"""Importing the provincial registry's elevator list (电梯台账): registry.py runs an import (and
registers the import kind), parsing.py reads each row, applying.py writes each chunk."""

from .parsing import (
    CATEGORY_SCHEMES,
    REGISTRY_COLUMNS,
    REQUIRED_COLUMNS,
    RESULT_WORDS,
    STATUS_WORDS,
    RegistryImportResult,
)
from .registry import RegistryImportOptionsForm, registry_import

__all__ = [
    "CATEGORY_SCHEMES",
    "REGISTRY_COLUMNS",
    "REQUIRED_COLUMNS",
    "RESULT_WORDS",
    "STATUS_WORDS",
    "RegistryImportOptionsForm",
    "RegistryImportResult",
    "registry_import",
]
