"""Topics: determinism, stability across seeds, readable top terms, every unit once."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from newslib import Corpus, Document, stopwords
from newslib.topics import (
    METHODS,
    SHORT,
    TooFewUnits,
    choose_k,
    cluster_topics,
    coherence,
    max_topics,
    stability,
    unit_features,
)


@pytest.fixture(scope="module")
def nmf6(corpus):
    return cluster_topics(corpus, k=6, unit="paragraph", method="nmf", seed=0)


def test_same_seed_same_topics(corpus, nmf6):
    again = cluster_topics(corpus, k=6, unit="paragraph", method="nmf", seed=0)
    pd.testing.assert_frame_equal(nmf6.assignments, again.assignments)
    pd.testing.assert_frame_equal(nmf6.topics, again.topics)
    pd.testing.assert_frame_equal(nmf6.representatives, again.representatives)


@pytest.mark.parametrize("method", METHODS)
def test_each_method_runs_deterministically(corpus, method):
    a = cluster_topics(corpus, k=4, method=method, seed=3)
    b = cluster_topics(corpus, k=4, method=method, seed=3)
    assert a.assignments["topic"].tolist() == b.assignments["topic"].tolist()
    assert a.topics["top_keys"].tolist() == b.topics["top_keys"].tolist()
    clustered = a.assignments[a.assignments.topic != SHORT]
    assert set(clustered["topic"]) == {0, 1, 2, 3}
    # topics are numbered by size, largest first
    assert a.topics["size"].is_monotonic_decreasing
    assert a.topics["size"].tolist() == clustered["topic"].value_counts().sort_index().tolist()
    assert clustered["weight"].between(-1e-9, 1 + 1e-9).all()


def test_every_unit_exactly_once(corpus, nmf6):
    units = corpus.units("paragraph")
    got = nmf6.assignments[["doc_id", "unit"]]
    assert len(got) == len(units)
    assert not got.duplicated().any()
    assert sorted(map(tuple, got.to_numpy())) == sorted(map(tuple, units[["doc_id", "unit"]].to_numpy()))


def test_short_units_are_recorded_not_dropped(corpus, nmf6):
    analyzer = corpus.vocabulary.analyzer
    n = [len(analyzer(t)) for t in corpus.units("paragraph")["text"]]
    short = nmf6.assignments["topic"] == SHORT
    assert short.sum() > 0  # the corpus has a few one-line paragraphs (datelines, captions)
    assert short.tolist() == [x < 5 for x in n]
    assert (nmf6.assignments.loc[short, "label"] == "(too short)").all()
    assert (nmf6.assignments.loc[short, "weight"] == 0).all()
    # raising the threshold moves more units to -1, none disappear
    stricter = cluster_topics(corpus, k=6, min_tokens=15)
    assert len(stricter.assignments) == len(nmf6.assignments)
    assert (stricter.assignments["topic"] == SHORT).sum() == sum(x < 15 for x in n)


def test_top_terms_are_content_words_in_display_form(corpus, nmf6):
    vocab = corpus.vocabulary
    stop = stopwords()
    for keys, terms in zip(nmf6.topics["top_keys"], nmf6.topics["top_terms"], strict=True):
        assert len(keys) == 10
        assert terms == [vocab.display(k) for k in keys]
        for k in keys:
            assert k not in stop and not vocab.is_stop(k) and not k.isdigit()
    all_terms = {t for terms in nmf6.topics["top_terms"] for t in terms}
    # display forms keep the spelling of the text, keys are normalised
    assert "إرهاب" in all_terms or "سورية" in all_terms or "أمن" in all_terms
    assert not all_terms & {"سوريه", "ارهاب"}
    assert not any(t.startswith("ال") and vocab.key(t) != vocab.key(t[2:]) for t in all_terms)


def test_top_terms_come_from_the_topic_units(corpus, nmf6):
    # the heaviest key of each topic occurs in at least one unit assigned to it
    units = corpus.units("paragraph")
    analyzer = corpus.vocabulary.analyzer
    for row in nmf6.topics.itertuples():
        texts = units.loc[(nmf6.assignments["topic"] == row.topic).to_numpy(), "text"]
        assert any(row.top_keys[0] in analyzer(t) for t in texts)


def test_representatives_are_heaviest_units(corpus, nmf6):
    reps = nmf6.representatives
    units = corpus.units("paragraph").set_index(["doc_id", "unit"])
    assert reps.groupby("topic").size().max() == 3
    for r in reps.itertuples():
        assert r.text == units.loc[(r.doc_id, r.unit), "text"]
        members = nmf6.assignments[nmf6.assignments.topic == r.topic]
        assert r.weight == pytest.approx(members["weight"].nlargest(r.rank).iloc[-1])


def test_relabel_and_labels_argument(corpus, nmf6):
    r = nmf6.relabel({0: "الأمن الجماعي", 2: "وقف القتال"})
    assert r.topics.loc[0, "label"] == "الأمن الجماعي"
    assert r.topics.loc[1, "label"] == nmf6.topics.loc[1, "label"]
    assert (r.assignments.loc[r.assignments.topic == 2, "label"] == "وقف القتال").all()
    assert nmf6.topics.loc[0, "label"] != "الأمن الجماعي"  # the original is untouched
    same = cluster_topics(corpus, k=6, labels={0: "الأمن الجماعي", 2: "وقف القتال"})
    pd.testing.assert_frame_equal(same.topics, r.topics)
    with pytest.raises(KeyError):
        nmf6.relabel({9: "x"})
    assert "الأمن الجماعي" in r.prevalence().columns


def test_prevalence_and_embedding(corpus, nmf6):
    prev = nmf6.prevalence()
    assert list(prev.index) == [d.doc_id for d in corpus]
    np.testing.assert_allclose(prev.sum(axis=1), 1.0)
    assert list(prev.columns[:6]) == nmf6.topics["label"].tolist()
    # brute force: token share of topic 0 in the first document
    a = nmf6.assignments
    first = a[a.doc_id == corpus[0].doc_id]
    expect = first.loc[first.topic == 0, "n_tokens"].sum() / first["n_tokens"].sum()
    assert prev.iloc[0, 0] == pytest.approx(expect)
    emb = nmf6.embedding()
    assert len(emb) == (a.topic != SHORT).sum()
    pd.testing.assert_frame_equal(emb, nmf6.embedding())


def test_stability_across_seeds(corpus):
    pairs = stability(corpus, k=6, method="kmeans", seeds=range(4))
    assert len(pairs) == 6 and list(pairs.columns) == ["seed_a", "seed_b", "ari"]
    assert pairs["ari"].between(-1, 1).all()
    # recompute one pair by hand from two full runs
    a = cluster_topics(corpus, k=6, method="kmeans", seed=0).assignments
    b = cluster_topics(corpus, k=6, method="kmeans", seed=1).assignments
    keep = a.topic != SHORT
    expect = adjusted_rand_score(a.topic[keep], b.topic[keep])
    assert pairs.loc[(pairs.seed_a == 0) & (pairs.seed_b == 1), "ari"].item() == pytest.approx(expect)


def test_choose_k_table(corpus):
    table = choose_k(corpus, ks=[2, 4, 6], seeds=[0, 1])
    assert list(table.columns) == ["k", "umass", "npmi", "silhouette", "stability", "stability_min", "smallest"]
    assert table["k"].tolist() == [2, 4, 6]
    assert table["npmi"].between(-1, 1).all() and (table["umass"] <= 0).all()
    assert table["silhouette"].between(-1, 1).all() and table["stability"].between(-1, 1).all()


def test_choose_k_kmeans_computes_each_seeds_lsa_once(corpus, monkeypatch):
    from sklearn.decomposition import TruncatedSVD

    from newslib import topics

    calls = []

    class Counted(TruncatedSVD):
        def fit_transform(self, X, y=None):
            calls.append(self.random_state)
            return super().fit_transform(X, y)

    monkeypatch.setattr(topics, "TruncatedSVD", Counted)
    table = choose_k(corpus, ks=[2, 3, 5, 7], method="kmeans", seeds=[0, 1, 2])
    assert sorted(calls) == [0, 1, 2]  # one LSA per seed, not per k and seed
    # The same rows as each k chosen on its own (its own LSA per seed).
    alone = pd.concat([choose_k(corpus, ks=[k], method="kmeans", seeds=[0, 1, 2]) for k in [2, 3, 5, 7]],
                      ignore_index=True)
    pd.testing.assert_frame_equal(table, alone, check_exact=True)
    assert table["stability"].nunique() > 1


def test_coherence_by_hand(corpus):
    f = unit_features(corpus, "paragraph")
    keys = ["منظمه", "جماعي", "امن"]
    assert all(k in f.keys for k in keys)
    B = (f.counts > 0).toarray()
    col = {k: f.keys.index(k) for k in keys}
    n = B.shape[0]
    umass, npmi = [], []
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        a, b = B[:, col[keys[i]]], B[:, col[keys[j]]]
        umass.append(np.log(((a & b).sum() + 1) / a.sum()))
        p = (a & b).sum() / n
        npmi.append(np.log(p / (a.mean() * b.mean())) / -np.log(p))
    got = coherence(f, [keys]).iloc[0]
    assert got["umass"] == pytest.approx(np.mean(umass))
    assert got["npmi"] == pytest.approx(np.mean(npmi))
    assert got["npmi"] > 0.3  # «منظمة معاهدة الأمن الجماعي» words go together


def _two_theme_corpus(corpus) -> tuple[Corpus, list[int]]:
    """Paragraphs of two clearly different themes, made of real sentences."""
    sents = corpus.units("sentence")["text"]
    csto = [s for s in sents if "الأمن الجماعي" in s]
    truce = [s for s in sents if re.search("وقف (الأعمال القتالية|إطلاق النار)", s) and "الأمن الجماعي" not in s]
    assert len(csto) >= 6 and len(truce) >= 6
    docs, labels = [], []
    for theme, pool in enumerate((csto, truce)):
        for i in range(0, len(pool) - 1, 2):
            text = pool[i] + " " + pool[i + 1]
            docs.append(Document(doc_id=f"{theme}-{i}", title="", text=text, raw_text=text))
            labels.append(theme)
    return Corpus(docs), labels


@pytest.mark.parametrize("method", ["nmf", "kmeans", "spectral"])
def test_obvious_themes_are_recovered(corpus, method):
    two, labels = _two_theme_corpus(corpus)
    r = cluster_topics(two, k=2, unit="document", method=method, min_df=1)
    a = r.assignments
    keep = (a.topic != SHORT).to_numpy()
    assert keep.sum() >= len(labels) - 1
    ari = adjusted_rand_score(np.asarray(labels)[keep], a.topic[keep])
    assert ari >= 0.6, (method, ari)


def test_bad_arguments(corpus):
    with pytest.raises(ValueError, match="method"):
        cluster_topics(corpus, k=3, method="hdbscan")
    with pytest.raises(TypeError, match="unknown option"):
        cluster_topics(corpus, k=3, min_count=3)
    with pytest.raises(ValueError, match="k=500"):
        cluster_topics(corpus, k=500)
    with pytest.raises(ValueError, match="min_tokens"):
        cluster_topics(corpus, k=2, min_tokens=10_000)


# Six paragraphs of three short articles, long enough to cluster (five content
# words or more), sharing a dozen keys between two and three of them.
FEW = [
    "قال وزير الخارجية الروسي إن موسكو تدعم الحل السياسي للأزمة السورية وتدعو إلى الحوار.\n\n"
    "وأكد وزير الخارجية أن موسكو ترفض التدخل العسكري الأجنبي في الأزمة السورية.",
    "أعلنت وزارة الدفاع الروسية وصول قوات جديدة إلى القاعدة الجوية في سورية.\n\n"
    "وقالت وزارة الدفاع إن القوات الجوية الروسية نفذت غارات على مواقع تنظيم داعش.",
    "بحث مجلس الأمن الدولي الأزمة السورية في جلسة طارئة بطلب من موسكو.\n\n"
    "وطالب أعضاء مجلس الأمن بوقف الغارات الجوية على المدنيين في سورية.",
]


def _small(texts: list[str]) -> Corpus:
    return Corpus([Document(doc_id=f"d{i}", title="", text=t, raw_text=t) for i, t in enumerate(texts)])


def test_a_few_units_fit_fewer_topics_than_units_and_no_more_than_keys():
    few = unit_features(_small(FEW), "paragraph")
    n_units, n_keys = few.tfidf.shape
    assert (n_units, max_topics(few)) == (6, 5) and n_keys >= 6
    evidence = choose_k(_small(FEW), ks=range(2, max_topics(few) + 1), seeds=range(3), features=few)
    assert evidence["k"].tolist() == [2, 3, 4, 5]
    # Two units: one topic at most, whatever their keys (موسكو تدعم حل سياسي
    # سوريه ترفض عسكري). Three units sharing two keys: two topics at most, and NMF
    # cannot fit more components than keys: a clear error, not sklearn's.
    two = unit_features(_small(["موسكو تدعم الحل السياسي في سورية", "موسكو ترفض الحل العسكري في سورية"]),
                        "document", min_tokens=3, min_df=1, max_df=1.0)
    assert two.tfidf.shape == (2, 7) and max_topics(two) == 1
    three = unit_features(_small(["موسكو سورية حل", "موسكو سورية حوار", "موسكو سورية قمة"]), "document",
                          min_tokens=3, min_df=2, max_df=1.0)
    assert three.keys == ["سوريه", "موسكو"] and max_topics(three) == 2
    with pytest.raises(ValueError, match=r"k=3 topics for 3 clustered documents and 2 keys: nmf fits 1 to 2"):
        cluster_topics(k=3, unit="document", method="nmf", features=three)
    with pytest.raises(ValueError, match=r"spectral fits 1 to 2"):
        cluster_topics(k=3, unit="document", method="spectral", features=three)
    assert len(cluster_topics(k=3, unit="document", method="kmeans", features=three).topics) == 3


def test_nothing_to_cluster_is_its_own_error():
    with pytest.raises(TooFewUnits, match="no paragraph has 5 or more content words"):
        unit_features(_small(["خبر قصير."]), "paragraph")
    with pytest.raises(TooFewUnits, match="2 documents leave no key between min_df=2 and max_df=0.5"):
        unit_features(_small(FEW[:2]), "document")
    assert issubclass(TooFewUnits, ValueError)  # what callers caught before it had a name


@pytest.mark.slow
@pytest.mark.bench
def test_alwatan_sections_nmi(bench_dir, repo):
    import importlib.util

    path = bench_dir / "saudinewsnet-dev"
    if not path.is_dir():
        pytest.skip(f"benchmark corpus not found at {path}")
    spec = importlib.util.spec_from_file_location("bench_topics", repo / "bench" / "topics.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    sub, labels = bench.alwatan_sections(path)
    assert len(sub) == 340
    r = cluster_topics(sub, k=5, unit="document", method=bench.DOCUMENT_METHOD, seed=0)
    assert normalized_mutual_info_score(labels, r.assignments["topic"]) >= 0.5


@pytest.fixture(scope="module")
def one_day(bench_dir):
    """One day of SaudiNewsNet (1,318 articles), loaded, and its streamed term matrix."""
    from newslib import engine, load_corpus

    path = bench_dir / "saudinewsnet-dev" / "2015-07-23.zip"
    return path, load_corpus(path), engine.term_matrix(path, chunk_size=300)


@pytest.mark.parametrize("bounds", [{}, {"min_df": 5, "max_df": 0.2},
                                    {"min_df": 0.01, "max_df": 400, "min_tokens": 40},
                                    {"min_df": 0.0, "max_df": 0.05, "min_tokens": 120}])
def test_document_features_of_a_term_matrix_are_those_of_the_corpus(one_day, bounds):
    """Topics of a corpus too large to load come from the streamed term matrix:
    the same units, keys, counts and TF-IDF as from the loaded texts, so the
    same topics; only the units' text is missing."""
    from newslib.topics import TOPIC_DEFAULTS, _analysed_features

    path, corpus, terms = one_day
    opts = {k: bounds.get(k, TOPIC_DEFAULTS[k]) for k in ("min_tokens", "min_df", "max_df")}
    ref = _analysed_features(corpus, "document", **opts)  # every text analysed, CountVectorizer
    loaded = unit_features(corpus, "document", **bounds)  # the loaded corpus's own term matrix
    got = unit_features(terms, "document", **bounds)
    pd.testing.assert_frame_equal(loaded.units, ref.units, check_dtype=False)
    # the loaded corpus's units hold its own strings (object dtype), not Arrow copies of every text
    assert loaded.units["text"].dtype == object
    assert all(a is b for a, b in zip(loaded.units["text"], (d.text for d in corpus), strict=True))
    for features in (loaded, got):
        assert features.keys == ref.keys and features.display == ref.display
        assert features.units["doc_id"].tolist() == ref.units["doc_id"].tolist()
        assert features.units["n_tokens"].tolist() == ref.units["n_tokens"].tolist()
        assert features.units["short"].tolist() == ref.units["short"].tolist()
        assert features.counts.dtype == ref.counts.dtype and (features.counts != ref.counts).nnz == 0
        assert np.allclose(features.tfidf.toarray(), ref.tfidf.toarray(), rtol=0, atol=1e-12)
        # the two matrices have the same cells: their indices are held once
        assert np.shares_memory(features.tfidf.indices, features.counts.indices)
        assert np.shares_memory(features.tfidf.indptr, features.counts.indptr)
    if "min_tokens" in bounds:
        assert 0 < int(ref.units["short"].sum()) < len(ref.units)
    assert (got.units["text"] == "").all()
    a = cluster_topics(corpus, k=5, unit="document", method="kmeans", features=ref)
    b = cluster_topics(terms, k=5, unit="document", method="kmeans", **bounds)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.representatives.drop(columns="text"), b.representatives.drop(columns="text"))
    filled = b.with_texts(iter(corpus))
    pd.testing.assert_frame_equal(filled.representatives, a.representatives)


def test_document_features_of_a_term_matrix_refuse_what_the_corpus_refuses(one_day):
    from newslib.topics import _analysed_features

    path, corpus, terms = one_day
    with pytest.raises(ValueError, match="documents as its units.*unit='document'"):
        unit_features(terms, "paragraph")
    for bad, message in [({"min_df": 1200, "max_df": 1.0}, "leave no key"),
                         ({"min_df": 10, "max_df": 5}, "leave no key"), ({"min_tokens": 10**6}, "no document has")]:
        for source in (corpus, terms):
            with pytest.raises(ValueError, match=message):
                unit_features(source, "document", **bad)
        with pytest.raises(ValueError, match=message):
            _analysed_features(corpus, "document", **{"min_tokens": 5, "min_df": 2, "max_df": 0.5, **bad})
    with pytest.raises(TypeError, match="needs a corpus"):
        cluster_topics(k=3)
    r = cluster_topics(k=3, unit="document", method="nmf", features=unit_features(terms, "document"))
    with pytest.raises(KeyError, match="not in the documents given"):
        r.with_texts(corpus.documents[:10])
    with pytest.raises(ValueError, match="not documents"):
        cluster_topics(corpus, k=3, unit="paragraph").with_texts(corpus)
