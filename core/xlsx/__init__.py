"""Reading and writing the spreadsheets that imports and exports exchange. No domain rules here.

reading.py: `read_table` and the `Table` it streams (imports), from the rows sources.py opens
safely (.xlsx by python-calamine in pieces or openpyxl, .csv by its encoding); dates.py:
`parse_date`, the date forms spreadsheets hold; writing.py: `write_xlsx` and `write_error_report`
(exports, error reports).
"""

from .dates import DATE_FORMATS_HELP, parse_date
from .reading import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    Table,
    TableError,
    TableRow,
    TableSource,
    normalise_header,
    read_table,
)
from .writing import ERROR_COLUMN_HEADER, write_error_report, write_xlsx

__all__ = [
    "DATE_FORMATS_HELP",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "ERROR_COLUMN_HEADER",
    "Table",
    "TableError",
    "TableRow",
    "TableSource",
    "normalise_header",
    "parse_date",
    "read_table",
    "write_error_report",
    "write_xlsx",
]
