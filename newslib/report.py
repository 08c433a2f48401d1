"""Static HTML reports: execute the numbered notebooks and publish them.

``run_report`` executes notebooks 01–04 headless with papermill (parameters
injected into the cell tagged ``parameters``), converts each to one
self-contained HTML page (images embedded, no script or style fetched from the
network), marks Arabic blocks right-to-left, and writes ``index.html`` with
the settings, the pages and the tables. ``make_figures`` runs the same
notebooks only for their figures, to regenerate or check ``figures/``.
"""

from __future__ import annotations

import csv
import filecmp
import html
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import is_bundled_corpus

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = (
    "01_corpus_overview",
    "02_term_frequencies",
    "03_actor_cooccurrence",
    "04_topic_clustering",
)
TITLES = {
    "01_corpus_overview": "Corpus overview",
    "02_term_frequencies": "Term frequencies",
    "03_actor_cooccurrence": "Actor co-occurrence",
    "04_topic_clustering": "Topic clustering",
}
# Block elements that may hold Arabic prose or table cells: each gets
# dir="auto", so the browser sets its direction from its first strong letter.
_DIR_AUTO = (
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "blockquote",
    "caption",
    "dd",
    "dt",
)
_CSS = """
[dir="auto"], [dir="rtl"] { text-align: start; unicode-bidi: isolate; }
table [dir="rtl"] { text-align: right; }
"""


@dataclass
class NotebookRun:
    """The outcome of one notebook: where its page is, how long it took, its error."""

    name: str
    ok: bool
    seconds: float
    page: Path | None = None
    error: str = ""
    executed: Path | None = None
    notes: str = ""  # a recovery on the way (a kernel started again)

    @property
    def outcome(self) -> str:
        """'done' or 'FAILED: ...', with the notes: what a progress line says."""
        said = "done" if self.ok else f"FAILED: {self.error}"
        return f"{said} ({self.notes})" if self.notes else said


@dataclass
class ReportResult:
    out: Path
    runs: list[NotebookRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)


# Thread pools of the numeric libraries (OpenBLAS, OpenMP, MKL) a kernel sizes from these.
_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _deterministic_env(threads: int | None = None) -> Iterator[None]:
    """Kernels inherit the environment: a fixed hash seed (set iteration order),
    fixed file dates in SVG/PDF, no GUI backend, and, given ``threads``, that
    many BLAS/OpenMP threads (unless the caller set them). Set while a kernel
    starts and restored after, so the caller's own environment is left as it was."""
    wanted = {
        "PYTHONHASHSEED": "0",
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    if threads is not None:
        wanted.update({k: os.environ.get(k, str(threads)) for k in _THREAD_VARIABLES})
    before = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


KERNEL_STARTS = 3  # tries to start a notebook's kernel (see execute_notebook)
_KERNEL_DIED_STARTING = "Kernel died before replying to kernel_info"


def execute_notebook(
    name: str, output: Path, parameters: dict[str, Any], notebook_dir: Path = NOTEBOOK_DIR,
    threads: int | None = None,
) -> NotebookRun:
    """Execute one notebook with papermill; never raises for a failing cell.
    ``threads``: BLAS/OpenMP threads of its kernel (default: the libraries' own, one per core)."""
    import papermill as pm

    start = time.perf_counter()
    source = notebook_dir / f"{name}.ipynb"
    if not source.is_file():
        return NotebookRun(name, False, 0.0, error=f"notebook not found: {source}")
    # The report passes one set of parameters to every notebook; each gets
    # those its parameters cell declares (papermill warns about the others).
    declared = pm.inspect_notebook(str(source))
    parameters = {k: v for k, v in parameters.items() if k in declared}
    notes: list[str] = []
    for attempt in range(1, KERNEL_STARTS + 1):
        error = _run_papermill(source, output, parameters, notebook_dir, threads)
        # A kernel that dies before answering has run nothing: most likely a port
        # it was given was taken meanwhile by another kernel starting at the same
        # moment (jupyter_client picks free ports, closes them and hands them
        # on: jupyter/jupyter_client#154). Starting it again is the known remedy.
        if _KERNEL_DIED_STARTING not in error or attempt == KERNEL_STARTS:
            break
        notes.append(f"kernel started again: attempt {attempt} died before replying")
    if output.exists():
        _fix_injected_cell_id(output)
    seconds = time.perf_counter() - start
    return NotebookRun(
        name, not error, seconds, error=error, executed=output if output.exists() else None, notes="; ".join(notes)
    )


def _run_papermill(source: Path, output: Path, parameters: dict[str, Any], cwd: Path, threads: int | None) -> str:
    """One papermill run of ``source``: '' or what went wrong."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        with _deterministic_env(threads):
            pm.execute_notebook(
                str(source),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                # The kernel's own log is not the reader's business: start-up notices
                # ("running over TCP without encryption" on loopback), and the
                # "KeyboardInterrupt caught in kernel" it logs as an ERROR when
                # jupyter_client interrupts it on shutting it down after the last cell.
                # A failing cell reaches us through papermill, a dead kernel as an error.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
    except PapermillExecutionError as e:
        return f"cell {e.exec_count}: {e.ename}: {e.evalue}"
    except Exception as e:  # kernel died, bad parameters, ...
        return f"{type(e).__name__}: {e}"
    return ""


def _fix_injected_cell_id(executed: Path) -> None:
    """Give papermill's injected parameters cell a fixed id: it gets a random
    one, which the HTML page carries (``id="cell-id=…"``), so two runs would
    write different pages for the same results."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    nbformat.write(nb, executed)


# Notebooks by their usual running time, longest first (measured on SaudiNewsNet:
# 04 about 40 s, 02 30 s, 03 20 s, 01 15 s).
LONGEST_FIRST = ("04_topic_clustering", "02_term_frequencies", "03_actor_cooccurrence", "01_corpus_overview")


def _execute_and_render(name: str, output: Path, parameters: dict[str, Any], page: Path,
                        commentary: bool = True, threads: int | None = None) -> NotebookRun:
    """Execute one notebook and write its HTML page (runs in a worker process)."""
    run = execute_notebook(name, output, parameters, threads=threads)
    if run.executed:
        run.page = page
        page.write_text(notebook_html(run.executed, TITLES.get(name, name), commentary=commentary),
                        encoding="utf-8")
    return run


# Markdown cells tagged so hold commentary on the bundled corpus's results
# (its numbers, articles and actors): true of that corpus only.
COMMENTARY_TAG = "bundled-corpus"


def _without_commentary(nb: Any) -> None:
    """Drop the cells tagged ``COMMENTARY_TAG`` from ``nb`` and say so after
    its first cell (the title)."""
    import nbformat

    kept = [c for c in nb.cells if COMMENTARY_TAG not in c.get("metadata", {}).get("tags", [])]
    dropped = len(nb.cells) - len(kept)
    if dropped:
        note = nbformat.v4.new_markdown_cell(
            f"*This report is of another corpus than the bundled one, so the {dropped} passages of "
            "commentary written about the bundled five articles are left out of this page. The "
            "tables, figures and printed summaries are this corpus's.*"
        )
        note["id"] = "commentary-left-out"  # fixed: the page stays the same from run to run
        kept.insert(1, note)
    nb.cells = kept


def notebook_html(executed: Path, title: str, *, commentary: bool = True) -> str:
    """One self-contained HTML page for an executed notebook; without
    ``commentary`` (a corpus other than the bundled one) the cells of
    commentary on the bundled corpus are left out, and the page says so."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    if not commentary:
        _without_commentary(nb)
    # Readers of the report do not run Python: show prose, tables and figures,
    # not the code (the notebooks themselves have it).
    exporter = HTMLExporter(
        template_name="lab",
        embed_images=True,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    soup = BeautifulSoup(body, "html.parser")
    # Offline and safe: drop every script that would be fetched or imports
    # from the network (require.js, MathJax, mermaid). Notebook outputs are
    # static (images, HTML tables), so nothing needs them.
    for script in soup.find_all("script"):
        src = script.get("src", "")
        if src.startswith(("http:", "https:", "//")) or "https://" in (script.string or ""):
            script.decompose()
    for tag in soup.find_all(_DIR_AUTO):
        if not tag.get("dir"):
            tag["dir"] = "auto"
    style = soup.new_tag("style")
    style.string = _CSS
    (soup.head or soup).append(style)
    return str(soup)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n"
        "body { font-family: 'Noto Sans Arabic', 'DejaVu Sans', sans-serif; max-width: 60em;"
        " margin: 2em auto; padding: 0 1em; line-height: 1.5; }\n"
        "table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .25em .5em; }\n"
        "td[dir=rtl] { text-align: right; } .failed { color: #b00020; }\n"
        f"{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def index_html(
    result: ReportResult,
    settings: dict[str, Any],
    tables: Sequence[Path],
    stats: dict[str, Any] | None,
) -> str:
    """The report's front page: what it covers, settings, pages, tables."""
    esc = html.escape
    rows = []
    for r in result.runs:
        status = "ok" if r.ok else f'<span class="failed">failed: {esc(r.error)}</span>'
        link = (
            f'<a href="{esc(r.page.name)}">{esc(TITLES.get(r.name, r.name))}</a>'
            if r.page
            else esc(r.name)
        )
        # No running times here: they change from run to run, and this page should not
        # (they are printed while the report runs).
        rows.append(f"<tr><td>{link}</td><td>{status}</td></tr>")
    settings_rows = "".join(
        f'<tr><th dir="auto">{esc(str(k))}</th><td dir="auto">{esc(str(v))}</td></tr>'
        for k, v in settings.items()
    )
    table_items = "".join(
        f'<li><a href="tables/{esc(p.name)}">{esc(p.name)}</a></li>' for p in tables
    )
    stats_rows = ""
    if stats:
        stats_rows = "".join(
            f"<tr><th>{esc(str(k))}</th><td>{esc(str(v))}</td></tr>"
            for k, v in stats.items()
            if not isinstance(v, list | dict)
        )
    body = f"""
<h1>Arabic news analysis report</h1>
<p>This report runs the four newslib notebooks on one corpus: an overview of the
documents and what cleaning removed (01), the terms that dominate and distinguish
them (02), the actors they mention and who appears with whom (03), and the themes
their passages fall into (04). Every figure and table is regenerated from the
corpus and the code; the tables are also available as CSV files.</p>
<p dir="rtl" lang="ar">يعرض هذا التقرير تحليل مجموعة من المقالات الإخبارية العربية:
المصطلحات الأكثر تكرارا، والفاعلين الذين يرد ذكرهم معا، والموضوعات التي تتناولها الفقرات.</p>
<h2>Pages</h2>
<table><tr><th>notebook</th><th>status</th></tr>{"".join(rows)}</table>
<h2>Corpus</h2>
<table>{stats_rows}</table>
<h2>Settings</h2>
<table>{settings_rows}</table>
<h2>Tables (CSV, UTF-8)</h2>
<ul>{table_items}</ul>
"""
    return _page("newslib report", body)


# A notebook holds the loaded corpus (clean texts, no raw texts). Its peak,
# measured on SaudiNewsNet (the largest of the four notebooks; e3224a4):
# 0.73 GB for 41 MB of article files (1x), 2.08 GB for 382 MB (10x): about
# 0.6 GB plus 4 bytes per byte of text. The estimate takes 1 GB and 4.5, a
# margin for text that expands more in Python (one emoji makes an article's
# string 4 bytes a character).
_NOTEBOOK_BASE = 1 << 30
_NOTEBOOK_PER_BYTE = 4.5


def corpus_bytes(path: str | Path) -> int:
    """Bytes of the corpus's files as the loader reads them: zip members and
    Parquet row groups uncompressed, metadata file not counted; 0 when the
    path is not a corpus (its notebooks will say why)."""
    import zipfile

    from .corpus import LoadError, _inputs

    try:
        files, _, _ = _inputs(Path(path))
    except LoadError:
        return 0
    total = 0
    for file in files:
        try:
            if file.suffix.lower() == ".zip":
                with zipfile.ZipFile(file) as z:
                    total += sum(info.file_size for info in z.infolist())
            elif file.suffix.lower() == ".parquet":
                import pyarrow.parquet as pq

                meta = pq.ParquetFile(file).metadata
                total += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            else:
                total += file.stat().st_size
        except Exception:  # unreadable: the loader reports it; count what is on disk
            total += file.stat().st_size if file.exists() else 0
    return total


def _available_memory() -> int | None:
    """Memory available to new processes (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def notebooks_at_once(requested: int | None, cores: int, notebooks: int, text_bytes: int,
                      available: int | None) -> tuple[int, list[str]]:
    """How many notebooks to run at once, and what to tell the user.

    Each notebook holds the corpus: by default as many run at once as there
    are cores *and* as fit in the available memory (at least one); a
    requested number is kept. Either way a corpus too large for the memory
    is announced before anything runs.

    >>> notebooks_at_once(None, 2, 4, 40 << 20, 24 << 30)
    (2, [])
    >>> notebooks_at_once(None, 2, 4, 3 << 30, 24 << 30)[0]
    1
    """
    need = int(_NOTEBOOK_BASE + _NOTEBOOK_PER_BYTE * text_bytes)
    jobs = max(1, min(requested or cores, notebooks))
    notes: list[str] = []
    if available is None:
        return jobs, notes
    gb = 1 << 30
    fit = max(1, min(jobs, available // need))
    if requested is None and fit < jobs:
        jobs = fit
        notes.append(f"{text_bytes / 1e6:,.1f} MB of text: about {need / gb:.1f} GB per notebook, "
                     f"{available / gb:.1f} GB available: {jobs} notebook{'s' * (jobs > 1)} at a time")
    if jobs * need > available:
        notes.append(f"warning: about {jobs * need / gb:.1f} GB needed ({jobs} notebook{'s' * (jobs > 1)} at a "
                     f"time, each holding the corpus), more than the {available / gb:.1f} GB available: they may "
                     "run out of memory. The streamed routes carry a corpus of any size (README, Scale: "
                     "newslib stats, newslib.engine.term_matrix, newslib.engine.mentions).")
    return jobs, notes


MANIFEST = ".newslib-report.json"  # in the output folder: the files its last report wrote


def _clear_previous(out: Path, figures_dir: Path) -> None:
    """Delete the files the previous report in ``out`` wrote (its manifest
    lists them), so that a table or figure this run does not write (a
    notebook that failed, a chart this corpus has no data for) is not left
    behind as if it were this corpus's. Only files the manifest names, inside
    ``out`` or ``figures_dir``, are deleted: never other files of a shared folder."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):  # no report here yet, or not one of ours
        return
    for name in listed:
        path = (out / str(name)).resolve()
        if path.parent in (out, out / "tables", out / "executed", figures_dir) and path.is_file():
            path.unlink()


def _files(folders: Iterable[Path]) -> dict[Path, tuple[int, int, int]]:
    """The files directly in ``folders``, each with what tells a rewritten file apart."""
    found = {}
    for folder in folders:
        for path in folder.iterdir() if folder.is_dir() else ():
            if path.is_file():
                st = path.stat()
                found[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def _write_manifest(out: Path, written: Iterable[Path]) -> None:
    """List ``written`` in ``out``'s manifest: relative to ``out`` where they are inside it."""
    names = sorted(p.relative_to(out).as_posix() if p.is_relative_to(out) else str(p) for p in written)
    (out / MANIFEST).write_text(json.dumps({"files": names}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def run_report(
    corpus: str | Path = "data",
    out: str | Path = "reports",
    *,
    actors: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    notebooks: Sequence[str] = NOTEBOOKS,
    figures: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> ReportResult:
    """Execute the notebooks on ``corpus`` and write the HTML report to ``out``.

    ``parameters`` are injected into every notebook (those a notebook does not
    declare are ignored by it). Figures go to ``figures`` (default
    ``out/figures``), tables to ``out/tables``. ``jobs`` notebooks run at once
    (default: one per core, as many as fit in the available memory, see
    :func:`notebooks_at_once`); each holds the corpus in memory, so ``jobs=1``
    is the choice for a corpus that barely fits.
    """
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    out = Path(out).resolve()
    tables_dir, figures_dir, work = (
        out / "tables",
        Path(figures or out / "figures").resolve(),
        out / "executed",
    )
    for d in (tables_dir, figures_dir, work):
        d.mkdir(parents=True, exist_ok=True)
    _clear_previous(out, figures_dir)
    before = _files((out, tables_dir, figures_dir, work))
    actors_path = Path(actors).resolve() if actors else (REPO / "data" / "actors.yml")
    params = {
        "corpus_path": str(Path(corpus).resolve()),
        "actors_path": str(actors_path),
        "out_dir": str(tables_dir),
        "figures_dir": str(figures_dir),
        **(parameters or {}),
    }
    result = ReportResult(out)
    jobs, notes = notebooks_at_once(jobs, os.cpu_count() or 1, len(notebooks), corpus_bytes(corpus),
                                    _available_memory())
    for note in notes:
        say(note)
    # The notebooks' commentary describes the bundled corpus: kept for it only.
    commentary = is_bundled_corpus(corpus)
    # Notebooks side by side share the cores: each kernel's BLAS and OpenMP get
    # its share. Left to their default (a thread per core each), the SVDs and
    # k-means of notebook 04 ran 2.5 times slower beside another notebook.
    threads = max(1, (os.cpu_count() or 1) // jobs)
    if params.get("engine", "local") != "local" and not params.get("n_workers") and not params.get("scheduler"):
        params["n_workers"] = threads  # and so do their worker processes (or local Dask workers)
    tasks = [(name, work / f"{name}.ipynb", params, out / f"{name}.html", commentary, threads)
             for name in notebooks]
    for i, name in enumerate(notebooks, 1):
        say(f"[{i}/{len(notebooks)}] {name} ...")
    if jobs == 1:
        runs: Iterable[NotebookRun] = (_execute_and_render(*t) for t in tasks)
        pool = None
    else:
        # The notebooks are independent (each reads the corpus and writes its
        # own figures and tables), so they run side by side, one process each;
        # results come back in notebook order.
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
        # The longest first (topic clustering, then term statistics), so the
        # cores finish together; results are still read in notebook order.
        order = sorted(range(len(tasks)), key=lambda i: LONGEST_FIRST.index(tasks[i][0])
                       if tasks[i][0] in LONGEST_FIRST else len(LONGEST_FIRST))
        futures = {i: pool.submit(_execute_and_render, *tasks[i]) for i in order}
        runs = (futures[i].result() for i in range(len(tasks)))
    try:
        for i, run in enumerate(runs, 1):
            result.runs.append(run)
            say(
                f"[{i}/{len(notebooks)}] {run.name} {run.outcome} ({run.seconds:.1f} s)"
            )
    finally:
        if pool is not None:
            pool.shutdown()
    stats = None
    summary = tables_dir / "summary.csv"
    if any(r.name == "01_corpus_overview" and r.ok for r in result.runs) and summary.is_file():
        # Notebook 01 wrote Corpus.stats() in this run: no second pass over the corpus.
        with summary.open(encoding="utf-8", newline="") as f:
            stats = {row["measure"]: row["value"] for row in csv.DictReader(f)}
    else:
        try:
            from .engine import corpus_stats

            # Streamed on the report's engine: the same dict as Corpus.stats(),
            # without holding the corpus a fifth time.
            stats = corpus_stats(corpus, engine=params.get("engine") or "local", scheduler=params.get("scheduler"),
                                 n_workers=params.get("n_workers"), errors=params.get("errors", "raise"))
        except Exception as e:  # the notebooks already reported it
            stats = {"corpus": f"could not be summarised: {e}"}
    settings = {k: v for k, v in params.items() if k not in ("out_dir", "figures_dir")}
    # What this run wrote: the index links this run's tables only.
    after = _files((out, tables_dir, figures_dir, work))
    written = [p for p, seen in after.items() if before.get(p) != seen]
    tables = sorted(p for p in written if p.parent == tables_dir and p.suffix == ".csv")
    (out / "index.html").write_text(index_html(result, settings, tables, stats), encoding="utf-8")
    _write_manifest(out, [*written, out / "index.html"])
    return result


def make_figures(
    out: str | Path = "figures",
    *,
    corpus: str | Path = REPO / "data",
    check: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[str]:
    """Regenerate the committed figures into ``out``; with ``check=True``
    regenerate into a temporary folder and return the names of files that
    differ from ``out`` (missing, extra or changed bytes)."""
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    target = Path(out).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "figures" if check else target
        build.mkdir(parents=True, exist_ok=True)
        _gallery(build)
        params = {
            "corpus_path": str(Path(corpus).resolve()),
            "actors_path": str(REPO / "data" / "actors.yml"),
            "out_dir": None,
            "figures_dir": str(build),
        }
        failed = []
        for i, name in enumerate(NOTEBOOKS, 1):
            run = execute_notebook(name, Path(tmp) / f"{name}.ipynb", params)
            say(
                f"[{i}/{len(NOTEBOOKS)}] {name} {run.outcome} ({run.seconds:.1f} s)"
            )
            if not run.ok:
                failed.append(f"{name}: {run.error}")
        if failed:
            raise RuntimeError("figures not regenerated; " + "; ".join(failed))
        if not check:
            return []
        return _differences(build, target)


def _gallery(folder: Path) -> None:
    from . import plots

    plots.gallery(folder / "rtl_gallery")


def _differences(new: Path, old: Path) -> list[str]:
    names_new = {p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file()}
    names_old = (
        {p.relative_to(old).as_posix() for p in old.rglob("*") if p.is_file()}
        if old.is_dir()
        else set()
    )
    diffs = [f"missing from {old.name}/: {n}" for n in sorted(names_new - names_old)]
    diffs += [f"not regenerated: {n}" for n in sorted(names_old - names_new)]
    diffs += [
        f"bytes differ: {n}"
        for n in sorted(names_new & names_old)
        if not filecmp.cmp(new / n, old / n, shallow=False)
    ]
    return diffs
