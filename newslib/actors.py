"""Actors: a lexicon of names, their mentions in a corpus, and who speaks.

The lexicon is a YAML file (``data/actors.yml`` documents the format): one
entry per actor with ``id``, ``label``, ``label_en``, ``type``, ``aliases`` and
optional ``metonyms`` and ``exclude``. :func:`load_lexicon` validates it and
raises :class:`LexiconError` naming the file and the entry.

:func:`find_mentions` finds every name of the lexicon in the clean text of a
corpus, on normalised keys, clitic-aware, longest name first, never
overlapping; one row per mention with character offsets into ``doc.text``.
:func:`attribute_speech` attributes statements to actors from reporting verbs.
Co-occurrence and the actor network live in :mod:`newslib.cooccurrence`.

>>> from newslib import load_corpus
>>> lexicon = load_lexicon("data/actors.yml")
>>> m = find_mentions(load_corpus("data"), lexicon)
>>> m.loc[m.doc_id.str.startswith("001"), "actor"].value_counts().head(3).to_dict()
{'syria': 8, 'lavrov': 6, 'kerry': 4}
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ._gc import gc_paused
from .text import _normalize, _normalize_many, _options
from .tokens import _NOT_ARTICLE, TOKEN_PATTERN, _base, sentences

__all__ = [
    "Actor",
    "Lexicon",
    "LexiconError",
    "MENTION_COLUMNS",
    "REPORTING_VERBS",
    "SPEECH_COLUMNS",
    "attribute_speech",
    "find_mentions",
    "load_lexicon",
    "who_speaks_about_whom",
    "word_key",
]

DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "data" / "actors.yml"
MENTION_COLUMNS = ["doc_id", "paragraph", "sentence", "start", "end", "surface", "actor", "alias", "kind"]
REQUIRED_FIELDS = ("id", "label", "type", "aliases")
OPTIONAL_FIELDS = ("label_en", "metonyms", "exclude", "note")
NAME_CLASSES = {"aliases": "name", "metonyms": "metonym", "exclude": "exclude"}

# ---------------------------------------------------------------- the lexicon


class LexiconError(ValueError):
    """A lexicon that cannot be used; the message names the file and the entry."""

    def __init__(self, source: str, reason: str, entry: str = "") -> None:
        self.source, self.reason, self.entry = source, reason, entry
        super().__init__(f"{source}: {entry}: {reason}" if entry else f"{source}: {reason}")


@dataclass(frozen=True)
class Actor:
    """One lexicon entry."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...]
    label_en: str = ""
    metonyms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    note: str = ""


_END = None  # trie key of the payload stored at the node where a name ends
_CONJ, _PREP = "وف", "بلك"


class Lexicon:
    """Validated actors, with the name tries :func:`find_mentions` walks.

    Build it with :func:`load_lexicon` (from YAML) or directly from a list of
    dicts shaped like the YAML entries. ``normalize_options`` are the switches
    of :func:`newslib.normalize` used for keys (the defaults everywhere else).

    >>> lex = Lexicon([{"id": "kerry", "label": "كيري", "type": "person", "aliases": ["كيري", "كيرى"]}])
    >>> lex["kerry"].label, lex.key("جون كيرى")
    ('كيري', ('جون', 'كيري'))
    """

    def __init__(
        self,
        entries: Iterable[Actor | Mapping[str, Any]],
        source: str = "<lexicon>",
        **normalize_options: bool,
    ) -> None:
        self.source = source
        self.options = _options(normalize_options)
        self.actors: list[Actor] = []
        self._by_id: dict[str, Actor] = {}
        # name key -> (actor id, name as written, kind); kind: name/metonym/exclude
        self._names: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._tries: dict[bool, tuple[dict, dict, set]] = {}
        self._tails: frozenset[str] | None = None  # every suffix a name's first word can be
        self._ends: tuple[frozenset[str], tuple[str, ...]] | None = None  # see _tail_ends
        self._misses: set[str] = set()  # surfaces that start no name of any class, metonyms included
        self._word_cache: dict[str, tuple[str, ...]] = {}  # surface -> keys, once per type
        entries = list(entries)
        if not entries:
            raise LexiconError(source, "no actors: the lexicon is an empty list")
        where: dict[str, str] = {}
        for i, entry in enumerate(entries, 1):
            actor = entry if isinstance(entry, Actor) else _actor(entry, source, i)
            label = f"entry {i} (id {actor.id!r})"
            if actor.id in self._by_id:
                raise LexiconError(source, f"duplicate id {actor.id!r}, already used by {where[actor.id]}", label)
            where[actor.id] = label
            self._add_names(actor, label, where)
            self.actors.append(actor)
            self._by_id[actor.id] = actor

    def _add_names(self, actor: Actor, label: str, where: dict[str, str]) -> None:
        for field_name, kind in NAME_CLASSES.items():
            for name in getattr(actor, field_name):
                key = self.key(name)
                if not key:
                    raise LexiconError(self.source, f"{field_name[:-1]} {name!r} has no letters or digits", label)
                seen = self._names.get(key)
                if seen is None:
                    self._names[key] = (actor.id, name, kind)
                    continue
                other_id, other_name, other_kind = seen
                if other_id == actor.id and other_kind == kind:
                    continue  # two spellings of one name that normalise alike («كيري», «كيرى»)
                owner = "this entry" if other_id == actor.id else where[other_id]
                raise LexiconError(
                    self.source,
                    f"{field_name[:-1]} «{name}» (key {' '.join(key)!r}) is already "
                    f"{_KIND_WORD[other_kind]} «{other_name}» of {owner}",
                    label,
                )

    # -- keys
    def key(self, name: str) -> tuple[str, ...]:
        """Normalised key of a name: one :func:`word_key` per word."""
        return tuple(word_key(w, self.options) for w in TOKEN_PATTERN.findall(name))

    # -- access
    def __len__(self) -> int:
        return len(self.actors)

    def __iter__(self) -> Iterator[Actor]:
        return iter(self.actors)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def __getitem__(self, actor_id: str) -> Actor:
        return self._by_id[actor_id]

    def __repr__(self) -> str:
        return f"<Lexicon {len(self)} actors from {self.source}>"

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.actors]

    def labels(self, lang: str = "ar") -> dict[str, str]:
        """Actor id -> display label (``lang="en"``: English, else the Arabic label)."""
        if lang == "en":
            return {a.id: a.label_en or a.label for a in self.actors}
        return {a.id: a.label for a in self.actors}

    @property
    def types(self) -> dict[str, str]:
        return {a.id: a.type for a in self.actors}

    def to_frame(self) -> pd.DataFrame:
        """One row per actor: ``actor``, ``label``, ``label_en``, ``type``, names."""
        return pd.DataFrame(
            [
                {
                    "actor": a.id,
                    "label": a.label,
                    "label_en": a.label_en,
                    "type": a.type,
                    "aliases": " | ".join(a.aliases),
                    "metonyms": " | ".join(a.metonyms),
                    "exclude": " | ".join(a.exclude),
                }
                for a in self.actors
            ],
            columns=["actor", "label", "label_en", "type", "aliases", "metonyms", "exclude"],
        )

    # -- matching
    def _first_tails(self) -> frozenset[str]:
        """Every string a candidate first-word key can be (see ``_candidates``),
        for names, metonyms and exclusions alike."""
        if self._tails is None:
            firsts = {key[0] for key in self._names}
            self._tails = frozenset(firsts) | {k[2:] for k in firsts if k.startswith("ال")}
        return self._tails

    def _learn(self, surfaces: list[str]) -> None:
        """Record as misses the ``surfaces`` no name of any kind can start.

        The test of ``_candidates`` (no suffix of the normalised word is a
        first-word key), for many words at once: the words are normalised in
        one batch, which is most of the cost of meeting a word type for the
        first time, and the few that pass keep their normalised form (as
        ``_whole`` would).
        """
        if not surfaces:
            return
        wholes = _normalize_many(surfaces, self.options)
        tails = self._first_tails()
        ends, short = self._tail_ends()
        cache, misses = self._word_cache, self._misses
        for surface, whole in zip(surfaces, wholes, strict=True):
            # A name's first word ends the word, so its last three letters (or
            # a short tail) come first: one look-up rejects most words.
            if (whole[-3:] in ends or whole.endswith(short)) and _may_start_name(whole, tails):
                cache[(surface,)] = whole  # asked again by _candidates
            else:
                misses.add(surface)

    def _tail_ends(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """The last three letters of every tail of three or more (see
        ``_first_tails``), and the shorter tails, for ``_learn``'s first test."""
        if self._ends is None:
            tails = self._first_tails()
            self._ends = (frozenset(t[-3:] for t in tails if len(t) >= 3),
                          tuple(sorted(t for t in tails if 0 < len(t) < 3)))
        return self._ends

    def _trie(self, metonyms: bool) -> tuple[dict, dict, set]:
        """(trie of name keys, first-word candidates per surface, surfaces that
        start no name) for one setting; the caches live as long as the lexicon."""
        hit = self._tries.get(metonyms)
        if hit is None:
            root: dict = {}
            for key, (actor_id, name, kind) in self._names.items():
                if kind == "metonym" and not metonyms:
                    continue
                node = root
                for k in key:
                    node = node.setdefault(k, {})
                node[_END] = (actor_id, name, kind)
            hit = self._tries[metonyms] = (root, {}, set())
        return hit


_KIND_WORD = {"name": "the alias", "metonym": "the metonym", "exclude": "the exclusion"}


def _actor(entry: Any, source: str, i: int) -> Actor:
    """Validate one YAML entry and build its :class:`Actor`."""
    if not isinstance(entry, Mapping):
        raise LexiconError(
            source,
            f"expected a mapping with {', '.join(REQUIRED_FIELDS)}; got {type(entry).__name__} {entry!r:.60}",
            f"entry {i}",
        )
    ident = entry.get("id")
    label = f"entry {i} (id {ident!r})" if isinstance(ident, str) and ident.strip() else f"entry {i}"
    unknown = sorted(map(str, set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)))
    if unknown:
        raise LexiconError(
            source,
            f"unknown field(s) {unknown}; fields are {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}",
            label,
        )
    missing = [f for f in REQUIRED_FIELDS if entry.get(f) in (None, "", [])]
    if missing:
        what = "empty aliases (list at least one name)" if missing == ["aliases"] else (
            f"missing or empty field(s): {', '.join(missing)}"
        )
        raise LexiconError(source, what, label)
    for f in ("id", "label", "type", "label_en", "note"):
        value = entry.get(f)
        if value is not None and not isinstance(value, str):
            raise LexiconError(source, f"{f} must be text, got {type(value).__name__} {value!r}", label)
    if re.search(r"\s", ident):
        raise LexiconError(source, f"id {ident!r} contains white space", label)
    names = {}
    for f in NAME_CLASSES:
        value = entry.get(f) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise LexiconError(source, f"{f} must be a list of names, got {type(value).__name__}", label)
        for v in value:
            if not isinstance(v, str) or not v.strip():
                raise LexiconError(source, f"{f} must hold non-empty names, found {v!r}", label)
        names[f] = tuple(v.strip() for v in value)
    return Actor(
        id=ident.strip(),
        label=entry["label"].strip(),
        type=entry["type"].strip(),
        label_en=(entry.get("label_en") or "").strip(),
        note=(entry.get("note") or "").strip(),
        **names,
    )


def _read_yaml(text: str) -> Any:
    """``yaml.safe_load``, by libyaml's safe loader when PyYAML has it (the
    wheels do: the same data, ten times faster). A document it rejects is read
    again by the pure-Python loader, whose messages name the character or alias."""
    if hasattr(yaml, "CSafeLoader"):
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def load_lexicon(path: str | Path | None = None, **normalize_options: bool) -> Lexicon:
    """Read and validate an actor lexicon (YAML, read with ``yaml.safe_load``).

    ``path`` defaults to the bundled ``data/actors.yml``. Raises
    :class:`LexiconError` (a ``ValueError``) naming the file and the entry for
    bad YAML, a top level that is not a list, duplicate ids, missing fields,
    empty aliases, and a name claimed by two entries (compared by normalised
    key, so «كيري» and «كيرى» are the same name).
    """
    path = Path(path) if path is not None else DEFAULT_LEXICON
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(source, "no such file") from None
    except UnicodeDecodeError as e:
        raise LexiconError(source, f"not UTF-8 text (byte {e.start})") from None
    try:
        data = _read_yaml(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise LexiconError(source, f"not valid YAML{where}: {problem}") from None
    if data is None:
        raise LexiconError(source, "no actors: the file is empty")
    if not isinstance(data, list):
        raise LexiconError(source, f"the top level must be a list of actor entries, not a {type(data).__name__}")
    return Lexicon(data, source=source, **normalize_options)


# ---------------------------------------------------------------- mentions


def word_key(surface: str, options: tuple | None = None) -> str:
    """Key of one word for name matching: normalised, the particles before the
    definite article dropped and the article itself kept.

    The article stays because it tells a name from an adjective: «سورية» is
    the country, «السورية» the adjective ("Syrian"). Particles go: «بالأمم»,
    «للأمم», «والأمم» and «الأمم» share the key «الامم». Built on
    :func:`newslib.tokens.base_key` (and its per-type cache).

    >>> [word_key(w) for w in ["بالأمم", "للأمم", "السورية", "سورية", "كيرى"]]
    ['الامم', 'الامم', 'السوريه', 'سوريه', 'كيري']
    """
    base, cut = _base(surface, options if options is not None else _options({}))
    return "ال" + base if cut and base not in _NOT_ARTICLE else base


def _candidates(
    surface: str, root: dict, cache: dict, words: dict, tails: frozenset, options: tuple
) -> tuple[tuple[str, int], ...]:
    """First-word keys of ``surface`` that start a name: ``(key, letters cut)``.

    The word key, the whole normalised word, and either of them without a
    bare proclitic (و ف, then ب ل ك) when the rest starts a name of the
    lexicon («لروسيا», «ولافروف», «لليبيا»). Cached per surface type.
    """
    hit = cache.get(surface)
    if hit is not None:
        return hit
    # Every candidate is a suffix of the normalised word, or «ال» + one: a
    # cheap test that rejects almost every word before its key is computed.
    if not _may_start_name(_whole(surface, words, options), tails):
        return ()  # the caller remembers the misses
    out: list[tuple[str, int]] = []
    for form in _word_keys(surface, words, options):
        if form in root:
            out.append((form, 0))
        if len(form) > 2 and form[0] in _CONJ:
            if form[1:] in root:
                out.append((form[1:], 1))
            if len(form) > 3 and form[1] in _PREP and form[2:] in root:
                out.append((form[2:], 2))
        elif len(form) > 2 and form[0] in _PREP and form[1:] in root:
            out.append((form[1:], 1))
    hit = cache[surface] = tuple(dict.fromkeys(out))
    return hit


def _may_start_name(whole: str, tails: frozenset[str]) -> bool:
    """Whether some suffix of the normalised word (at most 6 letters cut: the
    particles and article before a name) is a first-word key or one without «ال»."""
    return not tails.isdisjoint([whole[k:] for k in range(min(len(whole), 7))])


def _whole(surface: str, cache: dict, options: tuple) -> str:
    """The normalised word, cached per type (under a tuple key, beside the keys)."""
    hit = cache.get((surface,))
    if hit is None:
        hit = cache[(surface,)] = _normalize(surface, options)
    return hit


def _word_keys(surface: str, cache: dict, options: tuple) -> tuple[str, ...]:
    """Keys of a word: its :func:`word_key` and the whole normalised word
    (they differ when the word starts with particles or «ال»). Cached per type."""
    hit = cache.get(surface)
    if hit is None:
        base, cut = _base(surface, options)
        key = "ال" + base if cut and base not in _NOT_ARTICLE else base
        whole = _whole(surface, cache, options)
        hit = cache[surface] = (key,) if key == whole else (key, whole)
    return hit


def _longest(node: dict, end: int, text: str, keys, best: tuple | None) -> tuple | None:
    """Deepest name end reachable from ``node``, whose last word ends at ``end``:
    ``(end offset, payload)``. The next word must follow after spaces only (no
    line break, no punctuation), so a name never crosses a sentence."""
    if _END in node and (best is None or end > best[0]):
        best = (end, node[_END])
    if len(node) > (_END in node):
        m = _NEXT_WORD.match(text, end)
        if m is not None:
            for k in keys(m.group(1)):
                child = node.get(k)
                if child is not None:
                    best = _longest(child, m.end(), text, keys, best)
    return best


def _doc_words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Words of ``text[start:end]`` as (start, end, surface): the tokens of
    :func:`newslib.tokenize`."""
    pattern = TOKEN_PATTERN
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text, start, len(text) if end is None else end)]


def _documents(corpus: Any) -> Iterator[tuple[str, str]]:
    for i, doc in enumerate(corpus):
        if isinstance(doc, str):
            yield str(i), doc
        else:
            yield doc.doc_id, doc.text


@gc_paused
def find_mentions(
    corpus: Any,
    lexicon: Lexicon,
    metonyms: bool = False,
    *,
    types: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every mention of a lexicon actor in the clean texts of ``corpus``.

    Parameters
    ----------
    corpus : a :class:`newslib.Corpus`, or any iterable of documents (or of
        plain strings, numbered from 0).
    lexicon : a :class:`Lexicon` (see :func:`load_lexicon`).
    metonyms : also find the lexicon's metonyms (capitals, nationality
        adjectives, «الجانب الأمريكي» ...). Off by default: they are noisy
        (a capital is usually a venue), and the analyst switches them on
        knowingly. Their rows have ``kind == "metonym"``.
    types : keep only mentions of actors of these types. Matching always uses
        the whole lexicon, so a longer name of a dropped actor still blocks a
        shorter one inside it.

    Returns
    -------
    DataFrame with one row per mention: ``doc_id``, ``paragraph``,
    ``sentence`` (indices of :func:`newslib.tokens.sentences`), ``start``,
    ``end`` (character offsets into ``doc.text``; ``text[start:end] ==
    surface``), ``surface`` (whole words as written, clitics included),
    ``actor`` (id), ``alias`` (the lexicon name matched), ``kind`` (``name`` or
    ``metonym``). ``attrs["units"]`` holds the number of sentences,
    paragraphs and documents scanned: the N of :func:`newslib.cooccurrence.cooccurrence`.

    Matching: words are compared by normalised key (see ``data/actors.yml``);
    a bare proclitic on the first word is stripped only when the rest starts a
    lexicon name («ولافروف», «لروسيا», «كداعش»), so the result of a document
    does not depend on the rest of the corpus. Names run over consecutive words
    of one sentence separated by spaces only; at each word the longest name
    wins (leftmost-longest), and mentions never overlap.
    """
    root, first_cache, misses = lexicon._trie(metonyms)
    shared_misses, tails = lexicon._misses, lexicon._first_tails()
    opts = lexicon.options
    word_cache = lexicon._word_cache

    def keys(surface: str) -> tuple[str, ...]:
        return _word_keys(surface, word_cache, opts)

    keep = set(types) if types is not None else None
    rows: list[tuple] = []
    n_sent = n_par = n_doc = 0
    findall = TOKEN_PATTERN.findall
    for doc_id, text in _documents(corpus):
        units = sentences(text)
        n_doc += 1
        n_sent += len(units)
        n_par += len({u.paragraph for u in units})
        # Word types that may start a name, found with set operations; most
        # words are in ``misses`` (types known to start no name) after a while.
        new = set(findall(text)) - shared_misses - misses
        if len(new) > 8:  # words met for the first time: most start no name (see Lexicon._learn)
            lexicon._learn(list(new))
            new -= shared_misses
        hits = []
        for surface in new:
            if _candidates(surface, root, first_cache, word_cache, tails, opts):
                hits.append(surface)
            elif _candidates(surface, lexicon._trie(True)[0], {}, word_cache, tails, opts):
                misses.add(surface)  # a metonym's first word, with metonyms off
            else:
                shared_misses.add(surface)
        if not hits:
            continue
        starts = sorted(_occurrences(text, hits))
        unit_starts = [u.start for u in units]
        resume = 0  # mentions never overlap: no name starts before the end of the last
        for s, e, surface in starts:
            if s < resume:
                continue
            best = None
            for key, _cut in first_cache[surface]:  # ordered: fewer proclitic letters cut first
                match = _longest(root[key], e, text, keys, None)
                if match is not None and (best is None or match[0] > best[0]):
                    best = match
            if best is None:
                continue
            resume, (actor_id, name, kind) = best
            if kind != "exclude" and (keep is None or lexicon[actor_id].type in keep):
                u = units[bisect.bisect_right(unit_starts, s) - 1]
                rows.append((doc_id, u.paragraph, u.sentence, s, resume, text[s:resume], actor_id, name, kind))
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    frame.attrs["units"] = {"sentence": n_sent, "paragraph": n_par, "document": n_doc}
    frame.attrs["metonyms"] = metonyms
    return frame


def _occurrences(text: str, surfaces: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """Every occurrence of each surface as a whole token of ``text`` (the same
    as scanning the tokens, with ``str.find`` doing the scanning)."""
    token_at, joined = TOKEN_PATTERN.match, TOKEN_PATTERN.fullmatch
    for surface in surfaces:
        size = len(surface)
        i = text.find(surface)
        while i >= 0:
            m = token_at(text, i)
            # a token runs from i to exactly i + size, and does not continue one before it
            if m is not None and m.end() == i + size and (i == 0 or not joined(text, i - 1, i + 1)):
                yield i, i + size, surface
            i = text.find(surface, i + 1)


_NEXT_WORD = re.compile(rf"[ \t\u00a0]+({TOKEN_PATTERN.pattern})")


# ---------------------------------------------------------------- who speaks

# Reporting verbs: lemma -> forms (space separated, as written; matched on
# normalised keys, with or without a leading و/ف). A form marked "+" is a
# participle («مؤكداً», «مشيراً»): it continues the last speaker of its
# sentence. A form marked "^" counts only as the first word of a sentence
# («وبين أوزيروف ...»; elsewhere «بين» is the preposition "between").
REPORTING_VERBS: dict[str, str] = {
    "قال": "قال قالت قالوا قالا يقول تقول +قائلا +قائلة",
    "أكد": "أكد أكدت أكدوا أكدا يؤكد تؤكد +مؤكدا +مؤكدة +مؤكدين",
    "أشار": "أشار أشارت أشاروا يشير تشير +مشيرا +مشيرة +مشيرين",
    "دعا": "دعا دعت دعوا يدعو تدعو +داعيا +داعية +داعين",
    "أعلن": "أعلن أعلنت أعلنوا يعلن تعلن +معلنا +معلنة",
    "شدد": "شدد شددت شددوا يشدد تشدد +مشددا +مشددة +مشددين",
    "أعرب": "أعرب أعربت أعربوا يعرب تعرب +معربا +معربة +معربين",
    "أوضح": "أوضح أوضحت يوضح توضح +موضحا +موضحة",
    "أضاف": "أضاف أضافت أضافوا يضيف تضيف +مضيفا +مضيفة",
    "رأى": "رأى رأت يرى",
    "اعتبر": "اعتبر اعتبرت +معتبرا +معتبرة",  # «يعتبر», «تعتبر» are mostly passive: "is considered"
    "حذر": "حذر حذرت يحذر تحذر +محذرا +محذرة",
    "لفت": "لفت لفتت +لافتا +لافتة",
    "ذكر": "ذكر ذكرت",
    "بين": "^بين ^بينت",
    "جدد": "جدد جددت",
    "ثمن": "ثمن ثمنت",
    "نوه": "نوه نوهت +منوها +منوهة +منوهين",
    "صرح": "صرح صرحت",
    "اقترح": "اقترح اقترحت",
    "أدان": "أدان أدانت",
    "نقل": "نقل نقلت",
}
# «نقل X عن Y»: the speaker is the source after «عن», not the relaying outlet.
_RELAY_LEMMAS = frozenset({"نقل"})
SPEECH_COLUMNS = ["doc_id", "paragraph", "sentence", "speaker", "verb", "cue", "start", "end", "text", "quote"]
_SUBJECT_WINDOW = 10  # words after a verb searched for a person speaker
_NEAR = 1  # a non-person speaker (an institution, a state) must follow the verb directly
# Words that end the subject after a verb: the complement has begun.
_STOPPERS = frozenset(
    _normalize(w, _options({}))
    for w in "أن إن بأن لأن أنه أنها إنه إنها إلى الى على عن من مع عقب بعد قبل خلال لدى أثناء أمام".split()
)
_QUOTES = "«»“”\"„"
_QUOTED = re.compile(r"[«“\"„]\s*([^«»“”\"„]*\w[^«»“”\"„]*)[»”\"]?")


@dataclass(frozen=True)
class _Verb:
    lemma: str
    participle: bool
    initial: bool


def _verb_table(verbs: Mapping[str, str | Iterable[str]], options: tuple) -> dict[str, _Verb]:
    table: dict[str, _Verb] = {}
    for lemma, forms in verbs.items():
        if isinstance(forms, str):
            forms = forms.split()
        for form in forms:
            participle, initial = form.startswith("+"), form.startswith("^")
            key = _normalize(form.lstrip("+^"), options)
            table[key] = _Verb(lemma, participle, initial)
    return table


def _verb_of(key: str, table: dict[str, _Verb]) -> _Verb | None:
    """The reporting verb of a normalised word (with or without و/ف), or None."""
    hit = table.get(key)
    if hit is None and len(key) > 3 and key[0] in _CONJ:
        hit = table.get(key[1:])
    return hit


def attribute_speech(
    corpus: Any,
    mentions: pd.DataFrame,
    lexicon: Lexicon,
    verbs: Mapping[str, str | Iterable[str]] | None = None,
) -> pd.DataFrame:
    """Statements attributed to actors by reporting verbs (rule based).

    Rules, within one sentence:

    - verb then subject («وقال لافروف», «أعلن وزير الخارجية الروسي سيرغي
      لافروف»): the first *person* named in the ten words after the verb,
      else an actor of another type (not a place) right after the verb
      («أعلن البيت الأبيض»). The search stops where the complement or an
      adjunct begins («أن», «إن», «إلى», «على», «عن», «من», «مع», «عقب»,
      «خلال» ...), at a colon or a quotation mark, and skips names behind a
      preposition («قال ... لرويترز»: the addressee).
    - subject then verb («وكان لافروف أكد», «إلى أن لافروف أكد»): a mention
      ending right before a verb without «و/ف», at the start of the sentence
      or after «كان», «أن», «لكن» ...
    - a participle («مشيراً», «مضيفاً»), or a verb with «و» followed directly
      by its complement («... وأكدت مجدداً»), continues the sentence's last
      speaker; a sentence opening with such a verb («وقال إن ...») continues
      the speaker of the sentence before;
    - «نقل X عن Y»: the speaker is Y, the source;
    - a sentence that opens with a name and a colon («لافروف: ...», the
      headline pattern): that actor, with ``verb == ":"``.

    Coordinated subjects («لافروف وكيري أكدا») give a row each. Role
    descriptions without a name («وشدد وزير الخارجية الروسي») are not
    attributed: they are not mentions.

    Returns one row per (statement, speaker): ``doc_id``, ``paragraph``,
    ``sentence``, ``speaker`` (actor id), ``verb`` (lemma, or ":"), ``cue``
    (the verb as written), ``start``/``end`` (the attributed clause in
    ``doc.text``: from after the verb and speaker to the next cue or the end of
    the sentence), ``text`` (that clause) and ``quote`` (the first quotation in
    it, "" if none).
    """
    options = lexicon.options
    table = _verb_table(verbs if verbs is not None else REPORTING_VERBS, options)
    types = lexicon.types
    # mentions by document and sentence, as plain tuples (no per-group DataFrames)
    by_doc: dict[str, dict[int, list[tuple]]] = {}
    if len(mentions):
        first_letter: dict[str, str] = {}
        cols = [mentions[c].tolist() for c in ("doc_id", "sentence", "start", "end", "actor", "alias", "surface")]
        for doc_id, sentence, start, end, actor, alias, surface in zip(*cols, strict=True):
            if types[actor] == "place":  # places do not speak
                continue
            if alias not in first_letter:
                first_letter[alias] = lexicon.key(alias)[0][:1]
            lead = first_letter[alias]
            conj = surface[:1] in _CONJ and surface[:1] != lead  # «وكيري», not «فلاديمير»
            # «لرويترز», «بالأمم»: a preposition on the name; it is not a subject
            bare = surface[1:] if conj else surface
            prep = bare[:1] in _PREP and bare[:1] != lead
            by_doc.setdefault(doc_id, {}).setdefault(sentence, []).append((start, end, actor, conj, prep))
    rows: list[tuple] = []
    cache: dict[str, str] = {}  # surface -> normalised form, once per word type
    for doc_id, text in _documents(corpus):
        doc_mentions = by_doc.get(doc_id)
        if doc_mentions:
            rows.extend(_speech_in_doc(doc_id, text, doc_mentions, table, types, options, cache))
    return pd.DataFrame(rows, columns=SPEECH_COLUMNS)


def _speech_in_doc(doc_id, text, doc_mentions, table, types, options, cache) -> list[tuple]:
    """Attributions in one document. Only sentences with a mention, and those
    right after a sentence with a speaker («وقال إن ...»), are looked at."""
    out: list[tuple] = []
    previous: list[str] = []  # speakers of the sentence before
    for unit in sentences(text):
        sentence_mentions = doc_mentions.get(unit.sentence)
        if not sentence_mentions and not previous:
            continue
        words = _doc_words(text, unit.start, unit.end)
        if not words:
            previous = []
            continue
        norm = []
        for w in words:
            n = cache.get(w[2])
            if n is None:
                n = cache[w[2]] = _normalize(w[2], options)
            norm.append(n)
        starts = [w[0] for w in words]
        spans, inside = [], set()
        for s, e, actor, conj, prep in sentence_mentions or ():
            a = bisect.bisect_left(starts, s)
            b = bisect.bisect_left(starts, e) - 1
            inside.update(range(a, b + 1))
            spans.append((a, b, actor, conj, prep))
        spans.sort()
        span_at = {sp[0]: sp for sp in spans}
        span_ending = {sp[1]: sp for sp in spans}
        ctx = _Context(text, words, norm, span_at, types, table, options)
        first, last = 0, len(words) - 1
        cues: list[tuple[int, int, list[str], str, str]] = []  # (cue word, clause from word, speakers, lemma, cue)
        current: list[str] = []

        # headline pattern: «لافروف: ...»
        head = span_at.get(first)
        if head is not None:
            group = ctx.chain(head, last)
            end_word = group[-1][1]
            if end_word < last and ":" in ctx.gap(end_word):
                current = [g[2] for g in group]
                cues.append((first, end_word + 1, current, ":", ":"))
        for j in range(len(words)):
            verb = _verb_of(norm[j], table)
            if verb is None or (verb.initial and j != first) or j in inside:
                continue
            clause_from = j + 1
            if verb.participle:
                speakers = list(current)
            else:
                search_from = j + 1
                if verb.lemma in _RELAY_LEMMAS:
                    src = next((k for k in range(j + 1, min(j + 7, last + 1)) if norm[k] == "عن"), None)
                    if src is None:
                        continue
                    search_from = src + 1
                conj = norm[j][0] in _CONJ and norm[j] not in table
                group = ctx.subject_after(search_from, last)
                if group:
                    clause_from = group[-1][1] + 1
                elif not conj:  # «X وقال»: X is not the subject of a new clause
                    group = _subject_before(j, first, span_ending, norm)
                speakers = [g[2] for g in group]
                if not speakers and ctx.no_subject(j, last):
                    opening = j == first or (j == first + 1 and norm[first] in _OPENERS)
                    if conj and current:
                        speakers = list(current)  # «... وأكدت مجدداً»: same subject
                    elif opening and previous:
                        speakers = list(previous)  # «وقال إن ...»: the last speaker
            if speakers:
                cues.append((j, clause_from, speakers, verb.lemma, words[j][2]))
                current = speakers
        for n, (_, clause_from, speakers, lemma, cue) in enumerate(cues):
            end = words[cues[n + 1][0]][0] if n + 1 < len(cues) else unit.end
            start = min(words[clause_from - 1][1], end)
            clause = text[start:end]
            stripped = clause.lstrip(_CLAUSE_TRIM + "”»").rstrip(_CLAUSE_TRIM)
            start += len(clause) - len(clause.lstrip(_CLAUSE_TRIM + "”»"))
            end = start + len(stripped)
            quote = _QUOTED.search(stripped)
            for sp in dict.fromkeys(speakers):
                out.append(
                    (doc_id, unit.paragraph, unit.sentence, sp, lemma, cue, start, end, stripped,
                     quote.group(1).strip() if quote else "")
                )
        previous = current
    return out


_CLAUSE_TRIM = " \t\u00a0،,:؛/-"
# Words after which a name can be the subject of the verb that follows it
# («وكان لافروف أكد», «إلى أن لافروف أكد»), and openers before a verb.
_OPENERS = frozenset(
    _normalize(w, _options({}))
    for w in "كان وكان فكان أن إن بأن لأن كما وكما فيما بينما حيث لكن ولكن قد وقد فقد ثم".split()
)
# Adverbs that may stand between a conjoined verb and its complement.
_ADVERBS = frozenset(_normalize(w, _options({})) for w in "مجددا أيضا ايضا كذلك مرة".split())
_COORD_WINDOW = 14  # words after a person speaker searched for a coordinated one («... والممثل الخاص ... بوغدانوف»)


class _Context:
    """The word-level view of one document that the speech rules share."""

    def __init__(self, text, words, norm, span_at, types, table, options):
        self.text, self.words, self.norm = text, words, norm
        self.span_at, self.types, self.table, self.options = span_at, types, table, options

    def gap(self, j: int) -> str:
        """Characters between word ``j`` and the next."""
        return self.text[self.words[j][1] : self.words[j + 1][0]] if j + 1 < len(self.words) else ""

    def chain(self, span, last: int) -> list:
        """``span`` and the mentions joined to it by a leading و («لافروف وكيري»)."""
        found = [span]
        nxt = self.span_at.get(span[1] + 1)
        while nxt is not None and nxt[1] <= last and nxt[3]:
            found.append(nxt)
            nxt = self.span_at.get(nxt[1] + 1)
        return found

    def breaks(self, j: int) -> bool:
        """A colon or quotation mark after word ``j`` ends a subject."""
        return any(c in _QUOTES or c == ":" for c in self.gap(j))

    def quoted(self, span) -> bool:
        """A name in quotation marks («ودعت “الأمن الجماعي”»), not a quotation."""
        before = self.gap(span[0] - 1) if span[0] > 0 else ""
        return any(c in "«“\"" for c in before) and any(c in "»”\"" for c in self.gap(span[1]))

    def subject_after(self, j0: int, last: int) -> list:
        """The speaker span(s) after a verb (see :func:`attribute_speech`), or []."""
        other = None
        j = j0
        while j <= last and j < j0 + _SUBJECT_WINDOW:
            span = self.span_at.get(j)
            if j > 0 and self.breaks(j - 1) and not (span is not None and self.quoted(span)):
                break
            if span is not None:
                if span[4]:  # after a preposition: not the subject
                    j = span[1] + 1
                    continue
                if self.types[span[2]] == "person":
                    return self.chain(span, last) + self.coordinated(span, last)
                if other is None and j < j0 + _NEAR:
                    other = span
                j = span[1] + 1
                continue
            if self.norm[j] in _STOPPERS:
                break
            j += 1
        return self.chain(other, last) if other is not None else []

    def coordinated(self, span, last: int) -> list:
        """A second person subject after «و» («أكد ... سامح شكري والممثل الخاص ...
        ميخائيل بوغدانوف»), before the complement begins."""
        j = span[1] + 1
        if j > last or self.norm[j][0] != "و" or self.breaks(span[1]):
            return []
        for k in range(j, min(j + _COORD_WINDOW, last + 1)):
            hit = self.span_at.get(k)
            if hit is not None:
                return [hit] if self.types[hit[2]] == "person" else []
            if self.norm[k] in _STOPPERS or _verb_of(self.norm[k], self.table):
                return []
            if self.breaks(k):
                return []
        return []

    def no_subject(self, j: int, last: int) -> bool:
        """The verb at ``j`` is followed directly by its complement: «وقال إن»,
        «وشدد على», «وأكدت مجدداً», or a quotation."""
        k = j + 1
        while k <= last and self.norm[k] in _ADVERBS:
            k += 1
        return k > last or self.norm[k] in _STOPPERS or self.breaks(k - 1)


def _subject_before(j: int, first: int, span_ending: dict, norm: list[str]) -> list:
    """Subject-verb order: mention(s) ending right before the verb, at the start
    of the sentence or after an opener («وكان لافروف وكيري أكدا»)."""
    before = span_ending.get(j - 1)
    if before is None or before[0] < first:
        return []
    group = [before]
    while group[0][3]:
        prev = span_ending.get(group[0][0] - 1)
        if prev is None or prev[0] < first:
            break
        group.insert(0, prev)
    start = group[0][0]
    if start == first or norm[start - 1] in _OPENERS:
        return group
    return []


def who_speaks_about_whom(speech: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Speaker x mentioned actor: in how many attributed clauses each speaker
    mentions each actor (once per clause; the speaker itself not counted).

    Returns ``speaker``, ``actor``, ``count``, sorted by count.
    """
    if not len(speech) or not len(mentions):
        return pd.DataFrame(columns=["speaker", "actor", "count"])
    clauses = speech.reset_index(drop=True).reset_index(names="clause")
    pairs = clauses.merge(mentions[["doc_id", "start", "end", "actor"]], on="doc_id", suffixes=("", "_m"))
    inside = pairs[(pairs.start_m >= pairs.start) & (pairs.end_m <= pairs.end) & (pairs.actor != pairs.speaker)]
    counts = (
        inside.drop_duplicates(["clause", "speaker", "actor"])
        .groupby(["speaker", "actor"])
        .size()
        .rename("count")
        .reset_index()
    )
    return counts.sort_values(["count", "speaker", "actor"], ascending=[False, True, True], ignore_index=True)
