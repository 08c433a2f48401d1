"""HTML tables: escaped, right-to-left for Arabic, deterministic; CSV export."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from nbconvert import HTMLExporter

from newslib import terms
from newslib.tables import arabic_columns, save_table, show

HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "سورية & <b>روسيا</b>"]


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": HOSTILE,
            "title": ["لافروف يناقش", "جبهة موحدة", "الأمن الجماعي"],
            "count": [3, 2, 1],
            "<i>col</i>": ["a", "b", "c"],
        }
    )


def cells(markup: str) -> list[tuple[str, str, str]]:
    """(tag, attributes, content) of every th/td."""
    return re.findall(r"<(t[dh])((?:\s[^>]*)?)>(.*?)</t[dh]>", markup, flags=re.S)


def test_show_escapes_every_cell_header_and_caption():
    t = show(hostile_frame(), caption="<script>x()</script> عنوان")
    markup = t._repr_html_()
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup and "<i>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in markup
    assert "سورية &amp; &lt;b&gt;روسيا&lt;/b&gt;" in markup
    assert "&lt;i&gt;col&lt;/i&gt;" in markup
    assert "&lt;script&gt;x()&lt;/script&gt; عنوان" in markup
    # Only the table's own tags remain.
    assert set(re.findall(r"<\s*([a-z]+)", markup)) <= {"table", "caption", "thead", "tbody", "tr", "th", "td"}


def test_show_marks_arabic_columns_rtl_and_right_aligned():
    df = hostile_frame()
    assert arabic_columns(df) == ["title"]  # "text" is mostly Latin markup
    t = show(df)
    by_col = {}
    for tag, attrs, content in cells(t.html):
        if tag == "td" and content in df["title"].tolist():
            by_col.setdefault("title", set()).add(attrs)
        if tag == "td" and content in ("3", "2", "1"):
            by_col.setdefault("count", set()).add(attrs)
    assert by_col["title"] == {' dir="rtl" style="text-align: right; white-space: nowrap"'}
    assert by_col["count"] == {' dir="ltr" style="text-align: right; white-space: nowrap"'}
    forced = show(df, rtl_columns=["text", "title"])
    td = [(a, c) for tag, a, c in cells(forced.html) if tag == "td"]
    rtl_cells = [c for a, c in td if 'dir="rtl"' in a]
    assert rtl_cells == ["لافروف يناقش", "جبهة موحدة", "سورية &amp; &lt;b&gt;روسيا&lt;/b&gt;", "الأمن الجماعي"]
    # A cell without Arabic in an Arabic column (markup, a file name) is not forced rtl.
    latin = [a for a, c in td if c.startswith("&lt;script") or c.startswith("&lt;img")]
    assert latin and all('dir="auto"' in a and "text-align: right" in a for a in latin)
    with pytest.raises(KeyError):
        show(df, rtl_columns=["missing"])


def test_show_kwic_layout_right_to_left(corpus):
    k = terms.kwic(corpus, "جبهة موحدة")
    t = show(k, direction="rtl", align={"left": "left", "right": "right", "keyword": "center"})
    assert t.html.startswith('<table class="newslib-table" dir="rtl">')
    heads = [c for tag, _, c in cells(t.html) if tag == "th"]
    assert heads == list(k.columns)  # in an rtl table the first column stands rightmost
    left_attrs = {a for tag, a, c in cells(t.html) if tag == "td" and c in set(k["left"])}
    assert left_attrs == {' dir="rtl" style="text-align: left"'}  # long: may wrap
    assert "موحّدة" in t.html


def test_show_is_deterministic_and_truncates():
    df = pd.DataFrame({"key": [f"ك{i}" for i in range(50)], "value": [i / 3 for i in range(50)]})
    a, b = show(df, max_rows=10), show(df, max_rows=10)
    assert a.html == b.html
    assert " id=" not in a.html and "uuid" not in a.html and "T_" not in a.html
    assert a.html.count("<tr>") == 11  # header + 10 rows
    assert "First 10 of 50 rows." in a.html
    assert "0.3333" in a.html  # float_format {:.4g}
    assert show(df, max_rows=None).html.count("<tr>") == 51
    assert len(a.frame) == 10 and "ك9" in str(a)


def test_show_survives_nbconvert_html():
    """In an nbconvert HTML page the markup arrives as built: escaped, rtl."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(df)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": show(hostile_frame())._repr_html_()})
    ]
    nb.cells = [cell]
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert '<td dir="rtl" style="text-align: right; white-space: nowrap">جبهة موحدة</td>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_save_table(tmp_path):
    df = hostile_frame()
    assert save_table(df, "terms", None) is None
    path = save_table(df, "terms", tmp_path / "tables")
    assert path == tmp_path / "tables" / "terms.csv"
    raw = path.read_bytes()
    assert "لافروف يناقش".encode() in raw and b"\r\n" not in raw
    pd.testing.assert_frame_equal(pd.read_csv(path, encoding="utf-8"), df)
    with pytest.raises(ValueError):
        save_table(df, "../escape", tmp_path)
