"""Loading: the bundled corpus with its metadata, the raw files untouched, and
every supported format and encoding (small files written from the real texts)."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import newslib
from newslib import LoadError, load_corpus
from newslib.text import INVISIBLE_CHARS

IDS = [
    "000_b4bb5a84539e25b9",
    "001_34cc1170e1beb3ba",
    "002_34de9ea8cd55db5f",
    "003_cfbd479925494924",
    "004_9eeaefb4c80e2381",
]
TITLES = [
    "“الأمن الجماعي” تدعو إلى جبهة موحدة لمواجهة الإرهاب في سورية",
    "لافروف يناقش هاتفيا مع كيرى تعزيز وقف الأعمال القتالية في سورية",
    "منظمة معاهدة الأمن الجماعي: نرفض التدخل العسكري.. بوتين: يزعزع استقرار المنطقة برمتها",
    "لافروف: لتشكيل جبهة موحّدة لمحاربة الإرهاب وتنسيق الخطوات مع موسكو ودمشق",
    "مؤتمر موسكو الخامس للأمن الدولي: تجديد الدعوة لتشكيل تحالف واسع لمواجهة الإرهاب على أساس القانون الدولي",
]
META = [  # outlet, date, date precision, from ../shared/corpus/README.md
    ("Syrian Telegraph (سيريان تلغراف)", "2016-07-04", "day"),
    ("unknown Syrian outlet relaying RT", "2016-04", "month"),
    ("SANA (style)", "2013-09-23", "day"),
    ("unknown (Lebanese-press style)", "2017-03", "month"),
    ("SANA", "2016-04-27", "day"),
]


def _metadata(repo: Path) -> list[dict[str, str]]:
    with open(repo / "data" / "corpus.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _first_article_line(raw: str) -> str:
    """The first line that is not site chrome («Site icon …»)."""
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    return next(line for line in lines if not line.lower().startswith("site icon"))


# ---------------------------------------------------------------- the bundled corpus


def test_five_documents(corpus: newslib.Corpus) -> None:
    assert len(corpus) == 5
    assert [d.doc_id for d in corpus] == IDS
    assert corpus[1] is corpus[IDS[1]]
    assert all(isinstance(d, newslib.Document) for d in corpus)


def test_titles_and_metadata(corpus: newslib.Corpus) -> None:
    for doc, title, (outlet, date, precision) in zip(corpus, TITLES, META, strict=True):
        assert doc.title == title
        assert doc.title == _first_article_line(doc.raw_text)
        assert (doc.outlet, doc.date, doc.date_precision) == (outlet, date, precision)


def test_metadata_comes_from_corpus_csv(repo: Path, corpus: newslib.Corpus) -> None:
    rows = _metadata(repo)
    assert list(rows[0]) == ["doc_id", "file", "title", "outlet", "date", "date_precision", "evidence"]
    assert [r["doc_id"] for r in rows] == IDS
    for row, doc in zip(rows, corpus, strict=True):
        assert row["file"] == row["doc_id"] + ".txt"
        assert (repo / "data" / "raw" / row["file"]).is_file()
        assert row["title"] == doc.title
        assert (row["outlet"], row["date"], row["date_precision"]) == (doc.outlet, doc.date, doc.date_precision)
        assert row["evidence"].strip()
        assert row["date_precision"] in {"day", "month"}
        assert len(row["date"]) == {"day": 10, "month": 7}[row["date_precision"]]


def test_raw_text_is_the_file(repo: Path, corpus: newslib.Corpus) -> None:
    for doc in corpus:
        data = (repo / "data" / "raw" / f"{doc.doc_id}.txt").read_bytes()
        assert doc.raw_text.encode("utf-8") == data
        assert doc.text != doc.raw_text


def test_raw_data_is_byte_identical_to_shared_corpus(repo: Path, shared_dir: Path) -> None:
    shared = shared_dir / "corpus"
    if not shared.is_dir():
        pytest.skip(f"seed corpus not found at {shared}")
    ours = sorted(p.name for p in (repo / "data" / "raw").iterdir())
    theirs = sorted(p.name for p in shared.glob("*.txt"))
    assert ours == theirs == [f"{i}.txt" for i in IDS]
    for name in ours:
        assert (repo / "data" / "raw" / name).read_bytes() == (shared / name).read_bytes(), name


def test_bundled_corpus_is_recognised_by_its_bytes(repo: Path, shared_dir: Path, tmp_path: Path) -> None:
    """The report keeps the notebooks' commentary for the bundled corpus only:
    the five articles and their metadata, byte for byte, wherever they are."""
    import hashlib

    from newslib.corpus import BUNDLED_FILES, is_bundled_corpus

    shared = shared_dir / "corpus"
    if shared.is_dir():  # the digests are those of the seed corpus itself
        for name in [f"{i}.txt" for i in IDS]:
            assert hashlib.sha256((shared / name).read_bytes()).hexdigest() == BUNDLED_FILES[name], name
    assert is_bundled_corpus(repo / "data") and is_bundled_corpus(repo / "data" / "raw")  # metadata beside raw/
    copy = tmp_path / "copy"
    shutil.copytree(repo / "data", copy)
    assert is_bundled_corpus(copy)
    # One byte changed, one file added, one missing, or the metadata gone: another corpus.
    changed = tmp_path / "changed"
    shutil.copytree(copy, changed)
    first = changed / "raw" / f"{IDS[0]}.txt"
    first.write_bytes(first.read_bytes() + b"\n")  # one more line break: the same documents, other bytes
    added = tmp_path / "added"
    shutil.copytree(copy, added)
    (added / "raw" / "005_extra.txt").write_text("مقال آخر", encoding="utf-8")
    missing = tmp_path / "missing"
    shutil.copytree(copy, missing)
    (missing / "raw" / f"{IDS[4]}.txt").unlink()
    bare = tmp_path / "bare"
    shutil.copytree(repo / "data" / "raw", bare)
    # A bundled file's name on a dangling link: listed, unreadable, so not bundled (and no error).
    odd = tmp_path / "odd"
    shutil.copytree(copy, odd)
    (odd / "raw" / f"{IDS[1]}.txt").unlink()
    (odd / "raw" / f"{IDS[1]}.txt").symlink_to(tmp_path / "gone.txt")
    for other in (changed, added, missing, bare, odd, tmp_path / "nowhere", repo / "data" / "raw" / f"{IDS[0]}.txt"):
        assert not is_bundled_corpus(other), other


def test_load_report_of_bundled_corpus(corpus: newslib.Corpus) -> None:
    report = corpus.load_report
    assert list(report.columns[:4]) == ["item", "status", "reason", "encoding"]
    assert report["item"].tolist() == [f"{i}.txt" for i in IDS]
    assert set(report["status"]) == {"loaded"}
    assert set(report["encoding"]) == {"utf-8"}


def test_to_frame(corpus: newslib.Corpus) -> None:
    frame = corpus.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 5
    assert {"doc_id", "title", "outlet", "date", "text", "raw_text"} <= set(frame.columns)
    assert frame["doc_id"].tolist() == IDS
    assert frame["text"].tolist() == corpus.texts
    assert frame["raw_text"].tolist() == [d.raw_text for d in corpus]
    assert frame["title"].tolist() == TITLES
    meta = corpus.to_frame(texts=False)  # what the notebooks take: no copy of the texts
    assert list(meta.columns) == [c for c in frame.columns if c not in ("text", "raw_text")]
    pd.testing.assert_frame_equal(meta, frame.drop(columns=["text", "raw_text"]))


@pytest.mark.parametrize("where", ["bundled", "saudinewsnet"])
def test_keep_raw_false_drops_only_the_raw_text(where: str, repo: Path, bench_dir: Path) -> None:
    """What the notebooks load: the same documents, report and warnings, no raw text."""
    path = repo / "data" if where == "bundled" else bench_dir / "saudinewsnet-dev" / "2015-07-23.zip"
    full, lean = load_corpus(path), load_corpus(path, keep_raw=False)
    assert len(lean) == len(full) > 0
    assert all(d.raw_text is None for d in lean)
    assert any(d.raw_text != d.text for d in full)  # there was something to drop
    assert lean.documents == [dataclasses.replace(d, raw_text=None) for d in full]
    pd.testing.assert_frame_equal(lean.load_report, full.load_report)
    assert lean.warnings == full.warnings
    assert lean.stats() == full.stats()
    assert lean.to_frame()["raw_text"].isna().all()
    pd.testing.assert_frame_equal(lean.to_frame(texts=False), full.to_frame(texts=False))
    streamed = list(newslib.iter_documents(path, keep_raw=False))
    assert streamed == lean.documents


def test_metadata_found_above_raw(repo: Path, corpus: newslib.Corpus) -> None:
    """``corpus.csv`` beside or above ``raw/``: loading ``data/raw`` gives the same corpus."""
    again = load_corpus(repo / "data" / "raw")
    assert [(d.doc_id, d.title, d.outlet, d.date) for d in again] == [
        (d.doc_id, d.title, d.outlet, d.date) for d in corpus
    ]


def test_iter_documents_streams_the_same_documents(repo: Path, corpus: newslib.Corpus) -> None:
    streamed = newslib.iter_documents(repo / "data")
    first = next(streamed)
    assert first.doc_id == IDS[0]
    assert [first.text, *(d.text for d in streamed)] == corpus.texts


def test_units(corpus: newslib.Corpus) -> None:
    for unit in ("sentence", "paragraph", "document"):
        table = corpus.units(unit)
        assert {"doc_id", "unit", "paragraph", "start", "end", "text"} <= set(table.columns)
        for row in table.itertuples():
            assert corpus[row.doc_id].text[row.start : row.end] == row.text
        # text=False, tokens=True (what notebook 01 takes): same spans, a recount of the tokens
        lean = corpus.units(unit, text=False, tokens=True)
        assert "text" not in lean.columns
        pd.testing.assert_frame_equal(lean.drop(columns="tokens"), table.drop(columns="text"))
        assert lean["tokens"].tolist() == [len(newslib.tokenize(t)) for t in table["text"]]
        assert corpus.units(unit, tokens=True).drop(columns="tokens").equals(table)
    assert len(corpus.units("document")) == 5
    assert len(corpus.units("paragraph")) == sum(len(newslib.paragraphs(t)) for t in corpus.texts)


# ---------------------------------------------------------------- other formats


def _frame(corpus: newslib.Corpus, names: dict[str, str]) -> pd.DataFrame:
    """The bundled articles as an export with the given column names."""
    return pd.DataFrame(
        {
            names["id"]: [d.doc_id for d in corpus],
            names["title"]: [d.title for d in corpus],
            names["text"]: [d.raw_text for d in corpus],
            names["date"]: [d.date for d in corpus],
            names["source"]: [d.outlet for d in corpus],
            names["url"]: [f"https://example.org/{d.doc_id}" for d in corpus],
        }
    )


def _write(frame: pd.DataFrame, path: Path) -> Path:
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".json":
        path.write_text(json.dumps(frame.to_dict("records"), ensure_ascii=False), "utf-8")
    elif suffix == ".jsonl":
        lines = (json.dumps(r, ensure_ascii=False) for r in frame.to_dict("records"))
        path.write_text("\n".join(lines) + "\n", "utf-8")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    return path


FORMATS = [".csv", ".tsv", ".json", ".jsonl", ".parquet"]
DEFAULT_NAMES = {"id": "id", "title": "title", "text": "text", "date": "date", "source": "source", "url": "url"}
ALT_NAMES = {"id": "id", "title": "title", "text": "content", "date": "date", "source": "outlet", "url": "url"}
# names no default guesses
CUSTOM = {"id": "Ref", "title": "Heading", "text": "Story", "date": "Day", "source": "Paper", "url": "Address"}


def _check_same_articles(loaded: newslib.Corpus, corpus: newslib.Corpus) -> None:
    assert len(loaded) == 5
    assert [d.doc_id for d in loaded] == IDS
    assert [d.title for d in loaded] == TITLES
    assert [d.raw_text for d in loaded] == [d.raw_text for d in corpus]
    assert loaded.texts == corpus.texts  # cleaned the same way
    assert [(d.outlet, d.date) for d in loaded] == [(d.outlet, d.date) for d in corpus]
    assert [d.url for d in loaded] == [f"https://example.org/{i}" for i in IDS]
    assert len(loaded.load_report) == 5
    assert set(loaded.load_report["status"]) == {"loaded"}


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("names", [DEFAULT_NAMES, ALT_NAMES], ids=["text-source", "content-outlet"])
def test_tabular_formats_with_default_columns(
    tmp_path: Path, corpus: newslib.Corpus, suffix: str, names: dict[str, str]
) -> None:
    path = _write(_frame(corpus, names), tmp_path / f"export{suffix}")
    _check_same_articles(load_corpus(path), corpus)


@pytest.mark.parametrize("suffix", FORMATS)
def test_tabular_formats_with_custom_columns(tmp_path: Path, corpus: newslib.Corpus, suffix: str) -> None:
    path = _write(_frame(corpus, CUSTOM), tmp_path / f"export{suffix}")
    loaded = load_corpus(
        path,
        id_column="Ref",
        title_column="Heading",
        text_column="Story",
        date_column="Day",
        source_column="Paper",
        url_column="Address",
    )
    _check_same_articles(loaded, corpus)


def test_custom_text_column_missing_is_an_error_naming_columns(tmp_path: Path, corpus: newslib.Corpus) -> None:
    path = _write(_frame(corpus, CUSTOM), tmp_path / "export.csv")
    with pytest.raises(LoadError) as err:
        load_corpus(path)  # no default text column in this export
    assert "export.csv" in str(err.value)
    assert "Story" in str(err.value)  # the columns found are listed


def test_title_defaults_to_first_line_without_title_column(tmp_path: Path, corpus: newslib.Corpus) -> None:
    frame = pd.DataFrame({"content": [d.raw_text for d in corpus]})
    loaded = load_corpus(_write(frame, tmp_path / "bare.jsonl"))
    assert [d.title for d in loaded] == TITLES
    assert len({d.doc_id for d in loaded}) == 5


def test_folder_of_txt_without_metadata(tmp_path: Path, repo: Path, corpus: newslib.Corpus) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(repo / "data" / "raw", folder)
    loaded = load_corpus(folder)
    assert [d.doc_id for d in loaded] == IDS
    assert [d.title for d in loaded] == TITLES  # first non-chrome line
    assert loaded.texts == corpus.texts
    assert {d.outlet for d in loaded} == {""}  # no corpus.csv here: no invented metadata


# ---------------------------------------------------------------- encodings

ENCODINGS = [
    ("utf-8", b"", {"utf-8"}),
    ("utf-8", codecs.BOM_UTF8, {"utf-8-sig"}),
    ("utf-16-le", codecs.BOM_UTF16_LE, {"utf-16", "utf-16-le"}),
    ("utf-16-be", codecs.BOM_UTF16_BE, {"utf-16", "utf-16-be"}),
    ("cp1256", b"", {"cp1256"}),
]


@pytest.mark.parametrize(
    ("encoding", "bom", "reported"), ENCODINGS, ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "cp1256"]
)
@pytest.mark.parametrize("index", [1, 3])  # 001 has “ ” quotes, 003 has « » and shadda
def test_txt_encodings_are_detected_and_reported(
    tmp_path: Path, corpus: newslib.Corpus, encoding: str, bom: bytes, reported: set[str], index: int
) -> None:
    doc = corpus[index]
    (tmp_path / f"{doc.doc_id}.txt").write_bytes(bom + doc.raw_text.encode(encoding))
    loaded = load_corpus(tmp_path)
    (got,) = loaded
    assert got.text == doc.text
    assert got.title == doc.title
    assert "\ufeff" not in got.raw_text and "\ufeff" not in got.text
    (name,) = loaded.load_report["encoding"]
    assert codecs.lookup(name).name in reported


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, corpus: newslib.Corpus, encoding: str) -> None:
    """Arabic UTF-16 has few NUL bytes (only spaces, digits, Latin): still recognised."""
    for doc in corpus:
        (tmp_path / f"{doc.doc_id}.txt").write_bytes(doc.raw_text.encode(encoding))
    loaded = load_corpus(tmp_path)
    assert loaded.texts == corpus.texts
    assert set(loaded.load_report["encoding"]) == {encoding}


def test_encodings_detected_per_file(tmp_path: Path, corpus: newslib.Corpus) -> None:
    for doc, (encoding, bom, _) in zip(corpus, ENCODINGS, strict=True):
        (tmp_path / f"{doc.doc_id}.txt").write_bytes(bom + doc.raw_text.encode(encoding))
    loaded = load_corpus(tmp_path)
    assert loaded.texts == corpus.texts
    names = [codecs.lookup(n).name for n in loaded.load_report["encoding"]]
    for name, (_, _, reported) in zip(names, ENCODINGS, strict=True):
        assert name in reported


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", codecs.BOM_UTF16_LE), ("cp1256", b"")])
def test_tabular_export_encodings(tmp_path: Path, corpus: newslib.Corpus, encoding: str, bom: bytes) -> None:
    text = _frame(corpus, DEFAULT_NAMES).to_csv(index=False)
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))
    _check_same_articles(load_corpus(path), corpus)


# ---------------------------------------------------------------- bad input


def _mixed_folder(tmp_path: Path, repo: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in IDS[:2]:
        shutil.copy(repo / "data" / "raw" / f"{name}.txt", folder)
    (folder / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    (folder / "latin.txt").write_bytes("café résumé naïve déjà".encode("latin-1"))
    return folder


def test_binary_txt_raises_naming_the_file(tmp_path: Path, repo: Path) -> None:
    folder = _mixed_folder(tmp_path, repo)
    (folder / "latin.txt").unlink()
    with pytest.raises(LoadError) as err:
        load_corpus(folder)
    assert "scan.txt" in str(err.value)
    assert err.value.reason


def test_undecodable_txt_raises_naming_the_file(tmp_path: Path, repo: Path) -> None:
    folder = _mixed_folder(tmp_path, repo)
    (folder / "scan.txt").unlink()
    with pytest.raises(LoadError, match=r"latin\.txt"):
        load_corpus(folder)


def test_errors_skip_lists_what_it_skipped(tmp_path: Path, repo: Path) -> None:
    folder = _mixed_folder(tmp_path, repo)
    loaded = load_corpus(folder, errors="skip")
    assert [d.doc_id for d in loaded] == IDS[:2]
    report = loaded.load_report
    skipped = report[report["status"] == "skipped"]
    assert sorted(skipped["item"]) == ["latin.txt", "scan.txt"]
    assert all(reason.strip() for reason in skipped["reason"])
    # counts in = documents + skipped: nothing is dropped silently
    assert len(report) == 4 == len(loaded) + len(skipped)
    stats = loaded.stats()
    assert stats["documents"] == 2 and stats["skipped"] == 2
    assert sorted(s["item"] for s in stats["skipped_items"]) == ["latin.txt", "scan.txt"]


def test_errors_skip_in_tabular_rows(tmp_path: Path, corpus: newslib.Corpus) -> None:
    records = [{"id": d.doc_id, "text": d.raw_text} for d in corpus]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(2, '{"id": "broken", "text": ')  # a truncated line
    lines.insert(4, json.dumps({"id": "empty", "text": ""}))
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(LoadError, match=r"export\.jsonl"):
        load_corpus(path)
    loaded = load_corpus(path, errors="skip")
    assert [d.doc_id for d in loaded] == IDS
    report = loaded.load_report
    skipped = report[report["status"] == "skipped"]
    assert len(report) == 7 == len(loaded) + len(skipped)
    assert skipped["item"].str.startswith("export.jsonl").all()


def test_errors_must_be_raise_or_skip(repo: Path) -> None:
    with pytest.raises(ValueError):
        load_corpus(repo / "data", errors="ignore")


def test_missing_path_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises((LoadError, FileNotFoundError), match="nowhere"):
        load_corpus(tmp_path / "nowhere")


# ---------------------------------------------------------------- real-world export


def _exported_records(path: Path) -> tuple[str, list[dict]]:
    """The member name and the records of a SaudiNewsNet day (a zip of one JSON array)."""
    if not path.is_file():
        pytest.skip(f"{path} not found")
    with zipfile.ZipFile(path) as zf:
        (member,) = zf.namelist()
        return member, json.loads(zf.read(member))


@pytest.fixture(scope="module")
def saudinewsnet_day_one(bench_dir: Path) -> newslib.Corpus:
    """The 2,972 records of 2015-07-21, loaded once for the tests that read that day."""
    path = bench_dir / "saudinewsnet-dev" / "2015-07-21.zip"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return load_corpus(path, errors="skip")


@pytest.mark.slow
def test_saudinewsnet_day(bench_dir: Path) -> None:
    """One day of SaudiNewsNet (a zip of a JSON array): every article accounted
    for, metadata from the default columns, offsets and invisibles right."""
    path = bench_dir / "saudinewsnet-dev" / "2015-07-23.zip"
    member, records = _exported_records(path)
    loaded = load_corpus(path, errors="skip")
    report = loaded.load_report
    skipped = report[report["status"] == "skipped"]
    assert len(report) == len(records) == len(loaded) + len(skipped)
    # only articles without text are skipped
    skipped_rows = {int(item.rsplit("#", 1)[1]) for item in skipped["item"]}
    assert skipped_rows
    assert all(not (records[i].get("content") or "").strip() for i in skipped_rows)
    by_item = {d.source: d for d in loaded}
    doc = by_item[f"{path.name}!{member}#0"]
    assert doc.outlet == records[0]["source"]
    assert doc.date == records[0]["date_extracted"]
    assert doc.title == records[0]["title"].strip()
    assert doc.url == records[0]["url"]
    invisible = set(INVISIBLE_CHARS)
    for doc in loaded.documents[:200]:
        assert not invisible & set(doc.text)
        for t in loaded.tokens(doc):
            assert doc.text[t.start : t.end] == t.surface


@pytest.mark.slow
def test_saudinewsnet_titles_are_decoded_as_the_standard_library_does(saudinewsnet_day_one: newslib.Corpus) -> None:
    """The titles of a SaudiNewsNet day keep HTML character references
    (``&quot;`` in 226 of 2,972): each loaded title is ``html.unescape`` of the
    exported one (an independent decoder), and the texts keep none."""
    import html
    import re

    path = Path(saudinewsnet_day_one.source)
    member, records = _exported_records(path)
    by_item = {d.source: d for d in saudinewsnet_day_one}
    decoded = 0
    for i, record in enumerate(records):
        doc, title = by_item.get(f"{path.name}!{member}#{i}"), (record.get("title") or "").strip()
        if doc is None or not title:
            continue
        assert doc.title == html.unescape(title), (i, title)
        decoded += doc.title != title
        assert not re.search(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", doc.text), i
    assert decoded >= 200


@pytest.mark.slow
@pytest.mark.parametrize(
    ("rule", "marker", "cut_only"),
    [
        # one outlet closes every article with its own link and title
        ("source_link", "رابط الخبر بصحيفة الوئام:", ("رابط الخبر بصحيفة الوئام:", "رابط المقال الأول")),
        # another closes its columns with an SMS contact line, inline or over several lines
        ("author_contact", "ارسل رسالة SMS", ("SMS", "Stc", "Mobily", "Zain", "تبدأ")),
        # a third runs the headlines of the writer's other columns into the last line
        ("related_teaser", "مقالات أخرى للكاتب", ("مقالات أخرى للكاتب",)),
    ],
)
def test_saudinewsnet_trailers_are_cut_and_nothing_else(saudinewsnet_day_one: newslib.Corpus, rule: str,
                                                         marker: str, cut_only: tuple[str, ...]) -> None:
    """Chrome that runs to the end of SaudiNewsNet articles: each article
    whose raw text has the marker has it cut and recorded, no clean text keeps
    it, and what the rule cuts is that chrome only."""
    cut = 0
    for doc in saudinewsnet_day_one:
        removals = [r for r in doc.removed if r.rule == rule]
        assert marker not in doc.text, doc.doc_id
        assert any(marker in r.text for r in removals) == (marker in doc.raw_text), doc.doc_id
        assert all(any(word in r.text for word in cut_only) for r in removals), removals
        cut += bool(removals)
    assert cut >= 10


@pytest.mark.slow
def test_saudinewsnet_poll_code_is_cut_and_braces_in_prose_stay(saudinewsnet_day_one: newslib.Corpus) -> None:
    """Three articles of 2015-07-21 carry a poll widget's stylesheet and jQuery
    in their text: each has it cut as one ``page_code`` removal, and no article
    keeps any of it. The day's other articles with braces (Qur'anic verses,
    «{الشرق الأوسط}») lose none: the rule cuts nothing else."""
    widget = [d for d in saudinewsnet_day_one if "jQuery" in d.raw_text]
    assert len(widget) == 3
    for doc in widget:
        (code,) = [r.text for r in doc.removed if r.rule == "page_code"]
        assert code.startswith("#vote_area2 ul {") and code.endswith("}); });"), code[-40:]
        before, after = doc.raw_text.split(code)
        assert "انتظر لحظات" in code  # the script's string goes with it; the text either side stays
        assert " ".join(before.split()[-4:]) + " " + " ".join(after.split()[:4]) in doc.text
    braced = 0
    widget_ids = {doc.doc_id for doc in widget}
    for doc in saudinewsnet_day_one:
        assert not re.search(r"jQuery|vote_area|\bpx;", doc.text), doc.doc_id
        if doc.doc_id in widget_ids:
            continue
        assert not any(r.rule == "page_code" for r in doc.removed), doc.doc_id
        if "{" in doc.raw_text:
            braced += 1
            assert doc.text.count("{") == doc.raw_text.count("{") - sum(r.text.count("{") for r in doc.removed)
    assert braced >= 20


@pytest.mark.slow
def test_saudinewsnet_record_of_only_its_link_is_skipped(saudinewsnet_day_one: newslib.Corpus) -> None:
    report = saudinewsnet_day_one.load_report
    chrome_only = report[report["reason"].str.startswith("no text left after removing page chrome")]
    assert len(chrome_only) >= 1
