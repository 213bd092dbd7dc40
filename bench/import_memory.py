"""Peak memory of streaming a provincial-size registry export through `core.xlsx.read_table`.

Generates a registry .xlsx (title row, blank row, header, N data rows, 21 columns) in a
temporary directory with openpyxl's write-only mode, then reads it back in a fresh process:

1. plain pass: time and peak resident memory (ru_maxrss) of iterating every row and validating
   each row's equipment code, registration number and dates, as an import would;
2. traced pass: the same with tracemalloc, for the peak of Python allocations alone.

Usage: python bench/import_memory.py [--rows 200000] [--keep]
"""

import argparse
import importlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = [
    "序号", "*设备代码", "使用登记证编号", "设备品种", "制造单位", "产品型号", "出厂编号", "制造日期",
    "安装日期", "使用单位名称", "使用单位统一社会信用代码", "产权单位", "维保单位", "所在区县",
    "详细地址", "场所类别", "设备状态", "最近检验日期", "检验结论", "下次检验日期", "备注",
]  # fmt: skip
ALIASES = {
    "equipment_code": ["设备代码"],
    "registration_number": ["使用登记证编号", "登记证编号"],
    "category": ["设备品种", "设备类别代码"],
    "manufacturer": ["制造单位"],
    "model": ["产品型号", "型号"],
    "factory_serial": ["出厂编号"],
    "manufactured_on": ["制造日期"],
    "installed_on": ["安装日期", "投用日期"],
    "user_unit": ["使用单位", "使用单位名称"],
    "user_unit_credit_code": ["使用单位统一社会信用代码"],
    "owner": ["产权单位", "产权单位名称"],
    "maintainer": ["维保单位", "维保单位名称"],
    "district": ["所在区县", "区域"],
    "address": ["使用地点", "详细地址"],
    "place_category": ["场所类别", "使用场所"],
    "status": ["设备状态"],
    "inspected_on": ["最近检验日期"],
    "inspection_result": ["检验结论"],
    "next_due": ["下次检验日期"],
}
REQUIRED = ["equipment_code", "category", "user_unit", "district", "address", "place_category"]
DISTRICTS = [
    "襄城区",
    "樊城区",
    "襄州区",
    "南漳县",
    "谷城县",
    "保康县",
    "老河口市",
    "枣阳市",
    "宜城市",
    "高新区",
]
PLACES = ["住宅小区", "保障性住房", "医院", "商场超市", "学校", "写字楼", "星级饭店"]


def generate(path: str, rows: int, *, refuse_every: int = 0) -> None:
    """Write the registry export: 70% 18-character device codes, 30% legacy 20-digit codes; with
    `refuse_every` N, every Nth row names a district that does not exist (the import refuses it)."""
    import openpyxl

    rng = random.Random(2021)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("电梯台账")
    sheet.append(["襄阳市在用电梯台账（截至2026年10月）"])
    sheet.append([])
    sheet.append(HEADERS)
    start = date(2005, 1, 1)
    for n in range(1, rows + 1):
        category = rng.choice(["3110", "3110", "3110", "3120", "3310", "3320", "3430"])
        year = rng.randint(2005, 2024)
        if n % 10 < 7:
            code = f"{category}42{rng.randint(0, 999):03d}{year}{n % 100000:05d}"
        else:
            code = f"{category}420606{year}{rng.randint(1, 12):02d}{n % 10000:04d}"
        installed = start + timedelta(days=rng.randint(0, 7000))
        inspected = date(2025, 1, 1) + timedelta(days=rng.randint(0, 500))
        sheet.append(
            [
                n,
                code,
                f"梯{category[1:3]}鄂F{n % 100000:05d}({year % 100:02d})",
                category,
                "某某电梯有限公司",
                f"GeN2-{rng.randint(1, 99)}",
                f"F{rng.randint(100000, 999999)}",
                installed - timedelta(days=90),
                installed.isoformat(),  # text dates and date cells, as real exports mix them
                f"襄阳某物业服务有限公司第{n % 500}分公司",
                "91420600MA4XXXXXXT",  # one user unit's code (valid check character) for every row
                None,
                "襄阳某电梯维保有限公司",
                "火星区" if refuse_every and n % refuse_every == 0 else rng.choice(DISTRICTS),
                f"{rng.choice(DISTRICTS)}某路{n % 999}号{n % 30}栋{n % 4 + 1}单元",
                rng.choice(PLACES),
                "在用",
                inspected,
                "合格",
                (inspected + timedelta(days=365)).toordinal() - date(1899, 12, 30).toordinal(),  # serial
                None,
            ]
        )
    workbook.save(path)


def consume(path: str) -> int:
    """Read and validate every row the way an import would; return the number of data rows."""
    from core.xlsx import parse_date, read_table
    from elevators.codes import normalise_equipment_code, normalise_registration_number

    today = date(2026, 10, 31)
    count = 0
    with read_table(
        path, aliases=ALIASES, required=REQUIRED, max_bytes=200 * 1024 * 1024, max_rows=1_000_000
    ) as table:
        for row in table:
            values = row.values
            normalise_equipment_code(values["equipment_code"], today=today)
            normalise_registration_number(values["registration_number"], category_code=values["category"])
            for field in ("manufactured_on", "installed_on", "inspected_on", "next_due"):
                parse_date(values[field])
            count += 1
    return count


def bare_read(path: str, reader: str) -> int:
    """Iterate every cell of the file with a bare library loop, nothing checked: the limit."""
    count = 0
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(path)
        for _row in workbook.get_sheet_by_index(0).iter_rows():
            count += 1
        return count
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        count += 1
    workbook.close()
    return count


def bare_measure(path: str, reader: str) -> dict[str, float]:
    importlib.import_module("openpyxl" if reader == "openpyxl" else "python_calamine")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    count = bare_read(path, reader)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows": count,
        "seconds": seconds,
        "maxrss_before_mb": rss_before / 1024,
        "maxrss_after_mb": rss_after / 1024,
    }


def measure(path: str, *, traced: bool) -> dict[str, float]:
    """Run `consume` in this process; report time, rows and memory."""
    for module in ("core.xlsx", "elevators.codes"):  # loaded first: code is not the data we measure
        importlib.import_module(module)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    count = consume(path)
    seconds = time.perf_counter() - started
    figures = {"rows": count, "seconds": seconds}
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    figures["maxrss_before_mb"] = rss_before / 1024
    figures["maxrss_after_mb"] = rss_after / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--refuse-every", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--bare", choices=["openpyxl", "calamine"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate:
        generate(args.generate, args.rows, refuse_every=args.refuse_every)
        return
    if args.measure and args.bare:
        print(json.dumps(bare_measure(args.measure, args.bare)))
        return
    if args.measure:
        from django.conf import settings

        settings.configure(USE_TZ=True, TIME_ZONE="Asia/Shanghai", USE_I18N=True)
        print(json.dumps(measure(args.measure, traced=args.traced)))
        return

    directory = tempfile.mkdtemp(prefix="tibao-bench-")
    path = os.path.join(directory, "registry.xlsx")
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--generate", path, "--rows", str(args.rows)], check=True)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
    print(f"file size: {os.path.getsize(path) / 2**20:.1f} MB")
    # Each pass in a fresh process so that one's high-water mark does not hide the other's.
    for traced in (False, True):
        command = [sys.executable, __file__, "--measure", path] + (["--traced"] if traced else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output)
        label = "traced" if traced else "plain "
        line = (
            f"{label}: {figures['rows']:,} rows in {figures['seconds']:.1f} s "
            f"({figures['rows'] / figures['seconds']:,.0f} rows/s); "
            f"peak RSS {figures['maxrss_before_mb']:.0f} MB after imports -> {figures['maxrss_after_mb']:.0f} MB"
        )
        if traced:
            line += f"; tracemalloc peak {figures['traced_peak_mb']:.1f} MB"
        print(line)
    if args.keep:
        print(f"kept {path}")
    else:
        os.remove(path)
        os.rmdir(directory)


# --- the harness's part (bench/run.py): rows of the results table ------------------------------


def in_fresh_process(path: str, *extra: str) -> dict:
    command = [sys.executable, __file__, "--measure", path, *extra]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def bench_rows(**_) -> list:
    """A 200,000-row registry export streamed through core.xlsx.read_table with every row
    validated, beside bare library loops over the same file (openpyxl read-only, python-calamine),
    each in a fresh process: seconds and peak RSS above the process at start."""
    from bench.harness.rows import Row, s

    rows = 200_000
    directory = tempfile.mkdtemp(prefix="tibao-bench-")
    path = os.path.join(directory, "registry.xlsx")
    try:
        subprocess.run([sys.executable, __file__, "--generate", path, "--rows", str(rows)], check=True)
        size = os.path.getsize(path) / 2**20
        ours = in_fresh_process(path)
        bare = {reader: in_fresh_process(path, "--bare", reader) for reader in ("openpyxl", "calamine")}
    finally:
        if os.path.exists(path):
            os.remove(path)
        os.rmdir(directory)

    def grown(figures: dict) -> float:
        return figures["maxrss_after_mb"] - figures["maxrss_before_mb"]

    fastest = min(bare, key=lambda reader: bare[reader]["seconds"])
    bare_text = "; ".join(
        f"{reader}: {s(figures['seconds'])}, +{grown(figures):.0f} MB" for reader, figures in bare.items()
    )
    return [
        Row(
            f"streaming a {rows:,}-row registry xlsx ({size:.1f} MB) through core.xlsx.read_table, every row "
            "validated (codes, dates): seconds",
            s(ours["seconds"]),
            f"{s(bare[fastest]['seconds'])} (bare {fastest} loop over the file)",
            ours["seconds"] / bare[fastest]["seconds"],
            "– (the reader's share of the import's ≤ 60 s)",
            None,
            note=f"bare readers of the same file: {bare_text}",
        ),
        Row(
            "the same: peak RSS above the process at start",
            f"+{grown(ours):.0f} MB",
            f"+{grown(bare['openpyxl']):.0f} MB (bare openpyxl read-only loop)",
            grown(ours) / max(grown(bare["openpyxl"]), 1),
            "– (the import's ≤ 400 MB)",
            None,
        ),
    ]


if __name__ == "__main__":
    main()
