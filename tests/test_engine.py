"""Streaming and engines: chunked results equal the in-memory ones, on every engine.

References are computed the plain way (``load_corpus`` + ``document_term_matrix``
/ ``Corpus.stats``); the engines must reproduce them exactly: the same keys in
the same order, display forms, counts, document ids and every matrix cell.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import newslib
from newslib import engine
from newslib.dtm import TermMatrix, document_term_matrix


def assert_same_terms(got: TermMatrix, ref: TermMatrix) -> None:
    assert got.doc_ids == ref.doc_ids
    assert got.keys == ref.keys
    assert got.terms["display"].tolist() == ref.terms["display"].tolist()
    assert got.terms["count"].tolist() == ref.terms["count"].tolist()
    assert got.terms["docs"].tolist() == ref.terms["docs"].tolist()
    assert got.matrix.shape == ref.matrix.shape
    assert got.matrix.dtype == ref.matrix.dtype
    assert (got.matrix != ref.matrix).nnz == 0
    # every surface with its count, in the order the corpus first has it
    assert list(got.vocabulary.surface_counts.items()) == list(ref.vocabulary.surface_counts.items())
    # row and column sums agree with the table (the matrix is not just equal, it is right)
    assert np.array_equal(np.asarray(got.matrix.sum(axis=0)).ravel(), got.terms["count"].to_numpy())


def assert_same_corpus(got: newslib.Corpus, ref: newslib.Corpus, keep_raw: bool = True) -> None:
    """Every document field by field (ids, titles, metadata, clean text, removals,
    raw text or None), the load report and the warnings."""
    assert len(got) == len(ref) > 0
    want = ref.documents if keep_raw else [dataclasses.replace(d, raw_text=None) for d in ref]
    assert got.documents == want
    assert got.load_report.equals(ref.load_report)
    assert got.warnings == ref.warnings
    assert got.vocabulary_options == ref.vocabulary_options


@pytest.fixture(scope="module")
def lexicon():
    """A small inline lexicon (independent of data/actors.yml, which evolves)."""
    actors = pytest.importorskip("newslib.actors")
    return actors.Lexicon([
        {"id": "kerry", "label": "كيري", "type": "person", "aliases": ["كيري", "كيرى", "جون كيري"]},
        {"id": "lavrov", "label": "لافروف", "type": "person", "aliases": ["لافروف", "سيرغي لافروف"]},
        {"id": "syria", "label": "سورية", "type": "state", "aliases": ["سورية", "سوريا"]},
        {"id": "russia", "label": "روسيا", "type": "state", "aliases": ["روسيا"]},
    ])


def assert_same_mentions(got, ref, texts: dict[str, str]) -> None:
    assert got.equals(ref)
    assert got.attrs == ref.attrs
    assert len(got) > 0
    assert all(texts[d][s:e] == w for d, s, e, w in got[["doc_id", "start", "end", "surface"]].itertuples(
        index=False))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, corpus: newslib.Corpus) -> Path:
    """~200 documents from the 5 seed articles, with variations, as one JSONL
    file, plus lines the loader must report: an all-chrome page (cleaning leaves
    nothing), an empty text and a malformed line."""
    rng = np.random.default_rng(0)
    lines = []
    for k in range(40):
        for d in corpus:
            paras = d.raw_text.split("\n\n")
            # drop a random paragraph, add a copy-specific word and a chrome line
            if len(paras) > 3:
                del paras[int(rng.integers(1, len(paras)))]
            paras.insert(1, f"كلمة{'ابتثجحخ'[k % 7]}{'دذرزسش'[k % 6]} في سورية")
            paras.append("اترك تعليقاً")
            rec = {"id": f"{d.doc_id}-{k}", "title": d.title, "text": "\n\n".join(paras)}
            lines.append(json.dumps(rec, ensure_ascii=False))
        if k == 17:
            lines.append(json.dumps({"id": "chrome-only", "text": "Site icon موقع\n\nاترك تعليقاً"}))
            lines.append(json.dumps({"id": "empty", "text": "  "}))
            lines.append('{"id": "broken", "text": ')
            # Ids are settled in reading order whoever cleans: a twin whose first
            # copy cleaning empties keeps its id; a repeated id is renamed.
            lines.append(json.dumps({"id": "twin", "text": "اترك تعليقاً"}))
            lines.append(json.dumps({"id": "twin", "text": "قال كيري في موسكو إن روسيا وسورية اتفقتا."}))
            lines.append(json.dumps({"id": f"{corpus[0].doc_id}-3", "text": "لافروف في سورية.\n\nاترك تعليقاً"}))
            # repaired on the way: a lone surrogate and a control character
            lines.append('{"id": "odd", "text": "لافروف \\ud800 في\\u0007 روسيا"}')
    path = tmp_path_factory.mktemp("gen") / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def many_files(tmp_path_factory: pytest.TempPathFactory, generated: Path, corpus: newslib.Corpus) -> Path:
    """The generated records as a folder of many files, which the parallel
    engines hand to workers to read whole: JSONL shards (the two «twin»
    records, and an id and its repeat, in different shards), a CSV, a zip
    (its records repeat earlier ids), loose .txt articles, a header-only CSV
    and a note that is no corpus file."""
    folder = tmp_path_factory.mktemp("many")
    lines = generated.read_text(encoding="utf-8").splitlines()
    twin = [i for i, line in enumerate(lines) if '"twin"' in line][1]
    cuts = [0, 40, twin, 120, 160, len(lines)]
    for n, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        (folder / f"part-{n}.jsonl").write_text("\n".join(lines[a:b]) + "\n", encoding="utf-8")
    rows = ["id,text"] + [f"csv-{i},\"{d.text[:300]}\"" for i, d in enumerate(corpus)]
    (folder / "part-9.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "texts").mkdir()
    for i, d in enumerate(corpus):
        (folder / "texts" / f"article-{i}.txt").write_text(d.raw_text, encoding="utf-8")
    (folder / "texts" / "empty.csv").write_text("id,text\n", encoding="utf-8")
    with zipfile.ZipFile(folder / "part-5.zip", "w") as zf:  # a zip is read whole by one worker too
        zf.writestr("inside.jsonl", "\n".join(lines[:30]) + "\n")
        zf.writestr("loose.txt", corpus[1].raw_text)
    (folder / "readme.md").write_text("not an article\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def generated_corpus(generated: Path) -> newslib.Corpus:
    return newslib.load_corpus(generated, errors="skip")


@pytest.fixture(scope="module")
def generated_reference(generated_corpus: newslib.Corpus) -> tuple[TermMatrix, dict]:
    return document_term_matrix(generated_corpus), generated_corpus.stats()


def test_iter_chunks_streams_in_order(generated: Path) -> None:
    chunks = list(engine.iter_chunks(generated, size=64, errors="skip"))
    assert [len(c) for c in chunks] == [64, 64, 64, 11]
    ids = [d.doc_id for c in chunks for d in c]
    assert ids == [d.doc_id for d in newslib.load_corpus(generated, errors="skip")]
    with pytest.raises(ValueError):
        next(engine.iter_chunks(generated, size=0))


def test_generated_corpus_has_what_the_tests_need(generated_reference: tuple[TermMatrix, dict]) -> None:
    ref, stats = generated_reference
    assert stats["documents"] == 203
    assert stats["skipped"] == 4  # all chrome (twice), empty, malformed
    assert stats["recovered"] == 2  # the renamed id, the repaired text
    reasons = " | ".join(s["reason"] for s in stats["skipped_items"])
    assert "chrome" in reasons and "white space" in reasons and "JSON" in reasons
    assert stats["chrome_lines_removed"] >= 400  # site icon + comment prompt per copy
    assert ref.matrix.shape[0] == 203
    ids = ref.doc_ids
    assert "twin" in ids and "twin#2" not in ids and f"{ids[0].rsplit('-', 1)[0]}-3#2" in ids


@pytest.mark.parametrize("engine_name", ["local", "processes"])
def test_seed_corpus_identical(engine_name: str, corpus: newslib.Corpus, repo: Path) -> None:
    ref = document_term_matrix(corpus)
    for source in (repo / "data", corpus):
        got = engine.term_matrix(source, engine=engine_name, n_workers=2, chunk_size=2)
        assert_same_terms(got, ref)
        assert engine.corpus_stats(source, engine=engine_name, n_workers=2, chunk_size=2) == corpus.stats()
    # a known count survives the chunking: «سورية» heads the table
    assert got.terms.iloc[0]["display"] == "سورية"


@pytest.mark.parametrize("engine_name", ["local", "processes"])
@pytest.mark.parametrize("chunk_size", [1, 7, 64, 1000])
def test_generated_corpus_identical(engine_name: str, chunk_size: int, generated: Path,
                                    generated_reference: tuple[TermMatrix, dict]) -> None:
    ref, stats = generated_reference
    if engine_name == "processes" and chunk_size == 1:
        chunk_size = 3  # same coverage of tiny chunks, less pickling
    result = engine.analyze(generated, engine=engine_name, n_workers=2, chunk_size=chunk_size,
                            errors="skip")
    assert_same_terms(result.terms, ref)
    assert result.stats == stats
    assert result.load_report.equals(newslib.load_corpus(generated, errors="skip").load_report)


@pytest.mark.parametrize("engine_name", ["local", "processes"])
def test_report_compacted_on_the_way(engine_name: str, generated: Path, many_files: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Settled load-report rows leave the loader's list in blocks (here of 5 rows
    or more, not 20,000), read by the main process (one JSONL, its feeder thread
    appending meanwhile on "processes") or by the workers (many files, a
    header-only CSV among them): the report and the statistics are load_corpus's."""
    monkeypatch.setattr(engine._ReportLog, "COMPACT", 5)
    for source in (generated, many_files):
        ref = newslib.load_corpus(source, errors="skip")
        result = engine.analyze(source, terms=False, engine=engine_name, n_workers=2, chunk_size=7, errors="skip")
        log = result.report_log
        assert len(log.blocks) > 1 and log.moved == sum(map(len, log.blocks)) and len(log) == len(ref.load_report)
        assert result.load_report.equals(ref.load_report)
        assert result.stats == ref.stats()


@pytest.mark.parametrize("engine_name", ["local", "processes"])
def test_mentions_identical(engine_name: str, lexicon, corpus: newslib.Corpus, repo: Path,
                            generated: Path, generated_corpus: newslib.Corpus) -> None:
    from newslib.actors import find_mentions

    for source, ref_corpus in ((repo / "data", corpus), (generated, generated_corpus)):
        got = engine.mentions(source, lexicon, engine=engine_name, n_workers=2, chunk_size=7,
                              errors="skip")
        assert_same_mentions(got, find_mentions(ref_corpus, lexicon),
                             {d.doc_id: d.text for d in ref_corpus})
    assert got.attrs["units"]["document"] == 203
    assert {"twin", f"{corpus[0].doc_id}-3#2"} <= set(got["doc_id"])  # settled ids, not positions
    assert set(got["actor"]) == {"kerry", "lavrov", "syria", "russia"}


@pytest.mark.parametrize("engine_name", ["local", "processes"])
@pytest.mark.parametrize("keep_raw", [True, False])
def test_corpus_loaded_on_an_engine_is_the_loaders(engine_name: str, keep_raw: bool, corpus: newslib.Corpus,
                                                    repo: Path, generated: Path,
                                                    generated_corpus: newslib.Corpus) -> None:
    """The seed corpus (with its metadata file: titles, outlets, dates from corpus.csv)
    and the generated JSONL (skipped, repaired and renamed records)."""
    got = newslib.load_corpus(repo / "data", engine=engine_name, n_workers=2, keep_raw=keep_raw,
                              vocabulary_options={"stem": True})
    assert_same_corpus(got, newslib.load_corpus(repo / "data", vocabulary_options={"stem": True}), keep_raw)
    assert got[0].outlet and got[0].date  # from the metadata file
    for chunk_size in (3, 64):
        got = engine.load_corpus(generated, engine=engine_name, n_workers=2, chunk_size=chunk_size,
                                 errors="skip", keep_raw=keep_raw)
        assert_same_corpus(got, generated_corpus, keep_raw)
    assert {"twin", f"{corpus[0].doc_id}-3#2"} <= {d.doc_id for d in got}
    with pytest.raises(TypeError, match="reads a path"):
        engine.load_corpus(corpus)


def test_min_count_and_vocabulary_options(corpus: newslib.Corpus, repo: Path) -> None:
    ref = document_term_matrix(corpus, min_count=3, stem=True)
    got = engine.term_matrix(repo / "data", chunk_size=2, min_count=3, vocabulary_options={"stem": True})
    assert_same_terms(got, ref)
    assert got.terms["count"].min() >= 3


@pytest.mark.parametrize("options", [{}, {"stem": True}])
def test_terms_and_statistics_share_one_surface_index(options: dict, repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass computing both counts every word once and decides the keys once
    (stemming: builds one Vocabulary); the term matrix is still
    document_term_matrix's, and the statistics the loaded corpus's."""
    from newslib.tokens import _KeyPlan

    made = {"decide": 0, "vocabulary": 0}
    decide, init = _KeyPlan.decide, engine.Vocabulary.__init__

    def counted_decide(self, *args, **kwargs):
        made["decide"] += 1
        return decide(self, *args, **kwargs)

    def counted_init(self, surface_counts, **kwargs):
        made["vocabulary"] += bool(surface_counts)  # not the empty one that only tells stopwords
        return init(self, surface_counts, **kwargs)

    monkeypatch.setattr(_KeyPlan, "decide", counted_decide)
    monkeypatch.setattr(engine.Vocabulary, "__init__", counted_init)
    loaded = newslib.load_corpus(repo / "data", vocabulary_options=options)
    ref, stats = document_term_matrix(loaded), loaded.stats()
    made.update(decide=0, vocabulary=0)
    got = engine.analyze(repo / "data", chunk_size=2, vocabulary_options=options)
    assert_same_terms(got.terms, ref)
    assert got.stats == stats
    assert made == ({"decide": 0, "vocabulary": 1} if options else {"decide": 1, "vocabulary": 0})


def test_a_shared_surface_index_leaves_out_the_columns_dropped_before_counting(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sure stopwords are counted in the shared index but are no columns.
    Were one of them a content word (here «روسيا», put in the set), its key
    would still count only the spellings that are columns («لروسيا»), as
    document_term_matrix counts it."""
    from newslib import dtm
    from newslib.text import _options

    opts = _options({})
    monkeypatch.setitem(dtm._SURF_CACHE, opts, dtm._stop_surfaces(opts) | {"روسيا"})
    loaded = newslib.load_corpus(repo / "data")
    ref = document_term_matrix(loaded)
    got = engine.analyze(repo / "data", chunk_size=2)
    assert_same_terms(got.terms, ref)
    assert got.stats == loaded.stats()
    key = loaded.vocabulary.key("روسيا")
    row = got.terms.terms.set_index("key").loc[key]
    assert 0 < row["count"] < loaded.vocabulary.key_counts()[key]


@pytest.mark.parametrize("options", [{"alef": False, "min_len": 3, "numbers": True}, {"teh_marbuta": False}])
def test_keys_planned_with_other_options_equal_the_loaded_corpus(options: dict, repo: Path) -> None:
    """The streamed pass keys its surfaces with a _KeyPlan (no stemming): under
    other normalisation and stopword options it gives the terms and the
    statistics of the loaded corpus with those options."""
    loaded = newslib.load_corpus(repo / "data", vocabulary_options=options)
    got = engine.analyze(repo / "data", chunk_size=2, vocabulary_options=options)
    assert_same_terms(got.terms, document_term_matrix(loaded))
    assert got.stats == loaded.stats()
    assert got.stats["content_types"] != newslib.load_corpus(repo / "data").stats()["content_types"]


def test_a_stopword_key_that_is_no_base_counts_as_one_type() -> None:
    """«وذلك» and «فذلك» both key to the stopword «ذلك», which the corpus never
    has alone: one type, as the loaded corpus counts it."""
    text = "وذلك فذلك في سورية وبذلك"
    small = newslib.Corpus([newslib.Document(doc_id="a", title="", text=text, raw_text=text)])
    got = engine.corpus_stats(small)
    assert (got["types"], got["content_types"]) == (small.stats()["types"], small.stats()["content_types"]) == (3, 1)


def test_chunk_without_words(corpus: newslib.Corpus) -> None:
    """A chunk may hold no word at all (CountVectorizer refuses it alone); the corpus still counts."""
    docs = [newslib.Document(doc_id=str(i), title="", text=t, raw_text=t)
            for i, t in enumerate(["سورية وروسيا في سورية", "؟ ... !", "روسيا"])]
    small = newslib.Corpus(docs)
    got = engine.term_matrix(small, chunk_size=1)
    assert_same_terms(got, document_term_matrix(small))
    assert got.keys == ["روسيا", "سوريه"]  # 2 each: ties go by key
    assert got.matrix.toarray().tolist() == [[1, 2], [0, 0], [1, 0]]
    assert engine.corpus_stats(small, chunk_size=1) == small.stats()


@pytest.mark.parametrize("texts", [["؟ ... !", "«»"], ["عام ٢٠١٥ و٢٠١٦", "في ٣ أيام", "2015 ١٤٣٦"]])
def test_stats_count_what_the_corpus_counts(texts: list[str]) -> None:
    """Digits in Arabic script are no Arabic letters (no Arabic token); a corpus
    of punctuation has no word token, and says so, as ``Corpus.stats`` does."""
    small = newslib.Corpus([newslib.Document(doc_id=str(i), title="", text=t, raw_text=t) for i, t in enumerate(texts)])
    for chunk_size in (1, 10):
        assert engine.corpus_stats(small, chunk_size=chunk_size) == small.stats()
    assert small.stats()["arabic_tokens"] == (0 if "؟" in texts[0] else 4)


def test_unknown_engine_is_refused(repo: Path) -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        engine.term_matrix(repo / "data", engine="spark")


def test_dask_cluster_identical(generated: Path, generated_reference: tuple[TermMatrix, dict],
                                generated_corpus: newslib.Corpus, corpus: newslib.Corpus,
                                repo: Path, lexicon, many_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real LocalCluster: scheduler and two worker processes on loopback."""
    distributed = pytest.importorskip("dask.distributed")
    ref, stats = generated_reference
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, host="127.0.0.1",
                                  scheduler_kwargs={"dashboard_address": ":0"}) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        result = engine.analyze(generated, engine="dask", scheduler=address, chunk_size=16,
                                errors="skip", lexicon=lexicon)
        assert_same_terms(result.terms, ref)
        assert result.stats == stats
        from newslib.actors import find_mentions

        assert_same_mentions(result.mentions, find_mentions(generated_corpus, lexicon),
                             {d.doc_id: d.text for d in generated_corpus})
        # a cluster given by address may not see this machine's files: the text is sent
        assert_whole_files_as_loaded(many_files, lexicon, monkeypatch, engine._run_chunk, engine="dask",
                                     scheduler=address)
        assert_same_corpus(engine.load_corpus(generated, engine="dask", scheduler=address, chunk_size=16,
                                              errors="skip", keep_raw=False), generated_corpus, keep_raw=False)
        seed = engine.analyze(repo / "data", engine="dask", scheduler=address, chunk_size=2)
        assert_same_terms(seed.terms, document_term_matrix(corpus))
        assert seed.stats == corpus.stats()
        with distributed.Client(address) as client:
            # the work really ran on the cluster's workers
            assert len(client.scheduler_info()["workers"]) == 2
            got = engine.term_matrix(corpus, engine="dask", scheduler=client, chunk_size=3)
            assert_same_terms(got, document_term_matrix(corpus))


def _rows_of(path: Path) -> list:
    """The lines of a JSONL file as a Dask collection holds them: a dict per
    valid line, the text itself for a malformed one (not an article)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            rows.append(line)
    return rows


def test_dask_collections_are_counted_on_the_cluster(generated: Path, generated_corpus: newslib.Corpus,
                                                     lexicon) -> None:
    """A dask.bag or dask.dataframe of articles already on the cluster: each
    partition is computed and counted by a worker (never by this process);
    the results are those of the same records read from a file, and the load
    report names each row by its partition."""
    distributed = pytest.importorskip("dask.distributed")
    import os

    import dask
    import dask.bag as db
    import dask.dataframe as dd

    ref = engine.analyze(generated, errors="skip", lexicon=lexicon)
    rows = _rows_of(generated)
    here = os.getpid()

    def elsewhere(row: Any) -> Any:
        assert os.getpid() != here, "a partition was computed by the client"
        return row

    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, host="127.0.0.1",
                                  scheduler_kwargs={"dashboard_address": ":0"}) as cluster, \
            distributed.Client(cluster) as client:
        plain = db.from_sequence(rows, npartitions=5)
        bag = plain.map(elsewhere)
        got = engine.analyze(bag, engine="dask", scheduler=client, chunk_size=16, errors="skip", lexicon=lexicon)
        assert_same_terms(got.terms, ref.terms)
        assert_same_mentions(got.mentions, ref.mentions, {d.doc_id: d.text for d in generated_corpus})
        same = [k for k in ref.stats if k != "skipped_items"]
        assert {k: got.stats[k] for k in same} == {k: ref.stats[k] for k in same}
        assert got.load_report["status"].tolist() == ref.load_report["status"].tolist()
        # row i of partition p: partition-p#i (the malformed line is entry 92 of the bag, 2nd partition)
        sizes = [len(b) for b in plain.map_partitions(lambda part: [list(part)]).compute(scheduler="sync")]
        names = [f"partition-{p}#{i}" for p, n in enumerate(sizes) for i in range(n)]
        assert got.load_report["item"].tolist() == names
        broken = rows.index(next(r for r in rows if isinstance(r, str)))
        skipped = got.load_report[got.load_report["item"] == names[broken]].iloc[0]
        assert skipped["status"] == "skipped" and "is a str, not an object" in skipped["reason"]

        # a dask.dataframe (one row per article; its columns found as in a CSV export), the same records
        # (object columns: one record holds a lone surrogate, which Arrow strings refuse)
        frame = pd.DataFrame([r for r in rows if isinstance(r, dict)], dtype=object).rename(columns={"text": "content"})
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_pandas(frame, npartitions=3)
        table = engine.analyze(ddf, engine="dask", scheduler=client, chunk_size=16, errors="skip")
        assert_same_terms(table.terms, ref.terms)
        assert table.stats["documents"] == ref.stats["documents"]
        assert table.load_report["item"].iloc[-1] == f"partition-2#{ddf.get_partition(2).shape[0].compute() - 1}"

        # errors="raise": the first bad row, named by its partition
        with pytest.raises(newslib.LoadError, match=re.escape(names[broken])):
            engine.term_matrix(bag, engine="dask", scheduler=client)
    with pytest.raises(ValueError, match="engine='dask'"):
        engine.term_matrix(ddf, engine="processes")


@pytest.mark.slow
def test_dask_without_address_starts_and_closes_a_local_cluster(corpus: newslib.Corpus) -> None:
    got = engine.term_matrix(corpus, engine="dask", n_workers=1, chunk_size=2)
    assert_same_terms(got, document_term_matrix(corpus))


@pytest.mark.parametrize("batch", [1, 40, 10_000])
def test_surface_batches_number_and_count_like_one_dictionary(corpus: newslib.Corpus, batch: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks numbered in batches of any size give the surfaces in first-seen
    order, each chunk's columns and the corpus totals a plain dictionary gives."""
    from newslib.dtm import _surface_counts
    from newslib.engine import _SurfaceStack
    from newslib.text import _options

    monkeypatch.setattr(_SurfaceStack, "BATCH", batch)
    texts = corpus.texts * 3 + ["", "  ", "كلمة جديدة في آخر القطعة"]
    stack = _SurfaceStack(_options({}))
    index: dict[str, int] = {}
    totals: dict[str, int] = {}
    expected_blocks = []
    for i in range(0, len(texts), 2):
        X, names, _ = _surface_counts(texts[i : i + 2], frozenset())
        stack.add_matrix(X, names)
        words = names.to_pylist()
        columns = np.array([index.setdefault(w, len(index)) for w in words], dtype=np.int64)
        for w, n in zip(words, np.asarray(X.sum(axis=0)).ravel().tolist(), strict=True):
            totals[w] = totals.get(w, 0) + n
        expected_blocks.append(columns[X.indices])
    counts = stack.counts()
    assert list(counts) == list(index) == stack.surfaces  # first-seen order
    assert dict(counts) == totals
    assert len(stack.blocks) == len(expected_blocks)
    for (_, got, _), want in zip(stack.blocks, expected_blocks, strict=True):
        assert np.array_equal(got, want)


@pytest.mark.parametrize("threads", [1, 3])
def test_blocks_keyed_in_threads_equal_one_product(threads: int) -> None:
    """Blocks multiplied some at a time and copied in order are the stacked product."""
    import scipy.sparse as sp

    from newslib.dtm import _multiply_blocks

    rng = np.random.default_rng(7)
    parts = [sp.random(n, 40, density=0.2, format="csr", random_state=rng, dtype=np.float64)
             for n in (5, 0, 17, 1, 9, 30)]
    parts = [sp.csr_matrix((np.ceil(p.data * 5).astype(np.int32), p.indices, p.indptr), shape=p.shape)
             for p in parts]
    surface_to_key = rng.integers(-1, 12, size=40)  # -1: a stopword, no column
    rows = np.flatnonzero(surface_to_key >= 0)
    M = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, surface_to_key[rows])), shape=(40, 12))
    expected = (sp.vstack(parts) @ M).tocsr()
    expected.sort_indices()
    blocks = [(p.data, p.indices, p.indptr) for p in parts]
    got = _multiply_blocks(blocks, M, threads)
    assert blocks == []  # consumed
    assert got.shape == expected.shape and got.has_sorted_indices
    assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def assert_whole_files_as_loaded(many_files: Path, lexicon, monkeypatch: pytest.MonkeyPatch, read_by: Any,
                                 **engine_options) -> None:
    """Many files: workers read whole files (processes), or the main process
    sends the text (a cluster given by address); ids, load report, counts,
    statistics and mentions are the loader's and the in-memory ones either way."""
    from newslib.actors import find_mentions
    from newslib.engine import _records, _run_files

    monkeypatch.setattr(engine, "_GROUP_BYTES", 64 << 10)  # test files are small: groups of a few files
    assert _records(many_files, 7, {"errors": "skip"}, [], [], workers=2)[3] is _run_files
    ref = newslib.load_corpus(many_files, errors="skip")
    assert len(ref) > 200 and ref.stats()["skipped"] >= 6
    # Across shards: the first «twin» is emptied by cleaning, so the second keeps
    # the id; a repeated id from an earlier shard is renamed.
    ids = {d.doc_id for d in ref}
    assert "twin" in ids and "twin#2" not in ids and any(i.endswith("-3#2") for i in ids)
    jobs = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = _records(*args, **kwargs)
        jobs.append(out[3])
        return out

    with monkeypatch.context() as m:
        m.setattr(engine, "_records", spy)
        result = engine.analyze(many_files, chunk_size=7, errors="skip", lexicon=lexicon, **engine_options)
    assert jobs == [read_by]
    with monkeypatch.context() as m:
        m.setattr(engine, "_records", spy)
        assert_same_corpus(engine.load_corpus(many_files, chunk_size=7, errors="skip", **engine_options), ref)
    assert jobs == [read_by, read_by]
    assert result.load_report.equals(ref.load_report)
    assert_same_terms(result.terms, document_term_matrix(ref))
    assert result.stats == ref.stats()
    assert_same_mentions(result.mentions, find_mentions(ref, lexicon), {d.doc_id: d.text for d in ref})


def test_workers_reading_whole_files_give_what_the_loader_gives(many_files: Path, lexicon,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from newslib.engine import _run_files

    assert_whole_files_as_loaded(many_files, lexicon, monkeypatch, _run_files, engine="processes", n_workers=2)


def test_one_large_file_among_small_ones_is_read_by_the_main_process(generated: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers read files whole only when no group outweighs a worker's share of
    the corpus or ``_WHOLE_BYTES``; otherwise the main process reads, and the
    result is the loader's all the same."""
    from newslib.engine import _records, _run_chunk, _run_files

    monkeypatch.setattr(engine, "_GROUP_BYTES", 1)  # every file a group of its own
    lines = generated.read_text(encoding="utf-8").splitlines()
    even, uneven = tmp_path / "even", tmp_path / "uneven"
    even.mkdir()
    uneven.mkdir()
    for n, a in enumerate(range(0, 200, 40)):
        (even / f"part-{n}.jsonl").write_text("\n".join(lines[a : a + 40]) + "\n", encoding="utf-8")
    (uneven / "part-0.jsonl").write_text("\n".join(lines[:120]) + "\n", encoding="utf-8")  # over half the bytes
    for n, a in enumerate(range(120, len(lines), 25), 1):
        (uneven / f"part-{n}.jsonl").write_text("\n".join(lines[a : a + 25]) + "\n", encoding="utf-8")
    assert len(list(uneven.iterdir())) >= 4

    def job(folder: Path, workers: int = 2) -> Any:
        return _records(folder, 7, {"errors": "skip"}, [], [], workers=workers)[3]

    assert job(even) is _run_files
    assert job(uneven) is _run_chunk
    assert job(even, workers=3) is _run_chunk  # five groups: fewer than two a worker
    monkeypatch.setattr(engine, "_WHOLE_BYTES", min(f.stat().st_size for f in even.iterdir()) - 1)
    assert job(even) is _run_chunk
    ref = newslib.load_corpus(uneven, errors="skip")
    assert len(ref) > 150
    result = engine.analyze(uneven, engine="processes", n_workers=2, chunk_size=7, errors="skip")
    assert result.load_report.equals(ref.load_report)
    assert result.stats == ref.stats()
    assert_same_terms(result.terms, document_term_matrix(ref))


def test_an_unreadable_file_read_by_a_worker_raises_the_loaders_error(many_files: Path, tmp_path: Path) -> None:
    from newslib.corpus import LoadError

    folder = tmp_path / "bad"
    shutil.copytree(many_files, folder)
    (folder / "part-0.jsonl").write_text('{"id": "x", "text": "سورية"}\n{"id": "broken", "text": \n',
                                         encoding="utf-8")
    with pytest.raises(LoadError) as expected:
        newslib.load_corpus(folder)
    with pytest.raises(LoadError) as got:
        engine.analyze(folder, engine="processes", n_workers=2, chunk_size=7)
    assert str(got.value) == str(expected.value) and "part-0.jsonl:2" in str(got.value)
    assert got.value.cli_message() == expected.value.cli_message()
    assert (got.value.item, got.value.skippable) == (expected.value.item, expected.value.skippable)


def test_file_groups_share_out_tiny_files_large_files_and_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newslib.engine import _file_groups

    monkeypatch.setattr(engine, "_GROUP_BYTES", 1000)
    sizes = {"a.txt": 10, "b.txt": 10, "c.txt": 10, "d.jsonl": 995, "e.zip": 10, "f.txt": 10, "g.csv": 2000, "h.txt": 1}
    files = []
    for name, n in sizes.items():
        (tmp_path / name).write_bytes(b"x" * n)
        files.append((tmp_path / name, name))
    grouped = list(_file_groups(files, size=2))
    groups = [[item for _, item, _ in g] for g, _ in grouped]
    # two files at most (size=2); a group closes at 1000 bytes; a zip is a task of its own
    assert groups == [["a.txt", "b.txt"], ["c.txt", "d.jsonl"], ["e.zip"], ["f.txt", "g.csv"], ["h.txt"]]
    assert [item for g in groups for item in g] == list(sizes)  # reading order kept
    assert [n for _, n in grouped] == [20, 1005, 10, 2010, 1]  # bytes of each group
    groups = [[item for _, item, _ in g] for g, _ in _file_groups(files, size=10)]
    assert groups == [["a.txt", "b.txt", "c.txt", "d.jsonl"], ["e.zip"], ["f.txt", "g.csv"], ["h.txt"]]
    # a file cut into spans (a large JSONL file): a group per span, between the groups before and after it
    from newslib.corpus import _Span

    cut = [_Span(0, 600, 1, "utf-8", None), _Span(600, 995, 7, "utf-8", None)]
    grouped = list(_file_groups(files, size=10, cut=lambda file, _: cut if file.name == "d.jsonl" else None))
    assert [[(item, span) for _, item, span in g] for g, _ in grouped][:4] == [
        [("a.txt", None), ("b.txt", None), ("c.txt", None)], [("d.jsonl", cut[0])], [("d.jsonl", cut[1])],
        [("e.zip", None)]]
    assert [n for _, n in grouped][:3] == [30, 600, 395]


class _Recorder:
    """A submit for ``engine._fed`` on real futures (threads): records the
    order of submission and the most chunks submitted and not yet consumed."""

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(2)
        self.submitted: list[Any] = []
        self.consumed = 0
        self.most = 0

    def __call__(self, payload: Any):
        self.submitted.append(payload)
        self.most = max(self.most, len(self.submitted) - self.consumed)
        return self.pool.submit(lambda: payload * 10)

    def take(self, results) -> list[tuple[Any, Any]]:
        out = []
        for item in results:
            self.consumed += 1
            out.append(item)
        return out


@pytest.mark.parametrize("window", [1, 3, 4])
def test_fed_yields_in_reading_order_starting_the_heaviest_of_each_block_first(window: int) -> None:
    weights = [5, 9, 1, 7, 7, 2, 8, 3, 6, 4]  # expected cost of each chunk, in reading order
    chunks = [(i, ("ctx", w)) for i, w in enumerate(weights)]
    submit = _Recorder()
    got = submit.take(engine._fed(submit, iter(chunks), window, weigh=lambda ctx: ctx[1]))
    assert got == [(("ctx", w), i * 10) for i, w in enumerate(weights)]  # reading order, every chunk once
    blocks = [list(range(len(weights)))[s : s + window] for s in range(0, len(weights), window)]
    # within each block of `window` chunks, heaviest first; ties keep reading order
    assert submit.submitted == [i for b in blocks for i in sorted(b, key=lambda i: -weights[i])]
    assert submit.most <= window
    if window == 4:
        assert submit.submitted[:4] == [1, 3, 0, 2]  # weights 9, 7, 5, 1


def test_start_order_ends_soonest_of_all_orders_and_keeps_lpt_otherwise() -> None:
    """A small block is handed out in the order whose list schedule ends
    soonest by its estimated costs (brute force over every order agrees);
    largest first (LPT) when no order ends sooner, for one worker and for a
    large block."""
    import itertools
    import random

    # SaudiNewsNet's six daily zips (bytes): LPT ends at 5.99 MB a worker, the best order at 5.77
    zips = [3424655, 1977389, 1125337, 1819510, 1441295, 1381348]
    order = engine._start_order(zips, 2)
    assert order == [0, 3, 4, 5, 1, 2]
    # the largest two on one worker, the other four on the other
    assert engine._makespan([zips[i] for i in order], 2) == 1819510 + 1441295 + 1381348 + 1125337
    assert engine._makespan(sorted(zips, reverse=True), 2) == 3424655 + 1441295 + 1125337
    rng = random.Random(0)
    for _ in range(200):
        n, workers = rng.randint(1, 6), rng.choice([1, 2, 3])
        costs = [rng.choice([1, 2, 3, 5, 8, 13]) * 1.0 for _ in range(n)]
        order = engine._start_order(costs, workers)
        best = min(engine._makespan([costs[i] for i in p], workers) for p in itertools.permutations(range(n)))
        assert sorted(order) == list(range(n))
        assert engine._makespan([costs[i] for i in order], workers) == best
    lpt = sorted(range(8), key=lambda i: -[5, 9, 1, 7, 7, 2, 8, 3][i])
    assert engine._start_order([5, 9, 1, 7, 7, 2, 8, 3], 2) == lpt  # more than six tasks
    assert engine._start_order([1.0, 4.0, 3.0, 2.0], 2) == [1, 2, 3, 0]  # LPT already ends at 5: kept
    assert engine._start_order([1.0, 4.0, 2.0], 1) == [1, 2, 0]


def test_fed_hands_out_a_small_block_in_the_order_that_ends_soonest() -> None:
    zips = [3424655, 1977389, 1125337, 1819510, 1441295, 1381348]
    submit = _Recorder()
    got = submit.take(engine._fed(submit, ((i, w) for i, w in enumerate(zips)), 8, weigh=lambda w: w, workers=2))
    assert got == [(w, i * 10) for i, w in enumerate(zips)]  # still yielded in reading order
    assert submit.submitted == [0, 3, 4, 5, 1, 2]


def test_fed_without_weights_submits_in_reading_order_and_bounds_the_window() -> None:
    submit = _Recorder()
    got = submit.take(engine._fed(submit, ((i, i) for i in range(25)), 3))
    assert got == [(i, i * 10) for i in range(25)] and submit.submitted == list(range(25))
    assert 1 <= submit.most <= 3


def test_fed_raises_a_reading_error_after_the_chunks_before_it() -> None:
    def chunks():
        yield from ((i, i) for i in range(5))
        raise ValueError("bad file at chunk 5")

    for weigh in (None, lambda ctx: -ctx):
        submit, got = _Recorder(), []
        with pytest.raises(ValueError, match="bad file at chunk 5"):
            for item in engine._fed(submit, chunks(), 2, weigh):
                got.append(item)
        assert got == [(i, i * 10) for i in range(5)]


def test_fed_stops_submitting_when_the_caller_stops() -> None:
    import threading

    submit = _Recorder()
    results = engine._fed(submit, ((i, i) for i in range(1000)), 4)
    assert next(results) == (0, 0)
    results.close()  # joins the feeding thread
    assert len(submit.submitted) <= 6
    assert not [t for t in threading.enumerate() if t.name == "newslib-feed"]


@pytest.mark.parametrize("engine_name", ["local", "processes", "dask"])
def test_progress_bar_counts_the_tasks(engine_name: str, many_files: Path, corpus: newslib.Corpus,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    engine.analyze(corpus, engine=engine_name, n_workers=2, chunk_size=2, progress=True)
    err = capsys.readouterr().err
    # five seed articles in chunks of two: three ticks of three, then closed
    assert f"newslib ({engine_name})" in err and "3/3" in err and " chunks" in err
    engine.analyze(many_files, engine=engine_name, n_workers=2, chunk_size=2, errors="skip", progress=True)
    err = capsys.readouterr().err
    if engine_name != "local":  # the workers read whole files: a tick per group of files
        groups = len(list(engine._file_groups(engine._plan(many_files, "skip", True, [], {})[0], 2)))
        assert groups >= 4 and f"{groups}/{groups}" in err and " file groups" in err, err
    else:  # read here, chunk by chunk: how many is not known ahead, so a count without a total
        assert re.search(r"newslib \(local\): \d+ chunks \[", err), err
    engine.analyze(corpus, engine=engine_name, n_workers=2, chunk_size=2)
    assert capsys.readouterr().err == ""


def test_progress_bar_in_jupyter_is_a_widget_without_warning(repo: Path) -> None:
    """Analysts work in Jupyter: there the bar is a widget (tqdm.auto with
    ipywidgets), not a text bar under an "IProgress not found" warning."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"from newslib import engine\nprint(engine.corpus_stats({str(repo / 'data')!r}, progress=True)['documents'])"
    )]
    NotebookClient(nb, kernel_name="python3", timeout=300).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.get("name") == "stderr" and "Warning" in o.get("text", "")], outputs
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets and "newslib (local)" in widgets[0]["data"]["text/plain"], outputs
    assert [o["text"] for o in outputs if o.get("name") == "stdout"] == ["5\n"]


def _slow_job(task: Any, payload: tuple[int, str]) -> int:
    """A task that takes a while and leaves a mark (for the test below)."""
    import time

    n, folder = payload
    time.sleep(0.5)  # long enough that the caller's error comes while most tasks still wait
    (Path(folder) / f"ran-{n}").touch()
    return n


def test_an_error_drops_the_tasks_not_started(tmp_path: Path) -> None:
    chunks = (((n, str(tmp_path)), n) for n in range(40))
    results = engine._pool_map(engine._Task(), chunks, 2, job=_slow_job)
    try:
        for _context, n in results:
            raise RuntimeError(f"merge failed at {n}")
    except RuntimeError:
        results.close()  # as when the error leaves analyze() and its generators are dropped
    # 8 tasks were handed out (window 4 x 2 workers); those not yet with a worker never ran
    ran = len(list(tmp_path.glob("ran-*")))
    assert 1 <= ran < 8, ran


def test_a_term_matrix_keys_words_as_the_corpus_vocabulary_does(bench_dir: Path) -> None:
    """Sure stopwords lose their columns before counting, not their counts: the
    vocabulary's rules read every word. One day of SaudiNewsNet has «إليهم»,
    which tells that «اليهم» is that word without hamza (a stopword), not
    ال + «يهم» (a content word); every way of building the matrix agrees."""
    path = bench_dir / "saudinewsnet-dev" / "2015-07-23.zip"
    corpus = newslib.load_corpus(path)
    ref = document_term_matrix(corpus, vocabulary=corpus.vocabulary)
    assert corpus.vocabulary.surface_counts["إليهم"] > 0 and corpus.vocabulary.is_stop(corpus.vocabulary.key("اليهم"))
    own = document_term_matrix(corpus)  # its vocabulary from its own counts
    both = engine.analyze(path, chunk_size=200)
    assert both.stats == corpus.stats()
    for got in (own, engine.term_matrix(path, chunk_size=200), both.terms,
                engine.term_matrix(path, engine="processes", n_workers=2, chunk_size=200)):
        assert_same_terms(got, own)
        assert got.vocabulary.surface_counts == corpus.vocabulary.surface_counts  # in another order
        assert got.vocabulary.is_stop(got.vocabulary.key("اليهم"))
        assert got.keys == ref.keys and (got.matrix != ref.matrix).nnz == 0
        assert got.terms[["count", "docs"]].equals(ref.terms[["count", "docs"]])
    # What the notebooks count with a loaded corpus: chunk by chunk, keyed by its own vocabulary.
    from newslib import terms

    mine = terms.term_matrix(corpus)
    assert mine.vocabulary is corpus.vocabulary
    assert mine.keys == ref.keys and mine.doc_ids == ref.doc_ids and (mine.matrix != ref.matrix).nnz == 0
    pd.testing.assert_frame_equal(mine.terms, ref.terms)  # display forms too
