"""Arabic normalisation: one small function per concern, character maps as data.

Every switch of :func:`normalize` is a keyword argument; the defaults below are
the ones the notebooks and the command line use, documented in one place
(``NORMALIZE_DEFAULTS``). Work is done with ``str.translate`` tables and
precompiled patterns, and callers that see many tokens cache per word type
(see :mod:`newslib.tokens`), so each distinct word is normalised once.

>>> normalize("الإرهابُ في سوريةَ")
'الارهاب في سوريه'
>>> normalize("الإرهابُ في سوريةَ", teh_marbuta=False)
'الارهاب في سورية'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

__all__ = [
    "NORMALIZE_DEFAULTS",
    "normalize",
    "remove_invisible",
    "INVISIBLE_CHARS",
    "DIACRITICS",
]

# Harakat, tanwin, shadda, sukun, superscript alef, Quranic annotation marks.
DIACRITICS = (
    "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))
)
TATWEEL = "\u0640"

# Characters that change how text is *displayed* (bidi embeddings, overrides,
# isolates, marks) or are invisible (zero-width, BOM, soft hyphen). A pasted
# RLO can flip a whole label; none of them carries meaning for analysis.
INVISIBLE_CHARS = (
    "\u200b\u200c\u200d\u200e\u200f"  # ZWSP, ZWNJ, ZWJ, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
    "\u061c\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"  # ALM, WJ, BOM, soft hyphen ...
)

ALEF_VARIANTS = "أإآٱٲٳٵ"
# Persian/Urdu/Kurdish letters that look like Arabic ones and are typed by
# mistake (or by Persian keyboard layouts) in Arabic text.
PERSIAN_LOOKALIKES = {
    "ی": "ي",  # U+06CC Farsi yeh
    "ې": "ي",
    "ۍ": "ي",
    "ے": "ي",
    "ک": "ك",  # U+06A9 keheh
    "ڪ": "ك",
    "ە": "ه",  # U+06D5 ae
    "ہ": "ه",  # U+06C1 heh goal
    "ھ": "ه",  # U+06BE heh doachashmee
    "ۀ": "ه",
    "ۃ": "ة",
    "ٸ": "ئ",
}
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
EXTENDED_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
QUOTE_VARIANTS = {
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "«": '"',
    "»": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
}

NORMALIZE_DEFAULTS: dict[str, bool] = {
    "diacritics": True,  # remove harakat, tanwin, shadda, sukun, dagger alef
    "tatweel": True,  # remove kashida ـ
    "alef": True,  # أ إ آ ٱ -> ا
    "alef_maksura": True,  # ى -> ي
    "teh_marbuta": True,  # ة -> ه (so سورية and سوريه share a key)
    "persian": True,  # ی ک ە ... -> ي ك ه
    "digits": True,  # ٠-٩ and ۰-۹ -> 0-9
    "presentation_forms": True,  # NFKC on U+FB50-FDFF, U+FE70-FEFC (PDF extractions)
    "invisible": True,  # bidi controls, zero-width characters, BOM
    "punctuation": True,  # quote, dash and ellipsis variants -> ASCII
    "lowercase": True,  # Latin case folding
}

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")


@lru_cache(maxsize=64)
def _table(options: tuple[tuple[str, bool], ...]) -> dict[int, str | None]:
    """The ``str.translate`` table for one combination of switches."""
    opts = dict(options)
    table: dict[int, str | None] = {}
    if opts["diacritics"]:
        table.update(dict.fromkeys(map(ord, DIACRITICS)))
    if opts["tatweel"]:
        table[ord(TATWEEL)] = None
    if opts["invisible"]:
        table.update(dict.fromkeys(map(ord, INVISIBLE_CHARS)))
    if opts["alef"]:
        table.update({ord(c): "ا" for c in ALEF_VARIANTS})
    if opts["persian"]:
        table.update({ord(k): v for k, v in PERSIAN_LOOKALIKES.items()})
    if opts["alef_maksura"]:
        table[ord("ى")] = "ي"
    if opts["teh_marbuta"]:
        table[ord("ة")] = "ه"
        if opts["persian"]:
            table[ord("ۃ")] = "ه"
    if opts["digits"]:
        table.update({ord(c): str(i) for i, c in enumerate(ARABIC_INDIC_DIGITS)})
        table.update({ord(c): str(i) for i, c in enumerate(EXTENDED_DIGITS)})
    if opts["punctuation"]:
        table.update({ord(k): v for k, v in QUOTE_VARIANTS.items()})
    # Map every target through the table once more, so that a chain such as
    # ۃ -> ة -> ه ends in one step and normalising twice changes nothing.
    for k, v in list(table.items()):
        if v is not None and len(v) == 1 and ord(v) in table:
            table[k] = table[ord(v)]
    return table


def _options(overrides: dict[str, bool]) -> tuple[tuple[str, bool], ...]:
    unknown = set(overrides) - set(NORMALIZE_DEFAULTS)
    if unknown:
        raise TypeError(
            f"normalize() got unknown option(s) {sorted(unknown)}; "
            f"known: {sorted(NORMALIZE_DEFAULTS)}"
        )
    return tuple({**NORMALIZE_DEFAULTS, **overrides}.items())


def _normalize(text: str, key: tuple[tuple[str, bool], ...]) -> str:
    """:func:`normalize` with the options already resolved (the hot path)."""
    presentation, lowercase, table = _compiled(key)
    if presentation and _PRESENTATION.search(text):
        return _normalize_nfkc(text, lowercase, table)
    if lowercase:
        text = text.lower()
    return text.translate(table)


def _normalize_many(words: list[str], key: tuple[tuple[str, bool], ...]) -> list[str]:
    """``[_normalize(w, key) for w in words]``, as one translation of the
    "\n"-joined words (case folding and the table work character by
    character, so the lines stay aligned); words in presentation forms, or a
    batch that does not split back into as many lines, take the one-by-one path.

    >>> words, key = ["كيرى", "ﻻ", "إرهاب"], _options({})
    >>> _normalize_many(words, key) == [_normalize(w, key) for w in words]
    True
    """
    presentation, lowercase, _ = _compiled(key)
    joined = "\n".join(words)
    if joined.count("\n") != len(words) - 1:  # a word with a line break
        return [_normalize(w, key) for w in words]
    out = translate_many(joined.lower() if lowercase else joined, key).split("\n")
    if len(out) != len(words):
        return [_normalize(w, key) for w in words]
    if presentation and _PRESENTATION.search(joined):
        for i, w in enumerate(words):
            if _PRESENTATION.search(w):
                out[i] = _normalize(w, key)
    return out


def _normalize_nfkc(text: str, lowercase: bool, table: dict[int, str | None]) -> str:
    """The step (NFKC where presentation forms remain, case folding, the
    table) repeated until it changes nothing.

    One step is not enough: some presentation-block characters (﴾ ﹳ) survive
    NFKC, so the next call would run NFKC again; NFKC composes what the
    table's removals brought together («A» + tatweel + U+0300 -> «à»), and
    reorders marks that case folding produced («İ» -> «i» + U+0307). A fixed
    point of the step is what the plain path (no presentation forms left)
    leaves unchanged too, so ``normalize`` is idempotent.
    """
    for _ in range(8):
        step = unicodedata.normalize("NFKC", text) if _PRESENTATION.search(text) else text
        if lowercase:
            step = step.lower()
        step = step.translate(table)
        if step == text:
            break
        text = step
    return text


@lru_cache(maxsize=64)
def _compiled(key: tuple[tuple[str, bool], ...]) -> tuple[bool, bool, dict[int, str | None]]:
    opts = dict(key)
    return opts["presentation_forms"], opts["lowercase"], _table(key)


_DELETE = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=16)
def _lookup(key: tuple[tuple[str, bool], ...]) -> tuple[np.ndarray, np.ndarray]:
    """The table of ``key`` as arrays over all code points: the target code
    (``_DELETE`` for removal) and whether the target is longer than one character."""
    lut = np.arange(0x110000, dtype=np.uint32)
    long = np.zeros(0x110000, dtype=bool)
    for code, target in _compiled(key)[2].items():
        if target is None:
            lut[code] = _DELETE
        elif len(target) == 1:
            lut[code] = ord(target)
        else:
            long[code] = True
    return lut, long


def translate_many(text: str, key: tuple[tuple[str, bool], ...]) -> str:
    """``text.translate(table)`` for the table of ``key``, as an array lookup.

    For long strings (a batch of words joined by line breaks): ``str.translate``
    looks up a dict once per character, an array lookup over all characters
    at once is several times faster. Targets longer than one character («…»)
    send the text back to ``str.translate``.
    """
    table = _compiled(key)[2]
    if len(text) < 4096:
        return text.translate(table)
    lut, long = _lookup(key)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if long[codes].any():
        return text.translate(table)
    mapped = lut[codes]
    mapped = mapped[mapped != _DELETE]
    return mapped.tobytes().decode("utf-32-le", "surrogatepass")


def normalize(text: str, **options: bool) -> str:
    """Normalise Arabic text for counting and matching.

    Each keyword switches one step on or off; see ``NORMALIZE_DEFAULTS``.
    Idempotent: ``normalize(normalize(t)) == normalize(t)``.

    >>> normalize("ﻻ إله") == normalize("لا إله")
    True
    >>> normalize("كيرى") == normalize("كيري")
    True
    """
    return _normalize(text, _options(options))


_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE_CHARS))


def remove_invisible(text: str) -> str:
    """Drop bidi controls, zero-width characters and BOMs, nothing else.

    >>> remove_invisible("\\u202eسوريا\\u200f")
    'سوريا'
    """
    return text.translate(_INVISIBLE_TABLE)
