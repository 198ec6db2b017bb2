"""Run each lesson top to bottom in a fresh kernel; print its wall time and the kernel's peak
memory against the course budgets. With --save, store the executed notebook (this is how every
committed notebook gets its outputs: `python3 course.py execute notebooks/NN_….ipynb`).

    python benchmarks/lessons.py                    # every notebook, measure only
    python benchmarks/lessons.py --save NB.ipynb    # re-execute and save one notebook
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 60            # per lesson (DEVELOPERS.md), unless its issue allows more:
BUDGET_OVERRIDES_S = {"07": 120, "08": 120, "10": 120, "11": 120}   # issues 11 (07, 08) and 12 (10, 11)
COURSE_BUDGET_S = 10 * 60
MEMORY_BUDGET_MB = 1024
PEAK_RSS = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"


def execute(path, save):
    """Execute one notebook in a fresh kernel started in notebooks/; return (seconds, peak MB)."""
    nb = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell(PEAK_RSS)
    nb.cells.append(probe)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nb.cells.pop()
    peak_mb = int(probe.outputs[0]["text"].strip())
    if save:
        nb.metadata.pop("widgets", None)     # widget state is per run and large: keep files small
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
    return seconds, peak_mb


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/")
    parser.add_argument("--save", action="store_true", help="write the executed notebook back")
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    total, over = 0.0, []
    print(f"{'lesson':45} {'time':>8} {'budget':>7} {'peak MB':>8}")
    for path in paths:
        seconds, peak_mb = execute(path, args.save)
        budget = BUDGET_OVERRIDES_S.get(path.name[:2], BUDGET_S)
        flags = [f for f, bad in (("TIME", seconds > budget), ("MEMORY", peak_mb > MEMORY_BUDGET_MB)) if bad]
        over += [f"{path.name}: {f}" for f in flags]
        total += seconds
        print(f"{path.name:45} {seconds:7.1f}s {budget:6d}s {peak_mb:8d} {' '.join(flags)}", flush=True)
        if args.save:
            print(f"  saved {path}")
    print(f"{'whole course' if not args.notebooks else 'total'}: {total:.1f} s (budget {COURSE_BUDGET_S} s for the course)")
    if over:
        print("OVER BUDGET:", "; ".join(over))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
