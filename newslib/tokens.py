"""Tokens, keys, display forms and segmentation.

A word has two forms: a normalised *key* used for counting and matching, and a
*display* form (its most frequent bare spelling in the corpus) used in tables
and charts. Keys are derived once per word type, never once per token:

1. ``base_key``: normalise the surface (:func:`newslib.text.normalize`) and strip
   the definite article with the particles that attach to it (ال, وال, فال, بال,
   كال, لل, ولل, ...). Cached per surface type.
2. ``Vocabulary``: strip a bare proclitic (و ف, then ب ل ك) only where the rest
   is attested on its own in the corpus at least half as often as the
   prefixed form (and ب/ك never before an imperfect-verb ي). «لروسيا» becomes
   «روسيا» because «روسيا» occurs; «لافروف» stays «لافروف» because «افروف» does not.
   A closed rule set cannot tell these apart.

>>> v = Vocabulary.from_texts(["قال لافروف إن روسيا تدعو لروسيا والإرهاب الإرهاب"])
>>> v.key("لروسيا") == v.key("روسيا"), v.key("لافروف")
(True, 'لافروف')
>>> v.display(v.key("والإرهاب"))
'إرهاب'
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property, lru_cache
from importlib import resources
from itertools import compress, islice, repeat
from operator import itemgetter
from typing import Any, NamedTuple

import numpy as np

from ._gc import gc_paused
from .text import (
    _PRESENTATION,
    DIACRITICS,
    INVISIBLE_CHARS,
    TATWEEL,
    _compiled,
    _normalize,
    _options,
    normalize,
    translate_many,
)

__all__ = [
    "TOKEN_PATTERN",
    "Token",
    "Unit",
    "Vocabulary",
    "tokenize",
    "paragraphs",
    "sentences",
    "stopwords",
    "surface_tokens",
    "base_key",
]

_MARKS = re.escape(DIACRITICS + TATWEEL)
# A word is a run of letters, digits, diacritics and tatweel; punctuation
# (، ؛ ؟ « ») and spaces end it. One character class keeps the scan fast; the
# underscore stays inside words, so hashtags such as «#فتش_جوال» are one token,
# and a run with no letter or digit is a stopword (see Vocabulary.is_stop).
TOKEN_PATTERN = re.compile(rf"[\w{_MARKS}]+")
_SKIP_IN_SURFACE = set(DIACRITICS + TATWEEL + INVISIBLE_CHARS)

# Particle + definite article, longest first. Checked before alef
# normalisation, so «ألمانيا» (hamza) is not read as «ال» + «مانيا».
_DEFINITE = ("وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
# Words that begin with «ال» but carry no article.
_NOT_ARTICLE = frozenset(
    "الله اللهم الذي التي الذين اللذين اللتين اللواتي اللاتي الآن الا الي الف الفا الفين".split()
)
_CONJ = "وف"
_PREP = "بلك"
_CLITIC_FIRST = frozenset(_CONJ + _PREP)
MIN_STRIPPED = 3  # a bare proclitic leaves at least three letters
ATTESTED_RATIO = 2  # ... and the rest occurs at least half as often as the whole


class Token(NamedTuple):
    """One word in a clean text. ``start``/``end`` index the clean text."""

    key: str
    surface: str
    start: int
    end: int
    paragraph: int
    sentence: int
    stop: bool


class Unit(NamedTuple):
    """A paragraph or sentence: character span in the clean text."""

    start: int
    end: int
    paragraph: int
    sentence: int


# ---------------------------------------------------------------- segmentation

_LINE = re.compile(r"[^\n]+")
# Sentence end: . ! ? ؟ … (or runs of them), optionally followed by closing
# quotes or brackets, then white space or the end of the paragraph.
_SENT_END = re.compile(r"(?:[.!?؟…]+)[\"'”’»)\]]*(?=\s|$)")
_ABBREV = re.compile(r"(?:^|[\s(«\"])(?:[^\W\d_]|[A-Za-z]{2,4}|ج\.م|ص\.ب)\.$")
_LATIN_ABBREV = frozenset({"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "no", "jr", "sr"})
_WORD_OPENERS = "(«\"'"  # stripped from the start of a word before the abbreviation test
_WORD_EDGE = frozenset("." + _WORD_OPENERS)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs: each non-blank line, stripped.

    >>> paragraphs("أ ب\\n\\n ج د ")
    [(0, 3), (6, 9)]
    """
    spans = []
    for m in _LINE.finditer(text):
        s, e = m.span()
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        s += len(line) - len(line.lstrip())
        e = s + len(stripped)
        spans.append((s, e))
    return spans


def _is_abbreviation(text: str, start: int, dot: int) -> bool:
    """True when the '.' at ``dot`` closes an abbreviation such as «د.» or «Dr.»."""
    if text[dot] != "." or (dot + 1 < len(text) and text[dot + 1] == "."):
        return False
    # Most full stops end a word of two or more characters that is not Latin:
    # its last dot-separated part is then longer than one letter, and it is
    # not a Latin abbreviation. Decided here without walking back to the
    # word's start (this runs at every sentence end of the corpus).
    if dot - 2 >= start:
        last, before = text[dot - 1], text[dot - 2]
        if not (last.isascii() and last.isalpha()) and before not in _WORD_EDGE and not before.isspace():
            return False
    word_start = dot
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip(_WORD_OPENERS)
    if all(len(w) == 1 and w.isalpha() for w in word.split(".")):
        return True  # «د.» «م.» «أ.» and initials, also dotted runs «أ.د.» «ص.ب.»
    return word.lower() in _LATIN_ABBREV


def sentences(text: str) -> list[Unit]:
    """Sentences with their paragraph index, as character spans.

    Splits after . ! ? ؟ … (not after abbreviations such as «د.») and at
    every paragraph end; «،» and «؛» stay inside a sentence.

    >>> [text[u.start:u.end] for text in ["قال د. أحمد: نعم. هل؟ لا"] for u in sentences(text)]
    ['قال د. أحمد: نعم.', 'هل؟', 'لا']
    """
    units: list[Unit] = []
    for p, (ps, pe) in enumerate(paragraphs(text)):
        start = ps
        for m in _SENT_END.finditer(text, ps, pe):
            end = m.end()
            if m.end() - m.start() == 1 and _is_abbreviation(text, start, m.start()):
                continue
            if text[start:end].strip():
                units.append(Unit(start, end, p, len(units)))
            start = end
            while start < pe and text[start].isspace():
                start += 1
        if start < pe and text[start:pe].strip():
            units.append(Unit(start, pe, p, len(units)))
    return units


# ---------------------------------------------------------------- word keys

_BASE_CACHE: dict[tuple, dict[str, tuple[str, int]]] = {}


def _may_have_article(n: str) -> bool:
    """A cheap test every word with particle + article passes (see _DEFINITE)."""
    return "ال" in n[:4] or n.startswith(("لل", "ولل", "فلل"))


def _strip_definite(n: str) -> int:
    """Number of leading letters of ``n`` that are particle + article."""
    if not _may_have_article(n) or n in _NOT_ARTICLE:
        return 0
    for prefix in _DEFINITE:
        if n.startswith(prefix) and len(n) - len(prefix) >= 2:
            return len(prefix)
    return 0


def base_key(surface: str, **options: bool) -> str:
    """Normalised form with the definite article (and its particles) removed.

    >>> base_key("والإرهاب"), base_key("بالتنسيق"), base_key("ألمانيا")
    ('ارهاب', 'تنسيق', 'المانيا')
    """
    return _base(surface, _options(options))[0]


def _base(surface: str, opts: tuple) -> tuple[str, int]:
    """(base key, letters stripped) for one surface; cached per option set."""
    cache = _BASE_CACHE.get(opts)
    if cache is None:
        cache = _BASE_CACHE[opts] = {}
    hit = cache.get(surface)
    if hit is None:
        hit = cache[surface] = _base_uncached(surface, opts)
    return hit


def _base_uncached(surface: str, opts: tuple) -> tuple[str, int]:
    pre = _normalize(surface, _pre_options(opts))
    rest, cut = _after_article(pre, _strip_definite(pre))
    # ``pre`` is normalised but for alef and teh marbuta; the full table on
    # the rest adds those (translate is idempotent on everything else).
    return rest.translate(_compiled(opts)[2]), cut


@lru_cache(maxsize=64)
def _pre_options(opts: tuple) -> tuple:
    """``opts`` but for alef and teh marbuta: the article is found before those
    are normalised, so «ألمانيا» (hamza) is not read as «ال» + «مانيا»."""
    return _options({**dict(opts), "alef": False, "teh_marbuta": False})


# Particle + article at the start of a word (one line of a "\n"-joined batch),
# with at least two characters after it: the alternation tries the prefixes in
# _DEFINITE's order, so it finds what _strip_definite finds.
# A clitic letter starting a word of four letters or more (see _is_plain).
_CLITIC_AT_LINE_START = re.compile(f"(?m)^[{_CONJ}{_PREP}][^\n]{{{MIN_STRIPPED}}}")
_ARTICLE_AT_LINE_START = re.compile("(?m)^(?:" + "|".join(_DEFINITE) + ")(?=[^\n]{2})")


def _line_index(lines: list[str]) -> np.ndarray:
    """Start offset of each line of ``"\n".join(lines)`` (for mapping a match to its line)."""
    starts = np.zeros(len(lines), dtype=np.int64)
    if len(lines) > 1:
        np.cumsum(np.fromiter(map(len, lines[:-1]), dtype=np.int64, count=len(lines) - 1) + 1, out=starts[1:])
    return starts


def _bases(surfaces: Iterable[str], opts: tuple) -> list[str]:
    """Base keys of many surfaces: ``[_base(s, opts)[0] for s in surfaces]``, faster.

    This runs once per word type of a corpus (hundreds of thousands of times),
    so the new types are normalised as one "\n"-joined string (``lower`` and
    ``translate`` work character by character, so the lines stay aligned) and
    their articles found with one regex scan; only words with an article and
    words in presentation forms take a Python step of their own.
    """
    surfaces = surfaces if isinstance(surfaces, list) else list(surfaces)
    return [hit[0] for hit in map(_fill_bases(surfaces, opts).__getitem__, surfaces)]


def _fill_bases(surfaces: list[str], opts: tuple) -> dict[str, tuple[str, int]]:
    """Compute, in one batch, the (base, cut) of the surfaces not yet in the
    cache of ``opts``; returns that cache."""
    cache = _BASE_CACHE.setdefault(opts, {})
    new = [s for s in surfaces if s not in cache]  # a repeated word is computed twice, same result
    if new:
        cache.update(zip(new, _compute_bases(new, opts), strict=True))
    return cache


def _compute_bases(words: list[str], opts: tuple) -> list[tuple[str, int]]:
    """(base key, letters cut) of each word, computed for the whole batch at once."""
    joined = "\n".join(words)
    if joined.count("\n") != len(words) - 1:  # a word with a line break: no batch
        return [_base_uncached(w, opts) for w in words]
    presentation, lowercase, _ = _compiled(_pre_options(opts))
    slow: set[int] = set()
    if presentation and _PRESENTATION.search(joined):  # rare: NFKC per word (see _normalize)
        starts = _line_index(words)
        positions = [m.start() for m in _PRESENTATION.finditer(joined)]
        slow = set(np.searchsorted(starts, positions, side="right").tolist())
        slow = {i - 1 for i in slow}
    pre_joined = translate_many(joined.lower() if lowercase else joined, _pre_options(opts))
    pres = pre_joined.split("\n")
    if len(pres) != len(words):
        return [_base_uncached(w, opts) for w in words]
    rests, cuts = list(pres), [0] * len(words)
    matches = [(m.start(), m.end() - m.start()) for m in _ARTICLE_AT_LINE_START.finditer(pre_joined)]
    if matches:
        starts = _line_index(pres)
        lines = np.searchsorted(starts, [at for at, _ in matches], side="right") - 1
        for i, (_, length) in zip(lines.tolist(), matches, strict=True):
            pre = pres[i]
            if pre in _NOT_ARTICLE:
                continue
            rests[i], cuts[i] = _after_article(pre, length)
    keys = translate_many("\n".join(rests), opts).split("\n")
    out = list(zip(keys, cuts, strict=True))
    for i in slow:
        out[i] = _base_uncached(words[i], opts)
    return out


def _after_article(pre: str, cut: int) -> tuple[str, int]:
    """The rest of ``pre`` after ``cut`` letters of particle + article, and the cut
    («والتي» «للذين» «بالله»: a particle before a word that only looks like
    article + word; the rest is that word («التي»), not «تي»)."""
    rest = pre[cut:]
    if cut and "ال" + rest in _NOT_ARTICLE:
        rest = "ال" + rest
        cut -= 2 if pre[:cut].endswith("ال") else 1
    return rest, cut


def _clitic_cuts(bases: list[str], counts: Mapping[str, int] | Callable[[list[str]], tuple[np.ndarray, np.ndarray]],
                 stop: frozenset[str], whole: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Proclitic letters (0, 1 or 2) to cut from each base, as ``Vocabulary._rules``
    decides for a base that starts with a clitic letter, has more than
    ``MIN_STRIPPED`` letters and is no stopword; and the number of each cut
    base's rest (-1: none). ``counts`` are base counts, or a function giving
    of a list of words the count (0: not a base) and the number of each (-1:
    none; from a Mapping all are -1). ``whole``: the bases' own counts, if known.

    The same rule for a whole batch at once (look-ups by ``map`` or by the
    function, the decision in NumPy): a corpus has tens of thousands of such words.

    >>> _clitic_cuts(["وروسيا", "بريطانيا", "وبروسيا"], {"روسيا": 9, "وروسيا": 2}, frozenset())[0]
    array([1, 0, 2])
    """
    size = len(bases)
    cut = np.zeros(size, dtype=np.int64)
    number = np.full(size, -1, dtype=np.int64)
    if not size:
        return cut, number
    if isinstance(counts, Mapping):
        table = counts

        def counts(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
            found = np.fromiter(map(table.get, words, repeat(0)), dtype=np.int64, count=len(words))
            return found, np.full(len(words), -1, dtype=np.int64)

    if whole is None:
        whole = counts(bases)[0]
    letters = np.array(bases, dtype="<U3").view(np.uint32).reshape(size, 3)  # the first three, no object each
    lengths = np.fromiter(map(len, bases), dtype=np.int64, count=size)

    def is_in(column: int, chars: str) -> np.ndarray:
        return np.isin(letters[:, column], [ord(ch) for ch in chars])

    # ب and ك attach to nouns, not to imperfect verbs: «كيري» is not ك + «يري».
    verb = letters == ord("ي")
    two = is_in(0, _CONJ) & is_in(1, _PREP) & ~(is_in(1, "بك") & verb[:, 2]) & (lengths - 2 >= MIN_STRIPPED)
    one = ~(is_in(0, "بك") & verb[:, 1]) & (lengths - 1 >= MIN_STRIPPED)
    for k, shape_fits in ((2, two), (1, one)):  # two letters first; one only where two were not cut
        test = np.flatnonzero(shape_fits & (cut == 0))
        rest = [bases[i][k:] for i in test.tolist()]
        # A function word after the clitic always splits; a content word must
        # occur on its own at least 1/ATTESTED_RATIO as often as the whole.
        c, found = counts(rest)
        attested = np.fromiter(map(stop.__contains__, rest), dtype=bool, count=len(rest))
        attested |= (c > 0) & (c * ATTESTED_RATIO >= whole[test])
        cut[test[attested]] = k
        number[test[attested]] = found[attested]
    return cut, number


def _cut_surface(surface: str, letters: int) -> str:
    """``surface`` without its first ``letters`` letters (marks not counted)."""
    if not letters:
        return surface
    seen = 0
    for i, ch in enumerate(surface):
        if ch in _SKIP_IN_SURFACE:
            continue
        if seen == letters:
            return surface[i:]
        seen += 1
    return ""


# ---------------------------------------------------------------- stopwords


def _read_adjustments() -> tuple[set[str], set[str]]:
    add, remove = set(), set()
    text = resources.files("newslib").joinpath("data/stopwords_news.txt").read_text("utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("+ "):
            add.add(line[2:].strip())
        elif line.startswith("- "):
            remove.add(line[2:].strip())
    return add, remove


def stopwords(**options: bool) -> frozenset[str]:
    """Stopword *keys*: the ``stop-words`` package's Arabic list adjusted for
    news prose by ``newslib/data/stopwords_news.txt`` (additions and content
    words taken back out), each normalised like any other word.

    >>> "في" in stopwords() and "ارهاب" not in stopwords()
    True
    """
    return _stopwords(_options(options))


_STOP_CACHE: dict[tuple, frozenset[str]] = {}


def _stopwords(opts: tuple) -> frozenset[str]:
    if opts not in _STOP_CACHE:
        from stop_words import get_stop_words

        add, remove = _read_adjustments()
        removed = {normalize(w, **dict(opts)) for w in remove}
        words = [w for w in get_stop_words("ar") if normalize(w, **dict(opts)) not in removed]
        keys = set()
        for w in [*words, *add]:
            keys.add(normalize(w, **dict(opts)))
            keys.add(_base(w, opts)[0])
        keys -= removed
        _STOP_CACHE[opts] = frozenset(k for k in keys if k)
    return _STOP_CACHE[opts]


_WORD_TABLES: dict[int, np.ndarray] = {}


def _word_table(size: int = 0x10000) -> np.ndarray:
    """Code point -> itself where ``TOKEN_PATTERN`` matches it, else a space,
    for the first ``size`` code points (the Basic Multilingual Plane by
    default; 0x110000 for all of Unicode, built only when a text needs it).

    Built once per process from the pattern itself (every code point is run
    through it), so the table cannot disagree with the tokenizer.
    """
    table = _WORD_TABLES.get(size)
    if table is None:
        # Surrogates cannot be in a str alone: they stand in as spaces (not words).
        every = "".join(map(chr, range(min(size, 0xD800)))) + " " * (min(size, 0xE000) - 0xD800)
        every += "".join(map(chr, range(0xE000, size)))
        spans = np.array([m.span() for m in TOKEN_PATTERN.finditer(every)], dtype=np.int64).reshape(-1, 2)
        inside = np.zeros(size + 1, dtype=np.int64)
        np.add.at(inside, spans[:, 0], 1)
        np.add.at(inside, spans[:, 1], -1)
        code = np.arange(size, dtype=np.uint32)
        table = _WORD_TABLES[size] = np.where(np.cumsum(inside[:-1]) > 0, code, np.uint32(0x20))
    return table


def _word_code_points(text: str) -> np.ndarray:
    """The code points of ``text`` (uint32), each character that is not a word
    character (``TOKEN_PATTERN``) replaced by a space."""
    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _word_table() if not len(code) or code.max() < 0x10000 else _word_table(0x110000)  # emoji, math letters
    return table[code]


def _word_runs(texts: list[str]) -> tuple[Any, np.ndarray]:
    """The ``TOKEN_PATTERN`` matches of every text, as one Arrow string array,
    and how many each text has.

    The same tokens as ``findall``, without a Python object per token: every
    character that is not a word character becomes a space (a NumPy lookup on
    the code points) and Arrow splits the texts at the spaces in C++. UTF-8
    never has an ASCII byte inside a multi-byte character, so splitting on
    ASCII spaces is exact.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    spaced = [_word_code_points(t).tobytes().decode("utf-32-le").strip(" ") for t in texts]
    lists = pc.ascii_split_whitespace(pa.array(spaced, type=pa.large_string()))
    lengths = np.diff(lists.offsets.to_numpy())
    tokens = lists.flatten()
    empty = [i for i, t in enumerate(spaced) if not t]
    if empty:  # Arrow splits "" into [""]: a text without a word has no token
        lengths[empty] = 0
        tokens = tokens.filter(pc.greater(pc.binary_length(tokens), 0))
    return tokens, lengths


def _span_token_counts(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """``[len(TOKEN_PATTERN.findall(text[s:e])) for s, e in spans]``, without
    a string per token: word characters are marked by the code-point table of
    ``_word_runs``, and a span's tokens are the word starts inside it (a span
    that begins inside a word counts that word's rest as one).

    >>> _span_token_counts("قال د. أحمد: نعم", [(0, 5), (7, 16), (1, 3), (3, 3)])
    [2, 2, 1, 0]
    """
    if not spans:
        return []
    mapped = _word_code_points(text)
    word = np.zeros(len(mapped) + 1, dtype=bool)  # one False past the end: a span may end there
    word[:-1] = mapped != 0x20
    first = word.copy()
    first[1:] &= ~word[:-1]
    before = np.zeros(len(word) + 1, dtype=np.int64)  # word starts before each position
    np.cumsum(first, out=before[1:])
    at = np.clip(np.asarray(spans, dtype=np.int64).reshape(-1, 2), 0, len(mapped))  # offsets past the end: as a slice
    start, end = at[:, 0], at[:, 1]
    counts = before[end] - before[start] + (word[start] & ~first[start])
    return np.where(end > start, counts, 0).tolist()


def surface_tokens(text: str) -> list[str]:
    """Word surfaces of ``text`` in order (the analyzer's first step).

    >>> surface_tokens("قال لافروف، «الإرهاب»؟")
    ['قال', 'لافروف', 'الإرهاب']
    """
    return TOKEN_PATTERN.findall(text)


# ---------------------------------------------------------------- vocabulary


class _KeyMap(dict):
    """surface -> key, filled on first sight of a surface (``__missing__``).

    ``known`` keys decided already (surfaces, names, a name number per
    surface; see :meth:`_KeyPlan.vocabulary`) are put in at the first miss,
    all at once: a pass that only needs the key numbers (a term matrix)
    does not make a string per surface.
    """

    def __init__(self, resolve, known: tuple[list[str], np.ndarray, np.ndarray] | None = None):
        super().__init__()
        self._resolve = resolve
        self._known = known

    def fill(self) -> _KeyMap:
        """Put in the ``known`` keys, if not yet done (before ``get`` or ``in``)."""
        if self._known is not None:
            surfaces, names, numbers = self._known
            self._known = None
            self.update(zip(surfaces, names[numbers].tolist(), strict=True))
        return self

    def __missing__(self, surface: str) -> str:
        if self._known is not None and surface in self.fill():
            return self[surface]
        value = self[surface] = self._resolve(surface)
        return value


class Vocabulary:
    """Word types of a corpus: keys per surface and a display form per key.

    Built from surface counts (a ``Counter``, which merges across chunks and
    workers by addition). ``stem=True`` adds Snowball's Arabic light stemmer
    on top of the keys; ``min_len`` drops shorter keys as stopwords.

    >>> v = Vocabulary(Counter({"سورية": 3, "سوريه": 1, "في": 5}))
    >>> v.key("سوريه") == v.key("سورية"), v.display(v.key("سوريه")), v.is_stop(v.key("في"))
    (True, 'سورية', True)
    """

    @gc_paused
    def __init__(
        self,
        surface_counts: Mapping[str, int],
        *,
        stem: bool = False,
        min_len: int = 2,
        numbers: bool = False,
        **normalize_options: bool,
    ) -> None:
        self._setup(Counter(surface_counts), stem, min_len, numbers, normalize_options)
        cache = _BASE_CACHE.setdefault(self.options, {})
        try:  # one pass when every base is cached already (a streamed pass computed them)
            bases = [cache[s][0] for s in self.surface_counts]
        except KeyError:
            bases = _bases(self.surface_counts, self.options)
        base: dict[str, int] = {}
        get = base.get
        for b, n in zip(bases, self.surface_counts.values(), strict=True):
            base[b] = get(b, 0) + n
        self.base_counts = base

    def _setup(self, surface_counts: Counter, stem: bool, min_len: int, numbers: bool,
               normalize_options: dict[str, bool]) -> None:
        """Everything but the base counts (see _KeyPlan.vocabulary)."""
        self.options = _options(normalize_options)
        self.stem = stem
        self.min_len = min_len
        self.numbers = numbers
        self.surface_counts = surface_counts
        self._stop = _stopwords(self.options)
        self._bare_cache: dict[str, tuple[str, int]] = {}
        self._display_cache: dict[str, str] = {}
        self._keys = _KeyMap(self._resolve)
        self._content = _KeyMap(self._content_key)
        if stem:
            import snowballstemmer

            self._stemmer = snowballstemmer.stemmer("arabic")
            self._stems: dict[str, str] = {}

    @classmethod
    @gc_paused
    def from_texts(cls, texts: Iterable[str], **options) -> Vocabulary:
        """Count the surfaces of ``texts`` and build the vocabulary."""
        import pyarrow.compute as pc

        counts: Counter = Counter()
        it = iter(texts)
        while batch := list(islice(it, 2000)):
            tokens, _ = _word_runs(batch)
            found = pc.value_counts(tokens)  # first-seen order, as a token-by-token update
            counts.update(dict(zip(found.field("values").to_pylist(), found.field("counts").to_pylist(), strict=True)))
        return cls(counts, **options)

    # -- keys
    def _bare(self, surface: str) -> tuple[str, int]:
        """(key, letters cut from the surface) for one surface type (cached)."""
        hit = self._bare_cache.get(surface)
        if hit is None:
            hit = self._bare_cache[surface] = self._strip_bare(surface)
        return hit

    def _is_plain(self, base: str, cut: int) -> bool:
        """No rule below can change ``base``: no article to doubt, no clitic letter
        in front (or a stopword, or too short to strip). Most words are plain."""
        return (cut < 2 or "ال" + base not in self.base_counts) and (
            base[:1] not in _CLITIC_FIRST or base in self._stop or len(base) <= MIN_STRIPPED
        )

    def _strip_bare(self, surface: str) -> tuple[str, int]:
        base, cut = _base(surface, self.options)
        if self._is_plain(base, cut):
            return base, cut
        return self._rules(surface, base, cut)

    def _rules(self, surface: str, base: str, cut: int) -> tuple[str, int]:
        """(key, letters cut) of a word that is not plain (see ``_is_plain``)."""
        base_counts, stop = self.base_counts, self._stop
        if cut >= 2 and "ال" + base in base_counts:
            # «التزام» is not ال + «تزام»: the corpus has it after an article
            # («الالتزام»), so the whole word is the key (same for «الكتروني»).
            pre = _normalize(surface, _pre_options(self.options))
            if pre[:cut].endswith("ال"):
                return "ال" + base, cut - 2
        if base in stop or len(base) < MIN_STRIPPED + 1:
            return base, cut
        n = base_counts.get(base, 0)
        if base[0] in _CONJ:
            candidates = (2, 1) if base[1] in _PREP else (1,)
        elif base[0] in _PREP:
            candidates = (1,)
        else:
            return base, cut
        for k in candidates:
            rest = base[k:]
            # ب and ك attach to nouns, not to imperfect verbs: «كيري» is not ك + «يري».
            if base[k - 1] in "بك" and rest[0] == "ي":
                continue
            if len(rest) < MIN_STRIPPED:
                continue
            # A function word after و/ف/ب/ل/ك is always a clitic («وذلك»); a
            # content word must be attested on its own.
            c = base_counts.get(rest, 0)
            if rest in stop or (c and c * ATTESTED_RATIO >= n):
                return rest, cut + k
        return base, cut

    def _content_key(self, surface: str) -> str:
        """The key of a content word, '' for a stopword (a method, so the
        vocabulary pickles and can be sent to worker processes)."""
        key = self._keys[surface]
        return "" if self.is_stop(key) else key

    def _resolve(self, surface: str) -> str:
        key = self._bare(surface)[0]
        # Stemming groups content words; it never decides what is one. A
        # stopword keeps its key («على» would become «عل», «التي» «الت»: stems
        # the stopword list does not hold), and so does a content word whose
        # stem is a stopword («الخارجية» would become «خارج», "outside").
        if self.stem and key and not key.isdigit() and not self.is_stop(key):
            stemmed = self._stems.get(key)
            if stemmed is None:  # once per key, not per surface: Snowball is slow in pure Python
                stemmed = self._stemmer.stemWord(key)
                stemmed = self._stems[key] = key if self.is_stop(stemmed) else stemmed
            key = stemmed
        return key

    def key(self, surface: str) -> str:
        """The key of one surface form (cached)."""
        return self._keys[surface]

    @gc_paused
    def keys(self, surfaces: Iterable[str]) -> list[str]:
        """Keys of many surfaces: ``[self.key(s) for s in surfaces]``, faster.

        Most words start with no clitic letter and carry no ambiguous article,
        so their key is their base key; one regex scan finds the others, and
        only they go through the rules (this runs once per word type of a corpus).
        """
        known = self._keys.fill()
        surfaces = list(surfaces)
        seen = list(map(known.get, surfaces))  # get, not []: None for a surface not keyed yet
        if None not in seen:  # all keyed already (a text of a corpus the vocabulary was built from)
            return seen
        new = [s for s, k in zip(surfaces, seen, strict=True) if k is None]
        if new and self.stem:
            _fill_bases(new, self.options)
            for s in new:
                known[s]  # noqa: B018 (fills the cache through __missing__)
        elif new:
            cache = _BASE_CACHE.setdefault(self.options, {})
            try:  # one pass when every base is cached already (as it is after __init__)
                hits = list(map(cache.__getitem__, new))
            except KeyError:
                hits = list(map(_fill_bases(new, self.options).__getitem__, new))
            keys = [h[0] for h in hits]  # most words are plain: their key is their base
            base_counts, stop = self.base_counts, self._stop
            # Words a rule may change (not _is_plain, which would ask every
            # word): an article was cut before a base the corpus also has with
            # an article (rare: the rules, one word at a time) ...
            cut = np.fromiter(map(itemgetter(1), hits), dtype=np.int64, count=len(hits))
            article = np.flatnonzero(cut >= 2).tolist()
            article = list(compress(article, map(base_counts.__contains__, ["ال" + keys[i] for i in article])))
            # ... or the base starts with a clitic letter and has four letters or
            # more and is no stopword (many: decided together, _clitic_cuts).
            joined = "\n".join(keys)
            if joined.count("\n") == len(keys) - 1:  # lines align with words (see _bases)
                at = [m.start() for m in _CLITIC_AT_LINE_START.finditer(joined)]
                clitic = (np.searchsorted(_line_index(keys), at, side="right") - 1).tolist()
            else:  # a key with a line break: ask every word
                clitic = [i for i, k in enumerate(keys) if k[:1] in _CLITIC_FIRST and len(k) > MIN_STRIPPED]
            clitic = [i for i in sorted(set(clitic).difference(article)) if keys[i] not in stop]
            for i in article:
                keys[i] = self._rules(new[i], *hits[i])[0]
            bases = [keys[i] for i in clitic]
            for i, b, k in zip(clitic, bases, _clitic_cuts(bases, base_counts, stop)[0].tolist(), strict=True):
                keys[i] = b[k:]
            known.update(zip(new, keys, strict=True))
            if len(new) == len(surfaces):  # all new (the usual first call): new is surfaces
                return keys
        return list(map(known.__getitem__, surfaces))

    def is_stop(self, key: str) -> bool:
        """Stopword, too short, or (unless ``numbers=True``) a number."""
        return (
            key in self._stop
            or len(key) < self.min_len
            or not key[:1].isalnum()
            or (not self.numbers and key.isdigit())
        )

    def stop_mask(self, keys: Sequence[str]) -> np.ndarray:
        """``[self.is_stop(k) for k in keys]`` as a boolean array, faster (a test
        at a time over all keys, each by ``map``).

        >>> Vocabulary(Counter()).stop_mask(["في", "سورية", "1990", "x", ""]).tolist()
        [True, False, True, True, True]
        """
        n = len(keys)
        mask = np.fromiter(map(self._stop.__contains__, keys), dtype=bool, count=n)
        mask |= np.fromiter(map(len, keys), dtype=np.int64, count=n) < self.min_len
        mask |= ~np.fromiter(map(str.isalnum, [k[:1] for k in keys]), dtype=bool, count=n)
        if not self.numbers:
            mask |= np.fromiter(map(str.isdigit, keys), dtype=bool, count=n)
        return mask

    def analyzer(self, text: str) -> list[str]:
        """Content-word keys of ``text``: hand this to ``CountVectorizer``.

        >>> from sklearn.feature_extraction.text import CountVectorizer
        >>> v = Vocabulary.from_texts(["الإرهاب في سورية", "والإرهاب"])
        >>> CountVectorizer(analyzer=v.analyzer).fit(["الإرهاب في سورية", "والإرهاب"]).vocabulary_
        {'ارهاب': 0, 'سوريه': 1}
        """
        return list(filter(None, map(self._content.__getitem__, TOKEN_PATTERN.findall(text))))

    # -- display forms
    @cached_property
    def _surfaces_by_key(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        keys = self._keys.fill()
        for surface in self.surface_counts:
            out.setdefault(keys[surface], []).append(surface)
        return out

    def display(self, key: str) -> str:
        """The most frequent bare spelling of ``key`` (the key itself if unseen).

        Computed on demand: tables and charts show a few hundred keys, so the
        spellings of the other hundreds of thousands are never compared.
        """
        hit = self._display_cache.get(key)
        if hit is None:
            bare: Counter = Counter()
            for surface in self._surfaces_by_key.get(key, ()):
                form = _cut_surface(surface, self._bare(surface)[1]).replace(TATWEEL, "")
                bare[form] += self.surface_counts[surface]
            # Most frequent; ties go to the alphabetically first, so the choice
            # does not depend on the order documents were read in.
            hit = min(bare.items(), key=lambda kv: (-kv[1], kv[0]))[0] if bare else key
            self._display_cache[key] = hit
        return hit

    def key_counts(self, content_only: bool = True) -> Counter:
        """Token counts per key (merging all surfaces of a key)."""
        out: Counter = Counter()
        self.keys(self.surface_counts)  # fills the key cache in one batch
        keys = self._keys
        for surface, n in self.surface_counts.items():
            k = keys[surface]
            if not content_only or not self.is_stop(k):
                out[k] += n
        return out

    def __len__(self) -> int:
        return len(self.surface_counts)


# ---------------------------------------------------------------- keys planned while streaming


class _KeyPlan:
    """The keys of surfaces that arrive a batch at a time, decided at the end.

    A streamed pass learns its surfaces chunk by chunk and their corpus counts
    only after the last chunk, and a word's key depends on those counts (see
    :meth:`Vocabulary.keys`). The bases are computed as the surfaces arrive;
    after the last chunk the rules are applied to all bases at once: the
    bases, their rests and their forms with «ال» are numbered by pandas'
    hashing and the counts compared in NumPy. Only words whose cut may end in
    an article they are also seen with take a Python step of their own.
    (Numbering the bases as they arrive, in the main process beside the
    workers, was slower: that process's time is on the critical path.)

    The keys are those of ``Vocabulary(counts).keys(surfaces)`` (``stem=False``).

    >>> plan = _KeyPlan(_options({}))
    >>> plan.add(["لروسيا", "روسيا", "لافروف"])
    >>> keys, names, _ = plan.decide(np.array([1, 3, 2]))
    >>> names[keys].tolist()
    ['روسيا', 'روسيا', 'لافروف']
    """

    def __init__(self, opts: tuple) -> None:
        self.opts = opts
        self.surfaces: list[str] = []
        self.hits: list[tuple[str, int]] = []  # per surface: (base, letters of particle + article cut)

    def add(self, surfaces: list[str]) -> None:
        """Take new surfaces (each once, in the corpus's order) and compute their bases."""
        self.surfaces += surfaces
        self.hits += map(_fill_bases(surfaces, self.opts).__getitem__, surfaces)

    def decide(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(the key of each surface as a number into ``names``, ``names``, the
        corpus count of each base), given the corpus count of each surface.

        ``names`` are the bases in the order of their first surface, then the
        rests that are keys without being bases."""
        import pandas as pd

        base, names = pd.factorize(np.fromiter(map(itemgetter(0), self.hits), object, len(self.hits)), sort=False)
        names = np.asarray(names, dtype=object)
        n = len(names)
        total = np.bincount(base, weights=counts, minlength=n).round().astype(np.int64)
        stop = _stopwords(self.opts)
        index = pd.Index(names, dtype=object)

        def number(words: list[str]) -> np.ndarray:
            """Each word's number among the bases, -1 for none. (Object dtype
            throughout: pandas would make Arrow strings of them, and back.)"""
            return index.get_indexer(pd.Index(words, dtype=object))

        key = np.arange(n)
        # _clitic_cuts over every base that may lose a clitic.
        # First letters as code points: a fixed-width array truncates each
        # word, with no string object made per word.
        words = names.tolist()
        may = np.isin(np.array(words, dtype="<U1").view(np.uint32), [ord(ch) for ch in _CLITIC_FIRST])
        may &= np.fromiter(map(len, words), np.int64, n) > MIN_STRIPPED
        at = np.flatnonzero(may)
        at = at[~np.fromiter(map(stop.__contains__, names[at]), bool, len(at))]
        if len(at):
            words = names[at].tolist()

            def counts(found: list[str]) -> tuple[np.ndarray, np.ndarray]:
                i = number(found)
                return np.where(i >= 0, total[i], 0), i

            cut, found = _clitic_cuts(words, counts, stop, total[at])
            cutting = np.flatnonzero(cut)
            found = found[cutting]
            # A stopword rest that is no base («وذلك», «فذلك»): named once, after the bases.
            new = np.flatnonzero(found < 0)
            if len(new):
                rests = [words[i][k:] for i, k in zip(cutting[new].tolist(), cut[cutting[new]].tolist(), strict=True)]
                numbers, extra = pd.factorize(np.asarray(rests, dtype=object))
                found[new] = len(names) + numbers
                names = np.concatenate([names, np.asarray(extra, dtype=object)])
            key[at[cutting]] = found
        keys = key[base]
        # A surface cut by two letters or more whose base the corpus also has
        # after an article, and whose cut ends with that article: the whole
        # word is the key (Vocabulary._rules).
        cuts = np.fromiter(map(itemgetter(1), self.hits), np.int64, len(self.hits))
        maybe = np.flatnonzero(cuts >= 2)
        if len(maybe):
            cut_bases = np.unique(base[maybe])
            with_article = np.full(n, -1, dtype=np.int64)
            with_article[cut_bases] = number(["ال" + b for b in names[cut_bases].tolist()])
            maybe = maybe[with_article[base[maybe]] >= 0]
            pre = _pre_options(self.opts)
            for i, cut in zip(maybe.tolist(), cuts[maybe].tolist(), strict=True):
                if _normalize(self.surfaces[i], pre)[:cut].endswith("ال"):
                    keys[i] = with_article[base[i]]
        return keys, names, total

    def reordered(self, order: np.ndarray) -> _KeyPlan:
        """A plan of the same surfaces, taken in ``order`` (positions here)."""
        plan = _KeyPlan(self.opts)
        at = order.tolist()
        plan.surfaces = list(map(self.surfaces.__getitem__, at))
        plan.hits = list(map(self.hits.__getitem__, at))
        return plan

    def vocabulary(self, counts: Counter, *, stem: bool = False, min_len: int = 2, numbers: bool = False,
                   **normalize_options: bool) -> tuple[Vocabulary, tuple[np.ndarray, np.ndarray]]:
        """``Vocabulary(counts, ...)`` with its keys decided (put in its key map
        at the first look-up, see :class:`_KeyMap`), and the keys as numbers:
        (a number for each surface of ``counts``, the names numbered).

        ``counts`` has the surfaces added here first, in their order; any
        others after them are added now."""
        vocab = Vocabulary.__new__(Vocabulary)
        vocab._setup(counts, stem, min_len, numbers, normalize_options)
        if vocab.options != self.opts or stem:
            raise ValueError("a key plan serves the options it was made with, without stemming")
        self.add(list(islice(counts, len(self.surfaces), None)))
        keys, names, total = self.decide(np.fromiter(counts.values(), dtype=np.int64, count=len(counts)))
        # factorize numbers the bases in the order of their first surface, as Vocabulary.__init__ adds them.
        vocab.base_counts = dict(zip(names[: len(total)].tolist(), total.tolist(), strict=True))
        vocab._keys = _KeyMap(vocab._resolve, (self.surfaces, names, keys))
        return vocab, (keys, names)


def tokenize(
    text: str,
    *,
    vocabulary: Vocabulary | None = None,
    stopwords: bool = True,
    **options,
) -> list[Token]:
    """Word tokens of a clean text with key, surface, offsets and units.

    Without a ``vocabulary`` the text's own words decide which bare
    proclitics are stripped (see :class:`Vocabulary`). ``stopwords=False``
    drops stopword tokens from the result.

    >>> [(t.key, t.surface, t.start, t.end) for t in tokenize("ولافروف في موسكو. لافروف")]
    [('لافروف', 'ولافروف', 0, 7), ('في', 'في', 8, 10), ('موسكو', 'موسكو', 11, 16), ('لافروف', 'لافروف', 18, 24)]
    """
    vocab = vocabulary or Vocabulary.from_texts([text], **options)
    units = sentences(text)
    starts = [u.start for u in units]
    out: list[Token] = []
    for m in TOKEN_PATTERN.finditer(text):
        s, e = m.span()
        i = bisect.bisect_right(starts, s) - 1
        u = units[i] if i >= 0 else Unit(0, 0, 0, 0)
        key = vocab.key(m.group())
        stop = vocab.is_stop(key)
        if stop and not stopwords:
            continue
        out.append(Token(key, m.group(), s, e, u.paragraph, u.sentence, stop))
    return out
