"""What a figure's function returns: rows of the results table, and helpers to write them."""

from dataclasses import asdict, dataclass


@dataclass
class Row:
    """One line of the table. `value` and `limit` are written as given (with their unit); `ratio`
    is value / limit, both measured in the same run (None when the figure has no limit); `met` is
    None when the figure has no goal of its own (a supporting figure)."""

    figure: str
    value: str
    limit: str = "–"
    ratio: float | None = None
    goal: str = "–"
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def s(seconds: float) -> str:
    return f"{seconds:,.1f} s"


def per_second(count: float, seconds: float, unit: str) -> str:
    return f"{count / seconds:,.0f} {unit}/s"
