"""Topics: cluster paragraphs, sentences or whole documents into themes.

One pipeline for five articles and for ten thousand:

1. Units come from :meth:`newslib.Corpus.units` (``paragraph``, ``sentence``
   or ``document``). Each is analysed once with the corpus vocabulary's
   analyzer (Arabic-aware keys, stopwords and numbers removed). Units with
   fewer than ``min_tokens`` content words are *short*: they get topic ``-1``
   in the assignments (kept and counted, never dropped silently).
2. A unit-term matrix over the keys kept by ``min_df``/``max_df``: raw counts
   for LDA, sublinear TF-IDF with L2 rows for the other methods.
3. A seeded model (see :data:`METHODS`):

   - ``nmf`` (default): non-negative matrix factorisation of TF-IDF; a unit's
     topic is its largest weight, the weight its share of the unit's total.
   - ``lda``: latent Dirichlet allocation on counts; weight = topic probability.
   - ``kmeans``: k-means++ (``n_init`` restarts) on LSA (TruncatedSVD of
     TF-IDF, rows re-normalised); weight = cosine to the topic centroid.
   - ``spectral``: spectral clustering of the cosine k-nearest-neighbour graph
     of the TF-IDF rows (``n_neighbors``); weight = cosine to the topic
     centroid. The benchmarked choice for whole documents (``bench/topics.py``):
     a graph of near neighbours follows diffuse sections (local news, culture)
     that one centroid per topic cuts badly.

4. Topics are numbered by size (largest first; ties by top key), so the same
   input and seed always give the same numbers, terms and assignments.

>>> from newslib import load_corpus
>>> result = cluster_topics(load_corpus("data"), k=4)
>>> sorted(result.topics.columns)
['label', 'size', 'top_keys', 'top_terms', 'top_weights', 'topic']
>>> result.relabel({0: "CSTO"}).topics.loc[0, "label"]
'CSTO'
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.decomposition import NMF, LatentDirichletAllocation, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import normalize

from ._gc import gc_paused
from .dtm import TermMatrix, _column_nonzeros, _same_cells

__all__ = [
    "METHODS",
    "TOPIC_DEFAULTS",
    "TooFewUnits",
    "TopicResult",
    "UnitFeatures",
    "choose_k",
    "cluster_topics",
    "coherence",
    "max_topics",
    "stability",
    "unit_features",
]

METHODS = ("nmf", "lda", "kmeans", "spectral")
SHORT = -1  # topic of units too short to cluster

#: Defaults of every switch, in one place (each is a keyword of cluster_topics).
TOPIC_DEFAULTS: dict[str, Any] = {
    # units with fewer content words carry too little evidence for a topic
    "min_tokens": 5,
    # a key must occur in two units to link them; a key in more than half of
    # the units separates nothing. Both hold for 130 paragraphs and for 10k articles.
    "min_df": 2,
    "max_df": 0.5,
    "top_n": 10,
    "n_representatives": 3,
    # kmeans: LSA dimensions (capped by the matrix) and k-means++ restarts
    "lsa_dims": 100,
    "n_init": 10,
    # spectral: neighbours per unit in the cosine kNN graph (at most sqrt(units))
    "n_neighbors": 15,
    # iteration caps: NMF's coordinate descent, LDA's batch EM passes
    "max_iter": 1000,
    "lda_max_iter": 50,
}


# ---------------------------------------------------------------- features


class _Identity:
    """Analyzer for already-analysed units (picklable, unlike a lambda)."""

    def __call__(self, keys: list[str]) -> list[str]:
        return keys


@dataclass
class UnitFeatures:
    """The units of a corpus and their unit-term matrices, built once.

    ``units`` is :meth:`Corpus.units` plus ``n_tokens`` (content words) and
    ``short``; ``counts`` and ``tfidf`` have one row per *clustered* (not
    short) unit, in the order of ``units[~units.short]``.
    """

    units: pd.DataFrame
    counts: sp.csr_matrix
    tfidf: sp.csr_matrix
    keys: list[str]
    display: list[str]
    unit: str
    options: dict[str, Any]

    @property
    def clustered(self) -> np.ndarray:
        """Row positions (in ``units``) of the clustered units."""
        return np.flatnonzero(~self.units["short"].to_numpy())


class TooFewUnits(ValueError):
    """Nothing to cluster: no unit has enough content words, or the units
    share no key within the ``min_df``/``max_df`` bounds (a handful of short
    articles). A ``ValueError``; notebook 04 reports it instead of clustering."""


def max_topics(features: UnitFeatures) -> int:
    """The most topics worth fitting to ``features``: fewer than the clustered
    units (a topic per unit says nothing) and no more than the keys (NMF can
    fit no more). Below 2, there is nothing to cluster.

    >>> from newslib import load_corpus
    >>> f = unit_features(load_corpus("data"), "document", min_tokens=5)
    >>> f.tfidf.shape[0], max_topics(f)
    (5, 4)
    """
    n_units, n_keys = features.tfidf.shape
    return max(0, min(n_units - 1, n_keys))


@gc_paused
def unit_features(
    corpus: Any,
    unit: str = "paragraph",
    *,
    min_tokens: int = TOPIC_DEFAULTS["min_tokens"],
    min_df: int | float = TOPIC_DEFAULTS["min_df"],
    max_df: int | float = TOPIC_DEFAULTS["max_df"],
) -> UnitFeatures:
    """Analyse the units of ``corpus`` and build their count and TF-IDF matrices.

    ``corpus`` may also be a :class:`newslib.dtm.TermMatrix` (such as
    :func:`newslib.engine.term_matrix` streams from a corpus too large to
    load) for ``unit="document"``: see :func:`_document_features`. Whole
    documents of a loaded corpus take that way too (its term matrix, counted
    chunk by chunk, then the texts), which gives the same features as
    analysing every text (:func:`_analysed_features`) in half the time.

    >>> from newslib import load_corpus
    >>> f = unit_features(load_corpus("data"), "paragraph")
    >>> f.counts.shape[0] == int((~f.units["short"]).sum())
    True
    """
    if isinstance(corpus, TermMatrix):
        return _document_features(corpus, unit, min_tokens, min_df, max_df)
    if unit == "document":
        from .engine import term_matrix

        features = _document_features(term_matrix(corpus), unit, min_tokens, min_df, max_df)
        texts = corpus.texts
        features.units["end"] = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        # Object dtype: the corpus's own strings, not a copy of every text (pandas 3 would make Arrow copies).
        features.units["text"] = pd.Series(texts, dtype=object, index=features.units.index)
        return features
    return _analysed_features(corpus, unit, min_tokens, min_df, max_df)


def _analysed_features(corpus: Any, unit: str, min_tokens: int, min_df: int | float,
                       max_df: int | float) -> UnitFeatures:
    """:func:`unit_features` by analysing the text of every unit with the corpus vocabulary."""
    units = corpus.units(unit).reset_index(drop=True)
    vocab = corpus.vocabulary
    analysed = [vocab.analyzer(t) for t in units["text"]]
    units["n_tokens"] = np.fromiter(map(len, analysed), dtype=np.int64, count=len(analysed))
    units["short"] = units["n_tokens"] < min_tokens
    kept = [a for a, s in zip(analysed, units["short"], strict=True) if not s]
    if not kept:
        raise TooFewUnits(f"no {unit} has {min_tokens} or more content words; lower min_tokens")
    cv = CountVectorizer(analyzer=_Identity(), min_df=min_df, max_df=max_df, dtype=np.float64)
    try:
        counts = cv.fit_transform(kept).tocsr()
    except ValueError as e:  # every key pruned: too few units for these bounds
        raise TooFewUnits(
            f"{len(kept)} {unit}s leave no key between min_df={min_df} and max_df={max_df}; "
            "loosen them or use a smaller unit"
        ) from e
    keys = cv.get_feature_names_out().tolist()
    tfidf = TfidfTransformer(sublinear_tf=True, norm="l2").fit_transform(counts).tocsr()
    opts = {"min_tokens": min_tokens, "min_df": min_df, "max_df": max_df}
    return UnitFeatures(units, counts, tfidf, keys, [vocab.display(k) for k in keys], unit, opts)


def _document_features(terms: TermMatrix, unit: str, min_tokens: int, min_df: int | float,
                       max_df: int | float) -> UnitFeatures:
    """:func:`unit_features` of the documents of a term matrix, without their text.

    The same matrices, keys and short units as from the loaded corpus: a
    document's content words are its row of the matrix (built with the
    default ``min_count=1``, all of them), and the ``min_df``/``max_df``
    bounds and alphabetical key order are ``CountVectorizer``'s. Memory grows
    with the matrix's non-zero cells, not with the text. The units carry no
    text (``text`` is empty, ``start`` and ``end`` are 0): see
    :meth:`TopicResult.with_texts` for the representatives'.
    """
    if unit != "document":
        raise ValueError(f"a term matrix has documents as its units, not {unit}s; use unit='document'")
    X = terms.matrix.tocsr()
    n_tokens = np.asarray(X.sum(axis=1)).ravel().astype(np.int64)
    units = pd.DataFrame({"doc_id": terms.doc_ids, "unit": 0, "paragraph": 0, "start": 0, "end": 0, "text": ""})
    units["n_tokens"] = n_tokens
    units["short"] = n_tokens < min_tokens
    kept = X[np.flatnonzero(~units["short"].to_numpy())]
    if not kept.shape[0]:
        raise TooFewUnits(f"no {unit} has {min_tokens} or more content words; lower min_tokens")
    # CountVectorizer's pruning (sklearn's _limit_features): a proportion is of the kept units.
    n_kept = kept.shape[0]
    low = min_df if isinstance(min_df, (int, np.integer)) else min_df * n_kept
    high = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_kept
    df = _column_nonzeros(kept.indices, kept.shape[1])  # not one int64 copy of every cell's column
    keys = np.asarray(terms.keys, dtype=object)
    columns = np.flatnonzero((df > 0) & (df >= low) & (df <= high))
    if not len(columns):
        raise TooFewUnits(
            f"{n_kept} {unit}s leave no key between min_df={min_df} and max_df={max_df}; "
            "loosen them or use a smaller unit"
        )
    columns = columns[sorted(range(len(columns)), key=keys[columns].__getitem__)]  # keys in str order
    kept = kept[:, columns]  # one copy of the cells alive at a time: a large corpus has many
    counts = kept.astype(np.float64).tocsr()
    del kept
    counts.sort_indices()
    tfidf = _sharing_cells(TfidfTransformer(sublinear_tf=True, norm="l2").fit_transform(counts).tocsr(), counts)
    names = keys[columns].tolist()
    opts = {"min_tokens": min_tokens, "min_df": min_df, "max_df": max_df}
    return UnitFeatures(units, counts, tfidf, names, [terms.vocabulary.display(k) for k in names], unit, opts)


def _sharing_cells(tfidf: sp.csr_matrix, counts: sp.csr_matrix) -> sp.csr_matrix:
    """``tfidf`` sharing the column indices and row pointers of ``counts`` when
    it has exactly their cells (it does: a count > 0 has a weight > 0), so a
    large corpus holds them once, not twice (neither matrix is changed in place)."""
    if _same_cells(tfidf, counts):
        shared = sp.csr_matrix((tfidf.data, counts.indices, counts.indptr), shape=tfidf.shape, copy=False)
        shared.has_sorted_indices = counts.has_sorted_indices
        return shared
    return tfidf


# ---------------------------------------------------------------- models


@dataclass
class _Fit:
    labels: np.ndarray  # topic per clustered unit (model numbering)
    weights: np.ndarray  # weight of that topic
    term_weights: np.ndarray  # topics x keys, larger = more typical


def _centroid_fit(X: sp.csr_matrix, labels: np.ndarray, k: int, space: np.ndarray | sp.csr_matrix) -> _Fit:
    """Weights and term profiles for hard clusters: centroids in ``space`` and TF-IDF."""
    n = len(labels)
    onehot = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
    sizes = np.maximum(np.asarray(onehot.sum(axis=1)).ravel(), 1)
    centroids = normalize(_dense(onehot @ space))
    weights = np.asarray(space[np.arange(n)].multiply(centroids[labels]).sum(axis=1)).ravel() if sp.issparse(
        space
    ) else np.einsum("ij,ij->i", space, centroids[labels])
    return _Fit(labels, weights, _dense(onehot @ X) / sizes[:, None])


def _dense(m: Any) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


def _lsa(features: UnitFeatures, seed: int, opts: Mapping[str, Any]) -> np.ndarray | sp.csr_matrix:
    """The units in the LSA space k-means clusters (the same for every k): the
    TF-IDF reduced by a seeded ``TruncatedSVD``, rows unit length; the TF-IDF
    itself when there are too few units or keys for two dimensions."""
    X = features.tfidf
    dims = min(opts["lsa_dims"], X.shape[1] - 1, X.shape[0] - 1)
    # normalised in place: no second copy of the units x dims matrix beside the first
    return normalize(TruncatedSVD(dims, random_state=seed).fit_transform(X), copy=False) if dims >= 2 else X


def _fit(features: UnitFeatures, k: int, method: str, seed: int, opts: Mapping[str, Any],
         space: np.ndarray | sp.csr_matrix | None = None) -> _Fit:
    """One seeded model of ``k`` topics; ``space``: ``_lsa(features, seed, opts)``
    when the caller has it already (k-means; choose_k fits every k in it)."""
    X = features.tfidf
    n, n_keys = X.shape
    # What each model can fit at all (max_topics is what is worth fitting):
    # NMF's factors have at most min(n, keys) components, the spectral
    # embedding fewer dimensions than units.
    limit = {"nmf": min(n, n_keys), "spectral": max(1, n - 1)}.get(method, n)
    if not 1 <= k <= limit:
        raise ValueError(f"k={k} topics for {n} clustered {features.unit}s and {n_keys} keys: "
                         f"{method} fits 1 to {limit}")
    with warnings.catch_warnings():
        # Few units or few keys: models may stop at max_iter; the result is still
        # the seeded, deterministic one, and quality shows in choose_k's table.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if method == "nmf":
            model = NMF(k, init="nndsvdar", random_state=seed, max_iter=opts["max_iter"])
            W = model.fit_transform(X)
            return _soft_fit(W, model.components_)
        if method == "lda":
            model = LatentDirichletAllocation(
                k, learning_method="batch", max_iter=opts["lda_max_iter"], random_state=seed
            )
            W = model.fit_transform(features.counts)
            return _soft_fit(W, model.components_)
        if method == "kmeans":
            Z = _lsa(features, seed, opts) if space is None else space
            labels = KMeans(k, n_init=opts["n_init"], random_state=seed).fit_predict(Z)
            return _centroid_fit(X, labels, k, Z)
        if method == "spectral":
            if k == 1:
                return _centroid_fit(X, np.zeros(n, dtype=int), 1, X)
            # A graph of near neighbours only: at most sqrt(n) per unit, so that
            # a few dozen units do not make an almost complete graph.
            nn = max(2, min(opts["n_neighbors"], round(np.sqrt(n)), n - 1))
            model = SpectralClustering(
                k, affinity="nearest_neighbors", n_neighbors=nn, random_state=seed, n_init=opts["n_init"]
            )
            with warnings.catch_warnings():
                # a disconnected graph still clusters (its components separate first)
                warnings.filterwarnings("ignore", message="Graph is not fully connected")
                labels = model.fit_predict(X)
            return _centroid_fit(X, labels, k, X)
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def _soft_fit(W: np.ndarray, components: np.ndarray) -> _Fit:
    labels = W.argmax(axis=1)
    total = W.sum(axis=1)
    weights = np.divide(W[np.arange(len(W)), labels], total, out=np.zeros(len(W)), where=total > 0)
    return _Fit(labels, weights, components)


def _canonical(fit: _Fit, keys: Sequence[str]) -> tuple[_Fit, np.ndarray]:
    """Renumber topics by size (descending), ties by their top key: (fit, sizes)."""
    k = fit.term_weights.shape[0]
    sizes = np.bincount(fit.labels, minlength=k)
    top = [keys[int(np.argmax(row))] if row.any() else "" for row in fit.term_weights]
    order = sorted(range(k), key=lambda t: (-sizes[t], top[t], t))
    new = np.empty(k, dtype=int)
    new[order] = np.arange(k)
    return _Fit(new[fit.labels], fit.weights, fit.term_weights[order]), sizes[order]


def _top_keys(term_weights: np.ndarray, top_n: int) -> list[np.ndarray]:
    """Column indices of the ``top_n`` heaviest keys per topic (ties by column)."""
    out = []
    for row in term_weights:
        idx = np.lexsort((np.arange(len(row)), -row))[:top_n]
        out.append(idx[row[idx] > 0])
    return out


# ---------------------------------------------------------------- result


@dataclass
class TopicResult:
    """Topics of a corpus's units.

    Attributes
    ----------
    assignments : one row per unit: ``doc_id``, ``unit``, ``topic`` (``-1`` for
        short units), ``label``, ``weight``, ``n_tokens``.
    topics : one row per topic: ``topic``, ``label``, ``size`` (units),
        ``top_terms`` (display forms, heaviest first), ``top_keys``,
        ``top_weights`` (the keys' weights in the topic's term profile).
    representatives : the ``n_representatives`` heaviest units per topic:
        ``topic``, ``label``, ``rank``, ``doc_id``, ``unit``, ``weight``, ``text``.
    features : the units and matrices the model saw (:class:`UnitFeatures`).
    params : method, k, seed and every switch, as run.
    """

    assignments: pd.DataFrame
    topics: pd.DataFrame
    representatives: pd.DataFrame
    features: UnitFeatures = field(repr=False)
    params: dict[str, Any]

    @property
    def labels(self) -> dict[int, str]:
        return dict(zip(self.topics["topic"], self.topics["label"], strict=True))

    def relabel(self, labels: Mapping[int, str]) -> TopicResult:
        """A copy with analyst-chosen labels for some or all topics.

        >>> from newslib import load_corpus
        >>> r = cluster_topics(load_corpus("data"), k=3).relabel({1: "الهدنة"})
        >>> r.labels[1], bool((r.assignments.loc[r.assignments.topic == 1, "label"] == "الهدنة").all())
        ('الهدنة', True)
        """
        unknown = set(labels) - set(self.topics["topic"])
        if unknown:
            raise KeyError(f"no topic {sorted(unknown)}; topics are {self.topics['topic'].tolist()}")
        new = {**self.labels, **{int(t): str(v) for t, v in labels.items()}}
        topics = self.topics.assign(label=self.topics["topic"].map(new))
        mapping = {**new, SHORT: _SHORT_LABEL}
        return replace(
            self,
            topics=topics,
            assignments=self.assignments.assign(label=self.assignments["topic"].map(mapping)),
            representatives=self.representatives.assign(label=self.representatives["topic"].map(new)),
        )

    def with_texts(self, documents: Iterable[Any]) -> TopicResult:
        """A copy whose representatives have their text, taken from
        ``documents`` (such as ``newslib.iter_documents(path)``), for topics
        of a term matrix, which holds no text (see :func:`unit_features`).
        Reading stops once every representative is found.

        >>> from newslib import engine, iter_documents
        >>> r = cluster_topics(engine.term_matrix("data"), k=2, unit="document", min_df=1, max_df=1.0)
        >>> r.representatives["text"].tolist()
        ['', '', '', '']
        >>> [t[:5] for t in r.with_texts(iter_documents("data")).representatives["text"]]
        ['“الأم', 'منظمة', 'مؤتمر', 'لافرو']
        """
        if self.params["unit"] != "document":
            raise ValueError(f"representatives are {self.params['unit']}s, not documents: they have their text")
        wanted = set(self.representatives["doc_id"])
        texts: dict[str, str] = {}
        for doc in documents:
            if doc.doc_id in wanted:
                texts[doc.doc_id] = doc.text
                if len(texts) == len(wanted):
                    break
        missing = sorted(wanted - set(texts))
        if missing:
            raise KeyError(f"{len(missing)} representative document(s) not in the documents given: {missing[:5]}")
        reps = self.representatives
        return replace(self, representatives=reps.assign(text=reps["doc_id"].map(texts)))

    def prevalence(self, by: str = "doc_id") -> pd.DataFrame:
        """Share of each document's content words per topic (rows sum to 1).

        Columns are topic labels in topic order, plus the short units' label
        when there are short units; ``by`` may be any column of the units.
        """
        units = self.features.units
        frame = pd.DataFrame(
            {
                by: units[by].to_numpy(),
                "label": self.assignments["label"].to_numpy(),
                "n": units["n_tokens"].to_numpy(),
            }
        )
        table = frame.pivot_table(index=by, columns="label", values="n", aggfunc="sum", fill_value=0, sort=False)
        order = [lab for lab in self.topics["label"] if lab in table.columns]
        if _SHORT_LABEL in table.columns:
            order.append(_SHORT_LABEL)
        table = table.reindex(columns=order).reindex(pd.unique(units[by]))
        table.columns.name = "topic"
        return table.div(table.sum(axis=1).replace(0, 1), axis=0)

    def embedding(self, dims: int = 2) -> pd.DataFrame:
        """A seeded 2-D map of the clustered units (TruncatedSVD of TF-IDF).

        ``doc_id``, ``unit``, ``topic``, ``label``, ``x``, ``y``.
        """
        X = self.features.tfidf
        Z = TruncatedSVD(dims, random_state=self.params["seed"]).fit_transform(X)
        rows = self.assignments.iloc[self.features.clustered]
        out = rows[["doc_id", "unit", "topic", "label"]].reset_index(drop=True)
        out["x"], out["y"] = Z[:, 0], Z[:, 1]
        return out


_SHORT_LABEL = "(too short)"


def _default_label(terms: Sequence[str]) -> str:
    return " · ".join(terms[:3]) if len(terms) else "(no terms)"


def cluster_topics(
    corpus: Any = None,
    k: int = 6,
    unit: str = "paragraph",
    method: str = "nmf",
    seed: int = 0,
    *,
    labels: Mapping[int, str] | None = None,
    features: UnitFeatures | None = None,
    **options: Any,
) -> TopicResult:
    """Cluster the units of ``corpus`` into ``k`` topics.

    Parameters
    ----------
    corpus : a :class:`newslib.Corpus`, or for ``unit="document"`` a
        :class:`newslib.dtm.TermMatrix` (see :func:`unit_features`); may be
        left out when ``features`` are given. For a corpus too large to load,
        build the features from a temporary matrix, which is then freed::

            features = unit_features(engine.term_matrix(path), "document")
            result = cluster_topics(k=8, unit="document", method="kmeans", features=features)

    k : number of topics (see :func:`choose_k` for evidence).
    unit : ``"paragraph"``, ``"sentence"`` or ``"document"``.
    method : one of :data:`METHODS` (module docstring).
    seed : seeds every random step; same input and seed, same result.
    labels : analyst labels by topic number (also :meth:`TopicResult.relabel`);
        by default a topic is labelled by its three top terms.
    features : reuse :func:`unit_features` already built for this corpus/unit.
    **options : any key of :data:`TOPIC_DEFAULTS`.

    Returns
    -------
    TopicResult
    """
    opts = _options(options)
    if features is None:
        if corpus is None:
            raise TypeError("cluster_topics() needs a corpus, a term matrix or their features")
        features = unit_features(
            corpus, unit, min_tokens=opts["min_tokens"], min_df=opts["min_df"], max_df=opts["max_df"]
        )
    fit, sizes = _canonical(_fit(features, k, method, seed, opts), features.keys)
    top = _top_keys(fit.term_weights, opts["top_n"])
    top_terms = [[features.display[i] for i in idx] for idx in top]
    topics = pd.DataFrame(
        {
            "topic": np.arange(k),
            "label": [_default_label(t) for t in top_terms],
            "size": sizes,
            "top_terms": top_terms,
            "top_keys": [[features.keys[i] for i in idx] for idx in top],
            "top_weights": [fit.term_weights[t, idx].round(6).tolist() for t, idx in enumerate(top)],
        }
    )
    units = features.units
    topic = np.full(len(units), SHORT)
    weight = np.zeros(len(units))
    rows = features.clustered
    topic[rows], weight[rows] = fit.labels, fit.weights
    names = {**dict(zip(topics["topic"], topics["label"], strict=True)), SHORT: _SHORT_LABEL}
    assignments = pd.DataFrame(
        {
            "doc_id": units["doc_id"],
            "unit": units["unit"],
            "topic": topic,
            "label": [names[t] for t in topic],
            "weight": weight,
            "n_tokens": units["n_tokens"],
        }
    )
    reps = assignments.assign(text=units["text"], _row=np.arange(len(units)))
    reps = reps[reps["topic"] != SHORT].sort_values(["topic", "weight", "_row"], ascending=[True, False, True])
    reps = reps.groupby("topic", sort=True).head(opts["n_representatives"]).copy()
    reps["rank"] = reps.groupby("topic").cumcount() + 1
    reps = reps[["topic", "label", "rank", "doc_id", "unit", "weight", "text"]].reset_index(drop=True)
    params = {"k": k, "unit": features.unit, "method": method, "seed": seed, **opts, **features.options}
    result = TopicResult(assignments, topics, reps, features, params)
    return result.relabel(labels) if labels else result


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(options) - set(TOPIC_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; options are {sorted(TOPIC_DEFAULTS)}")
    return {**TOPIC_DEFAULTS, **options}


# ---------------------------------------------------------------- evidence


def coherence(features: UnitFeatures, top_keys: Iterable[Sequence[str]]) -> pd.DataFrame:
    """UMass and NPMI coherence of each topic's top keys, counted over the units.

    UMass (Mimno et al. 2011): mean over ranked pairs of
    ``log((D(wi, wj) + 1) / D(wj))``, ``wj`` ranked higher; closer to 0 is better.
    NPMI (Bouma 2009; Aletras & Stevenson 2013): mean over pairs of
    ``log(P(wi, wj) / (P(wi) P(wj))) / -log P(wi, wj)``, in [-1, 1], pairs
    that never co-occur count -1. Both use document (unit) frequencies.
    """
    B = (features.counts > 0).astype(np.float64).tocsc()
    n = B.shape[0]
    index = {k: i for i, k in enumerate(features.keys)}
    rows = []
    for t, keys in enumerate(top_keys):
        idx = [index[k] for k in keys if k in index]
        if len(idx) < 2:
            rows.append((t, np.nan, np.nan))
            continue
        sub = B[:, idx]
        co = np.asarray((sub.T @ sub).todense())
        df = np.diag(co)
        umass, npmi = [], []
        for i, j in itertools.combinations(range(len(idx)), 2):  # i ranked above j
            umass.append(np.log((co[i, j] + 1) / df[i]))
            if co[i, j] == 0:
                npmi.append(-1.0)
                continue
            p_ij = co[i, j] / n
            if p_ij == 1:
                npmi.append(1.0)
                continue
            npmi.append(np.log(p_ij / (df[i] / n * df[j] / n)) / -np.log(p_ij))
        rows.append((t, float(np.mean(umass)), float(np.mean(npmi))))
    return pd.DataFrame(rows, columns=["topic", "umass", "npmi"])


def _silhouette(features: UnitFeatures, labels: np.ndarray, seed: int) -> float:
    if len(set(labels)) < 2 or len(set(labels)) >= len(labels):
        return float("nan")
    size = min(len(labels), 3000)  # exact up to 3000 units, a seeded sample beyond
    return float(
        silhouette_score(features.tfidf, labels, metric="cosine", sample_size=size, random_state=seed)
    )


def stability(
    corpus: Any,
    k: int = 6,
    unit: str = "paragraph",
    method: str = "nmf",
    seeds: Iterable[int] = range(5),
    *,
    features: UnitFeatures | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Agreement between runs with different seeds: one row per pair of seeds.

    ``seed_a``, ``seed_b``, ``ari`` (adjusted Rand index of the clustered
    units' topics: 1 = identical partitions, about 0 = chance agreement).
    """
    opts = _options(options)
    features = features or unit_features(
        corpus, unit, min_tokens=opts["min_tokens"], min_df=opts["min_df"], max_df=opts["max_df"]
    )
    runs = {s: _fit(features, k, method, s, opts).labels for s in seeds}
    return _pairs(runs)


def _pairs(runs: Mapping[int, np.ndarray]) -> pd.DataFrame:
    rows = [(a, b, float(adjusted_rand_score(runs[a], runs[b]))) for a, b in itertools.combinations(runs, 2)]
    return pd.DataFrame(rows, columns=["seed_a", "seed_b", "ari"])


def choose_k(
    corpus: Any,
    ks: Iterable[int] = range(2, 11),
    unit: str = "paragraph",
    method: str = "nmf",
    seeds: Iterable[int] = range(5),
    *,
    features: UnitFeatures | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Evidence for the number of topics: one row per ``k``.

    Columns: ``k``; ``umass`` and ``npmi`` (mean topic coherence of the top
    ``top_n`` keys over the units, first seed); ``silhouette`` (cosine, TF-IDF,
    first seed); ``stability`` (mean adjusted Rand index between all pairs of
    ``seeds``) and ``stability_min``; ``smallest`` (units in the smallest topic).
    """
    opts = _options(options)
    seeds = list(seeds)
    features = features or unit_features(
        corpus, unit, min_tokens=opts["min_tokens"], min_df=opts["min_df"], max_df=opts["max_df"]
    )
    ks = list(ks)
    # Seed by seed, so that k-means computes its LSA space once per seed (not
    # per k and seed) and holds one at a time; of the other seeds' fits only
    # the labels are kept.
    firsts: dict[int, _Fit] = {}
    labels: dict[int, dict[int, np.ndarray]] = {k: {} for k in ks}
    for s in seeds:
        space = _lsa(features, s, opts) if method == "kmeans" else None
        for k in ks:
            fit = _fit(features, k, method, s, opts, space)
            labels[k][s] = fit.labels
            if s == seeds[0]:
                firsts[k] = fit
        del space
    rows = []
    for k in ks:
        first, sizes = _canonical(firsts.pop(k), features.keys)
        keys = [[features.keys[i] for i in idx] for idx in _top_keys(first.term_weights, opts["top_n"])]
        coh = coherence(features, keys)
        pairs = _pairs(labels.pop(k)) if len(seeds) > 1 else None
        rows.append(
            {
                "k": k,
                "umass": coh["umass"].mean(),
                "npmi": coh["npmi"].mean(),
                "silhouette": _silhouette(features, first.labels, seeds[0]),
                "stability": pairs["ari"].mean() if pairs is not None else np.nan,
                "stability_min": pairs["ari"].min() if pairs is not None else np.nan,
                "smallest": int(sizes.min()),
            }
        )
    return pd.DataFrame(rows)
