"""Tokens, keys, display forms, segmentation and counting on the real corpus."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

import newslib
from newslib import Vocabulary, paragraphs, sentences, stopwords, tokenize
from newslib.dtm import document_term_matrix
from newslib.tokens import TOKEN_PATTERN, base_key, surface_tokens

D000 = "000_b4bb5a84539e25b9"
D001 = "001_34cc1170e1beb3ba"
D003 = "003_cfbd479925494924"

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=200)
ARABIC_ISH = st.text(
    st.sampled_from("ابتسلمنويةىأإآءئؤ والكفب .؟!،؛«»\"'()…\n\n\u0651\u064e\u0640\u200f\u202eد1٢"),
    max_size=120,
)


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("variant", "word"),
    [("والإرهاب", "إرهاب"), ("لروسيا", "روسيا"), ("بالتنسيق", "تنسيق"), ("كيرى", "كيري")],
)
def test_issue_pairs_share_keys(corpus: newslib.Corpus, variant: str, word: str) -> None:
    v = corpus.vocabulary
    assert v.key(variant) == v.key(word)
    assert v.key(word) == base_key(word)  # the bare word keys to itself


def test_keys_of_the_issue_pairs(corpus: newslib.Corpus) -> None:
    v = corpus.vocabulary
    assert [v.key(w) for w in ("والإرهاب", "لروسيا", "بالتنسيق", "كيرى")] == [
        "ارهاب",
        "روسيا",
        "تنسيق",
        "كيري",
    ]


def test_attested_rest_decides_bare_proclitics(corpus: newslib.Corpus) -> None:
    v = corpus.vocabulary
    # «لافروف» is not ل + «افروف»; «كيري» is not ك + «يري»
    assert v.key("لافروف") == "لافروف"
    assert v.key("كيري") == "كيري"
    assert v.key("وكيرى") == v.key("وكيري") == "كيري"  # و + كيري, both spellings
    assert v.key("ولافروف") == "لافروف"
    assert v.key("وروسيا") == "روسيا"


def test_definite_article_and_particles() -> None:
    assert base_key("الإرهاب") == base_key("والإرهاب") == base_key("للإرهاب") == "ارهاب"
    assert base_key("بالتنسيق") == base_key("التنسيق") == "تنسيق"
    assert base_key("ألمانيا") == "المانيا"  # hamza alef: not an article
    assert base_key("الله") == "الله"
    assert base_key("للأمم") == "امم"


def test_particle_before_relative_pronoun_is_not_an_article(corpus: newslib.Corpus) -> None:
    """«والتي» is و + «التي», not وال + «تي» (found by this suite: «تي» was a content word)."""
    v = corpus.vocabulary
    for word, function_word in [("والتي", "التي"), ("والذي", "الذي"), ("للذين", "الذين"), ("فالذي", "الذي")]:
        assert v.key(word) == v.key(function_word), word
        assert v.is_stop(v.key(word)), word
    content = v.key_counts()
    assert not {"تي", "ذي", "ذين"} & set(content)


def test_word_starting_with_al_keeps_its_key(corpus: newslib.Corpus) -> None:
    """«التزام» and «الالتزام» are one word with and without the article."""
    v = corpus.vocabulary
    assert v.key("التزام") == v.key("الالتزام") == "التزام"
    assert v.display("التزام") == "التزام"
    # no two content keys share one display form in the corpus's DTM
    displays = Counter(v.display(k) for k in v.key_counts())
    assert [d for d, n in displays.items() if n > 1] == []


def test_display_forms(corpus: newslib.Corpus) -> None:
    v = corpus.vocabulary
    assert v.display(v.key("سوريه")) == "سورية"
    assert v.display(v.key("والإرهاب")) == "إرهاب"
    assert v.display(v.key("كيرى")) == "كيري"  # «كيري» ×3 beats «كيرى» ×2
    assert v.display(v.key("لروسيا")) == "روسيا"
    assert v.display("an unseen key") == "an unseen key"


def test_display_is_the_most_frequent_bare_spelling() -> None:
    v = Vocabulary(Counter({"سورية": 3, "سوريه": 1, "في": 5, "لسوريه": 1}))
    assert v.key("سوريه") == v.key("سورية") == v.key("لسوريه")
    assert v.display(v.key("سوريه")) == "سورية"
    v2 = Vocabulary(Counter({"سورية": 1, "سوريه": 3}))
    assert v2.display(v2.key("سورية")) == "سوريه"


def test_display_keys_back_to_its_key(corpus: newslib.Corpus) -> None:
    v = corpus.vocabulary
    for key in v.key_counts():
        display = v.display(key)
        assert "\u0640" not in display
        assert v.key(display) == key, (key, display)


def test_stopwords_come_from_the_package_adjusted_for_news() -> None:
    from stop_words import get_stop_words

    stop = stopwords()
    assert "في" in stop and "الذي" in stop and "الي" in stop  # «إلى», normalised
    assert "ارهاب" not in stop and "سوريه" not in stop and "روسيا" not in stop
    # the package list is the base: most of its words are stopword keys
    package = [newslib.normalize(w) for w in get_stop_words("ar")]
    assert sum(w in stop for w in package) / len(package) > 0.8
    # content words the package lists are taken back out (newslib/data/stopwords_news.txt)
    assert "وقف" not in stop  # «وقف الأعمال القتالية»


def test_stopword_tokens_are_marked_and_can_be_dropped(corpus: newslib.Corpus) -> None:
    doc = corpus[D001]
    tokens = corpus.tokens(doc)
    content = corpus.tokens(doc, stopwords=False)
    assert content == [t for t in tokens if not t.stop]
    assert any(t.stop and t.surface == "في" for t in tokens)
    assert {t.key for t in content} >= {"لافروف", "كيري", "سوريه", "روسيا"}


def _is_abbreviation_by_the_rule(text: str, start: int, dot: int) -> bool:
    """The abbreviation rule written plainly (walk back to the word's start),
    as newslib.tokens had it before its fast path."""
    if text[dot] != "." or (dot + 1 < len(text) and text[dot + 1] == "."):
        return False
    word_start = dot
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("(«\"'")
    if all(len(w) == 1 and w.isalpha() for w in word.split(".")):
        return True
    return word.lower() in {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "no", "jr", "sr"}


def test_abbreviation_fast_path_agrees_with_the_rule(corpus: newslib.Corpus) -> None:
    """Every full stop of the seed corpus, and of random strings built from the
    characters that matter (letters Latin and Arabic, digits, dots, quotes,
    brackets, white space), from every possible start."""
    import random

    from newslib.tokens import _is_abbreviation

    texts = [d.text for d in corpus] + [d.raw_text for d in corpus]
    rng = random.Random(0)
    pieces = list("ab.ZDrK5 («\"')\n\t") + ["د.", "م", "أ.ب", "Mr", "ST", "etc", "\u212a"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 10))) for _ in range(20000)]
    checked = 0
    for text in texts:
        for dot in (i for i, c in enumerate(text) if c == "."):
            for start in {0, max(0, dot - 1), max(0, dot - 2), max(0, dot - 3), dot}:
                assert _is_abbreviation(text, start, dot) == _is_abbreviation_by_the_rule(text, start, dot), (
                    text, start, dot)
                checked += 1
    assert checked > 50000


def test_light_stemming_is_optional(corpus: newslib.Corpus) -> None:
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("arabic")
    plain = corpus.vocabulary
    stemmed = Vocabulary(plain.surface_counts, stem=True)
    for word in ("الإرهابيين", "المسلحة", "الأمريكيين"):
        assert stemmed.key(word) == stemmer.stemWord(plain.key(word))
    assert len(stemmed.key_counts()) < len(plain.key_counts())


def test_stemming_groups_content_words_and_never_decides_what_is_one(corpus: newslib.Corpus) -> None:
    """Stemming does not change which words are stopwords. The stem of a
    stopword is no stopword («على» → «عل», «التي» → «الت»): a stopword keeps
    its key. The stem of a content word may be one («الخارجية» → «خارج»,
    "outside"): that word keeps its key too. The term matrix, which drops the
    sure stopwords before counting, then agrees with the vocabulary's own
    content counts key for key."""
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("arabic")
    plain = corpus.vocabulary
    stemmed = Vocabulary(plain.surface_counts, stem=True)
    assert stemmer.stemWord("علي") == "عل" and stemmer.stemWord("خارجيه") == "خارج"
    for word in ("على", "التي", "الذي", "وفي", "أعلن"):
        assert stemmed.is_stop(stemmed.key(word)), word
    assert stemmed.key("الخارجية") == plain.key("الخارجية") == "خارجيه"
    words = list(plain.surface_counts)
    assert [stemmed.is_stop(k) for k in stemmed.keys(words)] == [plain.is_stop(k) for k in plain.keys(words)]
    assert stemmed.analyzer("قال إن الهجوم على المدينة التي تقع في الشمال") == ["هجوم", "مدين", "تقع", "شمال"]
    m = document_term_matrix(corpus, stem=True)
    assert dict(zip(m.terms["key"], m.terms["count"].tolist(), strict=True)) == stemmed.key_counts()


def test_stemming_runs_in_c_with_the_pure_python_stems(corpus: newslib.Corpus) -> None:
    """snowballstemmer hands over to PyStemmer's C stemmers when it is
    installed (pinned): every stem of the bundled corpus's words, as written
    and as keys, equals the pure-Python Snowball Arabic stemmer's."""
    import snowballstemmer
    from snowballstemmer.arabic_stemmer import ArabicStemmer

    fast = snowballstemmer.stemmer("arabic")
    assert type(fast).__module__ == "Stemmer", type(fast)  # the C extension, not the Python fallback
    words = sorted({w for t in (t for d in corpus for t in corpus.tokens(d)) for w in (t.surface, t.key)})
    assert len(words) > 2000
    python = ArabicStemmer()
    assert fast.stemWords(words) == [python.stemWord(w) for w in words]


def test_keys_are_computed_once_per_type(monkeypatch: pytest.MonkeyPatch, corpus: newslib.Corpus) -> None:
    """Normalisation runs per word type, not per token (design: a per-type cache)."""
    import newslib.tokens as tokens_module

    calls = 0
    real = tokens_module._normalize

    def counting(text: str, key: tuple) -> str:
        nonlocal calls
        calls += 1
        return real(text, key)

    monkeypatch.setattr(tokens_module, "_normalize", counting)
    monkeypatch.setattr(tokens_module, "_BASE_CACHE", {})
    texts = corpus.texts * 20
    n_tokens = sum(len(TOKEN_PATTERN.findall(t)) for t in texts)
    n_types = len({s for t in texts for s in TOKEN_PATTERN.findall(t)})
    v = Vocabulary.from_texts(texts, lowercase=False)
    for t in texts:
        v.analyzer(t)
    assert n_tokens > 10 * n_types
    assert calls <= 3 * n_types + 1000  # + stopword list


# ---------------------------------------------------------------- batch paths = one-by-one rules

WORDS = st.lists(
    st.one_of(
        st.text(st.sampled_from("الوفبكيةىأإآ\u0651\u0640\ufefb\ufe8dیک٢\nA\u0130\u03a3"), min_size=1, max_size=9),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=6),
        st.sampled_from(["والتي", "للذين", "بالله", "الالتزام", "التزام", "لروسيا", "روسيا", "ألمانيا", "وللأمن"]),
    ),
    max_size=60,
)


def _keys_one_by_one(counts: Counter, monkeypatch: pytest.MonkeyPatch, **options) -> Vocabulary:
    """A vocabulary whose keys come from the per-surface rules, with its own base cache."""
    import newslib.tokens as tokens_module

    monkeypatch.setattr(tokens_module, "_BASE_CACHE", {})
    return Vocabulary(counts, **options)


def _check_batch_equals_one_by_one(counts: Counter, monkeypatch: pytest.MonkeyPatch, **options) -> None:
    from newslib.text import _options
    from newslib.tokens import _base_uncached, _compute_bases

    words = list(counts)
    opts = _options({k: v for k, v in options.items() if k != "stem"})
    assert _compute_bases(words, opts) == [_base_uncached(w, opts) for w in words]
    whole = Vocabulary(counts, **options)
    batch = whole.keys(words)
    if not options.get("stem"):
        _check_plan_equals_vocabulary(counts, whole, batch, opts, **options)
    single = _keys_one_by_one(counts, monkeypatch, **options)
    assert batch == [single._resolve(w) for w in words]


def _check_plan_equals_vocabulary(counts: Counter, whole: Vocabulary, keys: list[str], opts: tuple,
                                  **options) -> None:
    """A _KeyPlan fed two thirds of the surfaces in batches of growing size (the
    rest come with the counts, as a pass's dropped stopwords do) keys them as
    the vocabulary does, and builds the same vocabulary."""
    from newslib.tokens import _KeyPlan

    words = list(counts)
    plan = _KeyPlan(opts)
    start, size = 0, 1
    while start < len(words) * 2 // 3:
        plan.add(words[start : min(start + size, len(words) * 2 // 3)])
        start, size = start + size, size * 3
    vocab, (numbers, names) = plan.vocabulary(Counter(counts), **options)
    assert names[numbers].tolist() == keys
    assert len(set(names.tolist())) == len(names)  # a key has one number (the statistics count numbers)
    assert list(vocab.base_counts.items()) == list(whole.base_counts.items())
    assert list(vocab.surface_counts.items()) == list(whole.surface_counts.items())
    assert [vocab.key(w) for w in words[-1:]] == keys[-1:]  # the first look-up puts in the decided keys
    assert vocab.keys(words) == keys
    assert [vocab.display(k) for k in keys[:500]] == [whole.display(k) for k in keys[:500]]


@pytest.mark.parametrize("options", [{}, {"teh_marbuta": False, "lowercase": False}, {"alef": False}])
def test_batch_keys_equal_per_surface_rules_on_the_corpus(
    corpus: newslib.Corpus, monkeypatch: pytest.MonkeyPatch, options: dict
) -> None:
    _check_batch_equals_one_by_one(corpus.vocabulary.surface_counts, monkeypatch, **options)


def test_batch_keys_equal_per_surface_rules_on_saudinewsnet(bench_dir, monkeypatch: pytest.MonkeyPatch) -> None:
    """194,000 word types of a real archive, hamza, presentation forms and all."""
    counts: Counter = Counter()
    texts = [doc.text for doc in newslib.iter_documents(bench_dir / "saudinewsnet-dev")]
    for text in texts:
        counts.update(TOKEN_PATTERN.findall(text))
    assert len(counts) > 150_000
    # The Arrow word splitter finds the same surfaces, as often, in the same order.
    assert list(Vocabulary.from_texts(texts).surface_counts.items()) == list(counts.items())
    _check_batch_equals_one_by_one(counts, monkeypatch)
    # Stemming leaves every one of them a stopword or not as it was, and groups the rest.
    words = list(counts)
    plain, stemmed = Vocabulary(counts), Vocabulary(counts, stem=True)
    stop = plain.stop_mask(plain.keys(words))
    assert np.array_equal(stemmed.stop_mask(stemmed.keys(words)), stop)
    assert len(stemmed.key_counts()) < 0.6 * len(plain.key_counts())


@settings(max_examples=300, deadline=None)
@given(WORDS, st.booleans())
def test_batch_keys_equal_per_surface_rules_on_any_words(words: list[str], stem: bool) -> None:
    counts = Counter({w: 1 + i % 3 for i, w in enumerate(words)})
    with pytest.MonkeyPatch.context() as mp:
        _check_batch_equals_one_by_one(counts, mp, stem=stem)


# ---------------------------------------------------------------- word splitting = TOKEN_PATTERN

# Texts that stress the code-point table: marks, tatweel, digits of every
# script, astral letters and emoji, lone surrogates, every kind of space.
ODD_TEXTS = st.lists(
    st.one_of(
        st.text(st.sampled_from("اَلـبٌّ ٠١٢3_-.،\n\t\u00a0\u2009\u200f\ufeb3\U0001d400\U0001f600\ud800x ")),
        st.text(),
    ),
    max_size=6,
)


def test_word_table_agrees_with_the_pattern_on_every_code_point() -> None:
    from newslib.tokens import _word_table

    table = _word_table(0x110000)
    assert (_word_table()[:] == table[:0x10000]).all()  # the Basic Multilingual Plane's own table
    for c in range(0x110000):
        is_word = TOKEN_PATTERN.fullmatch(chr(c)) is not None
        assert (table[c] == c and c != 0x20) == is_word, hex(c)


@settings(max_examples=300, deadline=None)
@given(ODD_TEXTS)
def test_word_runs_are_the_pattern_matches(texts: list[str]) -> None:
    from newslib.tokens import _word_runs

    tokens, lengths = _word_runs(texts)
    expected = [TOKEN_PATTERN.findall(t) for t in texts]
    assert tokens.to_pylist() == [w for ws in expected for w in ws]
    assert lengths.tolist() == [len(ws) for ws in expected]


@settings(max_examples=200, deadline=None)
@given(ODD_TEXTS)
def test_arrow_counts_equal_count_vectorizer_counts(texts: list[str]) -> None:
    from newslib.dtm import count_surfaces

    for drop in (True, False):
        a, names_a = count_surfaces(texts, drop_stopwords=drop)
        try:
            b, names_b = count_surfaces(texts, drop_stopwords=drop, counter="sklearn")
        except ValueError:  # CountVectorizer: "empty vocabulary"
            assert a.nnz == 0
            continue
        assert sorted(names_a) == names_b
        column = {n: i for i, n in enumerate(names_a)}
        assert (a[:, [column[n] for n in names_b]] != b).nnz == 0


def test_vocabulary_counts_every_surface_in_first_seen_order(corpus: newslib.Corpus) -> None:
    texts = corpus.texts + ["", "  ", "سورية 2016"]
    expected: Counter = Counter()
    for t in texts:
        expected.update(TOKEN_PATTERN.findall(t))
    got = Vocabulary.from_texts(texts).surface_counts
    assert list(got.items()) == list(expected.items())


# ---------------------------------------------------------------- tokens and offsets


def test_offsets_map_back_for_every_token(corpus: newslib.Corpus) -> None:
    total = 0
    for doc in corpus:
        for t in corpus.tokens(doc):
            assert doc.text[t.start : t.end] == t.surface
            total += 1
    assert total == corpus.stats()["tokens"] > 4000


def test_tokens_are_all_the_words_in_order(corpus: newslib.Corpus) -> None:
    for doc in corpus:
        tokens = corpus.tokens(doc)
        assert [t.surface for t in tokens] == surface_tokens(doc.text)
        assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:], strict=False))


def test_tokens_lie_in_their_sentence_and_paragraph(corpus: newslib.Corpus) -> None:
    for doc in corpus:
        units = sentences(doc.text)
        paras = paragraphs(doc.text)
        for t in corpus.tokens(doc):
            u = units[t.sentence]
            assert u.start <= t.start and t.end <= u.end
            assert u.paragraph == t.paragraph
            ps, pe = paras[t.paragraph]
            assert ps <= t.start and t.end <= pe


def test_token_fields() -> None:
    tokens = tokenize("قال لافروف، «الإرهاب»؟ نعم. ولافروف")
    assert [t.surface for t in tokens] == ["قال", "لافروف", "الإرهاب", "نعم", "ولافروف"]
    assert tokens[1]._fields == ("key", "surface", "start", "end", "paragraph", "sentence", "stop")
    assert [t.sentence for t in tokens] == [0, 0, 0, 1, 2]
    assert tokens[-1].key == "لافروف"


def test_tokens_keep_diacritics_and_tatweel_in_surface() -> None:
    text = "وثمّن الميدانيـة"
    tokens = tokenize(text)
    assert [t.surface for t in tokens] == ["وثمّن", "الميدانيـة"]
    assert tokens[1].key == "ميدانيه"
    assert all(text[t.start : t.end] == t.surface for t in tokens)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, ARABIC_ISH))
def test_tokenize_never_crashes_and_offsets_map_back(text: str) -> None:
    tokens = tokenize(text)
    for t in tokens:
        assert text[t.start : t.end] == t.surface
        assert t.surface and t.start < t.end
    assert [t.surface for t in tokens] == surface_tokens(text)


# ---------------------------------------------------------------- segmentation


def test_sentences_know_arabic_question_mark_and_commas() -> None:
    text = "هل انتهى الاجتماع؟ نعم، انتهى؛ وغادر الوفد. ثم ماذا؟"
    got = [text[u.start : u.end] for u in sentences(text)]
    assert got == ["هل انتهى الاجتماع؟", "نعم، انتهى؛ وغادر الوفد.", "ثم ماذا؟"]


def test_sentences_do_not_split_on_abbreviations() -> None:
    for text, expected in [
        ("قال د. أحمد إن الوضع سيء. وأضاف: لا.", ["قال د. أحمد إن الوضع سيء.", "وأضاف: لا."]),
        ("حضر أ.د. محمد الاجتماع. وغادر.", ["حضر أ.د. محمد الاجتماع.", "وغادر."]),
        ("met Dr. Smith today. Then left.", ["met Dr. Smith today.", "Then left."]),
        ("قال: نعم... ثم غادر.", ["قال: نعم...", "ثم غادر."]),
    ]:
        assert [text[u.start : u.end] for u in sentences(text)] == expected


def test_sentence_with_doctor_in_003(corpus: newslib.Corpus) -> None:
    doc = corpus[D003]
    at = doc.text.index("د. بشار الجعفري")
    (unit,) = [u for u in sentences(doc.text) if u.start <= at < u.end]
    sentence = doc.text[unit.start : unit.end]
    assert sentence.startswith("قدّم الوفد السوري برئاسة د. بشار الجعفري")
    assert sentence.endswith("حول العملية الدستورية.")


def test_paragraphs_are_the_clean_text_paragraphs(corpus: newslib.Corpus) -> None:
    for doc in corpus:
        spans = paragraphs(doc.text)
        assert [doc.text[s:e] for s, e in spans] == doc.text.split("\n\n")
        assert {u.paragraph for u in sentences(doc.text)} == set(range(len(spans)))


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, ARABIC_ISH))
def test_sentences_are_within_the_text_and_do_not_overlap(text: str) -> None:
    units = sentences(text)
    end = 0
    for i, u in enumerate(units):
        assert 0 <= end <= u.start < u.end <= len(text)
        assert text[u.start : u.end].strip()
        assert u.sentence == i
        end = u.end
    spans = paragraphs(text)
    assert all(0 <= u.paragraph < len(spans) for u in units)
    for u in units:
        ps, pe = spans[u.paragraph]
        assert ps <= u.start and u.end <= pe
    # every word is inside some sentence
    for m in TOKEN_PATTERN.finditer(text):
        assert any(u.start <= m.start() and m.end() <= u.end for u in units)


# ---------------------------------------------------------------- counting


def _brute_force(corpus: newslib.Corpus) -> list[Counter]:
    return [Counter(t.key for t in corpus.tokens(doc) if not t.stop) for doc in corpus]


def test_dtm_equals_a_brute_force_recount(corpus: newslib.Corpus) -> None:
    m = document_term_matrix(corpus)
    assert m.matrix.shape == (5, len(m.terms))
    assert m.doc_ids == [d.doc_id for d in corpus]
    keys = m.keys
    for row, expected in zip(m.matrix.toarray(), _brute_force(corpus), strict=True):
        got = {keys[j]: int(row[j]) for j in np.flatnonzero(row)}
        assert got == dict(expected)


def test_dtm_term_table(corpus: newslib.Corpus) -> None:
    m = document_term_matrix(corpus)
    dense = m.matrix.toarray()
    assert list(m.terms.columns[:4]) == ["key", "display", "count", "docs"]
    assert m.terms["count"].tolist() == dense.sum(axis=0).tolist()
    assert m.terms["docs"].tolist() == (dense > 0).sum(axis=0).tolist()
    order = list(zip(-m.terms["count"], m.terms["key"], strict=True))
    assert order == sorted(order)
    assert m.terms["display"].tolist() == [corpus.vocabulary.display(k) for k in m.keys]
    top = m.terms.iloc[0]
    assert (top["key"], top["display"], top["docs"]) == ("سوريه", "سورية", 5)
    total = sum(sum(c.values()) for c in _brute_force(corpus))
    assert m.matrix.sum() == total


@pytest.mark.parametrize("long_word", [False, True])
def test_dtm_columns_tie_by_key_with_and_without_a_freak_long_word(long_word: bool) -> None:
    # Keys are sorted in C as fixed-width strings unless one is very long;
    # either way ties in count go by key, as Python orders str.
    texts = ["سورية روسيا ايران تركيا", "ايران تركيا مصر zeta Alpha alpha ب" + "ج" * 20]
    if long_word:
        texts.append("مصر " + "ك" * 70 + " " + "ا" * 65)
    m = document_term_matrix(texts)
    order = list(zip(-m.terms["count"], m.terms["key"], strict=True))
    assert order == sorted(order)
    v = newslib.Vocabulary.from_texts(texts)
    expected = Counter(v.key(w) for t in texts for w in TOKEN_PATTERN.findall(t) if not v.is_stop(v.key(w)))
    assert dict(zip(m.keys, m.terms["count"].tolist(), strict=True)) == dict(expected)
    assert ("ك" * 70 in m.keys) is long_word


def test_dtm_of_plain_texts_equals_dtm_of_corpus(corpus: newslib.Corpus) -> None:
    a = document_term_matrix(corpus)
    b = document_term_matrix(corpus.texts)
    assert a.keys == b.keys
    assert (a.matrix != b.matrix).nnz == 0


def test_dtm_min_count(corpus: newslib.Corpus) -> None:
    full = document_term_matrix(corpus)
    some = document_term_matrix(corpus, min_count=5)
    assert some.keys == [k for k, n in zip(full.keys, full.terms["count"], strict=True) if n >= 5]


def test_analyzer_in_count_vectorizer_matches_dtm(corpus: newslib.Corpus) -> None:
    m = document_term_matrix(corpus)
    cv = CountVectorizer(analyzer=corpus.vocabulary.analyzer)
    X = cv.fit_transform(corpus.texts)
    assert set(cv.vocabulary_) == set(m.keys)
    cols = [cv.vocabulary_[k] for k in m.keys]
    assert (X[:, cols] != m.matrix).nnz == 0


def test_analyzer_in_tfidf_vectorizer(corpus: newslib.Corpus) -> None:
    m = document_term_matrix(corpus)
    tf = TfidfVectorizer(analyzer=corpus.vocabulary.analyzer, use_idf=False, norm=None)
    X = tf.fit_transform(corpus.texts)
    cols = [tf.vocabulary_[k] for k in m.keys]
    assert np.array_equal(X[:, cols].toarray(), m.matrix.toarray())
    tfidf = TfidfVectorizer(analyzer=corpus.vocabulary.analyzer).fit(corpus.texts)
    assert set(tfidf.get_feature_names_out()) == set(m.keys)
    # «سورية» is in every document: the lowest idf
    assert tfidf.idf_[tfidf.vocabulary_["سوريه"]] == tfidf.idf_.min()


def test_analyzer_gives_content_keys_only(corpus: newslib.Corpus) -> None:
    v = corpus.vocabulary
    assert v.analyzer("قال لافروف في موسكو إن روسيا والإرهاب 2016") == [
        "لافروف",
        "موسكو",
        "روسيا",
        "ارهاب",
    ]


def test_a_word_of_tatweel_alone_has_an_empty_key_that_is_a_stopword_at_any_min_len() -> None:
    # «ـــ» is a token (tatweel is a word character) whose key is empty; with
    # min_len=0 the length test no longer catches it, and it must not crash.
    m = document_term_matrix(["ـــ سورية سورية"], min_len=0)
    assert m.keys == ["سوريه"]
    assert Vocabulary.from_texts(["ـــ"], min_len=0).is_stop("")


@settings(max_examples=200, deadline=None)
@given(WORDS, st.booleans(), st.integers(0, 4))
def test_stop_mask_is_is_stop_for_every_key(words: list[str], numbers: bool, min_len: int) -> None:
    v = Vocabulary(Counter(words), numbers=numbers, min_len=min_len)
    keys = [*v.keys(words), "", "١٢", "12", "في", "x"]
    assert v.stop_mask(keys).tolist() == [v.is_stop(k) for k in keys]


def test_span_token_counts_recount_the_tokens_of_any_span(bench_dir) -> None:
    """A brute-force recount (findall on the slice) on real articles, on every
    sentence and on odd spans: empty, inside a word, at the end, across words,
    and on text outside the Basic Multilingual Plane (an emoji, a math letter)."""
    import random

    from newslib.tokens import TOKEN_PATTERN, _span_token_counts

    corpus = newslib.load_corpus(bench_dir / "saudinewsnet-dev" / "2015-07-23.zip")
    odd = ["أ🙂ب جـ ‍د 𝐀x_y 12٫5", "", " ", "بُرْهانٌ، و«سورية»؟ نعم!", "\ud800 ك\ud800ت"]
    texts = [d.text for d in corpus.documents[:300]] + odd
    rng = random.Random(0)
    checked = 0
    for text in texts:
        spans = [(u.start, u.end) for u in newslib.sentences(text)]
        n = len(text)
        spans += [(0, n), (n, n), (0, n + 5), (n + 1, n + 9)]  # past the end, as a slice allows
        spans += [tuple(sorted((rng.randint(0, n), rng.randint(0, n)))) for _ in range(20)]
        spans += [(e, s) for s, e in spans[:3] if e > s]  # reversed: empty, as the slice is
        want = [len(TOKEN_PATTERN.findall(text[s:e])) for s, e in spans]
        assert _span_token_counts(text, spans) == want, text[:40]
        checked += len(spans)
    assert checked > 10_000
    assert _span_token_counts("نص", []) == []
