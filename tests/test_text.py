"""Normalisation (newslib.normalize): every switch does what it says, and the
whole is idempotent and total over arbitrary Unicode."""

from __future__ import annotations

import inspect
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import newslib
from newslib import NORMALIZE_DEFAULTS, normalize
from newslib.text import DIACRITICS, INVISIBLE_CHARS, remove_invisible

ALL_OFF = {k: False for k in NORMALIZE_DEFAULTS}

# Arbitrary Unicode (surrogates cannot be encoded and never reach us from a file).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=120)
# A small alphabet dense in the characters normalisation acts on, so that the
# interesting combinations (a mark after a removed character, a presentation
# form beside a composable pair, ...) actually occur.
TRICKY = (
    "اأإآٱىةهيکیەھ٠١٩۰۹"
    + "\u064b\u064e\u0650\u0651\u0652\u0654\u0655\u0670\u0300\u0301\u0307"
    + "\u0640"
    + "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u00ad"
    + "ﻻﺃﺇﻵﷲ﴾﴿ﹳﹰ"
    + "“”«»‘’–—…"
    + "eAİΣßﬁ "
)
TRICKY_TEXT = st.text(st.sampled_from(TRICKY), max_size=30)
SWITCHES = st.fixed_dictionaries({}, optional={k: st.booleans() for k in NORMALIZE_DEFAULTS})


# ---------------------------------------------------------------- each switch


def test_defaults_are_documented_keywords() -> None:
    """Every switch is a keyword with a documented default, and only those exist."""
    assert set(NORMALIZE_DEFAULTS) == {
        "diacritics",
        "tatweel",
        "alef",
        "alef_maksura",
        "teh_marbuta",
        "persian",
        "digits",
        "presentation_forms",
        "invisible",
        "punctuation",
        "lowercase",
    }
    assert all(v is True for v in NORMALIZE_DEFAULTS.values())
    assert newslib.normalize is normalize
    assert "NORMALIZE_DEFAULTS" in inspect.getdoc(normalize)


def test_unknown_switch_is_an_error() -> None:
    with pytest.raises(TypeError, match="diacritic"):
        normalize("سورية", diacritic=False)  # typo of 'diacritics'


def test_all_switches_off_is_identity() -> None:
    text = "الإرهابُ ـ «سوريةَ» ی ٢٠١٦ ﻻ \u202eCSTO\u200f …"
    assert normalize(text, **ALL_OFF) == text


def test_diacritics() -> None:
    assert normalize("الإرهابُ") == "الارهاب"
    assert normalize("موحّدة") == "موحده"  # shadda, from 003
    assert normalize("هُجروا") == "هجروا"  # damma, from 004's teaser
    assert normalize("كتابٌ مُهِمٌّ") == "كتاب مهم"  # tanwin, kasra, shadda
    assert normalize("هٰذا") == "هذا"  # dagger alef
    kept = normalize("موحّدة", diacritics=False)
    assert "\u0651" in kept and kept == "موحّده"
    assert not set(normalize(DIACRITICS)) & set(DIACRITICS)


def test_tatweel() -> None:
    assert normalize("الميدانيـة") == "الميدانيه"  # from 004's messenger promo
    assert normalize("ســـورية") == "سوريه"
    assert normalize("ســـورية", tatweel=False) == "ســـوريه"


@pytest.mark.parametrize("alef", list("أإآٱ"))
def test_alef_variants(alef: str) -> None:
    word = alef + "من"
    assert normalize(word) == "امن"
    assert normalize(word, alef=False) == word


def test_alef_variants_share_a_key() -> None:
    assert normalize("الأمن") == normalize("الامن") == normalize("الآمن") == "الامن"


def test_alef_maksura() -> None:
    assert normalize("كيرى") == normalize("كيري") == "كيري"
    assert normalize("إلى") == "الي"
    assert normalize("كيرى", alef_maksura=False) == "كيرى"


def test_teh_marbuta() -> None:
    assert normalize("سورية") == normalize("سوريه") == "سوريه"
    assert normalize("سورية", teh_marbuta=False) == "سورية"
    assert normalize("سوريه", teh_marbuta=False) == "سوريه"


@pytest.mark.parametrize(
    ("persian", "arabic"),
    [("ی", "ي"), ("ک", "ك"), ("ە", "ه"), ("ہ", "ه"), ("ھ", "ه"), ("ې", "ي")],
)
def test_persian_lookalikes(persian: str, arabic: str) -> None:
    assert normalize(persian) == normalize(arabic)
    assert normalize(persian, persian=False) == persian


def test_persian_words() -> None:
    assert normalize("کیری") == "كيري"  # keheh + Farsi yeh
    assert normalize("سوریە") == "سوريه"
    # teh marbuta goal follows the teh marbuta switch
    assert normalize("ۃ") == "ه"
    assert normalize("ۃ", teh_marbuta=False) == "ة"


def test_digits() -> None:
    assert normalize("٢٠١٦") == "2016"
    assert normalize("۲۰۱۶") == "2016"  # Persian (extended) digits
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize("٢٠١٦", digits=False) == "٢٠١٦"


def test_presentation_forms() -> None:
    assert normalize("ﻻ") == "لا"
    assert normalize("ﻻ إله") == normalize("لا إله") == "لا اله"
    assert normalize("ﺍﻟﺴﻼﻡ") == "السلام"  # a PDF extraction in isolated/final/medial forms
    assert normalize("ﺃ") == "ا"  # NFKC first, then the alef switch
    assert normalize("ﻻ", presentation_forms=False) == "ﻻ"


@pytest.mark.parametrize("char", list(INVISIBLE_CHARS))
def test_invisible_characters(char: str) -> None:
    word = "سو" + char + "ريا"
    assert normalize(word) == "سوريا"
    assert normalize(word, invisible=False) == word


def test_bidi_controls_cannot_flip_text() -> None:
    rlo, pdf, lri, pdi = "\u202e", "\u202c", "\u2066", "\u2069"
    assert normalize(f"{rlo}CSTO{pdf} و{lri}روسيا{pdi}") == "csto وروسيا"
    assert remove_invisible(f"\ufeff{rlo}سوريا\u200f") == "سوريا"
    # remove_invisible touches nothing else
    assert remove_invisible("الإرهابُ ـ ی ٢") == "الإرهابُ ـ ی ٢"


def test_punctuation() -> None:
    assert normalize("“الأمن الجماعي”") == '"الامن الجماعي"'
    assert normalize("«نعم»") == '"نعم"'
    assert normalize("‘x’ – y — z…") == "'x' - y - z..."
    assert normalize("«نعم»", punctuation=False) == "«نعم»"


def test_lowercase() -> None:
    assert normalize("CSTO SANA") == "csto sana"
    assert normalize("CSTO", lowercase=False) == "CSTO"


def test_switches_are_independent() -> None:
    """Turning one switch off leaves the others working."""
    text = "الإرهابُ ـ كيرى سورية ی ٢ ﻻ \u200f «x» CSTO"
    full = normalize(text)
    for switch in NORMALIZE_DEFAULTS:
        partial = normalize(text, **{switch: False})
        assert partial != full, switch
        # everything a single switch leaves behind, the full default removes
        assert normalize(partial) == full, switch


def test_documented_examples() -> None:
    assert normalize("الإرهابُ في سوريةَ") == "الارهاب في سوريه"
    assert normalize("الإرهابُ في سوريةَ", teh_marbuta=False) == "الارهاب في سورية"


# ---------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_normalize_never_crashes_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once


@settings(max_examples=1500, deadline=None)
@given(TRICKY_TEXT, SWITCHES)
# found by this test: NFKC composing across a character the table then removed
@example("﴾Aـ\u0300", {})
@example("e\u200b\u0301\ufd3e", {})
@example("\ufe73\u0627\u200d\u0654", {"diacritics": False})
def test_normalize_is_idempotent_for_every_switch_set(text: str, switches: dict) -> None:
    once = normalize(text, **switches)
    assert normalize(once, **switches) == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, TRICKY_TEXT))
def test_all_off_is_identity_on_any_text(text: str) -> None:
    assert normalize(text, **ALL_OFF) == text


@settings(max_examples=800, deadline=None)
@given(st.one_of(ANY_TEXT, TRICKY_TEXT))
def test_normalized_text_has_none_of_the_removed_characters(text: str) -> None:
    out = normalize(text)
    removed = set(DIACRITICS + "\u0640" + INVISIBLE_CHARS + "أإآٱىةیکە٠١٢٣٤٥٦٧٨٩“”«»")
    assert not set(out) & removed
    # presentation forms are gone (those without a decomposition, such as ﴾, stay)
    forms = [ch for ch in out if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefc"]
    assert all(unicodedata.normalize("NFKC", ch) == ch for ch in forms)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ANY_TEXT, TRICKY_TEXT), max_size=400).map("\n".join), SWITCHES)
def test_translate_many_equals_str_translate(text: str, switches: dict) -> None:
    from newslib.text import _compiled, _options, translate_many

    key = _options(switches)
    long = text * (1 + 5000 // (len(text) + 1))  # past the short-string shortcut
    assert translate_many(long, key) == long.translate(_compiled(key)[2])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(ANY_TEXT, TRICKY_TEXT), max_size=300), SWITCHES)
def test_normalize_many_equals_one_by_one(words: list[str], switches: dict) -> None:
    from newslib.text import _normalize, _normalize_many, _options

    key = _options(switches)
    words = words * (1 + 2000 // (sum(map(len, words)) + 1))  # past translate_many's short-string shortcut too
    assert _normalize_many(words, key) == [_normalize(w, key) for w in words]
