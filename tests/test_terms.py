"""Term statistics against brute-force recounts on the bundled corpus."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import newslib
from newslib import terms
from newslib.text import TATWEEL
from newslib.tokens import TOKEN_PATTERN


@pytest.fixture(scope="module")
def toks(corpus: newslib.Corpus) -> dict[str, list[newslib.Token]]:
    """All tokens of every document (stopwords included), by doc_id."""
    return {d.doc_id: corpus.tokens(d) for d in corpus}


def brute_counts(toks, docs=None) -> Counter:
    """Content-word counts by a plain loop over tokens."""
    out: Counter = Counter()
    for doc_id, ts in toks.items():
        if docs is None or doc_id in docs:
            out.update(t.key for t in ts if not t.stop)
    return out


def brute_size(toks, docs=None) -> int:
    return sum(len(ts) for doc_id, ts in toks.items() if docs is None or doc_id in docs)


# ---------------------------------------------------------------- frequencies


def test_term_frequencies_match_brute_force(corpus, toks):
    table = terms.term_frequencies(corpus)
    counts = brute_counts(toks)
    docs = Counter(k for ts in toks.values() for k in {t.key for t in ts if not t.stop})
    total = brute_size(toks)
    assert total == corpus.stats()["tokens"]
    assert dict(zip(table["key"], table["count"], strict=True)) == dict(counts)
    assert dict(zip(table["key"], table["docs"], strict=True)) == dict(docs)
    row = table.set_index("key").loc["ارهاب"]
    assert row["count"] == counts["ارهاب"] == 35
    assert row["per_10k"] == pytest.approx(35 * 10_000 / total)
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    # Sorted by count, ties by key.
    assert table[["count", "key"]].apply(tuple, axis=1).tolist() == sorted(
        zip(table["count"], table["key"], strict=True), key=lambda ck: (-ck[0], ck[1])
    )


def test_top_terms_are_content_words(corpus):
    table = terms.term_frequencies(corpus)
    top15 = set(table.head(15)["display"])
    assert {"سورية", "إرهاب", "لافروف", "روسيا"} <= top15
    function_words = {"في", "من", "إلى", "أن", "على", "عن", "التي", "الذي", "هذا", "مع"}
    assert not function_words & set(table["display"])
    keys = {newslib.normalize(w) for w in function_words}
    assert not keys & set(table["key"])
    assert not set(table["key"]) & newslib.stopwords()
    assert terms.term_frequencies(corpus, top=5)["key"].tolist() == table.head(5)["key"].tolist()


def test_document_frequencies_match_brute_force(corpus, toks):
    long = terms.document_frequencies(corpus)
    for doc_id, ts in toks.items():
        mine = long[long["doc_id"] == doc_id]
        counts = Counter(t.key for t in ts if not t.stop)
        assert dict(zip(mine["key"], mine["count"], strict=True)) == dict(counts)
        assert mine["rank"].tolist() == list(range(1, len(mine) + 1))
        first = mine.iloc[0]
        assert first["per_10k"] == pytest.approx(first["count"] * 10_000 / len(ts))
    top = terms.document_frequencies(corpus, top=3)
    assert top.groupby("doc_id").size().tolist() == [3] * len(corpus)
    assert top["doc_id"].drop_duplicates().tolist() == [d.doc_id for d in corpus]


# ---------------------------------------------------------------- n-grams


def brute_ngram_table(corpus, toks, n: int) -> dict[str, tuple[int, int, str]]:
    """n-grams by a loop: runs of content tokens in one sentence, separated by
    white space. key -> (count, documents, display): the spelling seen most
    often (first word without its particles, tatweel dropped), ties by
    code-point order."""
    counts: Counter = Counter()
    docs: dict[str, set] = {}
    spellings: dict[str, Counter] = {}
    for d in corpus:
        text = d.text
        by_sentence: dict[int, list] = {}
        for t in toks[d.doc_id]:
            by_sentence.setdefault(t.sentence, []).append(t)
        for ts in by_sentence.values():
            run: list = []
            for t in ts:
                if run and text[run[-1].end : t.start].strip():
                    run = []  # punctuation between two words
                if t.stop:
                    run = []
                    continue
                run.append(t)
                if len(run) >= n:
                    gram = run[-n:]
                    key = " ".join(x.key for x in gram)
                    counts[key] += 1
                    docs.setdefault(key, set()).add(d.doc_id)
                    words = [terms._lead_form(corpus.vocabulary, gram[0].surface)] + [x.surface for x in gram[1:]]
                    spellings.setdefault(key, Counter())[" ".join(words).replace(TATWEEL, "")] += 1
    return {k: (c, len(docs[k]), min(spellings[k].items(), key=lambda s: (-s[1], s[0]))[0])
            for k, c in counts.items()}


@pytest.mark.parametrize("n", [2, 3, 4])
def test_ngrams_match_brute_force(corpus, toks, n):
    table = terms.ngrams(corpus, n=n, min_count=1)
    expected = brute_ngram_table(corpus, toks, n)
    assert len(expected) > 100
    got = {k: (c, d, s) for k, c, d, s in zip(table["key"], table["count"], table["docs"], table["display"],
                                               strict=True)}
    assert got == expected
    assert (table["n"] == n).all()
    assert table["docs"].max() > 1 and (table["docs"] <= table["count"]).all()  # documents counted, not tokens
    two = terms.ngrams(corpus, n=n)  # default min_count=2
    assert two["count"].min() >= 2
    assert set(two["key"]) == {k for k, (c, _, _) in expected.items() if c >= 2}


def test_ngrams_match_brute_force_on_saudinewsnet(bench_dir):
    # Real news text: quotes, dashes, numbers, Latin words, a larger vocabulary.
    corpus = newslib.load_corpus(bench_dir / "saudinewsnet-dev" / "2015-07-23.zip")
    corpus = newslib.Corpus(corpus.documents[:300])
    toks = {d.doc_id: corpus.tokens(d) for d in corpus}
    table = terms.ngrams(corpus, n=(2, 3), min_count=1)
    for n in (2, 3):
        rows = table[table["n"] == n]
        expected = brute_ngram_table(corpus, toks, n)
        assert len(expected) > 20_000
        assert {k: (c, d, s) for k, c, d, s in zip(rows["key"], rows["count"], rows["docs"], rows["display"],
                                                   strict=True)} == expected


def test_ngrams_none_kept_has_the_same_columns(corpus):
    full = terms.ngrams(corpus, n=(2, 3))
    none = terms.ngrams(corpus, n=(2, 3), min_count=10**6)
    assert len(full) and not len(none)
    assert none.dtypes.to_dict() == full.dtypes.to_dict()


def test_ngrams_stay_inside_sentences_and_skip_stopwords(corpus, toks):
    table = terms.ngrams(corpus, n=2, min_count=1)
    found = set(table["key"])
    stop = corpus.vocabulary.is_stop
    assert not any(stop(part) for key in found for part in key.split())
    # Pairs made only across a sentence end (last content word of one
    # sentence, first of the next) must be absent.
    inside, across = set(), set()
    for d in corpus:
        content = [t for t in toks[d.doc_id] if not t.stop]
        for x, y in zip(content, content[1:], strict=False):
            (inside if x.sentence == y.sentence else across).add(f"{x.key} {y.key}")
    only_across = across - inside
    assert len(only_across) > 20
    assert not only_across & found
    # A stopword breaks a phrase: «الإرهاب في سورية» gives no «إرهاب سورية».
    assert "ارهاب في سوريه" in {
        " ".join(t.key for t in ts[i : i + 3]) for ts in toks.values() for i in range(len(ts) - 2)
    }
    assert "ارهاب سوريه" not in found


def test_ngram_display_forms(corpus):
    bi = terms.ngrams(corpus, n=2).set_index("key")
    tri = terms.ngrams(corpus, n=3).set_index("key")
    assert bi.loc["امن جماعي", "display"] == "الأمن الجماعي"
    assert bi.loc["امن جماعي", "count"] >= 20
    assert tri.loc["وقف اعمال قتاليه", "display"] == "وقف الأعمال القتالية"
    assert tri.loc["وقف اعمال قتاليه", "count"] == 14
    assert bi.loc["جبهه موحده", "display"] == "جبهة موحدة"
    # The first word loses its و/ل/ب, never its article.
    assert not any(s.startswith(("وال", "لل", "بال")) for s in bi["display"])


def test_ngrams_one_pass_for_several_n(corpus):
    both = terms.ngrams(corpus, n=(2, 3), min_count=1)
    for n in (2, 3):
        alone = terms.ngrams(corpus, n=n, min_count=1)
        pd.testing.assert_frame_equal(both[both["n"] == n].reset_index(drop=True), alone)
    with pytest.raises(ValueError):
        terms.ngrams(corpus, n=1)
    with pytest.raises(ValueError):
        terms.ngrams(corpus, n=(2, 1))


# ---------------------------------------------------------------- TF-IDF


@pytest.mark.parametrize(("min_count", "block"), [(1, 4096), (1, 2), (2, 1), (3, 3)])
def test_distinctive_terms_match_tfidf_by_hand(corpus, toks, monkeypatch, min_count, block):
    monkeypatch.setattr(terms, "_TFIDF_BLOCK", block)  # documents ranked at once: any number gives the same
    table = terms.distinctive_terms(corpus, top=5, min_count=min_count)
    n_docs = len(corpus)
    df = Counter(k for ts in toks.values() for k in {t.key for t in ts if not t.stop})
    for doc_id, ts in toks.items():
        tf = Counter(t.key for t in ts if not t.stop)
        # scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1, rows L2-normalised.
        w = {k: c * (math.log((1 + n_docs) / (1 + df[k])) + 1) for k, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        best = sorted((k for k in w if tf[k] >= min_count), key=lambda k: (-w[k], k))[:5]
        mine = table[table["doc_id"] == doc_id]
        assert mine["key"].tolist() == best and mine["rank"].tolist() == list(range(1, len(best) + 1))
        assert mine["tfidf"].tolist() == pytest.approx([w[k] / norm for k in best])
        assert mine["count"].tolist() == [tf[k] for k in best]
    # 000 is the Yerevan article: its TF-IDF list names the city.
    assert "يريفان" in set(table[table["doc_id"] == corpus[0].doc_id]["key"])


def test_distinctive_terms_when_the_tfidf_matrix_stores_other_cells(corpus, monkeypatch):
    """TF-IDF values are taken cell by cell when scikit-learn's matrix does
    not have exactly the cells of the counts (here: every cell stored)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    expected = terms.distinctive_terms(corpus, top=5)

    class EveryCell(TfidfTransformer):
        def fit_transform(self, X, y=None):
            W = super().fit_transform(X).toarray()
            rows, cols = np.indices(W.shape).reshape(2, -1)
            return sp.csr_matrix((W.ravel(), (rows, cols)), shape=W.shape)  # explicit zeros kept

    monkeypatch.setattr(terms, "TfidfTransformer", EveryCell)
    assert EveryCell().fit_transform(terms.term_matrix(corpus).matrix).nnz > terms.term_matrix(corpus).matrix.nnz
    pd.testing.assert_frame_equal(terms.distinctive_terms(corpus, top=5), expected)


# ---------------------------------------------------------------- keyness


def test_keyness_g2_by_hand(corpus, toks):
    target = [d.doc_id for d in corpus if "SANA" in d.outlet]
    assert len(target) == 2
    rest = {d.doc_id for d in corpus} - set(target)
    counts_t, counts_r = brute_counts(toks, set(target)), brute_counts(toks, rest)
    c, d = brute_size(toks, set(target)), brute_size(toks, rest)
    for formula in ("2-term", "4-term"):
        table = terms.keyness(corpus, target, formula=formula).set_index("key")
        for key in ("بوتين", "وقف", "سوريه"):
            a, b = counts_t[key], counts_r[key]
            # The 2x2 contingency table: the word and all other words, in each group.
            e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
            g2 = 2 * sum(o * math.log(o / e) for o, e in ((a, e1), (b, e2)) if o)
            if formula == "4-term":
                g2 += 2 * ((c - a) * math.log((c - a) / (c - e1)) + (d - b) * math.log((d - b) / (d - e2)))
            row = table.loc[key]
            assert (row["target"], row["reference"]) == (a, b)
            assert row["docs_target"] == sum(1 for i in target if key in brute_counts(toks, {i}))
            assert row["docs_reference"] == sum(1 for i in rest if key in brute_counts(toks, {i}))
            assert row["g2"] == pytest.approx(g2, rel=1e-9)
            assert row["p"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)), rel=1e-6)
            ratio = (max(a, 0.5) / c) / (max(b, 0.5) / d)
            assert row["log_ratio"] == pytest.approx(math.log2(ratio))
            assert row["sign"] == ("+" if a / c > b / d else "-")
    table = terms.keyness(corpus, target).set_index("key")
    # «بوتين» occurs only in the SANA articles: infinite %DIFF, large G².
    assert table.loc["بوتين", "reference"] == 0 and table.loc["بوتين", "target"] == 16
    assert table.loc["بوتين", "percent_diff"] == np.inf and table.loc["بوتين", "g2"] > 10
    # «وقف» (the ceasefire) is underused by SANA here.
    assert table.loc["وقف", "sign"] == "-" and table.loc["وقف", "percent_diff"] < 0


def test_keyness_groups(corpus):
    ids = [d.doc_id for d in corpus]
    full = terms.keyness(corpus, ids[:2])
    assert full["g2"].is_monotonic_decreasing
    same = terms.keyness(corpus, [0, 1], reference_docs=ids[2:])
    pd.testing.assert_frame_equal(full, same)
    # Swapping the groups keeps G² and flips the sign.
    swapped = terms.keyness(corpus, ids[2:]).set_index("key")
    joined = full.set_index("key").join(swapped, suffixes=("", "_swapped"))
    assert np.allclose(joined["g2"], joined["g2_swapped"])
    assert np.allclose(joined["log_ratio"], -joined["log_ratio_swapped"])
    with pytest.raises(ValueError, match="overlap"):
        terms.keyness(corpus, ids[:2], reference_docs=ids[1:])
    with pytest.raises(ValueError, match="no document"):
        terms.keyness(corpus, ["nope"])
    with pytest.raises(ValueError, match="whole corpus"):
        terms.keyness(corpus, ids)


# ---------------------------------------------------------------- KWIC


@pytest.mark.parametrize("query", ["الإرهاب", "وقف الأعمال القتالية", "جبهة موحدة"])
def test_kwic_rows_reconstruct_the_text(corpus, toks, query):
    table = terms.kwic(corpus, query, window=5)
    qkeys = [corpus.vocabulary.key(s) for s in TOKEN_PATTERN.findall(query)]
    n = len(qkeys)
    expected = [
        (doc_id, ts[i].start, ts[i + n - 1].end)
        for doc_id, ts in toks.items()
        for i in range(len(ts) - n + 1)
        if [t.key for t in ts[i : i + n]] == qkeys and ts[i].sentence == ts[i + n - 1].sentence
    ]
    assert len(expected) > 0
    assert list(zip(table["doc_id"], table["start"], table["end"], strict=True)) == expected
    for row in table.itertuples():
        text = corpus[row.doc_id].text
        # left = before the keyword in reading order, right = after it.
        span = text[row.start - len(row.left) : row.end + len(row.right)]
        assert span == row.left + row.keyword + row.right
        assert row.keyword == text[row.start : row.end]
        assert [corpus.vocabulary.key(s) for s in TOKEN_PATTERN.findall(row.keyword)] == qkeys
        assert "\n" not in span  # context stays in the paragraph
        assert len(TOKEN_PATTERN.findall(row.left)) <= 5
        assert len(TOKEN_PATTERN.findall(row.right)) <= 5


def kwic_by_tokens(corpus, toks, query, window, unit, scope):
    """KWIC rows from every document's full token list (the plain way)."""
    q = [corpus.vocabulary.key(s) for s in TOKEN_PATTERN.findall(query)]
    n, rows = len(q), []
    for d in corpus:
        ts, text = toks[d.doc_id], d.text
        units, paras = newslib.sentences(text), newslib.paragraphs(text)
        for j in range(len(ts) - n + 1):
            if [t.key for t in ts[j : j + n]] != q or ts[j].sentence != ts[j + n - 1].sentence:
                continue
            first, last = ts[j], ts[j + n - 1]
            lo, hi = {"document": (0, len(text)), "paragraph": paras[first.paragraph],
                      "sentence": (units[first.sentence].start, units[first.sentence].end)}[scope]
            if unit == "chars":
                a, b = first.start - window, last.end + window
            else:
                a = ts[j - window].start if j >= window else lo
                b = ts[j + n - 1 + window].end if j + n - 1 + window < len(ts) else hi
            a, b = max(a, lo), min(b, hi)
            rows.append((d.doc_id, first.sentence, text[a : first.start], text[first.start : last.end],
                         text[last.end : b], first.start, last.end))
    return rows


@pytest.mark.parametrize("scope", ["sentence", "paragraph", "document"])
@pytest.mark.parametrize(("unit", "window"), [("words", 0), ("words", 5), ("words", 60), ("chars", 25)])
def test_kwic_equals_the_token_by_token_reading(corpus, toks, scope, unit, window):
    for query in ["الإرهاب", "وقف الأعمال القتالية", "في", "لافروف في", "روسيا"]:
        table = terms.kwic(corpus, query, window=window, unit=unit, scope=scope)
        expected = kwic_by_tokens(corpus, toks, query, window, unit, scope)
        assert len(expected) > 0
        assert list(table.itertuples(index=False, name=None)) == expected


def test_kwic_equals_the_token_by_token_reading_on_saudinewsnet(bench_dir):
    corpus = newslib.load_corpus(bench_dir / "saudinewsnet-dev" / "2015-07-23.zip")
    corpus = newslib.Corpus(corpus.documents[:400])
    toks = {d.doc_id: corpus.tokens(d) for d in corpus}
    for query in ["المملكة", "خادم الحرمين الشريفين", "في"]:
        expected = kwic_by_tokens(corpus, toks, query, 5, "words", "paragraph")
        assert len(expected) > 20
        assert list(terms.kwic(corpus, query).itertuples(index=False, name=None)) == expected


def test_kwic_matches_variants(corpus):
    terror = terms.kwic(corpus, "الإرهاب")
    assert len(terror) == 35
    assert "الإرهاب" in set(terror["keyword"])
    assert len(set(terror["keyword"])) > 1  # clitic forms found through the key
    front = terms.kwic(corpus, "جبهة موحدة")
    assert "جبهة موحّدة" in set(front["keyword"])  # diacritised spelling in 003
    assert "جبهة موحدة" in set(front["keyword"])
    assert set(front["doc_id"]) == {corpus[0].doc_id, corpus[3].doc_id}
    first = front.iloc[0]
    assert first["left"].endswith("إلى ") and first["right"].startswith(" لمواجهة")


def test_kwic_options(corpus):
    chars = terms.kwic(corpus, "لافروف", window=10, unit="chars")
    assert len(chars) == 30
    assert (chars["left"].str.len() <= 10).all() and (chars["right"].str.len() <= 10).all()
    sent = terms.kwic(corpus, "لافروف", window=50, scope="sentence")
    for row in sent.itertuples():
        unit = corpus.sentences(row.doc_id)[row.sentence]
        assert unit.start <= row.start - len(row.left) and row.end + len(row.right) <= unit.end
    assert terms.kwic(corpus, "كلمةغيرموجودة").empty
    with pytest.raises(ValueError):
        terms.kwic(corpus, "«»")


# ---------------------------------------------------------------- type/token


def test_type_token_stats_recount(corpus, toks):
    table = terms.type_token_stats(corpus, window=100).set_index("doc_id")
    all_keys, all_windows = [], []
    for doc_id, ts in toks.items():
        keys = [t.key for t in ts]
        all_keys.append(keys)
        counts = Counter(keys)
        row = table.loc[doc_id]
        assert row["tokens"] == len(keys)
        assert row["types"] == len(counts)
        assert row["hapax"] == sum(1 for c in counts.values() if c == 1)
        assert row["ttr"] == pytest.approx(len(counts) / len(keys))
        assert row["guiraud"] == pytest.approx(len(counts) / math.sqrt(len(keys)))
        windows = [len(set(keys[i : i + 100])) / 100 for i in range(len(keys) - 99)]
        assert row["mattr"] == pytest.approx(sum(windows) / len(windows))
        all_windows += windows
    whole = table.loc[terms.CORPUS_ROW]
    flat = [k for keys in all_keys for k in keys]
    assert whole["tokens"] == len(flat) == corpus.stats()["tokens"]
    assert whole["types"] == len(set(flat)) == corpus.stats()["types"]
    assert whole["hapax"] == sum(1 for c in Counter(flat).values() if c == 1)
    # every window of every document (none spans two), averaged
    assert whole["mattr"] == pytest.approx(sum(all_windows) / len(all_windows), rel=1e-12)
    # MATTR does not fall with length the way TTR does.
    assert whole["ttr"] < table["ttr"].drop(terms.CORPUS_ROW).min()
    assert whole["mattr"] > 0.7


@pytest.mark.parametrize("content_only", [False, True])
def test_type_token_stats_same_whatever_the_batch(corpus, monkeypatch, content_only):
    """Documents are taken a batch at a time: batches of 1 and 2 (key numbers
    carried across them) give the table of one batch."""
    whole = terms.type_token_stats(corpus, window=50, content_only=content_only)
    for size in (1, 2):
        monkeypatch.setattr(terms, "_TT_BATCH", size)
        pd.testing.assert_frame_equal(terms.type_token_stats(corpus, window=50, content_only=content_only), whole)


def test_type_token_short_text_and_content_only(corpus):
    short = terms.type_token_stats(corpus, window=10_000).set_index("doc_id")
    assert (short["mattr"] == short["ttr"]).drop(terms.CORPUS_ROW).all()
    # the corpus row: the mean of the texts' TTRs (each text one window)
    assert short.loc[terms.CORPUS_ROW, "mattr"] == pytest.approx(short["ttr"].drop(terms.CORPUS_ROW).mean(), rel=1e-12)
    content = terms.type_token_stats(corpus, content_only=True)
    assert content["tokens"].iloc[-1] == terms.term_frequencies(corpus)["count"].sum()


def test_token_counts_per_document_are_counted_once_per_corpus(corpus):
    """Keyness of several groups, frequencies and n-grams share one count of
    each document's word tokens: a brute-force recount, the same array again,
    and read-only so that no caller can change another's."""
    from newslib.terms import _doc_tokens

    sizes = _doc_tokens(corpus)
    assert sizes.tolist() == [len(TOKEN_PATTERN.findall(d.text)) for d in corpus]
    assert _doc_tokens(corpus) is sizes and not sizes.flags.writeable
    fresh = newslib.load_corpus(corpus.source)
    assert _doc_tokens(fresh) is not sizes and _doc_tokens(fresh).tolist() == sizes.tolist()
