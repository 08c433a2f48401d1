"""Loading a corpus: files and exports in, cleaned :class:`Document` objects out.

Accepted inputs (see :func:`load_corpus`):

- a folder of ``.txt`` articles (one article per file, the first non-chrome
  line is its title); a ``corpus.csv`` beside or above ``raw/`` adds metadata,
  so ``load_corpus("data")`` gives the bundled corpus with its metadata;
- a ``.csv``/``.tsv``, ``.json`` (array of objects), ``.jsonl`` or ``.parquet``
  export, with configurable columns;
- a ``.zip`` of any of these, or a folder of exports and zips.

Every input item (file, row, line) gets a row in ``Corpus.load_report``:
``loaded``, ``recovered`` (loaded after a documented repair, said in
``reason``) or ``skipped`` (with the reason). Items seen always equal documents
plus skipped items; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from .clean import Removal, clean_text
from .tokens import Token, Unit, Vocabulary, sentences, tokenize

__all__ = ["Document", "Corpus", "LoadError", "load_corpus", "iter_documents", "decode_bytes"]

TABULAR = {".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet"}
COLUMN_DEFAULTS: dict[str, tuple[str, ...]] = {
    "id": ("doc_id", "id", "article_id", "guid"),
    "text": ("text", "content", "body", "article", "article_text"),
    "title": ("title", "headline"),
    "date": ("date", "published", "date_published", "pub_date", "publish_date", "date_extracted"),
    "outlet": ("outlet", "source", "newspaper", "publisher", "site"),
    "url": ("url", "link"),
}


class LoadError(ValueError):
    """An input item that cannot be read; the message names it and says why."""

    def __init__(self, item: str, reason: str, hint: str = "") -> None:
        self.item, self.reason, self.hint = item, reason, hint
        msg = f"{item}: {reason}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


@dataclass
class Document:
    """One article: metadata, raw text, clean text and what cleaning removed."""

    doc_id: str
    title: str
    text: str
    raw_text: str
    outlet: str = ""
    date: str = ""
    date_precision: str = ""
    url: str = ""
    source: str = ""
    removed: list[Removal] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bad_share(text: str) -> float:
    """Share of characters that never occur in text: controls, unassigned, private use."""
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(
        1
        for ch in sample
        if ch not in "\n\r\t\f\v" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
    )
    return bad / len(sample)


def decode_bytes(data: bytes, item: str) -> tuple[str, str]:
    """Decode one file's bytes: UTF-8 (with or without BOM), UTF-16/32 with a
    BOM or recognisable without one, else Windows-1256. Returns (text, encoding).

    Raises :class:`LoadError` naming ``item`` for binary or undecodable data.

    >>> decode_bytes("سورية".encode("cp1256"), "x.txt")
    ('سورية', 'cp1256')
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as e:
                raise LoadError(item, f"starts with a {enc} byte-order mark but is not valid {enc}: {e.reason} at byte {e.start}") from None
    if b"\x00" in data[:4096]:
        # UTF-16 without BOM: NULs in every other byte of ASCII-range text.
        even, odd = data[0:4096:2].count(0), data[1:4096:2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        if len(data) % 2 == 0 and max(even, odd) > 0.2 * min(len(data), 4096) / 2:
            try:
                text = data.decode(enc)
                if _bad_share(text) < 0.01:
                    return text, enc
            except UnicodeDecodeError:
                pass
        raise LoadError(item, "binary data (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8")
        if _bad_share(text) < 0.01:
            return text, "utf-8"
        raise LoadError(item, "binary data (control characters), not a text file")
    except UnicodeDecodeError as e:
        utf8_error = f"invalid UTF-8 at byte {e.start}"
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    arabic = sum(1 for ch in text[:20000] if "\u0600" <= ch <= "\u06ff")
    letters = sum(1 for ch in text[:20000] if ch.isalpha()) or 1
    if text and _bad_share(text) < 0.01 and arabic / letters > 0.3:
        return text, "cp1256"
    raise LoadError(
        item,
        f"undecodable text ({utf8_error}; not UTF-16 or Windows-1256 either)",
        "re-save it as UTF-8, or load with errors='skip' to list it and go on",
    )


# ---------------------------------------------------------------- records


def _pick(columns: Iterable[str], wanted: str | None, role: str, item: str, required: bool) -> str | None:
    cols = list(columns)
    if wanted:
        if wanted not in cols:
            raise LoadError(item, f"no column {wanted!r} for the {role}; columns found: {cols}")
        return wanted
    lower = {c.lower(): c for c in cols}
    for name in COLUMN_DEFAULTS[role]:
        if name in lower:
            return lower[name]
    if required:
        raise LoadError(
            item,
            f"no {role} column; columns found: {cols}",
            f"name it with {role}_column=... (or --{role}-column)",
        )
    return None


class _Columns:
    """Column names resolved once per table."""

    def __init__(self, columns: Iterable[str], item: str, names: dict[str, str | None]) -> None:
        cols = list(columns)
        self.map = {
            role: _pick(cols, names.get(role), role, item, required=(role == "text"))
            for role in COLUMN_DEFAULTS
        }
        self.extra = [c for c in cols if c not in self.map.values()]


def _rows_csv(data: str, item: str, delimiter: str) -> Iterator[tuple[str, dict | LoadError]]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as e:
        raise LoadError(f"{item}:1", f"malformed header: {e}") from None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield f"{item}:{reader.line_num}", LoadError(f"{item}:{reader.line_num}", f"malformed CSV: {e}")
            return
        where = f"{item}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield where, LoadError(
                where,
                f"{len(row)} fields where the header has {len(header)}",
                "check quoting: a text field with commas or newlines must be quoted",
            )
            continue
        yield where, dict(zip(header, row, strict=True))


def _rows_json(data: str, item: str) -> Iterator[tuple[str, dict | LoadError]]:
    try:
        records = json.loads(data)
    except json.JSONDecodeError as e:
        raise LoadError(f"{item}:{e.lineno}", f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    if isinstance(records, dict):
        # {"articles": [...]} style exports: the one list-valued field.
        lists = [v for v in records.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise LoadError(item, "JSON object without exactly one list of articles")
        records = lists[0]
    if not isinstance(records, list):
        raise LoadError(item, "JSON is not an array of article objects")
    for i, rec in enumerate(records):
        where = f"{item}#{i}"
        yield where, rec if isinstance(rec, dict) else LoadError(where, f"entry is {type(rec).__name__}, not an object")


def _rows_jsonl(data: str, item: str) -> Iterator[tuple[str, dict | LoadError]]:
    for number, line in enumerate(data.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{item}:{number}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield where, LoadError(where, f"malformed JSON line (column {e.colno}): {e.msg}")
            continue
        yield where, rec if isinstance(rec, dict) else LoadError(where, "line is not a JSON object")


def _rows_parquet(data: bytes, item: str) -> Iterator[tuple[str, dict | LoadError]]:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as e:  # pyarrow raises several types for corrupt files
        raise LoadError(item, f"unreadable Parquet: {e}") from None
    for i, rec in enumerate(frame.to_dict("records")):
        yield f"{item}#{i}", rec


# ---------------------------------------------------------------- loading


@dataclass
class _Options:
    errors: str = "raise"
    clean: bool = True
    columns: dict[str, str | None] = field(default_factory=dict)
    metadata: pd.DataFrame | None = None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


class _Loader:
    """Walks the inputs, yields Documents and fills the load report."""

    def __init__(self, opts: _Options) -> None:
        self.opts = opts
        self.report: list[dict[str, str]] = []
        self.ids: set[str] = set()

    def note(self, item: str, status: str, reason: str = "", encoding: str = "") -> None:
        self.report.append({"item": item, "status": status, "reason": reason, "encoding": encoding})

    def fail(self, err: LoadError, encoding: str = "") -> None:
        if self.opts.errors == "raise":
            raise err
        self.note(err.item, "skipped", err.reason, encoding)

    def make(self, item: str, fields: dict[str, Any], encoding: str, repairs: list[str]) -> Document | None:
        raw = _text(fields.get("text"))
        if self.opts.clean:
            clean, removed = clean_text(raw)
        else:
            clean, removed = raw.replace("\r\n", "\n"), []
        if not clean.strip():
            reason = "empty text" if not raw.strip() else "no text left after removing page chrome"
            self.note(item, "skipped", reason, encoding)
            return None
        title = _text(fields.get("title")).strip() or clean.split("\n", 1)[0].strip()
        doc_id = _text(fields.get("id")).strip() or item
        if doc_id in self.ids:
            n = 2
            while f"{doc_id}#{n}" in self.ids:
                n += 1
            repairs.append(f"duplicate id {doc_id!r} renamed to {doc_id}#{n}")
            doc_id = f"{doc_id}#{n}"
        self.ids.add(doc_id)
        doc = Document(
            doc_id=doc_id,
            title=title,
            text=clean,
            raw_text=raw,
            outlet=_text(fields.get("outlet")),
            date=_text(fields.get("date")),
            date_precision=_text(fields.get("date_precision")),
            url=_text(fields.get("url")),
            source=item,
            removed=removed,
            meta=fields.get("meta", {}),
        )
        self.note(item, "recovered" if repairs else "loaded", "; ".join(repairs), encoding)
        return doc

    # -- one .txt article
    def txt(self, item: str, data: bytes, stem: str) -> Iterator[Document]:
        try:
            text, enc = decode_bytes(data, item)
        except LoadError as e:
            self.fail(e)
            return
        fields: dict[str, Any] = {"text": text, "id": stem}
        meta = self.opts.metadata
        if meta is not None:
            row = _metadata_row(meta, stem)
            if row is not None:
                fields.update({k: v for k, v in row.items() if k in ("title", "outlet", "date", "date_precision", "url")})
                fields["meta"] = {k: v for k, v in row.items() if k not in fields}
        doc = self.make(item, fields, enc, [])
        if doc:
            yield doc

    # -- one tabular export
    def table(self, item: str, data: bytes, suffix: str) -> Iterator[Document]:
        try:
            if suffix == ".parquet":
                rows, enc = _rows_parquet(data, item), "parquet"
            else:
                text, enc = decode_bytes(data, item)
                if suffix in (".csv", ".tsv"):
                    rows = _rows_csv(text, item, "\t" if suffix == ".tsv" else ",")
                elif suffix == ".json":
                    rows = _rows_json(text, item)
                else:
                    rows = _rows_jsonl(text, item)
            cols: _Columns | None = None
            for where, rec in rows:
                if isinstance(rec, LoadError):
                    self.fail(rec, enc)
                    continue
                if cols is None:
                    cols = _Columns(rec.keys(), item, self.opts.columns)
                fields = {role: rec.get(col) for role, col in cols.map.items() if col}
                missing = cols.map["text"] not in rec
                if missing:
                    self.fail(LoadError(where, f"no {cols.map['text']!r} field; fields found: {list(rec)}"), enc)
                    continue
                fields["meta"] = {c: rec.get(c) for c in cols.extra}
                doc = self.make(where, fields, enc, [])
                if doc:
                    yield doc
        except LoadError as e:
            self.fail(e)

    def path(self, path: Path, item: str) -> Iterator[Document]:
        suffix = path.suffix.lower()
        if suffix == ".zip":
            yield from self.zip(path, item)
            return
        if suffix != ".txt" and suffix not in TABULAR:
            self.note(item, "skipped", f"not a corpus file ({suffix or 'no extension'}); read: .txt {' '.join(sorted(TABULAR))} .zip")
            return
        try:
            data = path.read_bytes()
        except OSError as e:
            self.fail(LoadError(item, f"cannot read: {e.strerror}"))
            return
        if suffix == ".txt":
            yield from self.txt(item, data, path.stem)
        else:
            yield from self.table(item, data, suffix)

    def zip(self, path: Path, item: str) -> Iterator[Document]:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            self.fail(LoadError(item, f"not a readable zip archive: {e}"))
            return
        with zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                member = f"{item}!{info.filename}"
                suffix = Path(info.filename).suffix.lower()
                if suffix == ".txt":
                    yield from self.txt(member, zf.read(info), Path(info.filename).stem)
                elif suffix in TABULAR:
                    yield from self.table(member, zf.read(info), suffix)
                else:
                    self.note(member, "skipped", f"not a corpus file ({suffix or 'no extension'})")


def _metadata_row(meta: pd.DataFrame, stem: str) -> dict[str, Any] | None:
    for col in ("doc_id", "file", "id"):
        if col in meta.columns:
            hits = meta[(meta[col].astype(str) == stem) | (meta[col].astype(str) == stem + ".txt")]
            if len(hits):
                return {k: _text(v) for k, v in hits.iloc[0].items()}
    return None


def _find_metadata(folder: Path) -> Path | None:
    for candidate in (folder / "corpus.csv", folder.parent / "corpus.csv"):
        if candidate.is_file():
            return candidate
    return None


def _inputs(path: Path) -> tuple[list[Path], Path | None, Path]:
    """(files to read, metadata file, folder item names are relative to)."""
    if path.is_file():
        return [path], None, path.parent
    if not path.is_dir():
        raise LoadError(str(path), "no such file or folder")
    folder = path / "raw" if (path / "raw").is_dir() else path
    meta = _find_metadata(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if meta is not None:
        files = [p for p in files if p.resolve() != meta.resolve()]
    return files, meta, folder


def iter_documents(
    path: str | Path,
    *,
    errors: str = "raise",
    clean: bool = True,
    report: list[dict[str, str]] | None = None,
    **columns: str | None,
) -> Iterator[Document]:
    """Yield the documents of ``path`` one by one (streaming; see :func:`load_corpus`).

    Rows of the load report are appended to ``report`` when a list is given.
    """
    if errors not in ("raise", "skip"):
        raise ValueError("errors must be 'raise' or 'skip'")
    path = Path(path)
    files, meta_path, root = _inputs(path)
    opts = _Options(errors=errors, clean=clean, columns=_column_names(columns))
    if meta_path is not None:
        opts.metadata = pd.read_csv(meta_path, dtype=str, keep_default_na=False)
    loader = _Loader(opts)
    if report is not None:
        loader.report = report
    for file in files:
        item = file.relative_to(root).as_posix() if file != path else file.name
        yield from loader.path(file, item)


def _column_names(columns: dict[str, str | None]) -> dict[str, str | None]:
    names = {}
    for key, value in columns.items():
        role = key.removesuffix("_column")
        if role == "source":
            role = "outlet"
        if role not in COLUMN_DEFAULTS or not key.endswith("_column"):
            raise TypeError(
                f"unknown option {key!r}; column options are "
                + ", ".join(f"{r}_column" for r in COLUMN_DEFAULTS)
                + ", source_column"
            )
        names[role] = value
    return names


def load_corpus(
    path: str | Path = "data",
    *,
    errors: str = "raise",
    clean: bool = True,
    vocabulary_options: dict[str, Any] | None = None,
    **columns: str | None,
) -> Corpus:
    """Load a corpus from a folder, an export file or a zip.

    Parameters
    ----------
    path : folder of ``.txt`` files (with ``raw/`` and ``corpus.csv``), or a
        ``.csv``/``.tsv``/``.json``/``.jsonl``/``.parquet``/``.zip`` file, or a
        folder of those.
    errors : ``"raise"`` (default) stops at the first unreadable item with an
        error naming it; ``"skip"`` lists it in ``load_report`` and goes on.
    clean : remove page chrome (see :mod:`newslib.clean`); the raw text is kept.
    vocabulary_options : keywords for :class:`newslib.tokens.Vocabulary`
        (``stem``, ``min_len``, ``numbers``, normalisation switches).
    text_column, title_column, date_column, source_column (or
    outlet_column), id_column, url_column : column names in tabular
        exports; by default the common names (``text``/``content``, ...).

    >>> corpus = load_corpus("data")
    >>> len(corpus), corpus[0].outlet
    (5, 'Syrian Telegraph (سيريان تلغراف)')
    """
    report: list[dict[str, str]] = []
    docs = list(iter_documents(path, errors=errors, clean=clean, report=report, **columns))
    frame = pd.DataFrame(report, columns=["item", "status", "reason", "encoding"])
    return Corpus(docs, frame, vocabulary_options or {}, source=str(path))


class Corpus:
    """A sized, iterable collection of :class:`Document` with its load report."""

    def __init__(
        self,
        documents: list[Document],
        load_report: pd.DataFrame | None = None,
        vocabulary_options: dict[str, Any] | None = None,
        source: str = "",
    ) -> None:
        self.documents = documents
        self.load_report = (
            load_report
            if load_report is not None
            else pd.DataFrame(columns=["item", "status", "reason", "encoding"])
        )
        self.vocabulary_options = vocabulary_options or {}
        self.source = source
        self._index = {d.doc_id: i for i, d in enumerate(documents)}

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __getitem__(self, key: int | str) -> Document:
        return self.documents[self._index[key] if isinstance(key, str) else key]

    def __repr__(self) -> str:
        return f"<Corpus {len(self)} documents from {self.source or 'memory'}>"

    @property
    def texts(self) -> list[str]:
        return [d.text for d in self.documents]

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """Surface counts, keys and display forms of the whole corpus."""
        return Vocabulary.from_texts(self.texts, **self.vocabulary_options)

    def tokens(self, doc: Document | int | str, stopwords: bool = True) -> list[Token]:
        """Tokens of one document, keyed with the corpus vocabulary."""
        if not isinstance(doc, Document):
            doc = self[doc]
        return tokenize(doc.text, vocabulary=self.vocabulary, stopwords=stopwords)

    def sentences(self, doc: Document | int | str) -> list[Unit]:
        if not isinstance(doc, Document):
            doc = self[doc]
        return sentences(doc.text)

    def units(self, unit: str = "sentence") -> pd.DataFrame:
        """One row per paragraph, sentence or document: ``doc_id``, ``unit``
        (its index in the document), ``paragraph``, ``start``, ``end``, ``text``."""
        if unit not in ("sentence", "paragraph", "document"):
            raise ValueError("unit must be 'sentence', 'paragraph' or 'document'")
        rows = []
        for d in self.documents:
            if unit == "document":
                rows.append((d.doc_id, 0, 0, 0, len(d.text), d.text))
                continue
            seen: dict[int, list[int]] = {}
            for u in sentences(d.text):
                if unit == "sentence":
                    rows.append((d.doc_id, u.sentence, u.paragraph, u.start, u.end, d.text[u.start : u.end]))
                else:
                    span = seen.setdefault(u.paragraph, [u.start, u.end])
                    span[1] = u.end
            for p, (s, e) in seen.items():
                rows.append((d.doc_id, p, p, s, e, d.text[s:e]))
        return pd.DataFrame(rows, columns=["doc_id", "unit", "paragraph", "start", "end", "text"])

    def to_frame(self) -> pd.DataFrame:
        """One row per document: ids, metadata, clean ``text`` and ``raw_text``."""
        rows = [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "outlet": d.outlet,
                "date": d.date,
                "date_precision": d.date_precision,
                "url": d.url,
                "source": d.source,
                "text": d.text,
                "raw_text": d.raw_text,
                "chrome_removed": sum(1 for r in d.removed if r.rule != "invisible"),
            }
            for d in self.documents
        ]
        return pd.DataFrame(rows)

    def removals(self) -> pd.DataFrame:
        """Everything cleaning removed: ``doc_id``, ``rule``, ``line``, ``text``."""
        rows = [(d.doc_id, r.rule, r.line, r.text) for d in self.documents for r in d.removed]
        return pd.DataFrame(rows, columns=["doc_id", "rule", "line", "text"])

    def stats(self) -> dict[str, Any]:
        """The JSON summary of ``newslib stats``."""
        vocab = self.vocabulary
        n_par = n_sent = 0
        for d in self.documents:
            units = sentences(d.text)
            n_sent += len(units)
            n_par += len({u.paragraph for u in units})
        status = self.load_report["status"].value_counts().to_dict()
        return {
            "documents": len(self),
            "paragraphs": n_par,
            "sentences": n_sent,
            "tokens": sum(vocab.surface_counts.values()),
            "types": len(vocab.key_counts(content_only=False)),
            "content_types": len(vocab.key_counts()),
            "chrome_lines_removed": int(sum(1 for d in self for r in d.removed if r.rule != "invisible")),
            "items_seen": len(self.load_report),
            "recovered": int(status.get("recovered", 0)),
            "skipped": int(status.get("skipped", 0)),
            "skipped_items": self.load_report.loc[
                self.load_report["status"] == "skipped", ["item", "reason"]
            ].to_dict("records"),
        }

