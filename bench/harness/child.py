"""Runs one figure's function in a process of its own and hands its rows back on stdout.

    python -m bench.harness.child <module:function> '<options as JSON>'

A fresh process per figure: some parts configure Django for a scratch database of their own, and
one part's peak memory or caches must not weigh on the next one's figures. The last line of the
output is MARKER followed by the rows as JSON ({"missing": ...} when the function does not exist).
"""

import importlib
import json
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MARKER = "BENCH-ROWS "


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    target, options = sys.argv[1], json.loads(sys.argv[2])
    module_name, function_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name and not module_name.startswith(f"{error.name}."):
            raise
        print(MARKER + json.dumps({"missing": f"no module {module_name}"}))
        return
    function = getattr(module, function_name, None)
    if function is None:
        print(MARKER + json.dumps({"missing": f"no function {target}"}))
        return
    try:
        rows = function(**options)
    except BaseException as error:  # the harness goes on with the next figure and says why
        traceback.print_exc()
        print(MARKER + json.dumps({"failed": f"{type(error).__name__}: {error}"[:300]}))
        sys.exit(1)
    print(MARKER + json.dumps({"rows": [row.as_dict() for row in rows]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
