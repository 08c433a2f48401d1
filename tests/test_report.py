"""The HTML report: executed notebooks, self-contained pages, RTL, escaping, figures.

Executes the four notebooks (twice: the bundled corpus, and a small corpus with
hostile markup in its articles), so it is the slowest module of the suite.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from newslib.report import NOTEBOOKS, execute_notebook, run_report

REPO = Path(__file__).resolve().parent.parent
TABLES = ("documents", "terms", "mentions", "cooccurrence", "topics", "topic_assignments")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = (
    '<script>window.__pwned = 1; document.title = "pwned"</script>'
    '<img src="x" onerror="window.__pwned = 2"> <b onmouseover="window.__pwned=3">عريض</b>'
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = run_report(REPO / "data", out, progress=lambda msg: None)
    return result


def _outputs(executed: Path):
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            yield cell, output


def _printed(out: Path, name: str) -> str:
    """All that notebook ``name`` printed in the report written to ``out``."""
    return "".join(o.get("text", "") for _, o in _outputs(out / "executed" / f"{name}.ipynb"))


def test_every_notebook_runs_without_error_or_visible_warning(report):
    assert [r.name for r in report.runs] == list(NOTEBOOKS)
    for run in report.runs:
        assert run.ok, f"{run.name}: {run.error}"
        assert run.page and run.page.is_file()
        for _, output in _outputs(run.executed):
            assert output["output_type"] != "error", run.name
            if output["output_type"] == "stream" and output["name"] == "stderr":
                assert "Warning" not in output["text"], f"{run.name} shows a warning: {output['text'][:300]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_table_a_cell_shows_is_displayed(name):
    """``show(...)`` returns the table; IPython displays it only as a cell's last
    top-level expression. Anywhere else (inside an ``if`` block, as notebook
    04's guarded cells are, or before another statement) it must be wrapped in
    ``display``, or the table silently goes missing from the page."""
    import ast

    for cell in nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4).cells:
        if cell.cell_type != "code":
            continue
        body = ast.parse(cell.source).body
        for node in ast.walk(ast.Module(body=body, type_ignores=[])):
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "show":
                assert node is body[-1], (name, ast.get_source_segment(cell.source, node))


def _index_stats(out: Path) -> dict[str, str]:
    index = (out / "index.html").read_text("utf-8")
    return dict(re.findall(r"<tr><th>([a-z_]+)</th><td>([^<]*)</td></tr>", index))


def test_index_summarises_the_corpus(report, tmp_path):
    """The front page's corpus table is Corpus.stats(): taken from notebook 01's
    summary when it ran (no second pass), streamed otherwise (04 alone here)."""
    import newslib

    expected = {k: str(v) for k, v in newslib.load_corpus(REPO / "data").stats().items() if not isinstance(v, list)}
    assert _index_stats(report.out) == expected and (report.out / "tables" / "summary.csv").is_file()
    alone = run_report(REPO / "data", tmp_path, notebooks=["03_actor_cooccurrence"], progress=lambda msg: None)
    assert alone.ok and not (tmp_path / "tables" / "summary.csv").exists()
    assert _index_stats(tmp_path) == expected


def test_index_links_pages_and_tables(report):
    index = (report.out / "index.html").read_text("utf-8")
    for run in report.runs:
        assert f'href="{run.name}.html"' in index
    for name in TABLES:
        path = report.out / "tables" / f"{name}.csv"
        assert path.is_file(), f"table {name} was not exported"
        assert f'href="tables/{name}.csv"' in index
        text = path.read_text("utf-8")  # UTF-8, and more than a header
        assert len(text.strip().splitlines()) >= 2, name


def test_pages_are_self_contained(report):
    for run in report.runs:
        page = run.page.read_text("utf-8")
        # nothing fetched from the network: no remote script, stylesheet or image
        assert not re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', page), run.name
        assert "cdnjs" not in page
    # the figures are embedded as data URIs
    pages = "".join(r.page.read_text("utf-8") for r in report.runs)
    assert pages.count('src="data:image/png;base64,') >= 4


def test_report_figures_equal_the_committed_ones(report):
    made = sorted(p.name for p in (report.out / "figures").iterdir())
    assert made, "the notebooks wrote no figure"
    for name in made:
        committed = REPO / "figures" / name
        assert committed.is_file(), f"{name} is not committed in figures/"
        assert committed.read_bytes() == (report.out / "figures" / name).read_bytes(), name


def _chromium_eval(page: Path, script: str) -> dict:
    """Load ``page`` in headless Chromium with ``script`` appended; the script
    writes a JSON result into <pre id="__result">, read back from the DOM."""
    probe = page.with_name(page.stem + ".probe.html")
    html = page.read_text("utf-8")
    runner = (
        "<script>window.addEventListener('load', () => {"
        "const r = (() => {" + script + "})();"
        "const pre = document.createElement('pre'); pre.id = '__result';"
        "pre.textContent = JSON.stringify(r); document.body.appendChild(pre);});</script>"
    )
    probe.write_text(html.replace("</body>", runner + "</body>"), "utf-8")
    done = subprocess.run(
        [CHROMIUM, *CHROME_FLAGS, f"--user-data-dir={page.parent / '.chrome'}",
         "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    m = re.search(r'<pre id="__result">(.*?)</pre>', done.stdout, re.S)
    assert m, f"no result from Chromium: {done.stderr[-500:]}"
    import html as _html

    return json.loads(_html.unescape(m.group(1)))


ARABIC_DIRECTIONS = r"""
const arabic = /[\u0600-\u06FF]/;
const firstStrong = (t) => { const m = t.match(/[A-Za-z\u0600-\u06FF]/); return m ? m[0] : ''; };
const pick = (sel) => [...document.querySelectorAll(sel)].find(
  (e) => arabic.test(firstStrong(e.textContent)) && e.textContent.trim().length > 3);
const p = pick('p'), td = pick('td');
return {
  p: p ? getComputedStyle(p).direction : null, p_text: p ? p.textContent.slice(0, 40) : null,
  td: td ? getComputedStyle(td).direction : null, td_text: td ? td.textContent.slice(0, 40) : null,
  td_align: td ? getComputedStyle(td).textAlign : null,
};
"""


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_arabic_paragraph_and_cell_are_rtl_in_chromium(report):
    got = _chromium_eval(report.out / "index.html", ARABIC_DIRECTIONS)
    assert got["p"] == "rtl", ("index", got)
    for run in report.runs:
        got = _chromium_eval(run.page, ARABIC_DIRECTIONS)
        assert got["td"] == "rtl", (run.name, got)
        assert got["td_align"] in ("right", "start", "-webkit-right"), (run.name, got)
        # the notebooks' prose is English; any paragraph that opens in Arabic reads right to left
        assert got["p"] in (None, "rtl"), (run.name, got)


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """A three-article corpus whose texts and titles carry script and handlers."""
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    raw.mkdir()
    for src in sorted((REPO / "data" / "raw").glob("*.txt"))[:3]:
        text = src.read_text("utf-8")
        lines = text.split("\n")
        lines.insert(4, "وقال لافروف " + HOSTILE + " في موسكو.")
        (raw / src.name).write_text(HOSTILE + " " + "\n".join(lines), "utf-8")
    out = root / "report"
    return run_report(root, out, progress=lambda msg: None)


def test_markup_in_articles_stays_text(hostile_report):
    for run in hostile_report.runs:
        assert run.ok, f"{run.name}: {run.error}"
        page = run.page.read_text("utf-8")
        assert "<script>window.__pwned" not in page, run.name
        # no element carries the article's handlers (as escaped text they are harmless)
        assert not re.search(r"<[a-zA-Z][^<>]*\son(error|mouseover)\s*=", page), run.name
    # the escaped markup is visible as text on at least one page (the documents table)
    assert any("&lt;script&gt;window.__pwned" in r.page.read_text("utf-8") for r in hostile_report.runs)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_markup_in_articles_does_not_run_in_chromium(hostile_report):
    for run in hostile_report.runs:
        got = _chromium_eval(run.page, "return {pwned: window.__pwned || 0, title: document.title};")
        assert got["pwned"] == 0, (run.name, got)
        assert got["title"] != "pwned"


def _commentary_openings() -> dict[str, list[str]]:
    """Per notebook, the opening words of each cell of commentary on the
    bundled corpus (tagged ``bundled-corpus``), as the page shows them."""
    from newslib.report import COMMENTARY_TAG

    out = {}
    for name in NOTEBOOKS:
        nb = nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)
        out[name] = []
        for cell in nb.cells:
            if COMMENTARY_TAG in cell.metadata.get("tags", []):
                line = next(x for x in cell.source.splitlines() if x.strip() and not x.startswith("#"))
                out[name].append(re.sub(r"</?bdi>|[*`]|^- ", "", line)[:40].strip())
        assert out[name], f"{name}: no commentary cell is tagged"
    return out


def _page_text(page: Path) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(page.read_text("utf-8"), "html.parser").get_text(" ").split())


def test_commentary_on_the_bundled_corpus_only_in_its_report(report, hostile_report):
    """The notebooks' commentary quotes the bundled corpus's results; a report
    of another corpus leaves every such cell out and says how many."""
    openings = _commentary_openings()
    for run in report.runs:
        text = _page_text(run.page)
        for opening in openings[run.name]:
            assert opening in text, (run.name, opening)
        assert "left out of this page" not in text
    for run in hostile_report.runs:
        text = _page_text(run.page)
        for opening in openings[run.name]:
            assert opening not in text, (run.name, opening)
        n = len(openings[run.name])
        assert f"the {n} passages of commentary written about the bundled five articles are left out" in text
        # The general prose stays: each section's heading and method.
        assert text.count("¶") >= 3, run.name


def test_kwic_queries_are_the_corpus_own_phrases(report, hostile_report):
    """Left unset, notebook 02's concordance queries are the bundled corpus's
    three phrases there, and another corpus's three most frequent bigrams
    sharing no word (recomputed here from its exported n-gram table)."""
    import pandas as pd

    bundled = pd.read_csv(report.out / "tables" / "kwic.csv")
    assert list(dict.fromkeys(bundled["query"])) == ["الإرهاب", "وقف الأعمال القتالية", "جبهة موحدة"]
    phrases = pd.read_csv(hostile_report.out / "tables" / "ngrams.csv")
    expected, seen = [], set()
    for key, display in phrases.loc[phrases["n"] == 2, ["key", "display"]].itertuples(index=False):
        if len(expected) < 3 and not seen & set(key.split()):
            expected.append(display)
            seen |= set(key.split())
    other = pd.read_csv(hostile_report.out / "tables" / "kwic.csv")
    assert len(expected) == 3 and list(dict.fromkeys(other["query"])) == expected
    assert (other["query"].value_counts() >= 2).all()  # each bigram was seen at least twice


def test_topic_names_of_the_bundled_corpus_are_not_given_to_another(report, tmp_path):
    """Notebook 04 names the bundled corpus's topics by their leading key. A
    copy with one line break added is another corpus (the same documents, so
    the same topics and leading keys): its topics keep their default labels."""
    import pandas as pd

    def default(table):
        return table["top_terms"].str.split(" ").str[:3].str.join(" · ")

    bundled = pd.read_csv(report.out / "tables" / "topics.csv")
    assert (bundled["label"] != default(bundled)).sum() >= 5
    copy = tmp_path / "data"
    shutil.copytree(REPO / "data", copy)
    with open(next((copy / "raw").glob("*.txt")), "ab") as f:
        f.write(b"\n")
    other = run_report(copy, tmp_path / "r", notebooks=["04_topic_clustering"], progress=lambda msg: None)
    assert other.ok, other.runs[0].error
    topics = pd.read_csv(tmp_path / "r" / "tables" / "topics.csv")
    assert topics["top_terms"].tolist() == bundled["top_terms"].tolist()
    assert (topics["label"] == default(topics)).all(), topics[["label", "top_terms"]]


@pytest.mark.parametrize("texts, reason, parameters", [
    # two articles of three short paragraphs: five long enough, one key shared by two of them
    (["قال وزير الخارجية الروسي إن موسكو تدعم الحل السياسي في سورية.\n\n"
      "وأضاف أن المفاوضات ستستأنف في جنيف الأسبوع المقبل.\n\nوأكد أن روسيا لن تتدخل في الشؤون الداخلية.",
      "أعلنت وزارة الدفاع عن وصول قوات جديدة إلى القاعدة.\n\nوقال المتحدث إن القوات ستبقى حتى نهاية العام.\n\n"
      "وأشار إلى أن العملية تستهدف تنظيم داعش الإرهابي."],
     "5 paragraphs and 1 key make no two topics", {}),
    (["خبر قصير."], "no paragraph has 5 or more content words", {}),
    # the notebook's min_tokens parameter is what the message asks to lower
    (["خبر قصير."], "no paragraph has 3 or more content words", {"min_tokens": 3}),
])
def test_topics_of_too_small_a_corpus_are_reported_not_fitted(tmp_path, texts, reason, parameters):
    """Too few paragraphs, or words shared by too few, for two topics: notebook
    04 says so and fits nothing, and the report completes (it used to stop on
    scikit-learn's error). No topic figure or table is written."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(texts):
        (corpus / f"{i}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "report"
    result = run_report(corpus, out, notebooks=["04_topic_clustering"], parameters=parameters,
                        progress=lambda msg: None)
    assert result.ok, result.runs[0].error
    printed = _printed(out, "04_topic_clustering")
    assert f"Too few to cluster: {reason}" in printed
    assert "k is chosen" not in printed and "same seed" not in printed
    assert not list(out.glob("figures/04_*")) and not list(out.glob("tables/topic*"))
    assert (out / "04_topic_clustering.html").is_file()


def test_index_page_is_the_same_whatever_the_running_times(tmp_path):
    from newslib.report import NotebookRun, ReportResult, index_html

    def index(seconds: float) -> str:
        runs = [NotebookRun(name, True, seconds, page=tmp_path / f"{name}.html") for name in NOTEBOOKS]
        return index_html(ReportResult(tmp_path, runs), {"corpus_path": "data"}, [], {"documents": 5})

    assert index(1.5) == index(61.25)
    assert 'href="04_topic_clustering.html"' in index(1.5)


def test_kernel_gets_its_share_of_blas_threads(tmp_path, monkeypatch):
    """Notebooks run side by side get cores // jobs BLAS/OpenMP threads each
    (oversubscribed, notebook 04 ran 2.5 times slower); a value the caller set wins."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import os, numpy, threadpoolctl\n"
        "blas = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'], blas)"
    )]
    nbformat.write(nb, tmp_path / "98_threads.ipynb")
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")

    def printed(threads):
        run = execute_notebook("98_threads", tmp_path / "out.ipynb", {}, notebook_dir=tmp_path, threads=threads)
        assert run.ok, run.error
        return nbformat.read(tmp_path / "out.ipynb", 4).cells[0].outputs[0]["text"].strip()

    assert printed(1) == "1 3 [1]"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "3"


def test_corpus_bytes_counts_text_as_the_loader_reads_it(tmp_path):
    """Zip members and Parquet row groups uncompressed; metadata not counted."""
    import zipfile

    import pandas as pd

    from newslib.report import corpus_bytes

    raw = sorted((REPO / "data" / "raw").glob("*.txt"))
    total = sum(p.stat().st_size for p in raw)
    assert corpus_bytes(REPO / "data") == total
    with zipfile.ZipFile(tmp_path / "corpus.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for p in raw:
            z.write(p, p.name)
    assert corpus_bytes(tmp_path / "corpus.zip") == total > 2 * (tmp_path / "corpus.zip").stat().st_size
    texts = [p.read_text("utf-8") for p in raw]
    pd.DataFrame({"text": texts}).to_parquet(tmp_path / "corpus.parquet")
    size = corpus_bytes(tmp_path / "corpus.parquet")
    assert total <= size < 1.1 * total, (size, total)
    assert corpus_bytes(tmp_path / "no-such-corpus") == 0


def test_notebooks_at_once_fit_the_memory():
    from newslib.report import notebooks_at_once

    gb = 1 << 30
    assert notebooks_at_once(None, 2, 4, 40 << 20, 24 * gb) == (2, [])  # the bench corpus
    assert notebooks_at_once(None, 2, 4, 40 << 20, None) == (2, [])  # memory unknown: one per core
    assert notebooks_at_once(None, 8, 4, 40 << 20, 24 * gb) == (4, [])  # never more than the notebooks
    # 3 GB of text: about 14.5 GB a notebook; two would not fit in 24 GB, one does.
    jobs, notes = notebooks_at_once(None, 2, 4, 3 * gb, 24 * gb)
    assert jobs == 1 and len(notes) == 1 and "14.5 GB per notebook" in notes[0] and "1 notebook at a time" in notes[0]
    # Asked for two: kept, with a warning naming what would carry the corpus instead.
    jobs, notes = notebooks_at_once(2, 2, 4, 3 * gb, 24 * gb)
    assert jobs == 2 and len(notes) == 1 and notes[0].startswith("warning: about 29.0 GB needed (2 notebooks")
    assert "newslib stats" in notes[0]
    # 6 GB of text: not even one fits; one at a time, and the warning.
    jobs, notes = notebooks_at_once(None, 2, 4, 6 * gb, 24 * gb)
    assert jobs == 1 and len(notes) == 2 and notes[1].startswith("warning: about 28.0 GB needed (1 notebook ")


def test_report_announces_a_corpus_too_large_for_the_memory(tmp_path, monkeypatch):
    import newslib.report as report

    monkeypatch.setattr(report, "_available_memory", lambda: 512 << 20)
    said = []
    result = run_report(REPO / "data", tmp_path, notebooks=["01_corpus_overview"], progress=said.append)
    assert result.ok
    assert said[0].startswith("warning: about 1.0 GB needed (1 notebook at a time"), said


def test_notebooks_side_by_side_share_the_cores_between_their_workers(tmp_path):
    """With --engine processes, each of two notebooks run at once gets half
    the cores for its worker processes (unless --workers says otherwise)."""
    cores = os.cpu_count() or 1
    if cores < 2:
        pytest.skip("one core: notebooks run one at a time")
    names = ["01_corpus_overview", "02_term_frequencies"]
    result = run_report(REPO / "data", tmp_path, notebooks=names, jobs=2, parameters={"engine": "processes"},
                        progress=lambda msg: None)
    assert result.ok, [r.error for r in result.runs]
    injected = [c for c in nbformat.read(tmp_path / "executed" / f"{names[1]}.ipynb", 4).cells
                if "injected-parameters" in c.metadata.get("tags", [])][0]
    assert f"n_workers = {cores // 2}\n" in injected.source and 'engine = "processes"' in injected.source


def test_failed_notebook_is_named_with_its_error(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("corpus_path = None")
    params.metadata["tags"] = ["parameters"]
    env = nbformat.v4.new_code_cell("import os; print(os.environ['PYTHONHASHSEED'], os.environ['MPLBACKEND'])")
    nb.cells = [params, env, nbformat.v4.new_code_cell("raise KeyError('no such actor')")]
    nbformat.write(nb, tmp_path / "99_broken.ipynb")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    run = execute_notebook("99_broken", tmp_path / "out.ipynb", {"corpus_path": "x"}, notebook_dir=tmp_path)
    assert not run.ok
    assert "KeyError" in run.error and "no such actor" in run.error
    # The kernel ran with the report's fixed environment; the caller's is as it was.
    printed = [c for c in nbformat.read(tmp_path / "out.ipynb", 4).cells if "os.environ" in c.source][0]
    assert printed.outputs[0]["text"].split() == ["0", "module://matplotlib_inline.backend_inline"]
    assert os.environ["MPLBACKEND"] == "Agg" and "SOURCE_DATE_EPOCH" not in os.environ


def test_kernel_that_dies_starting_is_started_again(tmp_path, monkeypatch):
    """Kernels started side by side can be handed the same free port (the
    report's parallel runs met it: "Kernel died before replying to
    kernel_info"). Such a start is tried again, up to KERNEL_STARTS times, and
    the run says so; a notebook that fails in a cell is not run twice."""
    import papermill

    from newslib import report

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    nbformat.write(nb, tmp_path / "97_start.ipynb")
    real, calls = papermill.execute_notebook, []

    def dies_starting(times):
        def run(*args, **kwargs):
            calls.append(1)
            if len(calls) <= times:  # what jupyter_client raises when the kernel exits before answering
                raise RuntimeError("Kernel died before replying to kernel_info")
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(papermill, "execute_notebook", dies_starting(1))
    run = execute_notebook("97_start", tmp_path / "out.ipynb", {}, notebook_dir=tmp_path)
    assert run.ok and len(calls) == 2, run.error
    assert run.notes == "kernel started again: attempt 1 died before replying"
    assert run.outcome == f"done ({run.notes})"
    assert nbformat.read(tmp_path / "out.ipynb", 4).cells[0].outputs[0]["text"] == "42\n"

    calls.clear()
    monkeypatch.setattr(papermill, "execute_notebook", dies_starting(99))
    run = execute_notebook("97_start", tmp_path / "out2.ipynb", {}, notebook_dir=tmp_path)
    assert not run.ok and len(calls) == report.KERNEL_STARTS == 3
    assert run.error == "RuntimeError: Kernel died before replying to kernel_info"
    assert run.notes.count("kernel started again") == 2

    calls.clear()
    nb.cells = [nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(nb, tmp_path / "96_cell.ipynb")
    monkeypatch.setattr(papermill, "execute_notebook", dies_starting(0))
    run = execute_notebook("96_cell", tmp_path / "out3.ipynb", {}, notebook_dir=tmp_path)
    assert not run.ok and "ZeroDivisionError" in run.error and len(calls) == 1 and not run.notes


def test_cli_report_exits_non_zero_and_names_the_notebook(tmp_path):
    missing = tmp_path / "no-such-corpus"
    done = subprocess.run(
        [sys.executable, "-m", "newslib.cli", "report", "--corpus", str(missing), "--out", str(tmp_path / "r")],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert done.returncode == 1
    assert "notebook 01_corpus_overview failed" in done.stderr
    assert (tmp_path / "r" / "index.html").is_file()


def test_notebooks_side_by_side_give_the_same_files_as_one_by_one(report, tmp_path):
    """``jobs`` changes when the notebooks run, never what they write: tables
    and figures are byte for byte those of the parallel run (the fixture's,
    one notebook per core) when the notebooks run one after another."""
    import filecmp
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the fixture ran the notebooks one by one too")
    names = ("01_corpus_overview", "03_actor_cooccurrence")
    serial = run_report(REPO / "data", tmp_path, notebooks=names, jobs=1, progress=lambda msg: None)
    assert [r.name for r in serial.runs] == list(names) and all(r.ok for r in serial.runs)
    for sub in ("tables", "figures"):
        written = sorted(p.name for p in (tmp_path / sub).iterdir())
        assert written, sub
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / sub, report.out / sub, written, shallow=False)
        assert not mismatch and not errors, (sub, mismatch, errors)
    # The pages too, byte for byte (papermill's injected cell gets a fixed id, not a random one).
    pages = [f"{name}.html" for name in names]
    match, mismatch, errors = filecmp.cmpfiles(tmp_path, report.out, pages, shallow=False)
    assert match == pages, (mismatch, errors)
    assert 'id="cell-id=injected-parameters"' in (tmp_path / pages[0]).read_text(encoding="utf-8")


def test_a_report_leaves_nothing_of_the_previous_one_in_its_folder(tmp_path):
    """Reports of two corpora into one folder: the second leaves no table or
    figure of the first behind (listed in the index or not), keeps a file of
    the user's, and notebook 01 draws no timeline for a corpus without a
    readable date, naming the documents whose date it could not read."""
    out = tmp_path / "report"
    first = run_report(REPO / "data", out, notebooks=["01_corpus_overview", "03_actor_cooccurrence"],
                       progress=lambda msg: None)
    assert first.ok
    assert (out / "figures" / "01_timeline.png").is_file() and (out / "tables" / "mentions.csv").is_file()
    (out / "tables" / "mine.csv").write_text("kept\n", encoding="utf-8")
    undated = tmp_path / "undated.csv"
    undated.write_text(
        "id,title,date,text\n"
        'a1,عنوان أول,2015-13-01,"قال وزير الخارجية الروسي سيرغي لافروف في موسكو إن الحل في سوريا سياسي."\n'
        'a2,عنوان ثان,,"وأكدت منظمة معاهدة الأمن الجماعي استعدادها للتعاون مع الحكومة السورية."\n',
        encoding="utf-8",
    )
    second = run_report(undated, out, notebooks=["01_corpus_overview"], progress=lambda msg: None)
    assert second.ok, second.runs[0].error
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["01_lengths.png", "01_lengths.svg"], figures  # no timeline, no figure of 03
    tables = sorted(p.name for p in (out / "tables").iterdir())
    assert "mentions.csv" not in tables and "mine.csv" in tables, tables
    assert not (out / "03_actor_cooccurrence.html").exists()
    assert not (out / "executed" / "03_actor_cooccurrence.ipynb").exists()
    index = (out / "index.html").read_text("utf-8")
    linked = re.findall(r'href="tables/([^"]+)"', index)
    assert linked == sorted(t for t in tables if t != "mine.csv") and "documents.csv" in linked
    assert json.loads((out / ".newslib-report.json").read_text("utf-8"))["files"] == sorted(
        [*(f"tables/{t}" for t in linked), *(f"figures/{f}" for f in figures), "executed/01_corpus_overview.ipynb",
         "01_corpus_overview.html", "index.html"])
    printed = _printed(out, "01_corpus_overview")
    assert "No article has a readable date: no timeline." in printed
    assert "1 of 2 documents have no date" in printed and "1 date(s) could not be read" in printed
    page = (out / "01_corpus_overview.html").read_text("utf-8")
    assert "Dates that could not be read" in page and re.search(r">a1<.*?>2015-13-01<", page, re.S)


def _saudinewsnet_sample(bench: Path, folder: Path, dated: bool = True) -> tuple[Path, list[dict]]:
    """The first 25 articles with text of each of SaudiNewsNet's six days, as
    one JSONL file in ``folder`` (with or without their dates), and its rows."""
    import zipfile

    rows = []
    for path in sorted((bench / "saudinewsnet-dev").glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            records = json.loads(zf.read(zf.namelist()[0]))
        picked = [r for r in records if (r.get("content") or "").strip()][:25]
        rows += [{"id": f"{path.stem}-{i}", "title": r["title"], "text": r["content"], "outlet": r["source"],
                  "date": r["date_extracted"] if dated else ""} for i, r in enumerate(picked)]
    corpus = folder / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return corpus, rows


@pytest.mark.parametrize("dated", [True, False])
def test_topics_of_whole_articles_are_shown_per_day(bench_dir, tmp_path, dated):
    """With whole articles as units (each wholly in one topic), notebook 04
    shows how the articles of each day divide between the topics: its table
    is a recount from the exported assignments and the articles' dates.
    Without readable dates it draws the articles per topic instead."""
    import csv
    from collections import Counter

    corpus, rows = _saudinewsnet_sample(bench_dir, tmp_path, dated)
    out = tmp_path / "report"
    result = run_report(corpus, out, notebooks=["04_topic_clustering"], parameters={"unit": "document", "k": 4},
                        progress=lambda msg: None)
    assert result.ok, result.runs[0].error
    assert (out / "figures" / "04_topic_prevalence.png").is_file()
    printed = _printed(out, "04_topic_clustering")
    table = out / "tables" / "topics_per_period.csv"
    if not dated:
        assert "No article has a readable date: the articles per topic instead of per period." in printed
        assert not table.exists()
        return
    assert f"{len(rows)} of {len(rows)} articles have a readable date." in printed
    day = {r["id"]: r["date"][:10] for r in rows}
    with (out / "tables" / "topic_assignments.csv").open(encoding="utf-8") as f:
        expected = Counter((day[a["doc_id"]], a["label"]) for a in csv.DictReader(f))
    with table.open(encoding="utf-8") as f:
        got = Counter({(r["day"], label): int(n) for r in csv.DictReader(f) for label, n in r.items()
                       if label != "day" and int(n)})
    assert got == expected and len({d for d, _ in got}) == 6


def test_keyness_falls_back_to_the_day_when_one_month_holds_every_article(tmp_path):
    """All five articles dated in April 2016 (one only to the month): no year
    or month splits them, so notebook 02 compares the day with most articles
    against the other dated days, leaving out the article dated to the month."""
    import pandas as pd

    import newslib
    from newslib import terms

    dates = ["2016-04-01", "2016-04-02", "2016-04-01", "2016-04", "2016-04-03"]
    docs = newslib.load_corpus(REPO / "data").documents
    path = tmp_path / "april.jsonl"
    path.write_text("\n".join(json.dumps({"id": d.doc_id, "title": d.title, "date": day, "text": d.text},
                                         ensure_ascii=False) for d, day in zip(docs, dates, strict=True)),
                    encoding="utf-8")
    out = tmp_path / "report"
    result = run_report(path, out, notebooks=["02_term_frequencies"], progress=lambda msg: None)
    assert result.ok, result.runs[0].error
    printed = _printed(out, "02_term_frequencies")
    assert ("target: 2 article(s) from 2016-04-01; reference: the other 2; 1 without a date that precise "
            "are in neither group") in printed
    ids = [d.doc_id for d in docs]
    expected = terms.keyness(newslib.load_corpus(path), [ids[0], ids[2]], [ids[1], ids[4]])
    got = pd.read_csv(out / "tables" / "keyness.csv", keep_default_na=False)
    assert got["key"].tolist() == expected["key"].tolist()
    assert got["target"].tolist() == expected["target"].tolist()
    assert got["reference"].tolist() == expected["reference"].tolist()


def test_timeline_of_many_articles_counts_them_per_day_over_a_short_span(tmp_path):
    """24 articles over three days (one dated only to the month): notebook 01
    counts them per day, not in one bar for the month, and says which
    article it could not place in a day."""
    import newslib

    docs = newslib.load_corpus(REPO / "data").documents
    days = ["2016-04-01"] * 10 + ["2016-04-02"] * 5 + ["2016-04-03"] * 8 + ["2016-04"]
    path = tmp_path / "days.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"a{i}", "title": f"مقال {i}", "date": day,
                                          "text": docs[i % len(docs)].text}, ensure_ascii=False)
                              for i, day in enumerate(days)), encoding="utf-8")
    out = tmp_path / "report"
    result = run_report(path, out, notebooks=["01_corpus_overview"], progress=lambda msg: None)
    assert result.ok, result.runs[0].error
    printed = _printed(out, "01_corpus_overview")
    assert "1 article(s) dated less precisely than a day are not in the chart." in printed
    # An SVG keeps each text it draws as a comment beside its outline.
    texts = re.findall(r"<!-- (.*?) -->", (out / "figures" / "01_timeline.svg").read_text("utf-8"))
    assert "Articles per day" in texts and "Articles per month" not in texts
    assert {"2016-04-01", "2016-04-02", "2016-04-03"} <= set(texts)


def test_many_articles_with_outlets_are_set_apart_by_outlet(bench_dir, tmp_path):
    """150 SaudiNewsNet articles from several outlets: notebook 02's panels
    are the six outlets with most articles (ties by name), each with the eight
    words it overuses most against the other outlets' articles."""
    import pandas as pd

    import newslib
    from newslib import terms

    path, rows = _saudinewsnet_sample(bench_dir, tmp_path)
    out = tmp_path / "report"
    result = run_report(path, out, notebooks=["02_term_frequencies"], progress=lambda msg: None)
    assert result.ok, result.runs[0].error
    got = pd.read_csv(out / "tables" / "outlet_keyness.csv", keep_default_na=False)
    counts = pd.Series([r["outlet"] for r in rows]).value_counts()
    expected_outlets = sorted(counts.index, key=lambda o: (-counts[o], o))[:6]
    assert list(dict.fromkeys(got["outlet"])) == expected_outlets
    corpus = newslib.load_corpus(path)
    for outlet in expected_outlets:
        target = [r["id"] for r in rows if r["outlet"] == outlet]
        reference = [r["id"] for r in rows if r["outlet"] != outlet]
        key = terms.keyness(corpus, target, reference)
        want = key[key["sign"] == "+"].head(8)
        mine = got[got["outlet"] == outlet]
        assert mine["key"].tolist() == want["key"].tolist() and len(mine) == 8, outlet
        assert mine["target"].tolist() == want["target"].tolist()
    texts = re.findall(r"<!-- (.*?) -->", (out / "figures" / "02_distinctive_terms.svg").read_text("utf-8"))
    assert "G² against the other outlets" in texts
