"""The benchmark harness's bookkeeping (bench/harness): the figure registry, a part that does not
exist yet, and RESULTS.md's generated table between its markers with the analysis kept. No
figure is measured here: speed is measured by `make bench`, never by a test."""

import json
import subprocess
import sys

import pytest

from bench.harness import results
from bench.harness.child import MARKER
from bench.harness.figures import FIGURES, select


def test_only_names_known_figures_and_keeps_the_registry_order():
    assert [f.key for f in select("list,coverage")] == ["coverage", "list"]
    assert len(select(None)) == len(FIGURES)
    with pytest.raises(SystemExit, match="unknown figure"):
        select("coverage,nope")


def test_a_figure_whose_module_does_not_exist_yet_answers_missing():
    output = subprocess.run(
        [sys.executable, "-m", "bench.harness.child", "bench.not_written_yet:bench_rows", "{}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.splitlines()[-1] == MARKER + json.dumps({"missing": "no module bench.not_written_yet"})


def store(rows):
    run = {
        "command": "python bench/run.py --only coverage",
        "started": "2026-12-01 14:00",
        "finished": "2026-12-01 14:05",
        "load_before": "1.0 / 1.0 / 1.0",
        "load_after": "2.0 / 1.0 / 1.0",
        "machine": {
            "cores": 2,
            "memory": "24 GB",
            "postgresql": "15.2",
            "python": "3.11.7",
            "system": "Linux",
        },
    }
    entry = {"at": "2026-12-01 14:00", "load": "1.0 → 2.0", "run": "r1", "rows": rows}
    return {"scales": {"1000000": {"runs": {"r1": run}, "figures": {"coverage": entry}}}}


def test_the_table_gives_each_row_its_ratio_goal_and_run_and_says_what_was_not_measured():
    row = {"figure": "coverage", "value": "1,651.0 ms", "limit": "1,679.0 ms (best SQL)", "ratio": 0.983,
           "goal": "≤ 1.3×", "met": True, "note": ""}  # fmt: skip
    data = store([row])
    data["scales"]["1000000"]["figures"]["dashboard"] = {
        "at": "2026-12-01 14:01",
        "load": "2.0 → 2.0",
        "status": "not measured (x)",
    }
    text = results.table(data, [f for f in FIGURES if f.key in ("coverage", "dashboard", "list")])
    lines = text.splitlines()
    assert (
        "| coverage | 1,651.0 ms | 1,679.0 ms (best SQL) | 0.98× | ≤ 1.3× | yes | 2026-12-01 14:00; 1.0 → 2.0 |"
        in lines
    )
    assert any(line.startswith("| city dashboard") and "not measured (x)" in line for line in lines)
    assert any(
        line.startswith("| elevator list API") and "not measured (not run yet)" in line for line in lines
    )
    assert "- `python bench/run.py --only coverage`, 2026-12-01 14:00 – 2026-12-01 14:05 UTC; 2 cores" in text


def test_each_scale_keeps_its_own_rows_and_a_store_from_before_scales_is_the_default_one(
    tmp_path, monkeypatch
):
    row = {"figure": "coverage", "value": "1.0 ms", "limit": "–", "ratio": None, "goal": "–", "met": None}
    path = tmp_path / "results.json"
    monkeypatch.setattr(results, "STORE", path)
    path.write_text(json.dumps(store([row])["scales"]["1000000"]), encoding="utf-8")  # the old layout
    data = results.store_read()
    assert list(data["scales"]) == ["1000000"]
    ten = results.scale_store(data, 10_000_000)
    ten["figures"]["coverage"] = {
        **data["scales"]["1000000"]["figures"]["coverage"],
        "rows": [{**row, "value": "9.0 ms"}],
    }
    ten["runs"] = data["scales"]["1000000"]["runs"]
    results.store_write(data)
    text = results.table(results.store_read(), [f for f in FIGURES if f.key == "coverage"])
    first, tenth = text.index("### At 1,000,000 elevators"), text.index("### At 10,000,000 elevators")
    assert first < tenth
    assert "| coverage | 1.0 ms |" in text[first:tenth]
    assert "| coverage | 9.0 ms |" in text[tenth:]
    assert "1.0 ms" not in text[tenth:]
    claims = next(f for f in FIGURES if f.key == "claims")  # a scratch database of its own
    data["scales"]["1000000"]["figures"]["claims"] = {**data["scales"]["1000000"]["figures"]["coverage"]}
    text = results.table(data, [f for f in FIGURES if f.key == "coverage"] + [claims])
    tenth = text.index("### At 10,000,000 elevators")
    assert (
        f"| {claims.title} | its own scratch database whatever the scale: see the part at 1,000,000 |"
        in text[tenth:]
    )


def test_results_md_keeps_the_analysis_and_replaces_only_the_generated_part(tmp_path, monkeypatch):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Claims upload\nanalysis by hand\n", encoding="utf-8")
    monkeypatch.setattr(results, "RESULTS", path)
    results.results_write("first table")
    results.results_write("second table")
    assert path.read_text(encoding="utf-8") == (
        f"# Benchmark results\n\n{results.BEGIN}\nsecond table\n{results.END}\n\n## Claims upload\nanalysis by hand\n"
    )
