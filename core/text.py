"""Normalising text that people type or that spreadsheets mangle."""

import unicodedata


def normalise_code(value: object) -> str:
    """Upper-case a code and fold full-width characters and stray spaces away.

    NFKC turns full-width digits and letters (０-９, Ａ-Ｚ) and the ideographic space into their
    ASCII forms; every kind of white space inside the code is then dropped.
    """
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(text.split()).upper()
