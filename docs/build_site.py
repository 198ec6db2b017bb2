"""Render the course as a static website from the stored notebooks (`python3 course.py site`).

Nothing is executed and nothing is downloaded: each lesson is converted with nbconvert's HTML
exporter (JupyterLab's look, figures inlined as PNG), using the template in docs/site-template/
(a navigation bar with the index, the previous and next lesson and a Binder link; alt text on
figures; a note where a live widget was). `site/index.html` holds the lesson map: each lesson's
title, its opening lines, its run time, and its Binder link.

    python docs/build_site.py              # into site/ (git-ignored)
    python docs/build_site.py --out DIR
"""
import argparse
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = ROOT / "docs" / "site-template"
BINDER = "https://mybinder.org/v2/gh/ganlessons/ganlessons/main?urlpath=lab/tree/notebooks/{}"
REPOSITORY = "https://github.com/ganlessons/ganlessons/blob/main/{}"


def lessons():
    """The numbered lesson notebooks, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def summary(nb):
    """(title, opening paragraph, run-time line) from a lesson's first markdown cell."""
    first = next(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    lines = first.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "")
    paragraphs = [p.strip() for p in "\n".join(line for line in lines if not line.startswith("# ")).split("\n\n")]
    opening = next((p for p in paragraphs if p and not p.startswith(("**", "-", "#"))), "")
    run_time = next((line.strip() for line in lines if line.startswith("**Run time**")), "")
    return title, opening, run_time


def exporter():
    """nbconvert's HTML exporter with the course's template (JupyterLab's, extended)."""
    html_exporter = HTMLExporter(template_name="ganlessons", extra_template_basedirs=[str(TEMPLATES)])
    html_exporter.exclude_input_prompt = False
    return html_exporter


def relink(page):
    """Links between notebooks point to their pages; links into the repository point to GitHub."""
    def fix(match):
        attribute, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+:|#", target) or target.partition("#")[0].endswith(".html"):   # outside, or a page
            return match.group(0)
        path, _, anchor = target.partition("#")
        name = Path(path).name
        if re.fullmatch(r"\d\d_.*\.ipynb", name):
            return f'{attribute}="{name[:-6]}.html{"#" + anchor if anchor else ""}"'
        resolved = (NOTEBOOKS / path).resolve()
        return f'{attribute}="{REPOSITORY.format(resolved.relative_to(ROOT).as_posix())}"'
    return re.sub(r'(href)="([^"]+)"', fix, page)


def build(out):
    """Write index.html and one page per lesson into `out`; return the pages written."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    paths = lessons()
    books = [nbformat.read(path, as_version=4) for path in paths]
    titles = [summary(nb)[0] or path.stem for nb, path in zip(books, paths)]
    html_exporter, written = exporter(), []
    for i, (path, nb) in enumerate(zip(paths, books)):
        nb.metadata["title"] = f"{titles[i]} — ganlessons"
        nb.metadata.pop("widgets", None)           # no widget state is stored; never load the widget manager
        neighbour = lambda j: dict(href=f"{paths[j].stem}.html", title=titles[j]) if 0 <= j < len(paths) else None
        resources = {"gl_prev": neighbour(i - 1), "gl_next": neighbour(i + 1), "gl_binder": BINDER.format(path.name),
                     "metadata": {"name": path.stem}}
        page, _ = html_exporter.from_notebook_node(nb, resources=resources)
        (out / f"{path.stem}.html").write_text(relink(page), encoding="utf-8")
        written.append(out / f"{path.stem}.html")
    rows = []
    for path, nb, title in zip(paths, books, titles):
        _, opening, run_time = summary(nb)
        rows.append(f"| [{title}]({path.stem}.html) | {opening.replace(chr(10), ' ').replace('|', '&#124;')} "
                    f"| {run_time.replace('**Run time**:', '').strip()} | [launch]({BINDER.format(path.name)}) |")
    index = nbformat.v4.new_notebook(metadata={"title": "ganlessons — learn GANs by watching tiny ones train"})
    index.cells.append(nbformat.v4.new_markdown_cell(
        "# ganlessons — learn GANs by watching tiny ones train\n\n"
        "A Jupyter-first course on Generative Adversarial Networks: every lesson trains tiny GANs on a laptop's "
        "CPU in seconds, and every claim it makes is checked by a cell right after it. These pages show the "
        "lessons as they were last run, with their figures and tables; to run one yourself, launch it on "
        "Binder or follow the [README](" + REPOSITORY.format("README.md") + ").\n\n"
        "## The lessons\n\nTake them in order.\n\n"
        "| lesson | what it is about | run time | on Binder |\n|---|---|---|---|\n" + "\n".join(rows)))
    page, _ = html_exporter.from_notebook_node(index, resources={"metadata": {"name": "index"}})
    (out / "index.html").write_text(relink(page), encoding="utf-8")
    written.insert(0, out / "index.html")
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="the folder to write (default: site/)")
    args = parser.parse_args()
    written = build(args.out.resolve())
    print(f"wrote {len(written)} pages to {args.out}: open {html.escape(str(args.out / 'index.html'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
