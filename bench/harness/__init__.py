"""The benchmark harness behind `make bench`: one run, every figure beside its limit, one table.

`bench/run.py` builds (or reuses) the benchmark database, then calls each figure's function from
`figures.FIGURES` in a child process of its own and writes the rows they return to
bench/RESULTS.md (the generated part between two markers; the analysis below it is kept).
"""
