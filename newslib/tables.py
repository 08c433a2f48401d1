"""Tables for notebooks and HTML reports: escaped, right-to-left where Arabic.

:func:`show` renders a ``DataFrame`` as an HTML table built here, not by the
pandas ``Styler``: every header and cell is passed through
:func:`html.escape`, so article text such as ``<script>`` shows as text and
never runs; Arabic columns carry ``dir="rtl"`` and are right-aligned; the
markup has no random ids, so the same table gives the same bytes in every
run. :func:`save_table` writes the full table as UTF-8 CSV.

>>> import pandas as pd
>>> t = show(pd.DataFrame({"display": ["سورية"], "count": [77]}))
>>> '<td dir="rtl" style="text-align: right; white-space: nowrap">سورية</td>' in t.html
True
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Table", "show", "save_table", "arabic_columns"]

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z]")
_NAME = re.compile(r"^[\w.-]+$")
_ALIGN = {"left", "right", "center"}
NOWRAP = 24  # columns whose cells are all this short are kept on one line


def _is_arabic(value: object) -> bool:
    """More Arabic letters than Latin ones in ``value`` (a string)."""
    return isinstance(value, str) and len(_ARABIC.findall(value)) > len(_LATIN.findall(value))


def arabic_columns(df: pd.DataFrame, sample: int = 200) -> list[str]:
    """Columns whose non-empty text cells are mostly Arabic (first ``sample`` rows)."""
    out = []
    for col in df.columns:
        if df[col].dtype.kind not in "OSU" and not pd.api.types.is_string_dtype(df[col]):
            continue
        values = [v for v in df[col].head(sample).tolist() if isinstance(v, str) and v.strip()]
        if values and sum(map(_is_arabic, values)) * 2 > len(values):
            out.append(col)
    return out


def _format(value: object, float_format: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if np.isinf(v):
            return "∞" if v > 0 else "−∞"
        return float_format.format(v)
    return str(value)


class Table:
    """An HTML table that Jupyter and nbconvert render (``_repr_html_``).

    ``html`` is the markup; ``frame`` the rows shown; ``str(table)`` is a
    plain-text rendering for terminals.
    """

    def __init__(self, markup: str, frame: pd.DataFrame) -> None:
        self.html = markup
        self.frame = frame

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.frame.to_string(index=False)

    def __repr__(self) -> str:
        return f"<Table {len(self.frame)} rows x {self.frame.shape[1]} columns>"


def show(
    df: pd.DataFrame,
    rtl_columns: Iterable[str] | None = None,
    caption: str | None = None,
    max_rows: int | None = 30,
    *,
    direction: str = "ltr",
    align: Mapping[str, str] | None = None,
    float_format: str = "{:.4g}",
    index: bool = False,
) -> Table:
    """An escaped, direction-aware HTML table of ``df``.

    Parameters
    ----------
    df : the table.
    rtl_columns : columns to set right to left (``dir="rtl"``, right
        aligned); by default those whose text is mostly Arabic
        (:func:`arabic_columns`). A cell of such a column that is not
        mostly Arabic (a file name, a URL) gets ``dir="auto"``, as do the
        cells of other text columns.
    caption : shown above the table (escaped, ``dir="auto"``).
    max_rows : rows shown (the first ones); a note gives the full count.
        ``None`` shows all.
    direction : ``"rtl"`` lays the whole table out right to left: the first
        column on the right. Use it for a KWIC concordance, whose ``left``
        (before) context must stand to the right of the keyword.
    align : override the alignment of some columns (``"left"``,
        ``"right"``, ``"center"``), e.g. KWIC contexts towards the keyword.
    float_format : format of float cells.
    index : show the index as the first column.

    Every header, cell and the caption is HTML-escaped.
    """
    if direction not in ("ltr", "rtl"):
        raise ValueError("direction must be 'ltr' or 'rtl'")
    frame = df.reset_index() if index else df
    rtl = set(arabic_columns(frame) if rtl_columns is None else rtl_columns)
    missing = rtl - set(frame.columns)
    if missing:
        raise KeyError(f"rtl_columns not in the table: {sorted(map(str, missing))}")
    align = dict(align or {})
    bad = {k: v for k, v in align.items() if v not in _ALIGN}
    if bad:
        raise ValueError(f"align values must be one of {sorted(_ALIGN)}: {bad}")
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    text = [[_format(v, float_format) for v in row] for row in shown.itertuples(index=False, name=None)]
    widths = [max((len(r[i]) for r in text), default=0) for i in range(frame.shape[1])]

    def style(i: int, col: object) -> tuple[str, str]:
        """(direction, style) of a column's cells; Arabic columns are rtl, right-aligned."""
        if col in rtl:
            d, a = "rtl", "right"
        elif col in numeric:
            d, a = "ltr", "right"
        else:
            d, a = "auto", "right" if direction == "rtl" else "left"
        css = f"text-align: {align.get(col, a)}"
        if col in numeric or widths[i] <= NOWRAP:
            css += "; white-space: nowrap"  # ids, dates, numbers: never broken over lines
        return d, css

    columns = [style(i, c) for i, c in enumerate(frame.columns)]

    def cell(tag: str, value: str, d: str, css: str, rtl_column: bool) -> str:
        # In an Arabic column a cell without Arabic (a file name, a URL) lets
        # the browser pick its direction, so "x-1.jpg" is not reordered.
        if rtl_column and not _is_arabic(value):
            d = "auto"
        return f'<{tag} dir="{d}" style="{css}">{html.escape(value)}</{tag}>'

    out = [f'<table class="newslib-table" dir="{direction}">']
    if caption:
        out.append(f'<caption dir="auto">{html.escape(caption)}</caption>')
    out.append("<thead><tr>")
    out.extend(cell("th", str(c), d, css, False) for c, (d, css) in zip(frame.columns, columns, strict=True))
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in text:
        out.append("<tr>")
        out.extend(
            cell("td", v, d, css, c in rtl)
            for c, v, (d, css) in zip(frame.columns, row, columns, strict=True)
        )
        out.append("</tr>")
    out.append("</tbody></table>")
    if len(shown) < len(frame):
        out.append(f"<p><small>First {len(shown)} of {len(frame)} rows.</small></p>")
    return Table("\n".join(out), shown)


def save_table(df: pd.DataFrame, name: str, out_dir: str | Path | None) -> Path | None:
    """Write ``df`` to ``out_dir/name.csv`` (UTF-8, no index); ``None`` does nothing.

    Returns the path written, or ``None`` when ``out_dir`` is ``None``.
    """
    if out_dir is None:
        return None
    if not _NAME.match(name) or name.startswith("."):
        raise ValueError(f"table name {name!r}: use letters, digits, '_', '-' or '.' only")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
