"""A large JSONL, CSV, TSV or JSON file (or zip member) is read a block at a time: exactly
the documents, load report and errors of reading it whole, from the real articles,
with blocks so small that they split lines, values and UTF-8 sequences."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newslib
from newslib import LoadError, corpus, engine

REPO = Path(__file__).resolve().parents[1]
TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "data" / "raw").glob("*.txt"))]


def _lines() -> list[str]:
    """JSONL lines: the five articles, and what a real export goes wrong with."""
    rows = [json.dumps({"id": f"a{i}", "text": t, "source": "seed"}, ensure_ascii=False) for i, t in enumerate(TEXTS)]
    return [
        rows[0],
        rows[1] + "\r",  # a Windows line end
        "",  # a blank line is no record
        '{"id": "bad", "text": "unterminated',  # malformed JSON
        rows[2],
        "[1, 2]",  # not an object
        json.dumps({"id": "a0", "text": TEXTS[3]}, ensure_ascii=False),  # a repeated id
        json.dumps({"id": "none"}),  # no text field
        rows[4],
        json.dumps({"id": "c1", "text": "سطر فيه\u0085محرف تحكم"}, ensure_ascii=False),  # a C1 control
    ]


def _load(path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool, **options: Any) -> tuple[list, list, bool]:
    """(documents, load report, whether a stream was read) with streaming on or off."""
    used = []
    for name in ("_stream_lines", "_stream_json"):
        real = getattr(corpus, name)

        def spy(*args: Any, real: Any = real, **kwargs: Any) -> Any:
            used.append(args[-1])
            return real(*args, **kwargs)

        monkeypatch.setattr(corpus, name, spy)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100 if streamed else 1 << 40)
    monkeypatch.setattr(corpus, "_BLOCK_BYTES", 7)  # splits lines, and UTF-8 sequences (2 bytes per Arabic letter)
    c = newslib.load_corpus(path, **options)
    docs = [dataclasses.asdict(d) for d in c]
    return docs, c.load_report.to_dict("records"), bool(used)


def _same_either_way(path: Path, monkeypatch: pytest.MonkeyPatch, streams: bool) -> list[dict]:
    docs, report, used = _load(path, monkeypatch, True, errors="skip")
    assert used is streams
    assert (docs, report) == _load(path, monkeypatch, False, errors="skip")[:2]
    return report


def test_a_large_jsonl_file_streams_and_loads_as_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(_lines()), encoding="utf-8")  # no line end after the last record
    report = _same_either_way(path, monkeypatch, streams=True)
    assert [r["status"] for r in report] == ["loaded", "loaded", "skipped", "loaded", "skipped", "recovered",
                                             "skipped", "loaded", "loaded"]
    assert report[2]["item"] == "export.jsonl:4" and "malformed JSON line" in report[2]["reason"]
    assert report[4]["item"] == "export.jsonl:6" and {r["encoding"] for r in report} == {"utf-8"}

    # the file is never read whole
    def whole(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    assert _load(path, monkeypatch, True, errors="skip")[2]


def test_the_first_error_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(_lines()), encoding="utf-8")
    errors = []
    for streamed in (True, False):
        with pytest.raises(LoadError) as got:
            _load(path, monkeypatch, streamed)
        errors.append((str(got.value), got.value.cli_message()))
    assert errors[0] == errors[1] and "export.jsonl:4" in errors[0][0]


@pytest.mark.parametrize(("name", "encode", "streams"), [
    ("bom", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), True),  # UTF-8 with a byte-order mark
    # a few bad bytes: replaced with U+FFFD, as read whole, and the repair recorded on every record
    ("damaged", lambda t: t.encode("utf-8").replace("الإرهاب".encode(), b"\xd8", 2), True),
    ("too damaged", lambda t: t.encode("utf-8").replace("ا".encode(), b"\xd8"), False),  # an error, as read whole
    ("cp1256", lambda t: t.encode("cp1256", errors="replace"), False),  # an Arabic Windows code page
    ("utf16", lambda t: t.encode("utf-16"), False),
    ("binary", lambda t: (t[:200] + "\x01" * 400 + t[200:]).encode("utf-8"), False),  # control characters
])
def test_other_encodings_are_read_whole_and_damaged_utf8_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             name: str, encode: Any, streams: bool) -> None:
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(encode("\n".join(_lines())))
    report = _same_either_way(path, monkeypatch, streams)
    if name == "bom":
        assert {r["encoding"] for r in report} == {"utf-8-sig"}
    if name == "damaged":
        note = "2 invalid UTF-8 byte sequence(s) replaced with U+FFFD, the first at byte "
        assert all(note in r["reason"] for r in report if r["status"] != "skipped")
        assert {r["status"] for r in report} == {"recovered", "skipped"}


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_damaged_utf8_csv_and_json_exports_stream_as_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                suffix: str) -> None:
    rows = [{"id": f"a{i}", "text": t} for i, t in enumerate(TEXTS)]
    if suffix == ".json":
        text = json.dumps(rows, ensure_ascii=False, indent=1)
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, ["id", "text"])
        writer.writeheader()
        writer.writerows(rows)
        text = out.getvalue()
    path = tmp_path / f"export{suffix}"
    path.write_bytes(text.encode("utf-8").replace("روسيا".encode(), "روسيا".encode()[:3], 3))  # a letter cut short
    report = _same_either_way(path, monkeypatch, streams=True)
    assert len(report) == 5 and {r["status"] for r in report} == {"recovered"}
    assert report[0]["reason"].startswith("3 invalid UTF-8 byte sequence(s) replaced with U+FFFD, the first at byte ")


def test_a_large_jsonl_member_of_a_zip_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("b.jsonl", "\n".join(_lines()) + "\n")
        zf.writestr("a.txt", TEXTS[0])
    report = _same_either_way(path, monkeypatch, streams=True)
    assert report[1]["item"] == "archive.zip!b.jsonl:1"


def _csv(delimiter: str = ",") -> str:
    """A CSV export of the articles (quoted fields with line breaks), and what goes wrong with CSV."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # \r\n line ends, as Excel and most exports
    writer.writerow(["id", "text", "source"])
    for i, text in enumerate(TEXTS[:3]):
        writer.writerow([f"a{i}", text, "seed"])
    rows = [
        "\r\n",  # a blank line is no record
        delimiter.join(["short", "one field too few"]) + "\r\n",
        delimiter.join(["a3", "سطر ينتهي بمحرف عودة وحده", "old mac"]) + "\r",  # a lone \r line end
        delimiter.join(["a0", "معرف مكرر", "seed"]) + "\n",  # a repeated id, a \n line end
    ]
    out.write("".join(rows))
    writer.writerow(["a4", TEXTS[4], "seed"])
    writer.writerow(["a5", TEXTS[1].replace("\n", "\r\n"), "seed"])  # Windows line breaks inside a quoted field
    out.write(delimiter.join(["bad", '"a quoted field that is never closed', "x"]) + "\r\n")
    writer.writerow(["lost", TEXTS[0][:50], "seed"])  # after the broken quote: never read, either way
    return out.getvalue()


@pytest.mark.parametrize(("name", "delimiter"), [("export.csv", ","), ("export.tsv", "\t")])
def test_a_large_csv_or_tsv_file_streams_and_loads_as_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  name: str, delimiter: str) -> None:
    path = tmp_path / name
    path.write_bytes(_csv(delimiter).encode("utf-8"))
    report = _same_either_way(path, monkeypatch, streams=True)
    assert [r["status"] for r in report] == ["loaded"] * 3 + ["skipped", "loaded", "recovered"] + ["loaded"] * 2 + [
        "skipped"]
    assert "fields where the header has 3" in report[3]["reason"]
    assert "malformed CSV" in report[-1]["reason"] and "was not read" in report[-1]["reason"]
    with zipfile.ZipFile(tmp_path / "archive.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, name)
    path.unlink()
    report = _same_either_way(tmp_path / "archive.zip", monkeypatch, streams=True)
    assert report[0]["item"] == f"archive.zip!{name}:2"


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_workers_read_large_files_a_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    suffix: str) -> None:
    folder = tmp_path / "shards"
    folder.mkdir()
    lines = _lines()
    for n in range(6):
        if suffix == ".jsonl":
            (folder / f"part-{n}.jsonl").write_text("\n".join(lines[n:] + lines[:n]) + "\n", encoding="utf-8")
        else:  # the valid elements of the JSONL lines, one array per shard
            items = [line.strip() for line in lines[n:] + lines[:n] if line.strip() and "unterminated" not in line]
            (folder / f"part-{n}.json").write_text("[" + ",\n".join(items) + "]", encoding="utf-8")
    whole = newslib.load_corpus(folder, errors="skip")
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)  # forked workers see it too
    monkeypatch.setattr(corpus, "_BLOCK_BYTES", 7)
    got = engine.analyze(folder, engine="processes", n_workers=2, chunk_size=2, errors="skip")
    assert got.load_report.to_dict("records") == whole.load_report.to_dict("records")
    assert got.stats == whole.stats()


def _export(tmp_path: Path, lines: list[str], bom: bool = False) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "all.jsonl").write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8"))
    return folder


def _spans(folder: Path) -> list[corpus._Span]:
    files, _, opts, _ = corpus._plan(folder, "skip", True, [], {})
    return engine._cut(*files[0], opts) or []


def _engine_reads_as_the_loader(folder: Path, whole: newslib.Corpus, engine_name: str = "processes"
                                ) -> newslib.Corpus:
    """Assert that a pass on two workers gives the loader's load report,
    statistics and term matrix, and that loading on them gives its report;
    returns the corpus loaded on them."""
    got = engine.analyze(folder, engine=engine_name, n_workers=2, chunk_size=2, errors="skip")
    assert got.load_report.equals(whole.load_report)
    assert got.stats == whole.stats()
    want = newslib.dtm.document_term_matrix(whole)
    assert got.terms.doc_ids == want.doc_ids and got.terms.keys == want.keys
    assert (got.terms.matrix != want.matrix).nnz == 0
    loaded = engine.load_corpus(folder, engine=engine_name, n_workers=2, chunk_size=2, errors="skip")
    assert loaded.load_report.equals(whole.load_report)
    return loaded


@pytest.mark.parametrize("bom", [False, True])
def test_workers_share_one_large_jsonl_file_by_spans_of_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              bom: bool) -> None:
    """One large export is cut into spans of whole lines that workers read
    apart: the records, their line numbers in the load report, ids, counts and
    statistics are those of reading the file whole."""
    lines = []
    for k in range(12):  # the first copy's ids repeat in every third one, in later spans
        for n, line in enumerate(_lines()):
            lines.append(line.replace('"id": "', f'"id": "{k}-', 1) if k % 3 else line)
            # U+FEFF at the start of a line (of a span, for some) is a character there, not a BOM: malformed JSON
            lines.append("\ufeff" + json.dumps({"id": f"feff-{k}-{n}", "text": "سورية"}, ensure_ascii=False))
    folder = _export(tmp_path, lines, bom)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)  # forked workers see it too
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)  # a span holds a line or two of the articles
    spans = _spans(folder)
    data = (folder / "all.jsonl").read_bytes()
    assert len(spans) > 40 and spans[0].start == 0 and spans[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(spans, spans[1:], strict=False))  # nothing left out
    assert all(data[s.start - 1 : s.start] == b"\n" for s in spans[1:])  # whole lines
    assert [s.line for s in spans] == [data[: s.start].count(b"\n") + 1 for s in spans]
    assert any(data[s.start : s.start + 3] == b"\xef\xbb\xbf" for s in spans[1:])
    assert {s.encoding for s in spans} == {"utf-8-sig" if bom else "utf-8"}
    assert engine._records(folder, 2, {"errors": "skip"}, [], [], workers=2)[3] is engine._run_files

    whole = newslib.load_corpus(folder, errors="skip")
    report = whole.load_report
    assert len(whole) > 60 and report["item"].tolist()[-1] == f"all.jsonl:{len(lines)}"
    assert {"recovered", "skipped"} <= set(report["status"]) and report["encoding"].nunique() == 1
    assert sum("Unexpected UTF-8 BOM" in r for r in report["reason"]) == 12 * len(_lines())  # the U+FEFF lines
    assert _engine_reads_as_the_loader(folder, whole).documents == whole.documents


def test_large_files_are_cut_when_their_turn_comes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Who reads is decided from the files' sizes; a large file is read and cut
    only when the workers have the files before it, and one that cannot be
    cut (not UTF-8) goes to a worker whole. The result is the loader's."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    lines = _lines()
    for n in range(4):  # 10-50 KB each: read whole
        (folder / f"a-{n}.jsonl").write_text("\n".join(lines[n:]) + "\n", encoding="utf-8")
    big = "\n".join(line.replace('"id": "', '"id": "big-', 1) for line in lines * 3).encode("utf-8")
    (folder / "b-big.jsonl").write_bytes(big)
    # (twice the lines: a byte a letter, against two in UTF-8)
    (folder / "c-cp1256.jsonl").write_bytes((big + b"\n" + big).decode("utf-8").encode("cp1256", errors="replace"))
    (folder / "d-damaged.jsonl").write_bytes(big.replace("الإرهاب".encode(), b"\xd8", 2))
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100_000)  # the files of 145 KB are large
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)
    calls = []
    real = engine._jsonl_spans

    def spy(*args: Any) -> Any:
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(engine, "_jsonl_spans", spy)
    chunks, total, _, job = engine._records(folder, 2, {"errors": "skip"}, [], [], workers=2)
    assert job is engine._run_files
    tasks = [next(chunks)]
    assert calls == []  # the small files come first: nothing read here yet
    tasks += list(chunks)
    assert calls == ["b-big.jsonl", "d-damaged.jsonl"]  # the cp1256 file's first bytes are not UTF-8: never checked
    entries = [entry for (group, *_), _ in tasks for entry in group]
    assert list(dict.fromkeys(item for _, item, _ in entries)) == [
        "a-0.jsonl", "a-1.jsonl", "a-2.jsonl", "a-3.jsonl", "b-big.jsonl", "c-cp1256.jsonl", "d-damaged.jsonl"]
    assert [s is None for _, i, s in entries if i.startswith("a-")] == [True] * 4
    assert sum(s is not None and not s.repairs for _, i, s in entries if i == "b-big.jsonl") > 10
    assert [s for _, i, s in entries if i == "c-cp1256.jsonl"] == [None]
    # damaged UTF-8 is cut too, each span to be read with the file's repair
    damaged = [s for _, i, s in entries if i == "d-damaged.jsonl"]
    assert len(damaged) > 10 and {s.repairs for s in damaged} == {
        (f"2 invalid UTF-8 byte sequence(s) replaced with U+FFFD, the first at byte {big.index('الإرهاب'.encode())}",)}
    # the progress bar's total: the spans planned by the files' sizes, at least as many as were cut
    assert total > len(tasks) > 20
    whole = newslib.load_corpus(folder, errors="skip")
    assert any("invalid UTF-8" in r for r in whole.load_report["reason"])
    assert "cp1256" in set(whole.load_report["encoding"])
    got = engine.analyze(folder, engine="processes", n_workers=2, chunk_size=2, errors="skip", progress=True)
    assert got.load_report.equals(whole.load_report)
    assert got.stats == whole.stats()
    want = newslib.dtm.document_term_matrix(whole)
    assert got.terms.doc_ids == want.doc_ids and (got.terms.matrix != want.matrix).nnz == 0
    # ... which the bar ends at, full, once the work is done
    err = capsys.readouterr().err
    assert f"{len(tasks)}/{len(tasks)}" in err.rsplit("\r", 1)[-1] and f"/{total}" in err, err[-300:]


def test_an_error_in_a_later_span_is_the_one_reading_whole_raises(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    good = [line for line in _lines() if line.startswith('{"id": "a')][:3]
    lines = good * 8 + ['{"id": "late", "text": "unterminated'] + good * 4 + ["[1]"]
    folder = _export(tmp_path, lines)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)
    assert len(_spans(folder)) > 10
    with pytest.raises(LoadError) as expected:
        newslib.load_corpus(folder)
    with pytest.raises(LoadError) as got:
        engine.analyze(folder, engine="processes", n_workers=2, chunk_size=2)
    assert str(got.value) == str(expected.value) and "all.jsonl:25" in str(got.value)


def test_a_large_jsonl_file_that_cannot_be_cut_is_read_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)
    rows = [json.dumps({"id": f"a{i}", "words": t}, ensure_ascii=False) for i, t in enumerate(TEXTS)]
    cases = {
        "Windows-1256": "\n".join(_lines()).encode("cp1256", errors="replace"),  # not UTF-8
        "no text column": "\n".join(rows).encode("utf-8"),  # the whole file is refused, as read whole
        "no record in the first span": ("\n" * 5000 + "\n".join(_lines())).encode("utf-8"),
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        assert corpus._jsonl_spans(path, path.name, {}, 3000) is None, name
    # and a file that can be: its first record found after blank and malformed lines
    path = tmp_path / "late.jsonl"
    path.write_text("\n\n[1]\n" + "\n".join(_lines()), encoding="utf-8")
    assert corpus._jsonl_spans(path, path.name, {}, 3000)[0].columns.map["text"] == "text"


_PIECES = st.sampled_from(["سورية ", "abc ", "\n", "\r\n", "\u0085", "\x01", "\x00", "\t", "😀", "\ufeff", "é",
                           "\ue000", "\ufffd"])  # (a private-use character: odd in text; U+FFFD held as such)
# Bytes Python's strict decoder refuses: a stray continuation or lead byte, a surrogate, past U+10FFFF,
# overlong forms, a character cut short
_BAD = st.sampled_from([b"", b"\xff", b"\x85", b"\xd8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
                        b"\xe0\x80\xaf", b"\xf0\x9f\x98"])


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=60), bom=st.booleans(), bad=_BAD, at=st.integers(0, 60),
       block=st.integers(1, 9), long=st.booleans())
def test_utf8_reading_agrees_with_the_whole_file_decoder(pieces: list[str], bom: bool, bad: bytes, at: int, block: int,
                                                       long: bool) -> None:
    # ``long``: the pieces start just before 8 KiB, where the first block (8 KiB) ends and small ones follow
    head = "a" * 8180 if long else ""
    data = ((b"\xef\xbb\xbf" if bom else b"") + (head + "".join(pieces[:at])).encode("utf-8") + bad
            + "".join(pieces[at:]).encode("utf-8"))
    corpus._BLOCK_BYTES, saved = block, corpus._BLOCK_BYTES
    try:
        got = corpus._utf8_reading(lambda: io.BytesIO(data))
        lines = None if got is None else list(
            corpus._stream_lines(lambda: io.BytesIO(data), got.encoding, "x", errors=got.errors))
    finally:
        corpus._BLOCK_BYTES = saved
    try:
        text, enc, repairs = corpus._decode(data, "x")
    except LoadError:
        text = enc = None
        repairs = []
    if got is not None:  # streamed: exactly what whole reading gives, with the same repair
        assert (enc, repairs) == (got.encoding, list(got.repairs)) and lines == text.split("\n")
    elif text is not None and enc in ("utf-8", "utf-8-sig"):
        # read whole although UTF-8: only for a NUL or ACK near the start (which whole reading inspects)
        assert b"\x00" in data[:8192] or b"\x06" in data[:8192]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=60), bom=st.booleans(), bad=_BAD, at=st.integers(0, 60),
       size=st.integers(1, 40), long=st.booleans())
def test_checking_a_file_span_by_span_agrees_with_checking_it_whole(tmp_path_factory: pytest.TempPathFactory,
                                                                    pieces: list[str], bom: bool, bad: bytes,
                                                                    at: int, size: int, long: bool) -> None:
    head = "a" * 8180 if long else ""
    data = ((b"\xef\xbb\xbf" if bom else b"") + (head + "".join(pieces[:at])).encode("utf-8") + bad
            + "".join(pieces[at:]).encode("utf-8"))
    path = tmp_path_factory.getbasetemp() / "span-check.jsonl"
    path.write_bytes(data)
    got = corpus._utf8_spans(path, size)
    want = corpus._utf8_reading(lambda: io.BytesIO(data))
    assert (got is None) == (want is None)
    if got is not None:
        spans, utf8 = got
        assert utf8 == want and (spans == []) == (data == b"")
        assert not spans or (spans[0][0] == 0 and spans[-1][1] == len(data))
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
        assert all(data[start - 1 : start] == b"\n" for start, _, _ in spans[1:])  # whole lines
        assert [line for *_, line in spans] == [data[:start].count(b"\n") + 1 for start, _, _ in spans]


@pytest.mark.parametrize("engine_name", ["processes", "dask"])
def test_the_workers_check_a_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_name: str) -> None:
    """The spans of a large file are checked on the engine's workers (its
    pool's map, or the Dask client's on a LocalCluster), not decoded here
    first; the spans are those of a check here."""
    folder = _export(tmp_path, [line.replace('"id": "', f'"id": "{k}-', 1) for k in range(6) for line in _lines()])
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)
    spreads = []
    real = engine._jsonl_spans

    def spy(*args: Any) -> Any:
        spreads.append(args[4].map)
        out = real(*args)
        here = real(*args[:4])  # checked with map, in this process
        assert [s[:4] for s in out] == [s[:4] for s in here] and len(out) > 20
        assert out[0].columns.map == here[0].columns.map
        return out

    monkeypatch.setattr(engine, "_jsonl_spans", spy)
    whole = newslib.load_corpus(folder, errors="skip")
    got = engine.analyze(folder, engine=engine_name, n_workers=2, chunk_size=2, errors="skip")
    assert len(spreads) == 1 and spreads[0] is not map
    if engine_name == "processes":
        assert type(spreads[0].__self__).__name__ == "ProcessPoolExecutor"
    assert got.load_report.equals(whole.load_report) and got.stats == whole.stats()


def test_a_control_character_split_across_two_blocks_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    # 100 C1 controls (U+0085: bytes c2 85) in 10,000 characters are 1%: binary for _decode. The first
    # block is 8 KiB (what _decode inspects for NUL), the next ones six bytes: the control at
    # byte 8191 falls in two blocks, and still counts.
    text = "\u0085" * 99 + "a" * 7993 + "\u0085" + "a" * 1907
    data = text.encode("utf-8")
    assert len(text) == 10_000 and data[8191:8193] == b"\xc2\x85"
    with pytest.raises(LoadError, match="binary data"):
        corpus._decode(data, "x")
    monkeypatch.setattr(corpus, "_BLOCK_BYTES", 6)
    assert corpus._utf8_reading(lambda: io.BytesIO(data)) is None
    assert corpus._utf8_reading(lambda: io.BytesIO(data.replace(b"\xc2\x85", b"ab", 1))) == ("utf-8", ())


def _json_array() -> str:
    """A JSON array of the articles, with what splits badly across blocks and what
    a real export goes wrong with (only what still leaves the array valid)."""
    items = [json.dumps({"id": f"a{i}", "text": t, "source": "seed"}, ensure_ascii=i % 2 == 0)
             for i, t in enumerate(TEXTS)]  # \uXXXX escapes in every other article
    odd = [
        json.dumps({"id": 12345678901234567890, "text": 'قال: "نعم]، [لا" \\ ,', "tags": [1, [2, {"x": "]"}]]},
                   ensure_ascii=False),  # brackets, commas, quotes and a backslash inside strings; a long number
        "1234567",  # not an object (a number that a block may cut)
        '{"id": "a0", "text": "معرف مكرر"}',  # a repeated id
        '{"id": "none"}',  # no text field
        '{"id": "empty", "text": "  "}',  # nothing but white space
        '{"id": "c1", "text": "سطر فيه\u0085محرف تحكم"}',  # a C1 control, escaped
        "null", "true", "-0.5e3",
    ]
    return "\r\n [\n" + ",\n\t".join([*items[:3], *odd, *items[3:]]) + " \r\n]\n"


def test_a_large_json_array_streams_and_loads_as_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.json"
    path.write_text(_json_array(), encoding="utf-8")
    report = _same_either_way(path, monkeypatch, streams=True)
    assert [r["status"] for r in report] == ["loaded"] * 4 + ["skipped", "recovered", "skipped", "skipped", "loaded",
                                                              "skipped", "skipped", "skipped", "loaded", "loaded"]
    assert report[4]["item"] == "export.json#4" and "is a int" in report[4]["reason"]

    def whole(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    assert _load(path, monkeypatch, True, errors="skip")[2]


@pytest.mark.parametrize(("name", "text"), [
    ("trailing comma", _json_array().replace(" \r\n]", ",\n]")),
    ("missing comma", _json_array().replace(",\n\t1234567", " 1234567")),
    ("cut short", _json_array()[:-200]),
    ("extra data", _json_array() + "[]"),
    ("one list field", '{"articles": ' + _json_array() + "}"),  # read whole: its one list
    ("not an array", '"just a string"'),
    ("empty array", " [" + " " * 200 + "] "),
])
def test_a_json_file_that_is_no_valid_array_is_read_whole_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    name: str, text: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    report = _same_either_way(path, monkeypatch, streams=name == "empty array")
    if name in ("trailing comma", "missing comma", "cut short", "extra data"):
        assert len(report) == 1 and "malformed JSON" in report[0]["reason"]  # skipped whole, as before
        errors = []
        for streamed in (True, False):
            with pytest.raises(LoadError) as got:
                _load(path, monkeypatch, streamed)
            errors.append(str(got.value))
        assert errors[0] == errors[1]
    if name == "one list field":
        assert sum(r["status"] == "loaded" for r in report) == 7


def test_a_json_element_too_large_to_hold_apart_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.json"
    path.write_text(_json_array(), encoding="utf-8")
    monkeypatch.setattr(corpus, "_JSON_VALUE_BYTES", 500)  # smaller than an article
    _same_either_way(path, monkeypatch, streams=False)
    with zipfile.ZipFile(tmp_path / "archive.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "export.json")
    monkeypatch.setattr(corpus, "_JSON_VALUE_BYTES", 1 << 30)
    report = _same_either_way(tmp_path / "archive.zip", monkeypatch, streams=True)
    assert report[0]["item"] == "archive.zip!export.json#0"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet="سر]،,\"\\ {}\n😀a"),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_JSON_VALUES, max_size=8), spaces=st.lists(st.sampled_from(["", " ", "\n", "\r\n\t"]),
       min_size=20, max_size=20), block=st.integers(1, 9), cut=st.integers(0, 400), ascii=st.booleans())
def test_json_array_reader_agrees_with_json_loads(values: list, spaces: list[str], block: int, cut: int,
                                                 ascii: bool) -> None:
    """The elements json.loads gives, or _ReadWhole exactly where json.loads fails
    (the text cut anywhere), with blocks that split values and UTF-8 sequences."""
    parts = [json.dumps(v, ensure_ascii=ascii) for v in values]
    text = spaces[0] + "[" + spaces[1] + "".join(
        p + spaces[2 + i % 16] + ("," + spaces[3 + i % 16] if i < len(parts) - 1 else "") for i, p in enumerate(parts)
    ) + "]" + spaces[19]
    for candidate in (text, text[: len(text) - cut % (len(text) + 1)]):
        data = candidate.encode("utf-8")
        corpus._BLOCK_BYTES, saved = block, corpus._BLOCK_BYTES
        try:
            got = list(corpus._json_array(lambda data=data: io.BytesIO(data), "utf-8"))
        except corpus._ReadWhole:
            got = None
        finally:
            corpus._BLOCK_BYTES = saved
        try:
            want = json.loads(candidate)
        except json.JSONDecodeError:
            want = None
        assert got == (want if isinstance(want, list) else None)


# ---------------------------------------------------------------- Parquet


def _parquet(path: Path, index: bool) -> Path:
    """The five articles and what a real Parquet export goes wrong with, in
    row groups of two: a missing text, a repeated id, empty metadata, and
    extra columns of several types (a timestamp, an integer, a float with a gap)."""
    import pandas as pd

    rows = [{"id": f"a{i}", "text": t, "title": f"t{i}", "date": "2016-01-0{i + 1}"} for i, t in enumerate(TEXTS)]
    rows[2:2] = [{"id": "none", "text": None, "title": None}]
    rows.append({"id": "a0", "text": TEXTS[3], "title": ""})
    frame = pd.DataFrame(rows)
    frame["seen"] = pd.to_datetime("2016-02-01") + pd.to_timedelta(range(len(frame)), unit="h")
    frame["words"] = range(len(frame))
    frame["score"] = [0.5, None, 1.5, 2.0, None, 3.0, 4.0]
    if index:
        frame.index = [f"r{i}" for i in range(len(frame))]  # stored as a column, read back as the index
    frame.to_parquet(path, index=index, row_group_size=2)
    return path


def _parquet_load(path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool) -> tuple[list, list, bool]:
    used = []
    real = corpus._parquet_rows

    def spy(*args: Any) -> Any:
        used.append(args)
        return real(*args)

    monkeypatch.setattr(corpus, "_parquet_rows", spy)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100 if streamed else 1 << 40)
    monkeypatch.setattr(corpus, "_PARQUET_ROWS", 3)  # batches of three, each ending with its row group of two
    c = newslib.load_corpus(path, errors="skip")
    docs = [dataclasses.asdict(d) for d in c]
    for d in docs:  # a gap in a float column is NaN, which equals nothing: compared as "NaN"
        d["meta"] = {k: "NaN" if isinstance(v, float) and v != v else v for k, v in d["meta"].items()}
    return docs, c.load_report.to_dict("records"), bool(used)


@pytest.mark.parametrize("index", [False, True])
def test_a_large_parquet_file_streams_and_loads_as_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              index: bool) -> None:
    path = _parquet(tmp_path / "export.parquet", index)
    docs, report, used = _parquet_load(path, monkeypatch, True)
    assert used
    assert (docs, report) == _parquet_load(path, monkeypatch, False)[:2]
    assert [r["status"] for r in report] == ["loaded", "loaded", "skipped", "loaded", "loaded", "loaded", "recovered"]
    assert report[2]["item"] == "export.parquet#2"
    assert [d["doc_id"] for d in docs] == ["a0", "a1", "a2", "a3", "a4", "a0#2"]
    assert docs[0]["meta"]["words"] == 0 and str(docs[0]["meta"]["seen"]) == "2016-02-01 00:00:00"
    assert all("__index_level_0__" not in d["meta"] for d in docs)

    # the file is never read whole
    def whole(self: Path) -> bytes:
        raise AssertionError(f"{self} read whole")

    monkeypatch.setattr(Path, "read_bytes", whole)
    assert _parquet_load(path, monkeypatch, True)[2]


def test_a_damaged_large_parquet_file_is_skipped_whole_as_before(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = _parquet(tmp_path / "export.parquet", False)
    data = bytearray(path.read_bytes())
    pages = data.index(TEXTS[3].encode("utf-8")[:40])  # inside a later row group's text column
    data[pages : pages + 40] = b"\xff" * 40
    path.write_bytes(bytes(data))
    streamed = _parquet_load(path, monkeypatch, True)
    assert not streamed[2]  # the first pass found the damage: read whole
    assert streamed[:2] == _parquet_load(path, monkeypatch, False)[:2]
    assert not streamed[0] and streamed[1][0]["status"] == "skipped"
    assert "unreadable Parquet" in streamed[1][0]["reason"]


def _big_parquet(folder: Path, copies: int = 6, row_group_size: int = 3) -> Path:
    """The Parquet export of :func:`_parquet` ``copies`` times over (ids repeated, and
    renamed, across row groups), in row groups of ``row_group_size`` rows."""
    import pandas as pd

    one = pd.read_parquet(_parquet(folder / "one.parquet", False))
    (folder / "one.parquet").unlink()
    frame = pd.concat([one] * copies, ignore_index=True)
    path = folder / "export.parquet"
    frame.to_parquet(path, index=False, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize("engine_name", ["processes", "dask"])
def test_workers_share_one_large_parquet_file_by_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            engine_name: str) -> None:
    """A large Parquet file is cut into its row groups, checked and read apart
    by the workers: rows named by their place in the file, ids, counts and
    statistics as when one process reads it."""
    folder = tmp_path / "export"
    folder.mkdir()
    _big_parquet(folder)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)  # forked workers see it too
    monkeypatch.setattr(corpus, "_PARQUET_ROWS", 2)  # batches within a row group of three
    checked = []
    real = corpus._check_row_group
    monkeypatch.setattr(corpus, "_check_row_group", lambda *a: checked.append(a) or real(*a))
    spans = _spans(folder)
    assert [(s.row_group, s.line) for s in spans] == [(g, 3 * g) for g in range(14)]  # 42 rows
    assert {s.encoding for s in spans} == {"parquet"} and spans[0].columns.map["text"] == "text"
    assert len(checked) == 14  # every row group checked (here by map: the engine's map on its workers)
    monkeypatch.setattr(corpus, "_check_row_group", real)  # (what a pool can send)
    assert engine._records(folder, 2, {"errors": "skip"}, [], [], workers=2)[3] is engine._run_files

    whole = newslib.load_corpus(folder, errors="skip")
    report = whole.load_report
    assert report["item"].tolist()[-1] == "export.parquet#41" and len(whole) == 36
    assert {"recovered", "skipped"} <= set(report["status"])  # ids renamed; rows without a text
    loaded = _engine_reads_as_the_loader(folder, whole, engine_name)
    assert [d.meta for d in loaded.documents] != []
    assert [(d.doc_id, d.text, d.title, d.date) for d in loaded.documents] == [
        (d.doc_id, d.text, d.title, d.date) for d in whole.documents]


@pytest.mark.parametrize("case", ["one row group", "row groups too large", "damaged", "small"])
def test_a_parquet_file_that_cannot_be_cut_is_read_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          case: str) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    path = _big_parquet(folder, row_group_size=100 if case == "one row group" else 3)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 1 << 40 if case == "small" else 100)
    if case == "row groups too large":
        monkeypatch.setattr(corpus, "_ROW_GROUP_BYTES", 1000)
    if case == "damaged":  # a text in a later row group is not UTF-8: the file is skipped whole, as read whole
        data = bytearray(path.read_bytes())
        at = data.rindex(TEXTS[3].encode("utf-8")[:40])
        data[at : at + 40] = b"\xff" * 40
        path.write_bytes(bytes(data))
    assert _spans(folder) == []
    whole = newslib.load_corpus(folder, errors="skip")
    got = engine.analyze(folder, engine="processes", n_workers=2, chunk_size=2, errors="skip")
    assert got.load_report.equals(whole.load_report) and got.stats == whole.stats()
    if case == "damaged":
        assert len(whole) == 0 and "unreadable Parquet" in whole.load_report["reason"][0]
    else:
        assert len(whole) == 36


def _long_csv(delimiter: str = ",", copies: int = 8) -> str:
    """:func:`_csv` without its broken quote, ``copies`` times (ids repeated in
    every third copy), with quotes doubled inside quoted fields."""
    good = _csv(delimiter).split(delimiter.join(["bad", '"a quoted']))[0]
    header, rest = good.split("\r\n", 1)
    out = [header + "\r\n"]
    for k in range(copies):
        out.append(rest.replace("\r\na", f"\r\n{k}-a") if k % 3 else rest)
        out.append(delimiter.join([f"q{k}", '"قال ""نعم"" ثم مضى"', "seed"]) + "\n")
    return "".join(out)


def _csv_lines_before(data: bytes, at: int) -> int:
    """The line ``csv`` counts at byte ``at`` (line ends \\r\\n, \\n or \\r)."""
    head = data[:at]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


@pytest.mark.parametrize(("name", "delimiter", "bom"), [("all.csv", ",", False), ("all.tsv", "\t", False),
                                                        ("all.csv", ",", True)])
def test_workers_share_one_large_csv_file_by_spans_of_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              name: str, delimiter: str, bom: bool) -> None:
    """One large CSV export is cut where a record ends (quoted fields hold line
    breaks), and the workers read the spans apart: records named by the line
    they start on, ids, counts and statistics as when the file is read whole."""
    folder = tmp_path / "export"
    folder.mkdir()
    data = (b"\xef\xbb\xbf" if bom else b"") + _long_csv(delimiter).encode("utf-8")
    (folder / name).write_bytes(data)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)  # forked workers see it too
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)  # a span holds a record or two
    spans = _spans(folder)
    assert len(spans) > 20 and spans[0].start == 0 and spans[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(spans, spans[1:], strict=False))  # nothing left out
    assert all(data[s.start - 1 : s.start] == b"\n" for s in spans[1:])
    assert [s.line for s in spans] == [_csv_lines_before(data, s.start) for s in spans]
    # each cut is where csv ends a record: the records of the spans are those of the whole file
    want = list(corpus._rows_csv(data.decode("utf-8-sig"), name, delimiter))
    got = [row for s in spans for row in corpus._rows_csv(
        data[s.start : s.end].decode("utf-8-sig" if s.start == 0 else "utf-8"), name, delimiter,
        None if s.start == 0 else s.columns.names, s.line)]
    assert [(w, str(r)) for w, r in got] == [(w, str(r)) for w, r in want]

    whole = newslib.load_corpus(folder, errors="skip")
    report = whole.load_report
    assert len(whole) > 40 and {"recovered", "skipped"} <= set(report["status"])
    assert report["encoding"].tolist() == ["utf-8-sig" if bom else "utf-8"] * len(report)
    assert _engine_reads_as_the_loader(folder, whole).documents == whole.documents


@pytest.mark.parametrize("case", ["a quote inside a plain field", "a quoted field never closed", "NUL", "cp1256",
                                  "a repeated column", "an early quote inside a plain field"])
def test_a_large_csv_file_that_cannot_be_cut_is_read_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            case: str) -> None:
    """A file that fails the check of its spans is read whole by one worker; one
    whose first bytes show it cannot be cut, by the main process, which hands out chunks."""
    folder = tmp_path / "export"
    folder.mkdir()
    text = _long_csv()
    if case == "an early quote inside a plain field":
        at = text.index("\r\n")  # after the header: in the first bytes
    else:
        at = text.index("\r\nq", len(text) * 3 // 4)  # a record of the last quarter: in a late span
    if "quote inside" in case:  # csv keeps it as a character; counting quotes would be misled
        text = text[:at] + '\r\nx1,5" screen,seed' + text[at:]
    elif case == "a quoted field never closed":  # the rest of the file is not read, as read whole
        text = _csv() * 3
    elif case == "NUL":  # csv refuses the line, and the rest of the file is not read
        text = text[:at] + "\r\nx2,nul \x00 here,seed" + text[at:]
    elif case == "a repeated column":
        text = "id,text,text" + text[len("id,text,source"):]
    data = text.encode("cp1256", errors="replace") if case == "cp1256" else text.encode("utf-8")
    (folder / "all.csv").write_bytes(data)
    monkeypatch.setattr(corpus, "_STREAM_BYTES", 100)
    monkeypatch.setattr(engine, "_GROUP_BYTES", 3000)
    assert _spans(folder) == []
    job = engine._records(folder, 2, {"errors": "skip"}, [], [], workers=2)[3]
    main_reads = case in ("cp1256", "an early quote inside a plain field")
    assert job is (engine._run_chunk if main_reads else engine._run_files)
    whole = newslib.load_corpus(folder, errors="skip")
    got = engine.analyze(folder, engine="processes", n_workers=2, chunk_size=2, errors="skip")
    assert got.load_report.equals(whole.load_report) and got.stats == whole.stats()
    if "quote inside" in case:
        assert whole["x1"].text == '5" screen' and len(whole) > 40


_CSV_PLAIN = st.lists(st.sampled_from(["س", "ور", "a", " ", "é", "\t", "😀", "\ufeff"]), max_size=6).map("".join)
_CSV_QUOTED = st.lists(st.sampled_from(["س", "a", ",", "\t", "\n", "\r\n", "\r", '"', " "]), max_size=8).map("".join)
_CSV_FIELD = st.one_of(_CSV_PLAIN, _CSV_QUOTED.map(lambda t: '"' + t.replace('"', '""') + '"'))
_CSV_ROW = st.lists(_CSV_FIELD, min_size=0, max_size=4)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(_CSV_ROW, st.sampled_from(["\r\n", "\n", "\r"])), max_size=30),
       damage=st.sampled_from(["", '"', "x\"y", "\x00", '"z']), at=st.integers(0, 10_000), size=st.integers(1, 60))
def test_cutting_a_csv_file_where_records_end_agrees_with_reading_it_whole(
        tmp_path_factory: pytest.TempPathFactory, rows: list, damage: str, at: int, size: int) -> None:
    # Records of random quoted and plain fields and line ends (some malformed: a field count off, a stray
    # quote or NUL): when the file is cut, its spans' records are the whole file's, named by the same lines.
    text = "id,text,x\r\n" + "".join(",".join(fields) + end for fields, end in rows)
    at = min(at, len(text))
    text = text[:at] + damage + text[at:]
    path = tmp_path_factory.getbasetemp() / "cut.csv"
    path.write_bytes(text.encode("utf-8"))
    spans = corpus._csv_spans(path, path.name, {}, ",", size)
    try:
        want = [(w, str(r)) for w, r in corpus._rows_csv(text, path.name, ",")]
    except LoadError:
        want = None
    if spans is None:
        return
    assert want is not None  # a header read whole is read in the first span
    data = path.read_bytes()
    got = [(w, str(r)) for s in spans for w, r in corpus._rows_csv(
        data[s.start : s.end].decode("utf-8"), path.name, ",", None if s.start == 0 else s.columns.names, s.line)]
    assert got == want
    # and the first bytes of a file that can be cut, however many, say so (who reads is planned by them)
    assert all(corpus._head_may_cut(path, ",", k) for k in range(1, len(data) + 2, 5))
