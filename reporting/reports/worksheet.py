"""XlsxWriter's worksheet with a shorter path for the commonest cell of a report: a plain text cell
written in constant-memory mode (an inline string).

The work lists run to hundreds of thousands of rows of ten text cells, and XlsxWriter's general
cell writer (attribute lists, control-character and whitespace checks, escaping, one call each) was
most of a report's time. A text with nothing to escape but & < > is written here in one step, with
the bytes XlsxWriter writes for it; any other text, and every other cell, goes through XlsxWriter's
own path. tests/reporting/test_report_sheets.py compares the two byte for byte.
"""

import re

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellStringTuple, Worksheet

# What XlsxWriter's inline-string path does more than escape & < >: control characters and text
# that looks like its _xHHHH_ escapes, Excel's non-characters, whitespace kept at either end (the
# same two expressions as xlsxwriter.utility), rich strings.
FULL_PATH = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$|^<r>")


class StreamingWorksheet(Worksheet):
    def _write_cell(self, row: int, col: int, cell) -> None:
        if type(cell) is not CellStringTuple or not self.constant_memory:
            return super()._write_cell(row, col, cell)
        string = cell.string
        if FULL_PATH.search(string):
            return super()._write_cell(row, col, cell)
        if cell.format is not None:
            style = f' s="{cell.format._get_xf_index()}"'
        elif row in self.row_info or col in self.col_info:
            return super()._write_cell(row, col, cell)  # a row's or a column's format applies
        else:
            style = ""
        if "&" in string or "<" in string or ">" in string:
            string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.fh.write(
            f'<c r="{xl_rowcol_to_cell_fast(row, col)}"{style} t="inlineStr"><is><t>{string}</t></is></c>'
        )
