"""Streaming, all local cores, or a Dask cluster: the same results every way.

A corpus is read as a stream of chunks of documents (:func:`iter_chunks`);
each chunk is counted on its own (surface counts by Arrow dictionary
encoding and SciPy, see :func:`newslib.dtm.count_surfaces`; sentences and
paragraphs for the statistics), and the partial results are merged: sparse matrices are stacked after their
columns are re-indexed into one surface vocabulary, counters are added. No
step holds the token lists of the whole corpus; what is kept grows with the
vocabulary (corpus statistics) or with the non-zero cells of the output
(a document-term matrix).

Three engines run the per-chunk work:

``"local"``
    one process, chunk after chunk;
``"processes"``
    a pool of ``n_workers`` processes on this machine (default: all cores);
``"dask"``
    a ``dask.distributed`` cluster: the one at ``scheduler`` (an address such
    as ``"tcp://10.0.0.5:8786"`` or a ``Client``), else a ``LocalCluster``
    started for the call and closed after it. It also takes a Dask collection
    of articles (a ``dask.dataframe`` or a ``dask.bag`` of dicts) in place of
    a path: each partition is computed and counted by a worker
    (:func:`_run_rows`).

The input is read by the loader itself: by the main process, which hands
the records to the workers; or, for a corpus of many files (at least two
groups per worker, no metadata file) on ``"processes"`` and on a
``LocalCluster`` started for the call, by the workers, each reading whole
files (:func:`_run_files`; a large JSONL or CSV file is cut into spans of
whole lines or records, a large Parquet file into its row groups, each read
by one worker, see :func:`_cut`), so that the main
process neither parses nor sends any text (not on a cluster given by
``scheduler``: its workers may not see this machine's files). The workers clean each record
(:func:`newslib.corpus.prepare_text`), count and segment; the main process
then settles every record's load-report row and id in reading order and
merges the results in order, so every engine returns exactly what
:func:`newslib.load_corpus` and the in-memory functions give. A chunk's
surfaces travel as an Arrow array, and the merge numbers them in batches by
Arrow dictionary encoding (see :class:`_SurfaceTotals`), not one Python
look-up per surface of every chunk. At most ``2 * n_workers`` chunks (or
groups of files; ``4 * n_workers`` on ``"processes"``) are in flight, so
memory stays bounded whatever the corpus size (and the size of its largest
file). On ``"processes"`` a thread hands out the next task as soon as a
result is taken, and the groups of files of each such window go out
largest first, or in the order that ends soonest by their sizes when there
are a few (see :func:`_fed`).

>>> from newslib import engine, load_corpus
>>> m = engine.term_matrix("data", chunk_size=2)
>>> from newslib.dtm import document_term_matrix
>>> ref = document_term_matrix(load_corpus("data"))
>>> m.keys == ref.keys and (m.matrix != ref.matrix).nnz == 0
True
>>> engine.corpus_stats("data")["documents"]
5

:func:`load_corpus` loads a corpus into memory the same way: the workers
read and clean, the main process settles ids and keeps the Documents.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from queue import SimpleQueue
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ._gc import gc_paused
from .clean import Removal
from .corpus import (
    _ARABIC_LETTER,
    _DELIMITER,
    NOT_CHROME,
    REPORT_COLUMNS,
    TABULAR,
    Corpus,
    Document,
    Prepared,
    _column_names,
    _csv_spans,
    _document,
    _head_may_cut,
    _json_rows,
    _jsonl_spans,
    _large,
    _Loader,
    _open,
    _Options,
    _parquet_spans,
    _Pending,
    _plan,
    _row_group_sizes,
    _size,
    _Span,
    _streamed,
    iter_documents,
    prepare_text,
)
from .dtm import TermMatrix, _arrow_set, _dropped_totals, _surface_counts, keyed_blocks, stop_surfaces
from .text import _options
from .tokens import Vocabulary, _fill_bases, _KeyPlan, _word_table, sentences

__all__ = ["ENGINES", "Analysis", "analyze", "corpus_stats", "iter_chunks", "load_corpus", "mentions", "term_matrix"]

ENGINES = ("local", "processes", "dask")
_VOCAB_ONLY = ("stem", "min_len", "numbers")  # Vocabulary options that are not normalisation


def iter_chunks(
    path_or_corpus: str | Path | Corpus | Iterable[Document],
    size: int = 1000,
    **load_options: Any,
) -> Iterator[list[Document]]:
    """Yield lists of at most ``size`` documents, reading lazily.

    ``load_options`` go to :func:`newslib.iter_documents` (``errors``,
    ``clean``, ``report``, column names) when a path is given.

    >>> [len(c) for c in iter_chunks("data", size=2)]
    [2, 2, 1]
    """
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    if isinstance(path_or_corpus, (str, Path)):
        docs: Iterable[Document] = iter_documents(path_or_corpus, **load_options)
    else:
        docs = path_or_corpus
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


# ---------------------------------------------------------------- per chunk

# What travels to a worker per document: (doc_id, clean text, chrome lines
# removed) for a loaded corpus; (raw text, is_file) for a path, read by the
# main process and cleaned by the worker.
_Record = tuple[str, str, int] | tuple[str, bool]


@dataclass(frozen=True)
class _Task:
    """What each chunk computes; small and picklable."""

    terms: bool = False
    stats: bool = False
    norm: tuple[tuple[str, Any], ...] = ()  # normalisation options for the surface counts
    lexicon: Any = None  # a newslib.actors.Lexicon: find mentions
    metonyms: bool = False
    types: tuple[str, ...] | None = None
    prepare: bool = False  # records are raw (text, is_file): clean them here (see newslib.corpus.prepare_text)
    clean: bool = True
    documents: bool = False  # send back each kept record's clean text, removals (see load_corpus) ...
    keep_raw: bool = True  # ... and raw text


class _Doc(NamedTuple):
    """The two fields :func:`newslib.actors.find_mentions` reads."""

    doc_id: str
    text: str


@dataclass
class _Part:
    """The mergeable result of one chunk."""

    doc_ids: list[str] = field(default_factory=list)
    X: sp.csr_matrix | None = None  # docs x surfaces, sure stopwords dropped (terms)
    surfaces: Any = None  # the columns of X (an Arrow large_string array)
    all_surfaces: Any = None  # every surface of the chunk (stats; Arrow) ...
    all_counts: np.ndarray | None = None  # ... and its count
    dropped: dict[str, int] = field(default_factory=dict)  # terms: the sure stopwords' totals (not in X)
    kept: np.ndarray | None = None  # terms and stats: X's columns as positions in all_surfaces
    paragraphs: int = 0
    sentences: int = 0
    chrome: int = 0
    arabic: bool = False  # some document has an Arabic letter
    arabic_tokens: int = 0
    mentions: pd.DataFrame | None = None
    statuses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # raw records: skip, repairs, notes
    cleaned: list[tuple[str, str | None, list[Removal]]] = field(default_factory=list)  # documents: clean, raw, removed


def _count(texts: list[str], drop: bool, norm: dict[str, Any]) -> tuple[sp.csr_matrix, Any, dict[str, int]]:
    """Surface counts of a chunk, its surfaces as an Arrow array, and the
    totals of the sure stopwords dropped (see ``count_surfaces``)."""
    return _surface_counts(texts, stop_surfaces(**norm) if drop else frozenset())


@gc_paused
def _run_chunk(task: _Task, records: list[_Record]) -> _Part:
    """Count one chunk. Runs in workers: module level, pure, picklable in and out."""
    part = _Part()
    texts: list[str] = []
    if task.prepare:  # ids are positions for now; the main process settles the real ones
        for raw, is_file in records:
            p = prepare_text(raw, is_file, task.clean)
            part.statuses.append((p.skip, p.repairs, p.notes))
            if not p.skip:
                part.doc_ids.append(str(len(texts)))
                texts.append(p.clean)
                part.chrome += sum(1 for r in p.removed if r.rule not in NOT_CHROME)
                if task.documents:
                    part.cleaned.append((p.clean, p.raw if task.keep_raw else None, p.removed))
    else:
        for doc_id, text, chrome in records:
            part.doc_ids.append(doc_id)
            texts.append(text)
            part.chrome += chrome
    norm = dict(task.norm)
    if task.lexicon is not None:
        from .actors import find_mentions

        docs = [_Doc(i, t) for i, t in zip(part.doc_ids, texts, strict=True)]
        part.mentions = find_mentions(docs, task.lexicon, task.metonyms, types=task.types)
    if task.stats:
        part.arabic = any(_ARABIC_LETTER.search(t) for t in texts)
        for text in texts:
            units = sentences(text)
            part.sentences += len(units)
            part.paragraphs += len({u.paragraph for u in units})
        X, names, _ = _count(texts, False, norm)
        part.all_surfaces = names
        part.all_counts = np.asarray(X.sum(axis=0)).ravel()
        arabic_words = [i for i, w in enumerate(names.to_pylist()) if _ARABIC_LETTER.search(w)]
        part.arabic_tokens = int(part.all_counts[arabic_words].sum())
        if task.terms:
            # Same columns count_surfaces keeps when it drops sure stopwords itself.
            keep = ~pc.is_in(names, value_set=_arrow_set(stop_surfaces(**norm))).to_numpy(zero_copy_only=False)
            part.kept = np.flatnonzero(keep)
            part.X, part.surfaces = X[:, part.kept].tocsr(), names.filter(pa.array(keep))
            part.dropped = _dropped_totals(names, part.all_counts, keep)
    elif task.terms:
        part.X, part.surfaces, part.dropped = _count(texts, True, norm)
    return part


class _Files(NamedTuple):
    """The context of a payload of whole files (see :func:`_run_files`)."""

    bytes: int  # their size on disk: which to start first (see _fed)


_GROUP_BYTES = 2 << 20  # files read together by one worker: about a chunk of news articles
# A worker returns a group's counts when the group is done, so it holds them
# meanwhile (for a term matrix about twice the file's size: 200 MB more for a
# 102 MB JSONL): a larger group makes the main process read, a chunk at a time.
_WHOLE_BYTES = 64 << 20


# A file entry of a group: (path, item name, a span of it or None for the whole file).
_Entry = tuple[str, str, _Span | None]


def _file_groups(files: list[tuple[Path, str]], size: int,
                 cut: Callable[[Path, str], list[_Span] | None] | None = None) -> Iterator[tuple[list[_Entry], int]]:
    """Files in reading order, grouped for workers: consecutive files until
    the group holds ``size`` files (a ``.txt`` file is one article),
    ``_GROUP_BYTES`` bytes or a zip, so that many tiny files do not make as
    many tiny tasks; a file that ``cut`` cuts into spans (a large JSONL file,
    see :func:`_cut`) makes a group of each span, cut when its turn comes.
    Each group comes with its size in bytes."""
    group: list[_Entry] = []
    held = 0
    for file, item in files:
        spans = cut(file, item) if cut else None
        if spans:
            if group:
                yield group, held
                group, held = [], 0
            for span in spans:
                yield [(str(file), item, span)], span.end - span.start
            continue
        try:
            held += file.stat().st_size
        except OSError:  # the worker's loader reports it
            pass
        group.append((str(file), item, None))
        # A zip (compressed, usually many articles) is a task of its own.
        if len(group) >= size or held >= _GROUP_BYTES or file.suffix.lower() == ".zip":
            yield group, held
            group, held = [], 0
    if group:
        yield group, held


def _cuttable(file: Path) -> bool:
    """A JSONL, CSV or TSV file the loader reads a block at a time (over
    ``_STREAM_BYTES``) whose first ``_GROUP_BYTES`` look as those of a file
    that can be cut (:func:`newslib.corpus._head_may_cut`: a file that fails
    here is read by the main process, which hands out chunks, not by one
    worker whole after a check of all of it fails), or a Parquet file over
    that size whose row groups can be read apart."""
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return _large(file) and _row_group_sizes(file) is not None
    return (suffix in (".jsonl", ".csv", ".tsv") and _streamed(file)
            and _head_may_cut(file, _DELIMITER.get(suffix), _GROUP_BYTES))


class _Spread:
    """A ``map`` on the engine's workers, for work that comes before the tasks
    (checking a large file, see :func:`_cut`): this process's ``map`` until
    the engine sets its own (:func:`_pool_map`, :func:`_dask_map`)."""

    def __init__(self) -> None:
        self.map: Callable[..., Iterable[Any]] = map

    def __call__(self, function: Callable[..., Any], *iterables: Iterable[Any]) -> Iterable[Any]:
        return self.map(function, *iterables)


def _cut(file: Path, item: str, opts: _Options, spread: Callable[..., Iterable[Any]] = map) -> list[_Span] | None:
    """A large JSONL or CSV file cut into spans of about ``_GROUP_BYTES``, or a
    large Parquet file into its row groups, which workers read apart (see
    :func:`newslib.corpus._jsonl_spans`, :func:`newslib.corpus._csv_spans` and
    :func:`newslib.corpus._parquet_spans`,
    which check the spans with ``spread``; None: read it whole). One export
    of a whole archive is then shared out as a folder of shards is."""
    if not _cuttable(file):
        return None
    suffix = file.suffix.lower()
    if suffix == ".parquet":
        return _parquet_spans(file, item, opts.columns, spread)
    if suffix in _DELIMITER:
        return _csv_spans(file, item, opts.columns, _DELIMITER[suffix], _GROUP_BYTES, spread)
    return _jsonl_spans(file, item, opts.columns, _GROUP_BYTES, spread)


def _planned_cut(file: Path, item: str) -> list[_Span] | None:
    """The spans :func:`_cut` is expected to make, by the file's size alone
    (placeholders: only their sizes count), so that who reads is decided
    before any file is read, and each large file is read and cut when its
    turn comes, while the workers count the files before it. (A file that
    then cannot be cut, not being UTF-8 or, for CSV, with a quote out of
    place past its first ``_GROUP_BYTES``, see :func:`_cuttable`, goes to one
    worker whole.)"""
    if not _cuttable(file):
        return None
    if file.suffix.lower() == ".parquet":
        sizes = _row_group_sizes(file)
        if not sizes:  # changed since it was looked at
            return None
        starts = itertools.accumulate(sizes[:-1], initial=0)
        return [_Span(a, a + n, 0, "", None) for a, n in zip(starts, sizes, strict=True)]
    n = _size(file)
    return [_Span(a, min(a + _GROUP_BYTES, n), 0, "", None) for a in range(0, n, _GROUP_BYTES)]


def _whole_files_pay(groups: list[tuple[list[_Entry], int]], workers: int) -> bool:
    """Whether ``workers`` should read these groups of files whole: at least
    two groups a worker, and none larger than a worker's share of the corpus
    (on disk) or than ``_WHOLE_BYTES``. One large file among small ones would
    keep its worker busy long after the others are done: a 102 MB JSONL file
    beside four 3 MB ones took 6.1 s on two processes, against 6.2-6.4 s on one.

    >>> _whole_files_pay([([], 3), ([], 2), ([], 2), ([], 1)], 2)  # 3 <= 8 / 2
    True
    >>> _whole_files_pay([([], 5), ([], 1), ([], 1), ([], 1)], 2)  # 5 > 8 / 2
    False
    """
    sizes = [n for _, n in groups]
    return len(sizes) >= 2 * workers and max(sizes, default=0) <= min(sum(sizes) / workers, _WHOLE_BYTES)


def _run_files(task: _Task, payload: tuple[list[_Entry], str, Any, int]
               ) -> tuple[list[dict[str, str]], list[tuple[list[_Pending], _Part]]]:
    """Read whole files (or a span of one) in a worker and count their
    records in chunks of ``size``: the load-report rows of these files, and
    (records without their text, part) per chunk, for the main process to
    settle in reading order. The main process then neither parses nor sends
    any text."""
    files, where, opts, size = payload
    loader = _Loader(opts, where=where, defer=True)
    pending = (p for file, item, span in files
               for p in (loader.span(Path(file), item, span) if span else loader.path(Path(file), item)))
    return _run_pending(task, loader, pending, size)


def _run_rows(task: _Task, payload: tuple[Any, str, Any, int]
              ) -> tuple[list[dict[str, str]], list[tuple[list[_Pending], _Part]]]:
    """As :func:`_run_files` for one partition of a Dask collection, computed
    on the worker that runs this: a pandas DataFrame (of a ``dask.dataframe``)
    or a list of dicts (of a ``dask.bag``), read as the rows of a table named
    ``item`` (row ``i`` is ``item#i``)."""
    data, item, opts, size = payload
    records = data.to_dict("records") if isinstance(data, pd.DataFrame) else list(data)
    loader = _Loader(opts, defer=True)
    return _run_pending(task, loader, loader.records(item, lambda: (_json_rows(records, item), "", [])), size)


def _run_pending(task: _Task, loader: _Loader, pending: Iterator[_Pending], size: int
                 ) -> tuple[list[dict[str, str]], list[tuple[list[_Pending], _Part]]]:
    """Count the records ``loader`` reads, ``size`` at a time (see :func:`_run_files`)."""
    # A record names its report row by position: the rows and the records
    # may be serialised apart (Dask does), which would part shared objects.
    position: dict[int, int] = {}
    chunks = []
    # Chunk by chunk, so that the text of one chunk is held at a time (a large
    # JSONL or CSV file is read a block at a time, see newslib.corpus._STREAM_BYTES).
    while chunk := list(islice(pending, size)):
        position.update((id(row), i) for i, row in enumerate(loader.report[len(position) :], len(position)))
        records = [p._replace(raw="", row=position[id(p.row)]) for p in chunk]
        chunks.append((records, _run_chunk(task, [(p.raw, p.is_file) for p in chunk])))
    return loader.report, chunks


# ---------------------------------------------------------------- engines


def _map_chunks(
    task: _Task,
    chunks: Iterable[tuple[list[_Record], Any]],
    engine: str,
    n_workers: int | None,
    scheduler: Any,
    progress: bool,
    total: int | None,
    job: Callable[[_Task, Any], Any] = _run_chunk,
    spread: _Spread | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Run ``job`` (``_run_chunk``, or ``_run_files``) over the payloads of
    ``chunks`` (pairs of payload and a context kept here) on ``engine``; yield
    (context, result) in order. ``spread`` is given the engine's ``map``."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    n_workers = n_workers or os.cpu_count() or 1
    bar = None
    if progress:
        from tqdm.auto import tqdm

        # A tick per task: a chunk of documents, or a group of whole files read by a worker.
        unit = " file groups" if job is _run_files else " chunks"
        bar = tqdm(total=total, unit=unit, desc=f"newslib ({engine})")
    try:
        if engine == "local":
            results: Iterator[tuple[Any, Any]] = ((c, job(task, r)) for r, c in chunks)
        elif engine == "processes":
            results = _pool_map(task, chunks, n_workers, job, spread)
        else:
            results = _dask_map(task, chunks, n_workers, scheduler, job, spread)
        for context, part in results:
            if bar is not None:
                bar.update(1)
            yield context, part
        if bar is not None and bar.total is not None and bar.n != bar.total:
            bar.total = bar.n  # the total was an estimate (see _records): the bar ends full
            bar.refresh()
    finally:
        if bar is not None:
            bar.close()


def _bounded(submit: Callable[[Any], Any], result: Callable[[Any], Any],
             chunks: Iterable[tuple[Any, Any]], window: int) -> Iterator[tuple[Any, Any]]:
    """Keep at most ``window`` chunks in flight; yield (context, result) in order."""
    pending: deque = deque()
    for records, context in chunks:
        pending.append((context, submit(records)))
        if len(pending) >= window:
            context, future = pending.popleft()
            yield context, result(future)
    while pending:
        context, future = pending.popleft()
        yield context, result(future)


_DONE = object()  # end of the chunks (see _fed)


def _makespan(costs: Iterable[float], workers: int) -> float:
    """When the last task ends if each, in turn, goes to the first free worker
    (as a pool hands out its queue)."""
    free = [0.0] * workers
    for cost in costs:
        free[free.index(min(free))] += cost
    return max(free)


_ORDER_SEARCH = 6  # blocks of at most this many tasks: every order is tried (720)


def _start_order(costs: list[float], workers: int) -> list[int]:
    """Positions of a block's tasks in the order to hand them out: largest
    first (LPT), unless another order's schedule ends sooner by the estimated
    costs. Six tasks on two workers, say a corpus of six daily zips: LPT pairs
    the largest with the fourth and sixth; the best split pairs it with the
    second. Every order is tried for a small block (a large one keeps LPT,
    whose last tasks are small anyway); ties keep LPT.

    >>> _start_order([3.4, 2.0, 1.1, 1.8, 1.4, 1.4], 2)
    [0, 3, 4, 5, 1, 2]
    """
    lpt = sorted(range(len(costs)), key=lambda i: -costs[i])
    # (equal costs, such as chunks read by the main process, weighed 0: any order is as good)
    if workers < 2 or len(costs) <= workers or len(costs) > _ORDER_SEARCH or len(set(costs)) == 1:
        return lpt
    best, end = lpt, _makespan((costs[i] for i in lpt), workers)
    for order in itertools.permutations(lpt):
        finish = _makespan((costs[i] for i in order), workers)
        if finish < end * (1 - 1e-9):
            best, end = list(order), finish
    return best


def _fed(submit: Callable[[Any], Any], chunks: Iterable[tuple[Any, Any]], window: int,
         weigh: Callable[[Any], float] | None = None, workers: int = 1) -> Iterator[tuple[Any, Any]]:
    """As :func:`_bounded` (at most ``window`` chunks submitted and not yet
    consumed; (context, result) in reading order), with two differences.

    A thread submits the next chunk as soon as a result is taken, not when the
    caller asks for the next one: the caller merges a result for a while
    (Python, under the GIL), and meanwhile a worker that finished its task
    would sit idle. (Reading the input, for the main-process reader, happens
    in that thread too; an error raised there reaches the caller in its place.)

    Given ``weigh`` (a context's expected cost), the chunks are taken
    ``window`` at a time and each such block is submitted heaviest first, so
    that a large file at the end of a block does not leave one worker busy
    while the others wait (the last tasks are the small ones); a block of a
    few tasks goes in the order whose schedule on ``workers`` ends soonest
    (see :func:`_start_order`). The caller holds the results that arrive
    early until their turn: a block at most.
    """
    slots = threading.Semaphore(window)
    queue: SimpleQueue = SimpleQueue()
    stop = threading.Event()

    def feed() -> None:
        it, at, size = iter(chunks), 0, window if weigh else 1
        try:
            while True:
                block: list[tuple[int, Any, Any]] = []
                error = None
                try:
                    for payload, context in islice(it, size):
                        block.append((at, payload, context))
                        at += 1
                except BaseException as e:  # noqa: BLE001 (raised in its turn, after the chunks before it)
                    error = e
                if weigh:  # stable: ties in reading order
                    block = [block[i] for i in _start_order([weigh(item[2]) for item in block], workers)]
                for i, payload, context in block:
                    slots.acquire()
                    if stop.is_set():
                        return
                    queue.put((i, context, submit(payload)))
                if error is not None:
                    raise error
                if len(block) < size:
                    break
        except BaseException as error:  # noqa: BLE001 (handed to the caller)
            queue.put(error)
        queue.put(_DONE)

    feeder = threading.Thread(target=feed, name="newslib-feed", daemon=True)
    feeder.start()
    early: dict[int, tuple[Any, Any]] = {}  # submitted out of reading order, not yet yielded
    turn = 0
    try:
        while True:
            while turn not in early:
                item = queue.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                i, context, future = item
                early[i] = (context, future)
            context, future = early.pop(turn)
            part = future.result()
            slots.release()
            turn += 1
            yield context, part
    finally:
        stop.set()
        slots.release()  # wake the feeder if it waits for a slot
        feeder.join()


_WORKER_TASK: _Task | None = None  # set once per worker process (see _pool_map)
_WORKER_JOB: Callable[[_Task, Any], Any] = _run_chunk


def _install(task: _Task, job: Callable[[_Task, Any], Any]) -> None:
    global _WORKER_TASK, _WORKER_JOB
    _WORKER_TASK, _WORKER_JOB = task, job


def _run_installed(payload: Any) -> Any:
    assert _WORKER_TASK is not None, "worker started without its task"
    return _WORKER_JOB(_WORKER_TASK, payload)


def _pool_map(task: _Task, chunks: Iterable[tuple[Any, Any]], n_workers: int,
              job: Callable[[_Task, Any], Any] = _run_chunk, spread: _Spread | None = None
              ) -> Iterator[tuple[Any, Any]]:
    # The task (with the lexicon) goes to each worker once, not with every
    # chunk: its caches (name tries, key caches) then stay warm across chunks.
    # Tables every chunk needs are built here first: forked workers inherit them.
    stop_surfaces(**dict(task.norm))
    _word_table()
    with ProcessPoolExecutor(max_workers=n_workers, initializer=_install, initargs=(task, job)) as pool:
        if spread is not None:
            spread.map = pool.map
        try:
            yield from _fed(lambda c: pool.submit(_run_installed, c), chunks, 4 * n_workers,
                            lambda context: context.bytes if isinstance(context, _Files) else 0, n_workers)
        except BaseException:  # an error, or the caller stopped: tasks not started are dropped, not run
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _dask_map(task: _Task, chunks: Iterable[tuple[Any, Any]], n_workers: int, scheduler: Any,
              job: Callable[[_Task, Any], Any] = _run_chunk, spread: _Spread | None = None
              ) -> Iterator[tuple[Any, Any]]:
    """Chunks are submitted as they are read (not as one ``dask.bag`` built up
    front), so the client never holds the corpus; results come back in order."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if isinstance(scheduler, Client):
        client, own = scheduler, False
    elif scheduler:
        client, own = Client(scheduler), True
    else:
        # No dashboard, and the scheduler's HTTP routes (health, metrics) on a free
        # port rather than 8787, which another cluster may hold.
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"})
        client, own = Client(cluster), True
    try:
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or n_workers)
        # One copy of the task per worker, reused by every chunk there (warm caches).
        shared = client.scatter(task, broadcast=True, hash=False)
        if spread is not None:
            spread.map = lambda function, *iterables: client.gather(client.map(function, *iterables, pure=False))

        def submit(payload: Any) -> Any:
            if job is _run_rows:  # a partition of a Dask collection: computed there, when its turn comes
                payload = (client.compute(payload[0]), *payload[1:])
            return client.submit(job, shared, payload, pure=False)

        yield from _bounded(submit, lambda f: f.result(), chunks, window)
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- inputs


def _chrome(doc: Document) -> int:
    return sum(1 for r in doc.removed if r.rule not in NOT_CHROME)


def _records(source: Any, size: int, load_options: dict[str, Any], report: list[dict[str, str]],
             warnings: list[str], workers: int = 0, fields: bool = False, spread: _Spread | None = None
             ) -> tuple[Iterator[tuple[Any, Any]], int | None, Any, Any]:
    """Chunks of (worker payload, context), how many (when known), the loader
    that settles raw records (None for a loaded corpus), and the job that runs
    on each payload.

    A path is read by the loader itself, so the load report and ids are
    exactly :func:`newslib.load_corpus`'s. Either the main process reads and
    parses, and the workers clean (:func:`newslib.corpus.prepare_text`); or,
    with ``workers`` that see this machine's files, enough groups of files
    of even enough sizes (see :func:`_whole_files_pay`) and no metadata
    file, each worker reads whole files itself (see :func:`_run_files`; a
    large JSONL file is checked with ``spread`` and cut into spans, see
    :func:`_cut`). Either way the main process settles each record's report
    row and id in reading order.
    """
    columns = dict(load_options)  # column names, for a path or a Dask collection
    errors, clean = columns.pop("errors", "raise"), columns.pop("clean", True)
    if isinstance(source, (str, Path)):
        plan = _plan(Path(source), errors, clean, warnings, columns)
        files, meta_path, opts, where = plan
        opts.fields = fields  # the records bring their title, date ... (for Documents, see load_corpus)
        planned = list(_file_groups(files, size, _planned_cut)) if workers and meta_path is None else []
        if planned and _whole_files_pay(planned, workers):
            loader = _Loader(opts, where=where, defer=True)
            loader.report = report
            groups = _file_groups(files, size, lambda file, item: _cut(file, item, opts, spread or map))
            # How many spans a file makes is known once it is cut: the planned count is
            # then the progress bar's total, an upper bound (a span holds at least
            # _GROUP_BYTES, but for the last), set to the count at the end.
            total = len(planned)
            return (((g, where, opts, size), _Files(n)) for g, n in groups), total, loader, _run_files
        loader, pending = _open(source, errors=errors, clean=clean, report=report, warnings=warnings,
                                defer=True, plan=plan)

        def raw_chunks() -> Iterator[tuple[list[_Record], Any]]:
            for chunk in iter_chunks(pending, size):
                # the context keeps what settling needs, not the text
                yield [(p.raw, p.is_file) for p in chunk], [p._replace(raw="") for p in chunk]

        return raw_chunks(), None, loader, _run_chunk
    if _is_dask_collection(source):
        opts = _Options(errors=errors, clean=clean, columns=_column_names(columns), fields=fields)
        loader = _Loader(opts, defer=True)
        loader.report = report
        # One task per partition; each partition is computed by the worker that counts it.
        parts = source.to_delayed()
        tasks = (((d, f"partition-{i}", opts, size), _Files(0)) for i, d in enumerate(parts))
        return tasks, len(parts), loader, _run_rows
    if isinstance(source, Corpus):
        report.extend(source.load_report.to_dict("records"))
        warnings.extend(getattr(source, "warnings", []))
        docs = source.documents
    else:
        docs = list(source)
    recs = ((d.doc_id, d.text, _chrome(d)) for d in docs)
    return ((c, None) for c in iter_chunks(recs, size)), -(-len(docs) // size), None, _run_chunk


def _is_dask_collection(source: Any) -> bool:
    """A ``dask.dataframe.DataFrame`` or a ``dask.bag.Bag`` (without importing Dask)."""
    kind = type(source)
    return kind.__module__.split(".")[0] == "dask" and kind.__name__ in ("DataFrame", "Bag")


def _parts(results: Iterable[tuple[Any, Any]], report: list[dict[str, str]]) -> Iterator[tuple[Any, _Part]]:
    """(records to settle, part) in reading order; the load-report rows of
    whole files read by a worker join the report as their turn comes."""
    for context, result in results:
        if isinstance(context, _Files):
            rows, chunks = result
            report.extend(rows)
            for records, part in chunks:
                yield [p._replace(row=rows[p.row]) for p in records], part
        else:
            yield context, result


def _settle(loader: Any, pending: list[_Pending], part: _Part, documents: list[Document] | None = None) -> None:
    """Give the records of a raw chunk their report rows and final ids, in
    order (and, given ``documents``, append their Documents to it)."""
    ids, kept = [], []
    for p, (skip, repairs, notes) in zip(pending, part.statuses, strict=True):
        doc_id = loader.settle(p.item, p.given_id, p.repairs, Prepared(skip, "", "", [], repairs, notes), p.row)
        if doc_id is not None:
            ids.append(doc_id)
            kept.append(p)
    if part.mentions is not None and len(part.mentions):
        part.mentions["doc_id"] = [ids[int(i)] for i in part.mentions["doc_id"]]
    part.doc_ids = ids
    if documents is not None:
        documents += [_document(p.item, doc_id, p.fields, *cleaned)
                      for p, doc_id, cleaned in zip(kept, ids, part.cleaned, strict=True)]
        part.cleaned = []


# ---------------------------------------------------------------- merging


class _SurfaceTotals:
    """The surfaces of all chunks in the order the corpus first has them, and
    the corpus total of each.

    A chunk's surfaces arrive as an Arrow array. Chunks wait in a batch until
    it holds as many surfaces as are known already; the batch is then numbered
    in one Arrow dictionary encoding of the known surfaces followed by the
    batch's (C++ hashing, no Python object per surface; each surface is hashed
    a bounded number of times on average). Known surfaces come first and keep
    their numbers; new ones follow in order of first appearance, so the
    numbering is the corpus's whichever engine counted the chunks.
    """

    BATCH = 100_000  # surfaces a batch holds at least (fewer encodings while little is known)

    def __init__(self, opts: tuple, plan: bool = False) -> None:
        self.known = pa.array([], pa.large_string())
        self.surfaces: list[str] = []  # the same surfaces as Python strings (what a Vocabulary counts)
        self.totals = np.zeros(0, dtype=np.int64)
        self.opts = opts  # normalisation options of the base keys
        self.batch: list[tuple[Any, np.ndarray, Any]] = []
        self.waiting = 0
        # With a plan, the surfaces are keyed after the last chunk faster than
        # a Vocabulary would from the counts alone (see _KeyPlan).
        self.plan = _KeyPlan(opts) if plan else None

    def add(self, surfaces: Any, counts: np.ndarray, payload: Any = None) -> None:
        """Add a chunk's surface counts (its surfaces distinct, in an Arrow array)."""
        self.batch.append((surfaces, counts, payload))
        self.waiting += len(surfaces)
        if self.waiting >= max(len(self.known), self.BATCH):
            self.flush()

    def flush(self) -> None:
        """Number the waiting chunks' surfaces and add their counts."""
        if not self.batch:
            return
        encoded = pa.concat_arrays([self.known, *(names for names, _, _ in self.batch)]).dictionary_encode()
        ids = encoded.indices.to_numpy(zero_copy_only=False)
        new = encoded.dictionary[len(self.known) :].to_pylist()
        # Base keys of the new words now, while workers count the next chunks,
        # rather than all at the end (they depend on the word alone).
        self.take(new)
        at = len(self.known)
        self.known = encoded.dictionary
        self.surfaces += new
        self.totals = np.concatenate([self.totals, np.zeros(len(new), dtype=np.int64)])
        for names, counts, payload in self.batch:
            columns = ids[at : at + len(names)]
            at += len(names)
            self.totals[columns] += counts  # a chunk's surfaces are distinct
            self.placed(columns, payload)
        self.batch, self.waiting = [], 0

    def take(self, new: list[str]) -> None:
        """Compute the base keys of new surfaces."""
        if self.plan is None:
            _fill_bases(new, self.opts)
        else:
            self.plan.add(new)

    def placed(self, columns: np.ndarray, payload: Any) -> None:
        """A chunk's surfaces got their numbers ``columns`` (hook for subclasses)."""

    def counts(self) -> Counter:
        """Corpus count of every surface (what a :class:`Vocabulary` is built from)."""
        self.flush()
        out: Counter = Counter()
        dict.update(out, zip(self.surfaces, self.totals.tolist(), strict=True))  # one copy, not two
        return out

    def type_counts(self, options: dict[str, Any], built: tuple[Vocabulary, Any] | None = None
                    ) -> tuple[int, int, int]:
        """(tokens, types, content types) of the counted surfaces, as
        :meth:`newslib.Corpus.stats` counts them with a Vocabulary of ``options``.
        ``built``: that Vocabulary and its keys as numbers, already made from
        these counts (see :meth:`_SurfaceStack.vocabulary`): not made again."""
        if self.plan is None:
            vocab = built[0] if built is not None else Vocabulary(self.counts(), **options)
            return (sum(vocab.surface_counts.values()), len(vocab.key_counts(content_only=False)),
                    len(vocab.key_counts()))
        self.flush()
        keys, names = built[1] if built is not None else self.plan.decide(self.totals)[:2]
        used = names[np.unique(keys)].tolist()
        content = len(used) - int(Vocabulary(Counter(), **options).stop_mask(used).sum())
        return int(self.totals.sum()), len(used), content


class _SurfaceStack(_SurfaceTotals):
    """Chunk matrices with their columns re-indexed into one surface index.

    Blocks are kept compact (int32 counts and columns); :meth:`term_matrix`
    turns them into key columns one by one (see :func:`newslib.dtm.keyed_blocks`).
    """

    def __init__(self, opts: tuple, plan: bool = False) -> None:
        super().__init__(opts, plan)
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.some = False  # only some counted surfaces are columns (add_matrix's ``kept``)

    def vocabulary(self, dropped: Counter, options: dict[str, Any]) -> tuple[Vocabulary, Any]:
        """The vocabulary of the counted surfaces and the ``dropped`` stopwords
        (see :func:`newslib.dtm.stop_surfaces`), and its keys as numbers (or None)."""
        plan, order = self.plan, None
        if self.some:
            # The sure stopwords were counted here too: the same vocabulary, its
            # surfaces in the same order (the columns' surfaces first, then those).
            columns = self.columns()
            order = np.concatenate([np.flatnonzero(columns), np.flatnonzero(~columns)])
            counts = Counter()
            dict.update(counts, zip(map(self.surfaces.__getitem__, order.tolist()), self.totals[order].tolist(),
                                    strict=True))
            plan = plan.reordered(order) if plan is not None else None
        else:
            counts = self.counts()
            counts.update(dropped)
        if plan is None:
            return Vocabulary(counts, **options), None
        vocab, (keys, names) = plan.vocabulary(counts, **options)
        if order is not None:  # numbered as this index's surfaces (a copy: the vocabulary holds keys)
            mine = np.empty_like(keys)
            mine[order] = keys
            keys = mine
        return vocab, (keys, names)

    def columns(self) -> np.ndarray:
        """Which surfaces are columns of the blocks: all but the sure stopwords
        (add_matrix was given ``kept``)."""
        self.flush()
        out = np.zeros(len(self.surfaces), dtype=bool)
        for _, indices, _ in self.blocks:
            out[indices] = True
        return out

    def add_matrix(self, X: sp.csr_matrix, surfaces: Any, counts: np.ndarray | None = None,
                   kept: np.ndarray | None = None) -> None:
        """Add a chunk's matrix, whose columns are ``surfaces``; or, given
        ``kept``, ``surfaces[kept]``, all of ``surfaces`` being counted
        (``counts``: the statistics' surfaces, stopwords included)."""
        if kept is None:
            counts = np.asarray(X.sum(axis=0)).ravel()
        else:
            self.some = True
        self.add(surfaces, counts, (X, kept))

    def placed(self, columns: np.ndarray, payload: tuple[sp.csr_matrix, np.ndarray | None]) -> None:
        X, kept = payload
        if kept is not None:
            columns = columns[kept]
        data = X.data.astype(np.int32) if X.data.size and X.data.max() <= np.iinfo(np.int32).max else X.data
        self.blocks.append((data, columns[X.indices], X.indptr.astype(np.int64)))

    def term_matrix(self, doc_ids: list[str], vocab: Vocabulary, min_count: int, threads: int = 1,
                    numbered: Any = None) -> TermMatrix:
        """The keyed :class:`TermMatrix`; the surface blocks are consumed (``threads`` at a time)."""
        self.flush()
        columns = self.columns() if self.some else None  # the sure stopwords: counted, never columns
        return keyed_blocks(self.blocks, self.surfaces, self.totals, doc_ids, vocab, min_count, threads, numbered,
                            columns)


class _ReportLog:
    """The load report of a streamed pass: one row per item read, in reading order.

    The loader appends a row (a dict) per item; a record's row is filled in
    when the main process settles the record. Settled rows are moved, every
    ``COMPACT`` of them, out of the loader's list into a DataFrame block (the
    report's own column types): about 80 bytes a row instead of the 260 of a
    dict and its item name, so a pass over millions of articles does not keep
    a dict per article. The loader (in the main process's feeder thread, for
    some inputs) only appends to the list and only the main thread removes
    from it, and only rows before the first one still waiting to be settled.
    """

    COMPACT = 20_000

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows = rows  # the loader's list
        self.blocks: list[pd.DataFrame] = []
        self.moved = 0

    def __len__(self) -> int:
        return self.moved + len(self.rows)

    def compact(self) -> None:
        """Move the settled rows at the front of the list into a block, if there are enough."""
        if len(self.rows) < self.COMPACT:
            return
        rows = self.rows[:]  # one atomic copy: the feeder thread may append meanwhile
        settled = next((i for i, row in enumerate(rows) if not row["status"]), len(rows))
        if settled >= self.COMPACT:
            self.blocks.append(pd.DataFrame(rows[:settled], columns=REPORT_COLUMNS))
            del self.rows[:settled]
            self.moved += settled

    def frame(self) -> pd.DataFrame:
        """The whole report (as :attr:`newslib.Corpus.load_report`)."""
        blocks = list(self.blocks)
        if self.rows or not blocks:  # an empty frame's columns are of another type: not concatenated
            blocks.append(pd.DataFrame(self.rows[:], columns=REPORT_COLUMNS))
        return pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else blocks[0]

    def summary(self) -> tuple[dict[str, int], list[dict[str, str]]]:
        """Rows per status, and the item and reason of each skipped row (in order)."""
        status: Counter = Counter()
        skipped: list[dict[str, str]] = []
        for block in [*self.blocks, pd.DataFrame(self.rows, columns=REPORT_COLUMNS)]:
            status.update(block["status"].value_counts().to_dict())
            skipped += block.loc[block["status"] == "skipped", ["item", "reason"]].to_dict("records")
        return dict(status), skipped


@dataclass
class Analysis:
    """What :func:`analyze` computed: ``stats`` (dict), ``terms`` (TermMatrix),
    ``mentions`` (the DataFrame of :func:`newslib.actors.find_mentions`),
    ``load_report`` (as :attr:`newslib.Corpus.load_report`: one row per item
    read), and with ``documents=True`` the ``documents`` and the corpus's
    ``warnings`` (what :func:`load_corpus` makes a Corpus of)."""

    stats: dict[str, Any] | None = None
    terms: TermMatrix | None = None
    mentions: pd.DataFrame | None = None
    documents: list[Document] | None = None
    warnings: list[str] | None = None
    report_log: _ReportLog | None = field(default=None, repr=False)

    @cached_property
    def load_report(self) -> pd.DataFrame:
        """Made when first asked for: a pass over millions of articles keeps its rows compact."""
        return self.report_log.frame() if self.report_log is not None else pd.DataFrame(columns=REPORT_COLUMNS)


@gc_paused
def analyze(
    path_or_corpus: str | Path | Corpus,
    *,
    terms: bool = True,
    stats: bool = True,
    engine: str = "local",
    n_workers: int | None = None,
    scheduler: Any = None,
    chunk_size: int = 1000,
    progress: bool = False,
    vocabulary_options: dict[str, Any] | None = None,
    min_count: int = 1,
    lexicon: Any = None,
    metonyms: bool = False,
    types: Iterable[str] | None = None,
    vocabulary: Vocabulary | None = None,
    documents: bool = False,
    keep_raw: bool = True,
    **load_options: Any,
) -> Analysis:
    """One streaming pass computing the term matrix, the corpus statistics
    and, given a ``lexicon``, the actor mentions. Asked for both, the term
    matrix and the statistics share one count of the words and one decision
    of their keys (faster than two passes, or one pass keeping two counts).

    Parameters
    ----------
    path_or_corpus : a path :func:`newslib.load_corpus` accepts (read and
        cleaned lazily, document by document), a loaded :class:`~newslib.Corpus`,
        or, with ``engine="dask"``, a Dask collection of articles already on
        the cluster: a ``dask.dataframe`` (one row per article, columns found
        as in a CSV export) or a ``dask.bag`` of dicts. Each partition is
        computed and counted by a worker; row ``i`` of partition ``p`` is the
        item ``partition-p#i`` of the load report.
    engine : ``"local"``, ``"processes"`` or ``"dask"`` (see the module notes).
    n_workers : processes for ``"processes"`` and a local Dask cluster;
        default ``os.cpu_count()``.
    scheduler : Dask scheduler address or ``dask.distributed.Client``; without
        it the ``"dask"`` engine starts (and closes) a ``LocalCluster``.
    chunk_size : documents per chunk.
    progress : show a progress bar on stderr (tqdm; one tick per chunk, or per
        group of whole files read by a worker).
    vocabulary_options : as for :func:`newslib.load_corpus` (a Corpus brings
        its own; these override them).
    lexicon, metonyms, types : as for :func:`newslib.actors.find_mentions`
        (mentions are found per document, so chunks simply concatenate).
    vocabulary : the :class:`~newslib.Vocabulary` to key the term matrix
        with, instead of one built from the counted surfaces: a loaded
        corpus's own (``corpus.vocabulary``, built from the same counts).
    documents, keep_raw : also make the Documents of a path, as
        :func:`newslib.load_corpus` does (with or without their raw texts).
    load_options : ``errors``, ``clean`` and column names, for paths and Dask collections.
    """
    collection = _is_dask_collection(path_or_corpus)
    if collection and engine != "dask":
        raise ValueError(f"a Dask collection is counted on its cluster: use engine='dask', not {engine!r}")
    vopts = dict(path_or_corpus.vocabulary_options) if isinstance(path_or_corpus, Corpus) else {}
    vopts.update(vocabulary_options or {})
    norm = tuple(sorted((k, v) for k, v in vopts.items() if k not in _VOCAB_ONLY))
    task = _Task(terms=terms, stats=stats, norm=norm, lexicon=lexicon, metonyms=metonyms,
                 types=tuple(types) if types is not None else None,
                 prepare=collection or isinstance(path_or_corpus, (str, Path)),
                 clean=load_options.get("clean", True), documents=documents, keep_raw=keep_raw)
    if documents and not task.prepare:
        raise ValueError("documents are made from a path or a Dask collection, not from loaded documents")
    report: list[dict[str, str]] = []
    warnings: list[str] = []
    # Workers read whole files themselves when there are enough files, of even
    # enough sizes, to share out (see _whole_files_pay), and when they see this
    # machine's files: not on a cluster given by address, whose workers get the
    # text from here.
    cores = n_workers or os.cpu_count() or 1
    near = engine == "processes" or (engine == "dask" and scheduler is None)
    readers = cores if near else 0
    spread = _Spread()
    chunks, total, loader, job = _records(path_or_corpus, chunk_size, dict(load_options), report, warnings, readers,
                                          fields=documents, spread=spread)

    opts = _options(dict(norm))
    plan = not vopts.get("stem", False)  # a _KeyPlan keys as Vocabulary does, without stemming
    # Terms and statistics count the same words (the matrix only leaves out
    # the sure stopwords' columns): one surface index serves both, so each
    # chunk is numbered once and the keys are decided once.
    shared = terms and stats
    stack = _SurfaceStack(opts, plan=plan and (vocabulary is None or shared))
    totals = stack if shared else _SurfaceTotals(opts, plan=plan)
    log = _ReportLog(report)
    doc_ids: list[str] = []  # the term matrix's rows; otherwise only counted (a pass may see millions)
    n_docs = n_par = n_sent = chrome = arabic_tokens = 0
    arabic = False
    mentions: list[pd.DataFrame] = []
    dropped: Counter = Counter()
    docs: list[Document] | None = [] if documents else None
    for pending, part in _parts(_map_chunks(task, chunks, engine, n_workers, scheduler, progress, total, job, spread),
                                report):
        if pending is not None:
            _settle(loader, pending, part, docs)
        log.compact()
        n_docs += len(part.doc_ids)
        if terms:
            doc_ids += part.doc_ids
        if part.mentions is not None:
            mentions.append(part.mentions)
        if shared:
            stack.add_matrix(part.X, part.all_surfaces, part.all_counts, part.kept)
        elif terms:
            stack.add_matrix(part.X, part.surfaces)
            dropped.update(part.dropped)
        elif stats:
            totals.add(part.all_surfaces, part.all_counts)
        if stats:
            n_par += part.paragraphs
            n_sent += part.sentences
            chrome += part.chrome
            arabic_tokens += part.arabic_tokens
            arabic = arabic or part.arabic

    out = Analysis(report_log=log)
    if lexicon is not None:
        out.mentions = _concat_mentions(mentions, lexicon, metonyms, types)
    built = None  # the vocabulary of the counts and its keys as numbers, when made here
    if terms:
        # As document_term_matrix: the counted surfaces, then the dropped stopwords (see stop_surfaces).
        numbered = None
        if vocabulary is None:
            vocabulary, numbered = built = stack.vocabulary(dropped, vopts)
        # The "processes" engine has the cores to itself: the blocks are keyed on all of them.
        threads = cores if engine == "processes" else 1
        out.terms = stack.term_matrix(doc_ids, vocabulary, min_count, threads, numbered)
    if isinstance(path_or_corpus, (str, Path)) and (stats or documents):
        if not stats:  # the workers look for Arabic letters for the statistics only
            arabic = any(_ARABIC_LETTER.search(d.text) for d in docs or ())
        warnings += _corpus_warnings(n_docs, arabic, len(log), path_or_corpus)
    if documents:
        out.documents, out.warnings = docs, list(warnings)
    if stats:
        out.stats = _stats(totals.type_counts(vopts, built if shared else None), log, warnings, documents=n_docs,
                           paragraphs=n_par, sentences=n_sent, arabic_tokens=arabic_tokens,
                           chrome=chrome)
    return out


def _concat_mentions(frames: list[pd.DataFrame], lexicon: Any, metonyms: bool,
                     types: Iterable[str] | None) -> pd.DataFrame:
    """Chunks' mentions in document order; ``attrs["units"]`` summed."""
    if not frames:  # no document at all: the empty frame find_mentions gives
        from .actors import find_mentions

        return find_mentions([], lexicon, metonyms, types=types)
    rows = [f for f in frames if len(f)]
    out = pd.concat(rows, ignore_index=True) if rows else frames[0]
    out.attrs = {**frames[0].attrs,
                 "units": {u: sum(f.attrs["units"][u] for f in frames) for u in frames[0].attrs["units"]}}
    return out


def mentions(path_or_corpus: str | Path | Corpus, lexicon: Any, *, engine: str = "local",
             n_workers: int | None = None, scheduler: Any = None, chunk_size: int = 1000,
             progress: bool = False, **options: Any) -> pd.DataFrame:
    """:func:`newslib.actors.find_mentions` over a corpus, chunk by chunk.

    ``options``: ``metonyms``, ``types`` and load options. Identical result on
    every engine; feed it to co-occurrence as the in-memory mentions.
    """
    return analyze(path_or_corpus, terms=False, stats=False, lexicon=lexicon, engine=engine,
                   n_workers=n_workers, scheduler=scheduler, chunk_size=chunk_size,
                   progress=progress, **options).mentions


def _corpus_warnings(n_docs: int, arabic: bool, n_items: int, path: str | Path) -> list[str]:
    """The corpus-wide warnings :func:`newslib.load_corpus` adds (same words)."""
    if n_docs and not arabic:
        return [f"no Arabic letters in any of the {n_docs} documents: newslib is built for Arabic; "
                "check the corpus path and the text column"]
    if not n_docs:
        return [f"no documents loaded from {path}: {n_items} item(s) seen, all skipped" if n_items
                else f"no documents loaded from {path}: no .txt, {' '.join(sorted(TABULAR))} "
                "or .zip files found"]
    return []


def _stats(type_counts: tuple[int, int, int], report: _ReportLog, warnings: list[str], *, documents: int,
           paragraphs: int, sentences: int, arabic_tokens: int, chrome: int) -> dict[str, Any]:
    """The dict of :meth:`newslib.Corpus.stats` from merged parts (same keys, same order);
    ``type_counts`` as :meth:`_SurfaceTotals.type_counts` gives them."""
    status, skipped = report.summary()
    tokens, types, content_types = type_counts
    if documents and not tokens:  # as Corpus.stats
        warnings = [*warnings, f"no word tokens in the {documents} document(s): only punctuation or symbols"]
    return {
        "documents": documents,
        "paragraphs": paragraphs,
        "sentences": sentences,
        "tokens": tokens,
        "arabic_tokens": arabic_tokens,
        "types": types,
        "content_types": content_types,
        "chrome_lines_removed": chrome,
        "items_seen": len(report),
        "loaded": int(status.get("loaded", 0)),
        "recovered": int(status.get("recovered", 0)),
        "skipped": int(status.get("skipped", 0)),
        "skipped_items": skipped,
        "warnings": list(warnings),
    }


def load_corpus(path: str | Path, *, engine: str = "processes", n_workers: int | None = None,
                scheduler: Any = None, chunk_size: int = 1000, progress: bool = False, keep_raw: bool = True,
                vocabulary_options: dict[str, Any] | None = None, **load_options: Any) -> Corpus:
    """:func:`newslib.load_corpus` with the records cleaned on ``engine`` (by
    default all local cores): the same Corpus, its documents, ids, load report
    and warnings. The workers read, repair and clean; the main process settles
    ids in reading order and keeps the documents.

    >>> from newslib import load_corpus as load_here
    >>> load_corpus("data", engine="local").documents == load_here("data").documents
    True
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"load_corpus reads a path, not a {type(path).__name__}")
    out = analyze(path, terms=False, stats=False, documents=True, keep_raw=keep_raw, engine=engine,
                  n_workers=n_workers, scheduler=scheduler, chunk_size=chunk_size, progress=progress,
                  **load_options)
    corpus = Corpus(out.documents or [], out.load_report, vocabulary_options or {}, source=str(path))
    corpus.warnings.extend(out.warnings or [])
    return corpus


def term_matrix(path_or_corpus: str | Path | Corpus, *, engine: str = "local", n_workers: int | None = None,
                scheduler: Any = None, chunk_size: int = 1000, progress: bool = False,
                **options: Any) -> TermMatrix:
    """The :func:`newslib.dtm.document_term_matrix` of a corpus, built chunk by chunk.

    Same arguments as :func:`analyze` (``min_count``, ``vocabulary_options``,
    load options). Identical result on every engine.
    """
    return analyze(path_or_corpus, terms=True, stats=False, engine=engine, n_workers=n_workers,
                   scheduler=scheduler, chunk_size=chunk_size, progress=progress, **options).terms


def corpus_stats(path_or_corpus: str | Path | Corpus, *, engine: str = "local", n_workers: int | None = None,
                 scheduler: Any = None, chunk_size: int = 1000, progress: bool = False,
                 **options: Any) -> dict[str, Any]:
    """The ``newslib stats`` summary (as :meth:`newslib.Corpus.stats`), built chunk by chunk.

    Memory grows with the vocabulary, not with the corpus.
    """
    return analyze(path_or_corpus, terms=False, stats=True, engine=engine, n_workers=n_workers,
                   scheduler=scheduler, chunk_size=chunk_size, progress=progress, **options).stats
