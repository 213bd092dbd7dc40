"""A look into a stored report without downloading it: the first rows of each sheet."""

import openpyxl

PREVIEW_ROWS = 20


def workbook_preview(file, *, rows: int = PREVIEW_ROWS) -> list[dict]:
    """[{"title", "rows": [[cell text, ...], ...], "more": bool}] for each sheet of the workbook."""
    with file.open("rb") as handle:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            sheets = []
            for sheet in book.worksheets:
                values = []
                more = False
                for index, row in enumerate(sheet.iter_rows(values_only=True)):
                    if index >= rows:
                        more = True
                        break
                    values.append(["" if v is None else _shown(v) for v in row])
                sheets.append({"title": sheet.title, "rows": values, "more": more})
            return sheets
        finally:
            book.close()


def _shown(value) -> str:
    if isinstance(value, float) and 0 <= value <= 1 and value != int(value):
        return f"{value:.4f}"
    return str(value)
