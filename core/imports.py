"""The kinds of file the apps import: each app registers its own (the registry, policy lists,
claims) with a runner and a permission rule; core names none of them.

Submitting, running and reporting an import (`core.services`) and the pages are shared by every
kind; an `ImportRun` row names its kind by key and takes its label from here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms


@dataclass(frozen=True)
class ImportKind:
    """A kind of file an app imports.

    `run(source=, filename=, user=, dry_run=, **options)` returns a result with `summary()`,
    `error_report()`, `refused` and `committed`; `may_import(user)` says who may use it;
    `options_form` (optional) collects the kind's own options in the browser. `columns` maps each
    field to the headers that name it in a file; the blank template offers the first of each.
    `imports_valid_rows`: a real run stores the valid rows even when others are refused (claims),
    so a dry run with refused rows may still be confirmed; otherwise a refused row holds back the
    whole file and only a clean dry run may be.
    """

    key: str
    label: str
    run: Callable
    may_import: Callable
    help_text: str = ""
    options_form: type[forms.Form] | None = None
    columns: dict[str, list[str]] = field(default_factory=dict)
    imports_valid_rows: bool = False

    @property
    def template_columns(self) -> list[str]:
        return [aliases[0] for aliases in self.columns.values()]


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> ImportKind:
    """Make a kind of file importable (called once per kind, when its app's module is loaded)."""
    IMPORT_KINDS[kind.key] = kind
    return kind


def import_kinds_for(user) -> list[ImportKind]:
    """The kinds of file `user` may import."""
    return [kind for kind in IMPORT_KINDS.values() if kind.may_import(user)]
