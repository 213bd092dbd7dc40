"""Normalising text that people type or that spreadsheets mangle."""

import unicodedata


def normalise_code(value: object) -> str:
    """Upper-case a code and fold full-width characters and stray spaces away.

    NFKC turns full-width digits and letters (０-９, Ａ-Ｚ) and the ideographic space into their
    ASCII forms; every kind of white space inside the code is then dropped.
    """
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split()).upper()


# Control, format (U+202E right-to-left override, U+FEFF byte order mark, zero-width space),
# separator and unassigned characters: none of them shows on a page.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def is_invisible(value: str) -> bool:
    """Whether `value` has no character a reader would see (empty included)."""
    return all(unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value)
