"""Right-to-left safe figures: one font, one labelling rule, deterministic files.

Three public functions carry the contract the notebooks rely on:

- :func:`setup` registers the fonts and sets the rcParams every figure uses.
- :func:`label` turns a string into what a given renderer must be handed so
  that Arabic comes out joined and in reading order.
- :func:`save_figure` writes PNG and SVG (PDF on request) byte for byte
  reproducibly.

Why the font is DejaVu Sans (bundled with matplotlib, so it installs with the
package): measured against an independent shaper (Pillow + libraqm + FriBiDi,
see ``tests/test_rtl.py``) it renders the sample labels correctly in PNG, SVG
*and* PDF.  Noto Sans Arabic (``fontpkg-noto-sans-arabic``) is right in PNG and
SVG but the PDF backend misplaces its word spaces, static instance or not.  Noto
stays registered as the fallback for the rarer Arabic-script letters DejaVu
Sans lacks (Urdu/Persian extensions, Quranic marks), which PDF refuses.

Why ``label`` probes instead of reading version numbers: matplotlib >= 3.11
shapes and orders Arabic itself (libraqm), and pre-shaping it with
arabic-reshaper + python-bidi reverses it a second time (matplotlib #32262),
while older matplotlib and Pillow without FriBiDi draw code points one by one,
left to right.  The probe renders two test strings once per renderer and looks
at the ink.

>>> from newslib import rtl
>>> rtl.setup()
>>> rtl.label("منظمة \u202eCSTO") == rtl.label("منظمة CSTO")  # bidi controls cannot flip it
True
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Capability",
    "PDFRefusedError",
    "FONT_FAMILY",
    "FORMATS",
    "fallback_font_path",
    "font_path",
    "label",
    "probe",
    "save_figure",
    "setup",
    "strip_bidi_controls",
]

FONT_FAMILY = "DejaVu Sans"
FALLBACK_FAMILY = "Noto Sans Arabic"
HASH_SALT = "newslib"
DPI = 150
FORMATS: tuple[str, ...] = ("png", "svg")
TARGETS = ("matplotlib", "pil", "pil-basic")

# Font files verified in the PDF backend by tests/test_rtl.py.  Noto Sans Arabic
# is not among them: matplotlib 3.11's PDF output misplaces its word spaces.
PDF_VERIFIED_FONTS = frozenset({"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"})

# Explicit bidi formatting characters: marks, embeddings, overrides, isolates.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_STRIP_BIDI = str.maketrans("", "", BIDI_CONTROLS)
RLM = "\u200f"
LRM = "\u200e"

# Any right-to-left letter (Arabic, Hebrew, Syriac, Thaana, presentation forms).
_RTL_CHAR = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
)

# Metadata that would otherwise carry a version string or a timestamp.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}

_setup_done = False


# --------------------------------------------------------------------------- fonts


def font_path() -> Path:
    """Path of the font every figure uses (DejaVu Sans, shipped with matplotlib)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def fallback_font_path() -> Path | None:
    """Path of Noto Sans Arabic from ``fontpkg-noto-sans-arabic``, or None if absent."""
    try:
        import fontpkg_noto_sans_arabic as noto
    except ImportError:
        return None
    found = sorted((noto.ROOT / "files").glob("NotoSansArabic*.ttf"))
    return found[0] if found else None


def _rc_params() -> dict[str, object]:
    import matplotlib

    default_sans = matplotlib.rcParamsDefault["font.sans-serif"]
    sans = [FONT_FAMILY, FALLBACK_FAMILY] + [
        f for f in default_sans if f not in (FONT_FAMILY, FALLBACK_FAMILY)
    ]
    return {
        # DejaVu Sans covers Latin, digits and Modern Standard Arabic; matplotlib
        # falls back glyph by glyph to Noto Sans Arabic for the rest.
        # (Listed by name: matplotlib only falls back along font.family itself, a
        # generic "sans-serif" resolves to one font.)
        "font.family": [FONT_FAMILY, FALLBACK_FAMILY],
        "font.sans-serif": sans,
        # Glyphs as paths: the SVG shows exactly the shaped glyphs matplotlib laid
        # out, whatever fonts the viewer has.
        "svg.fonttype": "path",
        "svg.hashsalt": HASH_SALT,
        "pdf.fonttype": 42,
        "savefig.dpi": DPI,
    }


def setup(force: bool = False) -> None:
    """Register the fonts and set the rcParams the suite uses.

    Idempotent: the first call registers Noto Sans Arabic with matplotlib's font
    manager and sets font family, SVG/PDF font handling and the SVG hash salt;
    later calls do nothing (so a notebook's own rcParams tweaks survive the plot
    helpers, which call this), unless ``force=True``.
    """
    global _setup_done
    if _setup_done and not force:
        return
    import matplotlib
    from matplotlib import font_manager

    noto = fallback_font_path()
    if noto is not None:
        known = {os.path.realpath(f.fname) for f in font_manager.fontManager.ttflist}
        if os.path.realpath(noto) not in known:
            font_manager.fontManager.addfont(str(noto))
    matplotlib.rcParams.update(_rc_params())
    _setup_done = True


# --------------------------------------------------------------------------- probing


@dataclass(frozen=True)
class Capability:
    """What a renderer does with Arabic, as measured by :func:`probe`.

    ``shapes``: it joins letters (lam + alef drawn as the lam-alef ligature).
    ``reorders``: it lays right-to-left letters out right to left.
    The scores are the measurements behind the two booleans.
    """

    target: str
    shapes: bool
    reorders: bool
    ligature_score: float
    order_score: float

    @property
    def native(self) -> bool:
        return self.shapes and self.reorders


def _ink(rgb: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] from an image drawn black on white."""
    a = np.asarray(rgb, dtype=np.float64)
    if a.ndim == 3:
        a = a[..., :3].mean(axis=2)
    return 1.0 - a / 255.0


def _crop(ink: np.ndarray, threshold: float = 0.15) -> np.ndarray:
    ys, xs = np.nonzero(ink > threshold)
    if len(ys) == 0:
        return ink[:1, :1]
    return ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _similarity(a: np.ndarray, b: np.ndarray, height: int = 48) -> float:
    """Correlation of two cropped ink images resized to *b*'s proportions."""
    from PIL import Image, ImageFilter

    a, b = _crop(a), _crop(b)
    width = max(8, round(b.shape[1] * height / b.shape[0]))

    def norm(x: np.ndarray) -> np.ndarray:
        im = Image.fromarray((np.clip(x, 0, 1) * 255).astype(np.uint8))
        im = im.resize((width, height), Image.LANCZOS).filter(ImageFilter.GaussianBlur(1.0))
        v = np.asarray(im, dtype=np.float64)
        return v - v.mean()

    x, y = norm(a), norm(b)
    den = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / den) if den else 0.0


def _right_share_of_tall_ink(ink: np.ndarray) -> float:
    """Where the tall stroke (alef) sits: 0 = left edge, 1 = right edge."""
    c = _crop(ink)
    top = c[: max(1, int(c.shape[0] * 0.35))]
    cols = top.sum(axis=0)
    if cols.sum() == 0:
        return 0.5
    return float((cols * np.arange(c.shape[1])).sum() / cols.sum() / max(1, c.shape[1] - 1))


def _render_matplotlib(text: str, px: int = 48) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    setup()
    fig = Figure(figsize=(4, 1.2), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, size=px * 72 / 100, ha="center", va="center")
    fig.canvas.draw()
    return _ink(np.asarray(fig.canvas.buffer_rgba()))


def _render_pil(text: str, engine: object | None = None, px: int = 48) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    if engine is None:  # what wordcloud gets: Pillow's default engine
        font = ImageFont.truetype(str(font_path()), px)
    else:
        font = ImageFont.truetype(str(font_path()), px, layout_engine=engine)
    im = Image.new("L", (px * 8, px * 3), 255)
    ImageDraw.Draw(im).text((px, px // 2), text, font=font, fill=0)
    return _ink(np.asarray(im))


def _renderer(target: str) -> Callable[[str], np.ndarray]:
    if target == "matplotlib":
        return _render_matplotlib
    if target == "pil":
        return _render_pil
    if target == "pil-basic":
        from PIL import ImageFont

        return functools.partial(_render_pil, engine=ImageFont.Layout.BASIC)
    raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")


@functools.cache
def probe(target: str = "matplotlib") -> Capability:
    """Measure, once per process, whether *target* shapes and orders Arabic itself.

    Targets: ``"matplotlib"`` (the Agg layout, which SVG and PDF share),
    ``"pil"`` (Pillow's default layout engine, which wordcloud uses) and
    ``"pil-basic"`` (Pillow's basic engine, for renderers that force it).

    Shaping: "لا" must draw like the single lam-alef ligature glyph U+FEFB.
    Ordering: isolated alef + isolated beh (presentation forms, so shaping plays
    no part) must put the alef, the tall stroke, on the right.
    """
    render = _renderer(target)
    ligature = _similarity(render("\u0644\u0627"), render("\ufefb"))
    order = _right_share_of_tall_ink(render("\ufe8d\ufe8f"))
    return Capability(
        target=target,
        shapes=ligature >= 0.9,
        reorders=order > 0.5,
        ligature_score=round(ligature, 4),
        order_score=round(order, 4),
    )


# --------------------------------------------------------------------------- labels


def strip_bidi_controls(text: str) -> str:
    """Remove explicit bidi marks, embeddings, overrides and isolates."""
    return str(text).translate(_STRIP_BIDI)


def _strong(ch: str) -> str | None:
    d = unicodedata.bidirectional(ch)
    if d == "L":
        return "L"
    if d in ("R", "AL"):
        return "R"
    return None


def _counts(text: str) -> tuple[int, int]:
    rtl = ltr = 0
    for ch in text:
        s = _strong(ch)
        if s == "R":
            rtl += 1
        elif s == "L":
            ltr += 1
    return rtl, ltr


def is_rtl(text: str) -> bool:
    """True if right-to-left letters are at least as many as left-to-right ones."""
    rtl, ltr = _counts(text)
    return rtl > 0 and rtl >= ltr


def _first_strong(text: str) -> str | None:
    for ch in text:
        s = _strong(ch)
        if s:
            return s
    return None


@functools.cache
def _reshaper():
    import arabic_reshaper

    config = arabic_reshaper.config_for_true_type_font(
        str(font_path()), arabic_reshaper.ENABLE_LETTERS_LIGATURES
    )
    config["delete_harakat"] = False  # keep diacritics: «موحّدة» keeps its shadda
    return arabic_reshaper.ArabicReshaper(configuration=config)


def _label_line(line: str, cap: Capability) -> str:
    if not _RTL_CHAR.search(line):
        return line
    rtl = is_rtl(line)
    if cap.reorders:
        out = line if cap.shapes else _reshaper().reshape(line)
        # The renderer picks the paragraph direction from the first strong
        # letter; a mark fixes it when that letter belongs to the minority.
        first = _first_strong(out)
        if rtl and first == "L":
            return RLM + out
        if not rtl and first == "R":
            return LRM + out
        return out
    from bidi import get_display

    # Reversal leaves each Arabic mark just left of its letter in the visual
    # string; DejaVu Sans draws its zero-width marks to the right of the pen, so
    # a left-to-right renderer puts them on that letter (measured in the tests).
    return get_display(_reshaper().reshape(line), base_dir="R" if rtl else "L")


def label(text: object, target: str = "matplotlib") -> str:
    """The string to hand to *target* so that it displays *text* correctly.

    Unchanged where the renderer shapes and orders natively (a right-to-left
    mark is prepended only when an Arabic-dominant label starts with a Latin
    letter); reshaped with arabic-reshaper and put in visual order with
    python-bidi, right-to-left paragraph for Arabic-dominant labels, where it
    does not.  Bidi control characters in *text* are removed first.  Lines are
    handled one by one.

    >>> label("قمة 2016") == "قمة 2016" or not probe().native
    True
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")
    text = strip_bidi_controls(text)
    if not _RTL_CHAR.search(text):
        return text
    cap = probe(target)
    return "\n".join(_label_line(line, cap) for line in text.split("\n"))


# --------------------------------------------------------------------------- saving


class PDFRefusedError(ValueError):
    """Raised when a PDF would carry Arabic in a font not verified for PDF."""


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def _check_pdf_fonts(fig) -> None:
    from matplotlib import font_manager
    from matplotlib.text import Text

    fig.draw_without_rendering()  # materialise tick labels
    problems = []
    for t in fig.findobj(Text):
        s = t.get_text()
        if not t.get_visible() or not _RTL_CHAR.search(s):
            continue
        fpath = font_manager.findfont(t.get_fontproperties())
        name = Path(fpath).name
        missing = sorted({c for c in s if _RTL_CHAR.match(c) and ord(c) not in _charmap(fpath)})
        if name not in PDF_VERIFIED_FONTS:
            problems.append(f"{s!r} is set in {name}")
        elif missing:
            problems.append(f"{s!r} needs {''.join(missing)!r}, which {name} lacks")
    if problems:
        raise PDFRefusedError(
            "refusing to write PDF: matplotlib's PDF backend has been verified to place "
            f"Arabic correctly only with {', '.join(sorted(PDF_VERIFIED_FONTS))} "
            "(with Noto Sans Arabic it misplaces word spaces); "
            + "; ".join(problems[:5])
            + ". Save PNG/SVG instead, or use the default font."
        )


def save_figure(
    fig,
    path: str | os.PathLike,
    formats: Iterable[str] = FORMATS,
    dpi: int = DPI,
) -> list[Path]:
    """Write *fig* as ``path.png`` and ``path.svg`` (and ``path.pdf`` if asked).

    Files are reproducible byte for byte: no timestamps or version strings in the
    metadata, a fixed SVG hash salt, fixed dpi, glyphs as paths in SVG.  A
    ``.png``/``.svg``/``.pdf`` suffix on *path* is dropped.  PDF is written only
    when every Arabic text is set in a font verified for PDF; otherwise
    :class:`PDFRefusedError` says why, before any file is written.

    Returns the written paths, in the order of *formats*.
    """
    import matplotlib

    setup()
    formats = tuple(formats)
    unknown = [f for f in formats if f not in _METADATA]
    if unknown:
        raise ValueError(f"unsupported format(s) {unknown}; choose from png, svg, pdf")
    path = Path(path)
    if path.suffix.lower() in (".png", ".svg", ".pdf"):
        path = path.with_suffix("")
    if "pdf" in formats:
        _check_pdf_fonts(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = []
    rc = {"svg.hashsalt": HASH_SALT, "svg.fonttype": "path", "pdf.fonttype": 42}
    with matplotlib.rc_context(rc):
        for fmt in formats:
            out = path.with_name(f"{path.name}.{fmt}")
            fig.savefig(
                out, format=fmt, dpi=dpi, metadata=_METADATA[fmt],
                bbox_inches="tight", pad_inches=0.1,
            )
            written.append(out)
    return written
