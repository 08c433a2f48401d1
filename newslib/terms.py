"""Term statistics: frequencies, n-grams, distinctive terms, keyness, KWIC, type/token.

Every function takes a :class:`~newslib.Corpus` and returns a tidy
``DataFrame`` with the normalised ``key`` a term is counted under and its
``display`` form (the spelling to show a reader), beside the counts.

Counting goes through scikit-learn and SciPy: word counts come from
:func:`newslib.dtm.document_term_matrix` (computed once per corpus, see
:func:`term_matrix`), n-grams from the runs of content words of each sentence,
read once as integer ids and counted in NumPy (see :func:`ngrams`), TF-IDF
from ``TfidfTransformer`` on the same matrix.

Corpus sizes ("tokens", the denominators of relative frequencies and of
keyness) are *all* word tokens, stopwords and numbers included, as corpus
linguistics tools count a corpus; the terms themselves are content words.

>>> import newslib
>>> corpus = newslib.load_corpus("data")
>>> term_frequencies(corpus, top=3)["display"].tolist()
['سورية', 'أمن', 'دول']
"""

from __future__ import annotations

import bisect
import math
import re
import weakref
from array import array
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import xlogy
from scipy.stats import chi2
from sklearn.feature_extraction.text import TfidfTransformer

from ._gc import gc_paused
from .dtm import TermMatrix, _release_freed_memory, _same_cells
from .text import TATWEEL
from .tokens import TOKEN_PATTERN, Unit, Vocabulary, _base, _cut_surface, _word_runs, paragraphs, sentences

__all__ = [
    "term_matrix",
    "term_frequencies",
    "document_frequencies",
    "ngrams",
    "distinctive_terms",
    "keyness",
    "kwic",
    "type_token_stats",
]

PER = 10_000  # relative frequencies are per 10,000 tokens
CORPUS_ROW = "(corpus)"  # doc_id of the whole-corpus row in type_token_stats

# One term matrix per corpus object: the notebooks ask for frequencies,
# TF-IDF and keyness of the same corpus, and counting it once is the point.
_MATRICES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def term_matrix(corpus: Any, *, engine: str = "local", **engine_options: Any) -> TermMatrix:
    """The documents x content-keys matrix of ``corpus`` (computed once per corpus).

    Keys agree with ``corpus.tokens``. ``engine="processes"`` or ``"dask"``
    (with ``scheduler=``, ``n_workers=``) counts on all cores or a cluster,
    with the same result (:func:`newslib.engine.term_matrix`).
    """
    hit = _MATRICES.get(corpus)
    if hit is None:
        from .engine import term_matrix as on_engine

        # Counted a chunk of documents at a time (memory: about the matrix,
        # not the corpus's tokens) and keyed with the corpus's own vocabulary.
        options = {"vocabulary": corpus.vocabulary} if engine == "local" else {}
        hit = on_engine(corpus, engine=engine, **options, **engine_options)
        _MATRICES[corpus] = hit
    return hit


_SIZES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _doc_tokens(corpus: Any) -> np.ndarray:
    """Word tokens per document (stopwords and numbers included), counted once
    per corpus as its term matrix is (keyness of several groups, frequencies and
    n-grams each need them: 0.4 s of regex a time on 11,000 articles). Read-only."""
    try:
        hit = _SIZES.get(corpus)
    except TypeError:  # an object no weak reference can point to: counted each time
        hit, cache = None, False
    else:
        cache = True
    if hit is None:
        hit = np.fromiter((len(TOKEN_PATTERN.findall(t)) for t in corpus.texts), dtype=np.int64, count=len(corpus))
        hit.flags.writeable = False
        if cache:
            _SIZES[corpus] = hit
    return hit


def _top(frame: pd.DataFrame, top: int | None) -> pd.DataFrame:
    return frame if top is None else frame.head(top).reset_index(drop=True)


# ---------------------------------------------------------------- frequencies


def term_frequencies(corpus: Any, top: int | None = None) -> pd.DataFrame:
    """Content words of the corpus, most frequent first.

    Columns: ``rank``, ``key``, ``display``, ``count`` (tokens in the
    corpus), ``docs`` (documents it occurs in) and ``per_10k`` (count per
    10,000 word tokens of the corpus). Ties are broken by key, so the order
    is stable.

    >>> import newslib
    >>> row = term_frequencies(newslib.load_corpus("data"), top=1).iloc[0]
    >>> row["display"], int(row["count"]), int(row["docs"])
    ('سورية', 77, 5)
    """
    m = term_matrix(corpus)
    total = int(_doc_tokens(corpus).sum())
    out = m.terms.copy()
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["per_10k"] = out["count"] * PER / max(total, 1)
    return _top(out, top)


def document_frequencies(corpus: Any, top: int | None = None) -> pd.DataFrame:
    """Per-document counts as a long table (one row per document and term).

    Columns: ``doc_id``, ``rank`` (within the document), ``key``,
    ``display``, ``count``, ``per_10k`` (per 10,000 word tokens of that
    document). Documents keep corpus order; ``top`` keeps each document's
    ``top`` most frequent terms.
    """
    m = term_matrix(corpus)
    coo = m.matrix.tocoo()
    sizes = _doc_tokens(corpus)
    out = pd.DataFrame(
        {
            "doc": coo.row,
            "key": m.terms["key"].to_numpy()[coo.col],
            "display": m.terms["display"].to_numpy()[coo.col],
            "count": coo.data,
        }
    )
    out["per_10k"] = out["count"] * PER / np.maximum(sizes[out["doc"]], 1)
    out = out.sort_values(["doc", "count", "key"], ascending=[True, False, True], ignore_index=True)
    out.insert(1, "rank", out.groupby("doc").cumcount() + 1)
    if top is not None:
        out = out[out["rank"] <= top]
    out.insert(0, "doc_id", np.asarray(m.doc_ids, dtype=object)[out["doc"]])
    return out.drop(columns="doc").reset_index(drop=True)


# ---------------------------------------------------------------- n-grams


def _lead_form(vocab: Vocabulary, surface: str) -> str:
    """``surface`` without leading particles (و ف ب ل ك), keeping the article.

    The first word of a phrase is often «والأمن» or «للأمن»; the phrase reads
    «الأمن الجماعي». Inner words stay as written.
    """
    cut = vocab._bare(surface)[1]
    if not cut:
        return surface
    rest = _cut_surface(surface, cut)
    if _base(surface, vocab.options)[1]:  # the word had an article: keep it
        return "ال" + rest
    return rest


class _Numbering(dict):
    """str -> int: a new key gets the next number."""

    def __missing__(self, key: str) -> int:
        self[key] = number = len(self)
        return number


class _PhraseWords:
    """The runs of content words of a corpus's sentences, as integer ids.

    An n-gram is ``n`` content words in a row inside one sentence. A stopword
    (or number, or too-short word) between two content words breaks it, and so
    does punctuation when ``punctuation_breaks`` (only white space may
    separate the words of a phrase). Each content word type gets three ids, in
    ``strings``: its key, its form as a phrase's first word (``_lead_form``)
    and as a later word (as written, without tatweel).
    """

    def __init__(self, vocab: Vocabulary, punctuation_breaks: bool = True) -> None:
        self.vocab = vocab
        # Words, and with punctuation_breaks every other visible character as
        # an item of its own that breaks the run.
        self.pattern = re.compile(rf"(?:{TOKEN_PATTERN.pattern})|\S") if punctuation_breaks else TOKEN_PATTERN
        self.strings: list[str] = []

    def read(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(word ids: one row of three per content word, in text order; the
        run of each word, numbered in order; the document of each run)."""
        # Each item becomes the number of its type as it is read (a dict look-up
        # in C; a Python call only for a new type), so no token's string is kept.
        index = _Numbering()
        index[""] = 0  # ends a sentence's last run ("" is never an item)
        codes = array("q")
        per_doc: list[int] = []
        for text in texts:
            before = len(codes)
            for u in sentences(text):
                codes.extend(map(index.__getitem__, self.pattern.findall(text[u.start : u.end])))
                codes.append(0)
            per_doc.append(len(codes) - before)
        codes = np.frombuffer(codes, dtype=np.int64)
        types = list(index)
        words = [i for i, t in enumerate(types) if TOKEN_PATTERN.match(t)]
        keys = self.vocab.keys([types[i] for i in words])
        stop = self.vocab.stop_mask(keys)
        content = np.zeros(len(types), dtype=bool)
        info = np.zeros((len(types), 3), dtype=np.int64)
        string = _Numbering()  # the strings of the ids, in order of first use
        for i, key, is_stop in zip(words, keys, stop.tolist(), strict=True):
            if not is_stop:
                surface = types[i]
                content[i] = True
                info[i] = (string[key], string[_lead_form(self.vocab, surface).replace(TATWEEL, "")],
                           string[surface.replace(TATWEEL, "")])
        self.strings = list(string)
        token_content = content[codes]
        starts = token_content.copy()
        starts[1:] &= ~token_content[:-1]  # a content word after anything else starts a run
        at = np.flatnonzero(token_content)
        run = np.cumsum(starts)[at] - 1
        doc = np.repeat(np.arange(len(per_doc), dtype=np.int64), per_doc)
        return info[codes[at]], run, doc[np.flatnonzero(starts)]


def _codes(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One code per row of the id ``columns`` (equal rows, equal codes;
    numbered in order of first appearance), and the first row of each code.
    Pairs are numbered a column at a time (hashing, in pandas), so no product
    of ids outgrows an int64."""
    code = columns[0]
    for column in columns[1:]:
        code = pd.factorize(code * (int(column.max()) + 1) + column)[0]
    code = pd.factorize(code)[0]
    first = np.empty(int(code.max()) + 1 if len(code) else 0, dtype=np.int64)
    first[code[::-1]] = np.arange(len(code) - 1, -1, -1)  # the earliest row writes last
    return code, first


@gc_paused
def ngrams(
    corpus: Any,
    n: int | Iterable[int] = 2,
    min_count: int = 2,
    *,
    punctuation_breaks: bool = True,
    top: int | None = None,
) -> pd.DataFrame:
    """Phrases of ``n`` adjacent content words that never cross a sentence end.

    Words are adjacent in the sentence's full token sequence, stopwords
    included, so a stopword between two content words breaks the n-gram:
    «جبهة موحدة لمواجهة الإرهاب في سورية» gives the bigrams «جبهة موحدة»,
    «موحدة مواجهة» and «مواجهة إرهاب» (the «لـ» is a clitic, not a word), but
    not «إرهاب سورية», which «في» separates. With ``punctuation_breaks``
    (default) a comma, colon, quote or dash between two words breaks it too.

    Columns: ``n``, ``key`` (the words' keys joined by a space),
    ``display`` (the most frequent spelling of the phrase, its first word
    without و ف ب ل ك, e.g. «الأمن الجماعي» for «للأمن الجماعي»; ties: the
    first in code-point order), ``count``, ``docs``, ``per_10k``; n-grams
    seen fewer than ``min_count`` times are dropped. ``n=(2, 3)`` counts
    bigrams and trigrams in one pass (sorted by ``n``, then count).

    Words are read once, as integer ids per word type, and the n-grams are
    counted in NumPy: no string is built for an n-gram below ``min_count``
    (most of them occur once).
    """
    ns = (n,) if isinstance(n, int) else tuple(sorted(set(n)))
    if not ns or not all(isinstance(k, int) and k >= 2 for k in ns):
        raise ValueError(f"n must be an integer >= 2 or several, not {n!r}")
    columns = ["n", "key", "display", "count", "docs", "per_10k"]
    reader = _PhraseWords(corpus.vocabulary, punctuation_breaks)
    ids, run, run_doc = reader.read(corpus.texts)
    strings = np.asarray(reader.strings, dtype=object)
    frames = []
    for size in ns:
        # n-grams start where the run still holds size words.
        starts = np.flatnonzero(run[: len(run) - size + 1] == run[size - 1 :]) if len(run) >= size else []
        if not len(starts):
            continue
        keys = [ids[starts + j, 0] for j in range(size)]
        gram, first = _codes(keys)
        count = np.bincount(gram)
        # Documents per n-gram: distinct (n-gram, document) pairs.
        _, in_doc = _codes([gram, run_doc[run[starts]]])
        docs = np.bincount(gram[in_doc], minlength=len(count))
        kept = np.flatnonzero(count >= min_count)  # none: an empty frame of the right types
        # Spellings: the first word's lead form, then the others as written.
        spelling, _ = _codes([ids[starts, 1]] + [ids[starts + j, 2] for j in range(1, size)])
        pair, pair_first = _codes([gram, spelling])
        pair_count = np.bincount(pair)
        pair_gram = gram[pair_first]
        # The most frequent spelling of each kept n-gram; the strings are built
        # only for the spellings that tie for it.
        wanted = np.isin(pair_gram, kept)
        pair_gram, pair_count, pair_first = pair_gram[wanted], pair_count[wanted], pair_first[wanted]
        best = np.zeros(len(count), dtype=np.int64)
        np.maximum.at(best, pair_gram, pair_count)
        top_pairs = np.flatnonzero(pair_count == best[pair_gram])
        at = starts[pair_first[top_pairs]]
        spelled = [" ".join(parts) for parts in zip(
            strings[ids[at, 1]], *(strings[ids[at + j, 2]] for j in range(1, size)), strict=True)]
        display: dict[int, str] = {}
        for g, text in zip(pair_gram[top_pairs].tolist(), spelled, strict=True):
            if g not in display or text < display[g]:
                display[g] = text
        at = starts[first[kept]]
        frames.append(pd.DataFrame({
            "n": np.full(len(kept), size, dtype=np.int64),
            # pandas' string type, which an empty column would not infer
            "key": pd.array([" ".join(parts) for parts in zip(*(strings[ids[at + j, 0]] for j in range(size)),
                                                              strict=True)], dtype="str"),
            "display": pd.array([display[g] for g in kept.tolist()], dtype="str"),
            "count": count[kept],
            "docs": docs[kept],
        }))
    if not frames:  # no n-gram at all
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    out["per_10k"] = out["count"] * PER / max(int(_doc_tokens(corpus).sum()), 1)
    out = out.sort_values(["n", "count", "key"], ascending=[True, False, True], ignore_index=True)
    return _top(out[columns], top)


# ---------------------------------------------------------------- TF-IDF


def distinctive_terms(corpus: Any, top: int = 10, min_count: int = 1) -> pd.DataFrame:
    """The terms that set each document apart: TF-IDF on the term matrix.

    scikit-learn's ``TfidfTransformer`` with its defaults (smoothed idf,
    rows normalised to unit length). Long table: ``doc_id``, ``rank``,
    ``key``, ``display``, ``count`` (in the document), ``docs`` (documents
    with the term), ``tfidf``; the ``top`` terms per document with at least
    ``min_count`` occurrences in it.
    """
    m = term_matrix(corpus)
    X = m.matrix.tocsr()
    X.sort_indices()
    # The idf of the whole matrix, then TF-IDF a block of documents at a time
    # (each row is weighted and normalised on its own, so the values are those
    # of the whole matrix) and only the top cells of each block are kept: no
    # TF-IDF copy of the whole matrix.
    transformer = TfidfTransformer().fit(X)
    keys = m.terms["key"].tolist()
    key_order = np.empty(len(keys), dtype=np.int64)  # ties in TF-IDF: the key first in code-point order
    key_order[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    empty = np.zeros(0, dtype=np.int64)
    picked = [(empty, empty, empty, np.zeros(0))]
    for lo in range(0, X.shape[0], _TFIDF_BLOCK):
        hi = min(lo + _TFIDF_BLOCK, X.shape[0])
        block = X[lo:hi]
        W = transformer.transform(block).tocsr()
        W.sort_indices()
        # The cells of the counts (a count > 0 has a TF-IDF > 0): W's values line up with X's.
        if _same_cells(W, block):
            tfidf = W.data
        else:  # not seen; one look-up per cell
            tfidf = np.asarray(W[np.repeat(np.arange(hi - lo), np.diff(block.indptr)), block.indices]).ravel()
        doc = np.repeat(np.arange(lo, hi), np.diff(block.indptr))
        cells = np.arange(X.indptr[lo], X.indptr[hi])
        kept = X.data[cells] >= min_count
        doc, cells, tfidf = doc[kept], cells[kept], tfidf[kept]
        order = np.lexsort((key_order[X.indices[cells]], -tfidf, doc))
        doc, cells, tfidf = doc[order], cells[order], tfidf[order]
        rank = np.arange(len(doc)) - np.searchsorted(doc, doc) + 1  # sorted by document: place in its row
        kept = rank <= top
        picked.append((doc[kept], cells[kept], rank[kept], tfidf[kept]))
    doc, cells, rank, tfidf = (np.concatenate(parts) for parts in zip(*picked, strict=True))
    _release_freed_memory()  # the blocks' TF-IDF, freed in glibc's heap: back to the system
    col = X.indices[cells]
    return pd.DataFrame(
        {
            "doc_id": np.asarray(m.doc_ids, dtype=object)[doc],
            "rank": rank,
            "key": m.terms["key"].to_numpy()[col],
            "display": m.terms["display"].to_numpy()[col],
            "count": X.data[cells],
            "docs": m.terms["docs"].to_numpy()[col],
            "tfidf": tfidf,
        }
    )


_TFIDF_BLOCK = 4096  # documents ranked at once by distinctive_terms


# ---------------------------------------------------------------- keyness


def _positions(corpus: Any, docs: Iterable[str | int], what: str) -> np.ndarray:
    index = {d.doc_id: i for i, d in enumerate(corpus)}
    out = []
    for d in docs:
        if isinstance(d, str):
            if d not in index:
                raise ValueError(f"{what}: no document {d!r} in the corpus")
            out.append(index[d])
        elif isinstance(d, int | np.integer) and -len(corpus) <= d < len(corpus):
            out.append(int(d) % len(corpus))
        else:
            raise ValueError(f"{what}: {d!r} is neither a doc_id nor a document position")
    if not out:
        raise ValueError(f"{what}: no documents given")
    return np.unique(out)


def keyness(
    corpus: Any,
    target_docs: Iterable[str | int],
    reference_docs: Iterable[str | int] | None = None,
    *,
    formula: str = "2-term",
    min_count: int = 1,
    top: int | None = None,
) -> pd.DataFrame:
    """Keyness of a group of documents against a reference group (default: the rest).

    For each content word with frequency ``a`` in the target (``c`` word
    tokens) and ``b`` in the reference (``d`` tokens), expected frequencies
    are ``E1 = c(a+b)/(c+d)``, ``E2 = d(a+b)/(c+d)`` and

    - ``g2``: log-likelihood ``G² = 2(a ln(a/E1) + b ln(b/E2))``, the form of
      Rayson & Garside (2000) computed by the UCREL log-likelihood wizard
      (``formula="2-term"``); ``formula="4-term"`` adds the cells of the
      other words, ``(c-a)`` and ``(d-b)``, for Dunning's (1993) full
      contingency table (AntConc's default);
    - ``p``: the chance of a G² this large with no difference, from chi²
      with one degree of freedom (3.84 ↔ p = 0.05, 6.63 ↔ 0.01, 15.13 ↔ 0.0001);
    - ``log_ratio``: effect size (Hardie 2014), ``log2`` of the ratio of
      relative frequencies, a zero frequency counted as 0.5; +1 means twice
      as frequent in the target;
    - ``percent_diff``: %DIFF (Gabrielatos & Marchi 2012), infinite when the
      reference never has the word;
    - ``sign``: ``+`` overuse in the target, ``-`` underuse;
    - ``docs_target``, ``docs_reference``: documents of each group with the
      word, to tell a group's vocabulary from one article's.

    Sorted by ``g2`` (largest first), then key. Terms with ``a + b`` below
    ``min_count`` are dropped.
    """
    if formula not in ("2-term", "4-term"):
        raise ValueError("formula must be '2-term' (Rayson & Garside) or '4-term' (Dunning)")
    target = _positions(corpus, target_docs, "target_docs")
    if reference_docs is None:
        reference = np.setdiff1d(np.arange(len(corpus)), target)
        if not len(reference):
            raise ValueError("target_docs covers the whole corpus: nothing is left to compare against")
    else:
        reference = _positions(corpus, reference_docs, "reference_docs")
        if np.intersect1d(target, reference).size:
            raise ValueError("target_docs and reference_docs overlap")
    m = term_matrix(corpus)
    sizes = _doc_tokens(corpus)
    # Both groups' totals by one product with a 2 x documents indicator, so
    # neither group's rows are copied out of the matrix (the reference is
    # usually most of it); document counts likewise, from a 0/1 matrix that
    # shares the term matrix's indices (a stored zero counts as absent, as before).
    X = m.matrix.tocsr()
    groups = sp.csr_matrix(
        (np.ones(len(target) + len(reference), dtype=np.int64),
         (np.repeat([0, 1], [len(target), len(reference)]), np.concatenate([target, reference]))),
        shape=(2, X.shape[0]),
    )
    present = sp.csr_matrix(((X.data > 0).astype(np.int8), X.indices, X.indptr), shape=X.shape)
    (a, b), (docs_a, docs_b) = (groups @ X).toarray().astype(float), (groups @ present).toarray()
    c, d = float(sizes[target].sum()), float(sizes[reference].sum())
    keep = (a + b >= min_count) & (a + b > 0)
    a, b = a[keep], b[keep]
    e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
    g2 = 2 * (xlogy(a, a / e1) + xlogy(b, b / e2))
    if formula == "4-term":
        g2 += 2 * (xlogy(c - a, (c - a) / (c - e1)) + xlogy(d - b, (d - b) / (d - e2)))
    g2 = np.maximum(g2, 0.0)  # rounding can leave -1e-15 where the frequencies are equal
    rel_a, rel_b = a / c, b / d
    with np.errstate(divide="ignore", invalid="ignore"):
        percent_diff = np.where(b > 0, (rel_a - rel_b) * 100 / rel_b, np.inf)
    out = pd.DataFrame(
        {
            "key": m.terms["key"].to_numpy()[keep],
            "display": m.terms["display"].to_numpy()[keep],
            "target": a.astype(np.int64),
            "reference": b.astype(np.int64),
            "docs_target": docs_a[keep],
            "docs_reference": docs_b[keep],
            "target_per_10k": rel_a * PER,
            "reference_per_10k": rel_b * PER,
            "g2": g2,
            "p": chi2.sf(g2, 1),
            "log_ratio": np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d)),
            "percent_diff": percent_diff,
            "sign": np.where(rel_a > rel_b, "+", np.where(rel_a < rel_b, "-", "=")),
        }
    )
    out = out.sort_values(["g2", "key"], ascending=[False, True], ignore_index=True)
    return _top(out, top)


# ---------------------------------------------------------------- KWIC


def kwic(
    corpus: Any,
    query: str,
    window: int = 5,
    *,
    unit: str = "words",
    scope: str = "paragraph",
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``query`` with the text around it.

    ``query`` is one word or a phrase, matched on keys, so spelling variants,
    diacritics and clitics do not matter: «الإرهاب» finds «والإرهاب» and
    «للإرهاب», «جبهة موحدة» finds «جبهة موحّدة». A phrase matches
    consecutive words of one sentence (punctuation between them is allowed).

    Columns, for right-to-left reading:

    - ``doc_id``, ``sentence`` (index of the sentence in the document);
    - ``left``: the context *before* the keyword in reading order, which in
      Arabic stands to the keyword's **right** on screen;
    - ``keyword``: the match as written in the text (with its clitics);
    - ``right``: the context *after* the keyword, to its left on screen;
    - ``start``, ``end``: character offsets of the keyword in the clean text.

    ``left + keyword + right`` is exactly the text from ``start - len(left)``
    to ``end + len(right)``. The context is ``window`` words (``unit="words"``)
    or characters (``unit="chars"``) on each side, never beyond the
    ``scope``: ``"sentence"``, ``"paragraph"`` (default) or ``"document"``.
    Show it with ``newslib.tables.show(..., direction="rtl")`` so that the
    columns run right to left: before, keyword, after.
    """
    if unit not in ("words", "chars"):
        raise ValueError("unit must be 'words' or 'chars'")
    if scope not in ("sentence", "paragraph", "document"):
        raise ValueError("scope must be 'sentence', 'paragraph' or 'document'")
    vocab = corpus.vocabulary
    q = [vocab.key(s) for s in TOKEN_PATTERN.findall(query)]
    columns = ["doc_id", "sentence", "left", "keyword", "right", "start", "end"]
    if not q:
        raise ValueError(f"query {query!r} has no words")
    n = len(q)
    # Only documents holding the query's rarest content word can match.
    m = term_matrix(corpus)
    col = {k: i for i, k in enumerate(m.keys)}
    content = [col[k] for k in q if k in col]
    if content:
        rarest = min(content, key=lambda i: m.counts["count"].iat[i])
        docs = m.matrix[:, rarest].nonzero()[0]
    elif all(not vocab.is_stop(k) for k in q):
        return pd.DataFrame(columns=columns)  # content words never seen in the corpus
    else:
        docs = np.arange(len(corpus))
    rows = []
    for i in np.sort(docs):
        doc = corpus[int(i)]
        text = doc.text
        # Words and their keys only (no Token per word): the sentence and
        # paragraph are looked up for the matches alone.
        found = list(TOKEN_PATTERN.finditer(text))
        keys = vocab.keys([w.group() for w in found])
        hits = [j for j, key in enumerate(keys[: len(keys) - n + 1]) if key == q[0] and keys[j : j + n] == q]
        if not hits:
            continue
        units = sentences(text)
        unit_of = _unit_finder(units)
        paras = paragraphs(text) if scope == "paragraph" else None
        for j in hits:
            first, last = found[j], found[j + n - 1]
            u = unit_of(first.start())
            if u.sentence != unit_of(last.start()).sentence:
                continue
            if scope == "document":
                lo, hi = 0, len(text)
            elif scope == "paragraph":
                lo, hi = paras[u.paragraph]
            else:
                lo, hi = units[u.sentence].start, units[u.sentence].end
            if unit == "chars":
                left_start, right_end = first.start() - window, last.end() + window
            else:
                left_start = found[j - window].start() if j - window >= 0 else lo
                right_end = found[j + n - 1 + window].end() if j + n - 1 + window < len(found) else hi
            left_start, right_end = max(left_start, lo), min(right_end, hi)
            rows.append(
                (doc.doc_id, u.sentence, text[left_start : first.start()], text[first.start() : last.end()],
                 text[last.end() : right_end], first.start(), last.end())
            )
    return pd.DataFrame(rows, columns=columns)


def _unit_finder(units: list[Unit]) -> Callable[[int], Unit]:
    """The sentence a word starting at ``offset`` is in (as :func:`newslib.tokenize` assigns it)."""
    starts = [u.start for u in units]

    def unit_of(offset: int) -> Unit:
        i = bisect.bisect_right(starts, offset) - 1
        return units[i] if i >= 0 else Unit(0, 0, 0, 0)

    return unit_of


# ---------------------------------------------------------------- type/token


def _distinct_per_window(ids: np.ndarray, w: int) -> np.ndarray:
    """Number of distinct ids in each window ``ids[s:s+w]`` (all s), in O(len).

    A token counts in window ``s`` when it lies in it and the previous
    occurrence of its type does not: a difference array over window starts.
    """
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    prev = np.full(n, -1)
    same = ids[order][1:] == ids[order][:-1]
    prev[order[1:][same]] = order[:-1][same]
    pos = np.arange(n)
    lo = np.maximum(np.maximum(prev + 1, pos - w + 1), 0)
    hi = np.minimum(pos, n - w)
    ok = lo <= hi
    diff = np.bincount(lo[ok], minlength=n - w + 2) - np.bincount(hi[ok] + 1, minlength=n - w + 2)
    return np.cumsum(diff)[: n - w + 1]


_TT_BATCH = 1000  # documents whose tokens are held at once by type_token_stats


def type_token_stats(corpus: Any, window: int = 100, *, content_only: bool = False) -> pd.DataFrame:
    """Vocabulary size and diversity per document, and for the whole corpus.

    Types are keys (so «الإرهاب» and «والإرهاب» are one type). By default all
    word tokens count (stopwords and numbers too), as lexical diversity is
    usually measured; ``content_only=True`` keeps content words only.

    Columns: ``doc_id`` (the last row, ``"(corpus)"``, is the whole corpus),
    ``tokens``, ``types``, ``ttr`` (types / tokens, which falls as texts get
    longer), ``hapax`` (types seen once), ``hapax_ratio`` (hapax / types),
    ``guiraud`` (types / √tokens) and ``mattr``: the moving-average TTR of
    Covington & McFall (2010) over windows of ``window`` tokens, robust to
    length; a text shorter than the window gets its TTR. The corpus row
    averages all windows of all documents (no window spans two documents).
    """
    vocab = corpus.vocabulary
    # A batch of documents at a time (keys numbered as first met): memory
    # grows with the vocabulary, not with the corpus's tokens.
    number: dict[str, int] = {}
    totals = np.zeros(0, dtype=np.int64)  # corpus count of each key number
    rows = []
    windows = short = 0  # windows of `window` tokens, and texts shorter than that
    distinct = 0  # distinct keys summed over all those windows (exact: integers)
    short_ttrs: list[float] = []
    docs = iter(corpus)
    while batch := list(islice(docs, _TT_BATCH)):
        # The batch's tokens split and numbered in C++ (see _word_runs); each
        # distinct surface keyed once, each distinct key numbered once.
        tokens, lengths = _word_runs([d.text for d in batch])
        encoded = tokens.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        keys = vocab.keys(encoded.dictionary.to_pylist())
        key_codes, batch_keys = pd.factorize(pd.Series(keys, dtype=object))
        numbers = np.fromiter((number.setdefault(k, len(number)) for k in batch_keys), dtype=np.int64,
                              count=len(batch_keys))
        ids = numbers[key_codes][codes]
        if content_only and len(ids):
            keep = ~vocab.stop_mask(keys)[codes]
            kept = np.concatenate([[0], np.cumsum(keep)])[np.cumsum([0, *lengths])]
            ids, lengths = ids[keep], np.diff(kept).tolist()
        totals = np.concatenate([totals, np.zeros(len(number) - len(totals), dtype=np.int64)])
        totals += np.bincount(ids, minlength=len(number))
        for doc, seg in zip(batch, np.split(ids, np.cumsum(lengths)[:-1]), strict=True):
            kinds, counts = np.unique(seg, return_counts=True)
            if len(seg) >= window:
                per_window = _distinct_per_window(seg, window)
                windows += len(per_window)
                distinct += int(per_window.sum())
                mattr = float((per_window / window).mean())
            elif len(seg):
                short += 1
                short_ttrs.append(mattr := len(kinds) / len(seg))
            else:
                mattr = np.nan
            rows.append(_tt_row(doc.doc_id, len(seg), counts, mattr))
    n = windows + short
    mattr = math.fsum([distinct / window, *short_ttrs]) / n if n else np.nan
    rows.append(_tt_row(CORPUS_ROW, int(totals.sum()), totals[totals > 0], mattr))
    return pd.DataFrame(rows)


def _tt_row(doc_id: str, tokens: int, counts: np.ndarray, mattr: float) -> dict[str, Any]:
    """A row of :func:`type_token_stats` from the count of each type."""
    types, hapax = len(counts), int((counts == 1).sum())
    return {
        "doc_id": doc_id,
        "tokens": tokens,
        "types": types,
        "ttr": types / tokens if tokens else np.nan,
        "hapax": hapax,
        "hapax_ratio": hapax / types if types else np.nan,
        "guiraud": types / np.sqrt(tokens) if tokens else np.nan,
        "mattr": mattr,
    }
