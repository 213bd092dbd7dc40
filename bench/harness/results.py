"""bench/RESULTS.md: the generated table between two markers, the hand-written analysis kept.

Each figure's rows are also kept in bench/results.json with the time and load of the part that
measured them, so that a run of a subset (`--only`) replaces those figures' rows and keeps the
others' (each row says when it was measured). They are kept per scale (the benchmark database's
elevators): a run at 10,000,000 leaves the rows of 1,000,000 as they were, and the table has a
part per scale.
"""

import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
RESULTS = BENCH / "RESULTS.md"
STORE = BENCH / "results.json"
BEGIN = "<!-- bench:begin (written by bench/run.py: edit the analysis below the end marker) -->"
END = "<!-- bench:end -->"


DEFAULT_SCALE = 1_000_000


def store_read() -> dict:
    """{"scales": {"<elevators>": {"figures": {...}, "runs": {...}}}}; a store written before the
    scales were kept apart held the runs of the default scale only."""
    store = json.loads(STORE.read_text(encoding="utf-8")) if STORE.exists() else {}
    if "figures" in store:
        store = {"scales": {str(DEFAULT_SCALE): store}}
    store.setdefault("scales", {})
    return store


def scale_store(store: dict, scale: int) -> dict:
    """The figures and runs of one scale in `store` (created empty the first time)."""
    part = store["scales"].setdefault(str(scale), {})
    part.setdefault("figures", {})
    part.setdefault("runs", {})
    return part


def store_write(store: dict) -> None:
    STORE.write_text(json.dumps(store, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def ratio_text(ratio) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:,.2f}×" if ratio >= 0.01 else f"{ratio:.2g}×"  # a tiny ratio keeps two digits


def met_text(met) -> str:
    return {None: "–", True: "yes", False: "**no**"}[met]


def table(store: dict, order: list) -> str:
    """A part per scale, the smallest first: the runs, then a row per figure (or why not)."""
    parts = []
    scales = sorted(store["scales"], key=int)
    for scale in scales:
        # A figure on a scratch database of its own is the same at every scale: a part that did not
        # run it points at the smallest that did.
        elsewhere = {
            figure.key: f"{int(other):,}"
            for figure in order
            if not figure.needs_database
            for other in reversed(scales)
            if other != scale and figure.key in store["scales"][other]["figures"]
        }
        text = scale_table(store["scales"][scale], order, elsewhere)
        parts += [f"### At {int(scale):,} elevators", "", text, ""]
    return "\n".join(parts).rstrip("\n")


def scale_table(store: dict, order: list, elsewhere: dict[str, str]) -> str:
    lines = [
        "The runs the rows below come from (the machine is shared: read the ratios, each limit was "
        "measured in the same part of the same run as its figure):",
        "",
    ]
    for _key, run in sorted(store.get("runs", {}).items()):
        machine = run["machine"]
        lines.append(
            f"- `{run['command']}`, {run['started']} – {run['finished']} UTC; {machine['cores']} cores, "
            f"{machine['memory']} RAM, PostgreSQL {machine['postgresql']}, Python {machine['python']}, "
            f"{machine['system']}; 1 / 5 / 15-minute load average {run['load_before']} before and "
            f"{run['load_after']} after."
        )
    lines += [
        "",
        "| figure | value | limit (same run) | ratio | goal | met | measured (UTC; load 1/5/15 min before → after) |",
        "|---|---:|---|---:|---|---|---|",
    ]
    notes = []
    for figure in order:
        entry = store["figures"].get(figure.key)
        if entry is None and figure.key in elsewhere:
            status = f"its own scratch database whatever the scale: see the part at {elsewhere[figure.key]}"
            lines.append(f"| {cell(figure.title)} | {status} | – | – | – | – | – |")
            continue
        if entry is None:
            lines.append(f"| {cell(figure.title)} | not measured (not run yet) | – | – | – | – | – |")
            continue
        when = f"{entry['at']}; {entry['load']}"
        if "rows" not in entry:
            lines.append(f"| {cell(figure.title)} | {cell(entry['status'])} | – | – | – | – | {cell(when)} |")
            continue
        for row in entry["rows"]:
            lines.append(
                f"| {cell(row['figure'])} | {cell(row['value'])} | {cell(row['limit'])} | "
                f"{ratio_text(row['ratio'])} | {cell(row['goal'])} | {met_text(row['met'])} | {cell(when)} |"
            )
            if row.get("note"):
                notes.append(f"- {row['figure']}: {row['note']}")
    if notes:
        lines += ["", "Notes written by the parts:", "", *notes]
    return "\n".join(lines)


def results_write(text: str) -> None:
    """Put `text` between the markers of RESULTS.md (after its title when there are none yet)."""
    content = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in content and END in content:
        head, _, rest = content.partition(BEGIN)
        _, _, tail = rest.partition(END)
        content = head + block + tail
    else:
        title, _, body = content.partition("\n")
        content = f"{title}\n\n{block}\n\n{body.lstrip()}"
    RESULTS.write_text(content.rstrip("\n") + "\n", encoding="utf-8")
