"""``make bench``: newslib's throughput and memory beside their baselines.

Every measurement runs in a fresh Python process (so peak memory, read from
``ru_maxrss``, belongs to that measurement alone), with the modules it needs
imported before its clock starts (import time is not throughput), and is
repeated, a row's runs alternating with its baseline's (A B A B ...); the
table shows medians.
Each row is measured in the same run as its baseline and the ratio is
computed from the two medians.

Rows
----
a. tokenization pass: read + clean + normalise + tokenize into a
   document-term matrix (``newslib.engine.term_matrix``, one process) vs
   scikit-learn's default ``CountVectorizer()`` on the same raw texts, read
   from the same files, in one process. Goal: time ratio <= 1.0. Beside it,
   the same pass with ``clean=False`` (the texts as CountVectorizer gets
   them): what the cleaning costs.
b. the same pass on all cores (``engine="processes"``) vs one process,
   on the 1x corpus and on the 10x corpus (below). Goal: speed-up >= 1.7 on
   2 cores. Beside it, the machine's own ceiling: two 1-process passes run
   side by side, as two independent jobs would (2 x alone / slower of the two).
c. peak memory of the streamed passes on the 1x corpus and on a 10x corpus
   built here (each copy of every article perturbed by a copy-specific
   sentence, so the vocabulary grows a little), written as JSONL shards of
   1,000 articles to a temporary folder and streamed from there, and the
   statistics of the same articles as one JSONL file and as one JSON array
   (and row b on the one JSONL file, which the workers share by spans of lines,
   and on the same articles as one CSV file and one Parquet file in row groups
   of 2,000, as pandas writes them).
   Goal: peak on 10x < 2x peak on 1x and < 2 GB.
d. actor mentions (``data/actors.yml``) + sentence co-occurrence, one
   process vs all cores, on the 1x and the 10x corpus.
e. topic clustering of whole documents as a corpus too large to load gets
   it: the streamed term matrix (one process), its document features
   (``unit_features(term_matrix, "document")``) and k-means on LSA with
   k = 8 (what notebook 04 picks past 2,000 documents), vs scikit-learn's
   ``TfidfVectorizer()`` + ``KMeans(8)`` on the raw texts in memory, on the
   1x and 10x shards; and the peak 10x / 1x (goal < 2, < 2 GB).
f. topic quality: ``bench/topics.py`` (NMI and ARI against the sections of
   the alwatan articles, and time, beside ``TfidfVectorizer()`` + ``KMeans``),
   run in a fresh process; its table is printed after ours.

Usage: ``.venv/bin/python bench/run.py [--rows abcdef] [--repeats N] [--repeats-10x N] [--skip-10x]``. Results
go to ``bench/results/<timestamp>.json`` (ignored by git). Without the
benchmark corpus (``../shared/bench/saudinewsnet-dev``) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "bench" / "saudinewsnet-dev"
RESULTS = REPO / "bench" / "results"
SHARD = 1000
COPIES = 10
TOPICS_K = 8
PAIR = "_pair"
MEASURED: list[list[dict[str, Any]]] = []  # every run, for the results file


# ---------------------------------------------------------------- measurements (child side)


def _peak_mb() -> float:
    """Peak resident memory of this process and of its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux reports KiB


# Modules a measurement needs, imported before its clock starts: import time
# is not throughput, and newslib's own modules are imported before it too
# (scikit-learn's text module alone takes about half a second to import).
_IMPORTS = {
    "sklearn": ("sklearn.feature_extraction.text",),
    "mentions_local": ("newslib.actors", "newslib.cooccurrence"),
    "mentions_processes": ("newslib.actors", "newslib.cooccurrence"),
    "topics_local": ("newslib.topics",),
    "topics_sklearn": ("sklearn.cluster", "sklearn.feature_extraction.text"),
}


def _measure(name: str, path: str, workers: int) -> dict[str, Any]:
    """One measurement; runs in a fresh process (see ``--child``)."""
    import importlib

    import newslib
    from newslib import engine

    for module in _IMPORTS.get(name, ()):
        importlib.import_module(module)
    t0 = time.perf_counter()
    info: dict[str, Any] = {}
    if name == "sklearn":
        from sklearn.feature_extraction.text import CountVectorizer

        texts = [d.raw_text for d in newslib.iter_documents(path, clean=False)]
        X = CountVectorizer().fit_transform(texts)
        info = {"docs": X.shape[0], "columns": X.shape[1]}
    elif name in ("terms_local", "terms_processes", "terms_local_raw"):
        eng = name.split("_")[1]
        # _raw: the texts as read, not cleaned (what CountVectorizer gets): context for row a
        m = engine.term_matrix(path, engine=eng, n_workers=workers, clean=not name.endswith("_raw"))
        info = {"docs": m.matrix.shape[0], "columns": m.matrix.shape[1], "nnz": int(m.matrix.nnz)}
    elif name in ("stats_local", "stats_processes"):
        s = engine.corpus_stats(path, engine=name.split("_")[1], n_workers=workers)
        info = {"docs": s["documents"], "tokens": s["tokens"], "types": s["types"]}
    elif name in ("mentions_local", "mentions_processes"):
        from newslib.actors import load_lexicon

        lexicon = load_lexicon(REPO / "data" / "actors.yml")
        m = engine.mentions(path, lexicon, engine=name.split("_")[1], n_workers=workers)
        from newslib.cooccurrence import cooccurrence

        info = {"docs": m.attrs["units"]["document"], "mentions": len(m), "pairs": len(cooccurrence(m, "sentence"))}
    elif name == "topics_local":
        from newslib.topics import cluster_topics, unit_features

        # The matrix is a temporary: freed once the features are built.
        features = unit_features(engine.term_matrix(path, engine="local"), "document")
        result = cluster_topics(k=TOPICS_K, unit="document", method="kmeans", features=features)
        info = {"docs": len(features.units), "clustered": features.tfidf.shape[0], "columns": features.tfidf.shape[1],
                "sizes": result.topics["size"].tolist()}
    elif name == "topics_sklearn":
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [d.raw_text for d in newslib.iter_documents(path, clean=False)]
        X = TfidfVectorizer().fit_transform(texts)
        sizes = sorted(Counter(KMeans(TOPICS_K, random_state=0).fit_predict(X).tolist()).values(), reverse=True)
        info = {"docs": X.shape[0], "columns": X.shape[1], "sizes": sizes}
    else:
        raise ValueError(name)
    info["seconds"] = time.perf_counter() - t0
    info["peak_mb"] = _peak_mb()
    return info


def _child(args: argparse.Namespace) -> int:
    print(json.dumps(_measure(args.child, args.path, args.workers)))
    return 0


# ---------------------------------------------------------------- runner (parent side)


def run_child(name: str, path: Path, workers: int) -> dict[str, Any]:
    """One fresh-process measurement; ``NAME_pair`` runs two of ``NAME`` at once
    and gives the slower one's time (what the machine allows two independent jobs)."""
    copies = 2 if name.endswith(PAIR) else 1
    cmd = [sys.executable, __file__, "--child", name.removesuffix(PAIR), "--path", str(path),
           "--workers", str(workers)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
             for _ in range(copies)]
    runs = []
    for proc in procs:
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{name} on {path} failed:\n{stderr[-3000:]}")
        runs.append(json.loads(stdout.strip().splitlines()[-1]))
    return max(runs, key=lambda r: r["seconds"])


def _summary(name: str, path: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    MEASURED.append(runs)
    return {
        **{k: v for k, v in runs[0].items() if k not in ("seconds", "peak_mb")},
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
        "runs": runs,
        "name": name,
        "path": str(path),
    }


def interleaved(specs: list[tuple[str, Path, int]], n: int) -> list[dict[str, Any]]:
    """Medians of ``n`` fresh-process runs of each (name, path, workers), run in
    turn (A B C A B C ...), so a slow spell of a shared machine falls on a row
    and its baseline alike instead of on whichever ran during it."""
    runs: list[list[dict[str, Any]]] = [[] for _ in specs]
    for _ in range(n):
        for (name, path, workers), out in zip(specs, runs, strict=True):
            out.append(run_child(name, path, workers))
            print(f"  {name:<18} {path.name:<22} {out[-1]['seconds']:7.2f} s  {out[-1]['peak_mb']:7.0f} MB",
                  flush=True)
    return [_summary(name, path, r) for (name, path, _), r in zip(specs, runs, strict=True)]


def by_name(specs: list[tuple[str, Path, int]], n: int) -> dict[str, dict[str, Any]]:
    """:func:`interleaved`, each summary under its measurement's name."""
    return dict(zip((name for name, _, _ in specs), interleaved(specs, n), strict=True))


def build_copies(source: Path, out: Path, copies: int) -> dict[str, Any]:
    """Write ``copies`` perturbed copies of every article as JSONL shards (streamed).

    Copy 0 is the corpus itself; copy k > 0 adds one sentence naming the copy
    and the article's place in it (two new word types per copy and residue),
    so the vocabulary grows modestly, as it does in a real, larger archive.
    """
    import newslib

    out.mkdir(parents=True)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    n = raw_bytes = shard = 0
    buf: list[str] = []

    def flush() -> None:
        nonlocal shard, buf
        if buf:
            (out / f"part-{shard:04d}.jsonl").write_text("".join(buf), encoding="utf-8")
            shard += 1
            buf = []

    for k in range(copies):
        for i, d in enumerate(newslib.iter_documents(source, clean=False)):
            text = d.raw_text
            if k:
                text += f"\n\nنسخة {letters[k % 28]}{letters[k // 28 % 28]}وف{letters[i % 28]}{letters[i // 28 % 28]}."
            buf.append(json.dumps({"id": f"{d.doc_id}~{k}", "text": text}, ensure_ascii=False) + "\n")
            raw_bytes += len(text.encode("utf-8"))
            n += 1
            if len(buf) == SHARD:
                flush()
    flush()
    return {"docs": n, "raw_mb": raw_bytes / 1e6, "shards": shard}


def build_exports(single: Path, out: Path, rows: int = 2000) -> dict[str, Path]:
    """The articles of the JSONL file ``single`` as one CSV file and one Parquet
    file in row groups of ``rows``, as pandas writes them (minimal quoting and
    ``\\n`` line ends; columns ``id`` and ``text``), a row group at a time: the
    measurements' processes start from this one, and Linux keeps a process's
    peak memory across ``exec``, so this process must not hold the corpus."""
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = {"CSV": out / "10x-one.csv", "Parquet": out / "10x-one.parquet"}
    schema = pa.schema([("id", pa.string()), ("text", pa.string())])
    with single.open(encoding="utf-8") as lines, paths["CSV"].open("w", encoding="utf-8", newline="") as f, \
            pq.ParquetWriter(paths["Parquet"], schema) as parquet:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "text"])
        batch: list[dict[str, str]] = []
        for line in lines:
            rec = json.loads(line)
            writer.writerow([rec["id"], rec["text"]])
            batch.append(rec)
            if len(batch) == rows:
                parquet.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch:
            parquet.write_table(pa.Table.from_pylist(batch, schema=schema))
    return paths


def _row(task: str, corpus: str, ours: dict, base: dict | None, label: str, base_label: str,
         ratio: float | None, goal: str, mb: float | None) -> dict[str, Any]:
    docs = ours.get("docs")
    return {
        "task": task, "corpus": corpus, "ours": label, "baseline": base_label,
        "ours_s": ours["seconds"], "base_s": base["seconds"] if base else None,
        "ours_mb_s": mb / ours["seconds"] if mb else None,
        "ours_docs_s": docs / ours["seconds"] if docs else None,
        "ours_peak_mb": ours["peak_mb"], "base_peak_mb": base["peak_mb"] if base else None,
        "ratio": ratio, "goal": goal,
    }


_TOPICS_WRAPPER = """
import json, resource, runpy, sys, time
sys.argv = [sys.argv[1], *sys.argv[2:]]
t = time.perf_counter()
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak / 1024}))
"""


def run_topics(seeds: int, meta: dict[str, Any]) -> dict[str, Any]:
    """Row f: bench/topics.py in a fresh process; its own table is printed and kept."""
    script = Path(__file__).with_name("topics.py")
    row = {"task": "f. topic quality", "corpus": "alwatan", "ours": "bench/topics.py",
           "baseline": "TfidfVectorizer+KMeans", "ours_s": None, "base_s": None, "ours_mb_s": None,
           "ours_docs_s": None, "ours_peak_mb": None, "base_peak_mb": None, "ratio": None,
           "goal": "NMI, ARI and s/seed: see its output below"}
    if not script.is_file():
        row.update(ours="-", baseline="-", goal="measured by bench/topics.py (not found)")
        return row
    cmd = [sys.executable, "-c", _TOPICS_WRAPPER, str(script), "--seeds", str(seeds)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "PYTHONHASHSEED": "0"})
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        row["goal"] = f"bench/topics.py failed: {(out.stderr.strip().splitlines() or ['?'])[-1]}"
        return row
    measured = json.loads(lines[-1])
    meta["topics_output"] = "\n".join(lines[:-1])
    row.update(ours_s=measured["seconds"], ours_peak_mb=measured["peak_mb"],
               goal=f"whole script, {seeds} seeds (1 run); NMI/ARI/time per seed below")
    return row


def _fmt(v: Any, spec: str) -> str:
    width = int(spec.split(".")[0])
    return "-".rjust(width) if v is None else format(v, spec)


def print_table(rows: list[dict[str, Any]]) -> None:
    head = (f"{'task':<34} {'corpus':<6} {'ours':<26} {'baseline':<26} {'ours s':>7} {'base s':>7} "
            f"{'MB/s':>6} {'docs/s':>7} {'peak MB':>8} {'base MB':>8} {'ratio':>6}  goal")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['task']:<34} {r['corpus']:<6} {r['ours']:<26} {r['baseline']:<26} "
              f"{_fmt(r['ours_s'], '7.2f')} {_fmt(r['base_s'], '7.2f')} {_fmt(r['ours_mb_s'], '6.2f')} "
              f"{_fmt(r['ours_docs_s'], '7.0f')} {_fmt(r['ours_peak_mb'], '8.0f')} "
              f"{_fmt(r['base_peak_mb'], '8.0f')} {_fmt(r['ratio'], '6.2f')}  {r['goal']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh-process runs per row (median; default 5)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="all cores by default")
    p.add_argument("--repeats-10x", type=int, default=3,
                   help="runs per 10x row (default 3: each round of three runs takes about a minute)")
    p.add_argument("--skip-10x", action="store_true", help="leave out the 10x corpus rows")
    p.add_argument("--topics-seeds", type=int, default=3, help="seeds for bench/topics.py (row f)")
    p.add_argument("--rows", default="abcdef",
                   help="which rows to measure (default abcdef); rows b to e include their 10x runs unless --skip-10x")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--path", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return _child(args)
    if not args.corpus.is_dir():
        print(f"benchmark corpus not found at {args.corpus} (../shared/bench beside the project); "
              "nothing measured.")
        return 0

    n, w = args.repeats, args.workers
    load = os.getloadavg()
    print(f"newslib bench: {args.corpus}, {n} repeats, {w} workers, {os.cpu_count()} cores, "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    rows: list[dict[str, Any]] = []
    meta: dict[str, Any] = {"repeats": n, "workers": w, "cores": os.cpu_count(), "load_before": load}
    want = set(args.rows)
    ten_x = not args.skip_10x and bool(want & set("bcde"))
    with tempfile.TemporaryDirectory(prefix="newslib-bench-") as tmp:
        one = build_copies(args.corpus, Path(tmp) / "1x", 1)
        meta["corpus_1x"] = one
        mb = one["raw_mb"]
        print(f"1x: {one['docs']} articles, {mb:.1f} MB of raw text", flush=True)
        if ten_x:
            ten = build_copies(args.corpus, Path(tmp) / "10x", COPIES)
            meta["corpus_10x"] = ten
            meta["repeats_10x"] = n10 = args.repeats_10x
            ten_mb = ten["raw_mb"]
            print(f"10x: {ten['docs']} articles, {ten_mb:.1f} MB of raw text", flush=True)

        # (a) tokenization pass vs CountVectorizer, and (b) one process vs all cores
        if want & set("ab"):
            specs = [("terms_local", args.corpus, 1)]
            specs += [("sklearn", args.corpus, 1), ("terms_local_raw", args.corpus, 1)] if "a" in want else []
            if "b" in want:
                specs += [("terms_processes", args.corpus, w), ("terms_local" + PAIR, args.corpus, 1)]
            got = by_name(specs, n)
            loc = got["terms_local"]
            if "a" in want:
                rows.append(_row("a. tokenization pass -> DTM", "1x", loc, got["sklearn"], "newslib, 1 process",
                                 "CountVectorizer(), 1 proc", loc["seconds"] / got["sklearn"]["seconds"],
                                 "ratio <= 1.0", mb))
                raw = got["terms_local_raw"]
                rows.append(_row("a. same pass, texts not cleaned", "1x", raw, got["sklearn"],
                                 "newslib clean=False, 1 proc", "CountVectorizer(), 1 proc",
                                 raw["seconds"] / got["sklearn"]["seconds"], "- (context for a)", mb))
            if "b" in want:
                proc, pair = got["terms_processes"], got["terms_local" + PAIR]
                rows.append(_row("b. same pass, all cores", "1x", proc, loc, f"newslib, {w} processes",
                                 "newslib, 1 process", loc["seconds"] / proc["seconds"], "speed-up >= 1.7", mb))
                # What the machine gives two independent jobs: the ceiling of any 2-way split.
                rows.append(_row("b. ceiling: 2 passes side by side", "1x", pair, loc, "2 x newslib, 1 process",
                                 "newslib, 1 process", 2 * loc["seconds"] / pair["seconds"], "- (context for b)",
                                 2 * mb))

        # (c) peak memory, 1x vs 10x, streamed from JSONL shards (and b on 10x, measured with them)
        mem: dict[str, dict[str, Any]] = {}
        if "c" in want:
            stats1, terms1 = interleaved([("stats_local", Path(tmp) / "1x", 1),
                                          ("terms_local", Path(tmp) / "1x", 1)], n)
            mem["1x"] = {"stats": stats1, "terms": terms1}
        if ten_x and want & set("bc"):
            specs = [("terms_local", Path(tmp) / "10x", 1)]
            specs += [("stats_local", Path(tmp) / "10x", 1)] if "c" in want else []
            specs += [("terms_processes", Path(tmp) / "10x", w)] if "b" in want else []
            got = by_name(specs, n10)
            terms10 = got["terms_local"]
            if "b" in want:
                proc10 = got["terms_processes"]
                rows.append(_row("b. same pass, all cores", "10x", proc10, terms10, f"newslib, {w} processes",
                                 "newslib, 1 process", terms10["seconds"] / proc10["seconds"], "speed-up >= 1.7",
                                 ten_mb))
            # The same articles as one JSONL file (a typical export): read a block at a time.
            single = Path(tmp) / "10x-one.jsonl"
            with single.open("wb") as out:
                for shard in sorted((Path(tmp) / "10x").glob("*.jsonl")):
                    with shard.open("rb") as f:
                        shutil.copyfileobj(f, out)
            if "b" in want:  # the workers share the one file by spans of lines
                one_loc, one_proc = interleaved([("terms_local", single, 1), ("terms_processes", single, w)], n10)
                rows.append(_row("b. same, 10x as one JSONL file", "10x", one_proc, one_loc, f"newslib, {w} processes",
                                 "newslib, 1 process", one_loc["seconds"] / one_proc["seconds"],
                                 "speed-up >= 1.7", ten_mb))
                # ... as one CSV file (cut where records end) and one Parquet file in row groups of
                # 2,000 articles (read by row groups).
                for kind, path in build_exports(single, Path(tmp)).items():
                    loc_x, proc_x = interleaved([("terms_local", path, 1), ("terms_processes", path, w)], n10)
                    rows.append(_row(f"b. same, 10x as one {kind} file", "10x", proc_x, loc_x,
                                     f"newslib, {w} processes", "newslib, 1 process",
                                     loc_x["seconds"] / proc_x["seconds"], "speed-up >= 1.7", ten_mb))
            if "c" in want:
                mem["10x"] = {"stats": got["stats_local"], "terms": terms10}
                # ... and as one JSON array (read element by element).
                array = Path(tmp) / "10x-one.json"
                with single.open(encoding="utf-8") as lines, array.open("w", encoding="utf-8") as out:
                    out.write("[\n")
                    for i, line in enumerate(lines):
                        out.write((",\n" if i else "") + line.rstrip("\n"))
                    out.write("\n]\n")
                stats_one, stats_array = interleaved([("stats_local", single, 1), ("stats_local", array, 1)], 1)
                mem["10x, one file"] = {"stats": stats_one}
                mem["10x, one JSON array"] = {"stats": stats_array}
        for what, label in (("stats", "corpus stats (counts)"), ("terms", "term matrix (sparse DTM)")):
            if "1x" not in mem:
                break
            base = mem["1x"][what]
            rows.append(_row(f"c. streamed {what}", "1x", base, None, label, "-", None, "-", mb))
            for corpus, task in (("10x", f"c. streamed {what}: peak 10x/1x"),
                                 ("10x, one file", "c. same, 10x as one JSONL file"),
                                 ("10x, one JSON array", "c. same, 10x as one JSON array")):
                big = mem.get(corpus, {}).get(what)
                if big:
                    rows.append(_row(task, "10x", big, base, label, "same, 1x corpus", big["peak_mb"] / base["peak_mb"],
                                     "peak ratio < 2, < 2048 MB", ten_mb))

        # (d) mentions + co-occurrence
        if "d" in want:
            m_loc, m_proc = interleaved([("mentions_local", args.corpus, 1),
                                         ("mentions_processes", args.corpus, w)], n)
            rows.append(_row("d. mentions + co-occurrence", "1x", m_loc, None, "1 process", "-", None,
                             "-", mb))
            rows.append(_row("d. same, all cores", "1x", m_proc, m_loc, f"{w} processes", "1 process",
                             m_loc["seconds"] / m_proc["seconds"], "speed-up >= 1.7", mb))
            if ten_x:
                m_loc10, m_proc10 = interleaved([("mentions_local", Path(tmp) / "10x", 1),
                                                 ("mentions_processes", Path(tmp) / "10x", w)], n10)
                rows.append(_row("d. mentions + co-occurrence", "10x", m_loc10, None, "1 process", "-", None,
                                 "-", ten_mb))
                rows.append(_row("d. same, all cores", "10x", m_proc10, m_loc10, f"{w} processes", "1 process",
                                 m_loc10["seconds"] / m_proc10["seconds"], "speed-up >= 1.7", ten_mb))

        # (e) topic clustering of documents, streamed, vs scikit-learn in memory
        if "e" in want:
            topics_label, topics_base = f"streamed DTM, k-means k={TOPICS_K}", f"TfidfVectorizer+KMeans({TOPICS_K})"
            t_ours, t_base = interleaved([("topics_local", Path(tmp) / "1x", 1),
                                          ("topics_sklearn", Path(tmp) / "1x", 1)], n)
            rows.append(_row("e. topic clustering, documents", "1x", t_ours, t_base, topics_label, topics_base,
                             t_ours["seconds"] / t_base["seconds"], "- (time ratio)", mb))
            if ten_x:
                t_ours10, t_base10 = interleaved([("topics_local", Path(tmp) / "10x", 1),
                                                  ("topics_sklearn", Path(tmp) / "10x", 1)], n10)
                rows.append(_row("e. topic clustering, documents", "10x", t_ours10, t_base10, topics_label,
                                 topics_base, t_ours10["seconds"] / t_base10["seconds"], "- (time ratio)", ten_mb))
                rows.append(_row("e. topics: peak 10x/1x", "10x", t_ours10, t_ours, topics_label, "same, 1x corpus",
                                 t_ours10["peak_mb"] / t_ours["peak_mb"], "peak ratio < 2, < 2048 MB", ten_mb))

    # (f) topic quality: bench/topics.py (another part of the suite) measures
    # quality (NMI/ARI vs sections) and time beside TfidfVectorizer()+KMeans;
    # run here in a fresh process so its wall time and peak memory are ours too.
    if "f" in want:
        rows.append(run_topics(args.topics_seeds, meta))
    meta["load_after"] = os.getloadavg()
    print()
    print_table(rows)
    la = meta["load_after"]
    n10 = f" ({meta['repeats_10x']} for 10x rows)" if "repeats_10x" in meta else ""
    print(f"\nmedians of {n} fresh-process runs{n10}; ratio a = ours/baseline time, "
          "b and d = speed-up, c = peak 10x / peak 1x, e = our time / baseline time and peak 10x / 1x. "
          f"Load average after: {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} "
          f"on {os.cpu_count()} cores.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    result = {"rows": rows, "meta": meta, "measurements": MEASURED}
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    if meta.get("topics_output"):
        print("\nf. bench/topics.py output:\n" + meta["topics_output"])
    print(f"written {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
