"""Loading a corpus: files and exports in, cleaned :class:`Document` objects out.

Accepted inputs (see :func:`load_corpus`):

- a folder of ``.txt`` articles (one article per file, the first non-chrome
  line is its title); a ``corpus.csv`` beside or above ``raw/`` adds metadata,
  so ``load_corpus("data")`` gives the bundled corpus with its metadata;
- a ``.csv``/``.tsv``, ``.json`` (array of objects), ``.jsonl`` or ``.parquet``
  export, with configurable columns;
- a ``.zip`` of any of these, or a folder of exports and zips.

A ``.jsonl``, ``.csv``, ``.tsv`` or ``.json`` (one array) file (or zip
member) over 64 MB that is UTF-8 (plain, or with a few damaged bytes, which
are replaced as for any file) is read a block at a time (see
:func:`_utf8_reading` and :func:`_json_array`): the same documents, report and
errors as reading it whole, in memory for a block. Other files are read
whole, one at a time. The engine's workers may also read a large JSONL or
CSV file apart, in spans of whole lines or records, and a large Parquet file
by row groups (see :func:`_jsonl_spans`, :func:`_csv_spans`,
:func:`_parquet_spans` and :meth:`_Loader.span`), with the same result.

Every input item (a ``.txt`` file, a row of an export, a line of a JSONL
file) gets a row in ``Corpus.load_report``: ``loaded``, ``recovered`` (loaded
after a documented repair, said in ``reason``) or ``skipped`` (with the
reason). Items seen always equal documents plus skipped items; nothing is
dropped silently. A ``loaded`` row may carry a ``note:`` in its reason (HTML
markup, no Arabic letters) that changes nothing but is worth knowing.

Bad input and what happens to it
--------------------------------
``errors="raise"`` (the default; ``newslib stats`` without ``--errors skip``)
stops at the first *error* with a :class:`LoadError` whose message names the
file (and line, row or entry) and says what to do; ``errors="skip"`` records
the item as ``skipped`` with that reason and goes on. *Recoveries* happen in
both modes and are always recorded.

=============================================  ==========================================
Input                                          Behaviour (``load_report`` status: reason)
=============================================  ==========================================
UTF-8, UTF-8 with BOM, UTF-16/32 with BOM      read; ``encoding`` column says which
UTF-16 LE/BE without BOM                       recognised from the byte pattern, read
Windows-1256 (Arabic archives)                 recognised when not UTF-8 and it reads as Arabic
mixed encodings in one folder                  each file detected on its own
a few bad bytes in UTF-8 (<= 1% of chars)      recovered: bytes replaced by U+FFFD; count and
                                               first byte offset in the reason
UTF-8 mixed with another encoding in a file    error "mixed encodings", re-save as UTF-8
binary file named ``.txt``, unknown encoding   error naming the kind of file (PNG, PDF, zip ...)
empty, whitespace-only or BOM-only file        skipped: "empty file" / "only white space"
nothing left after removing page chrome        skipped: "no text left after removing ..."
control characters (NUL, ESC, ...) in text     cut from the clean text, ``Removal("control")``
bidi controls, zero-width characters, BOMs     cut from the clean text, ``Removal("invisible")``
HTML character references (``&quot;``)         decoded in the clean text, ``Removal("html_entity")``
                                               lists them per line; decoded in titles too
lone surrogates (``"\\ud800"`` in JSON)         recovered: replaced by U+FFFD
HTML, ``<script>``, event handlers in text     kept verbatim as text (never run; every HTML
                                               writer must escape it); loaded with a note
document without Arabic letters                loaded with a note; a corpus without Arabic
                                               words gets a warning in ``Corpus.warnings``
duplicate document id                          recovered: renamed ``id#2``, ``id#3``, ...
malformed CSV quoting                          error ``file:line`` (the line the record
                                               starts on); the rest of the file is not read
CSV row with too many or too few fields        error ``file:line``; the row is skipped
duplicate column names                         error listing the columns found
malformed JSON                                 error ``file:line`` with line and column
malformed or non-object JSONL line             error ``file:line``; the line is skipped
no text column (or a named column missing)     error listing the columns found and the option
row or entry without text / text not a string  error ``file:line`` or ``file#entry``
export with no rows (empty, header only)       skipped: "no rows"
other file types inside a folder               skipped: "not a corpus file"
hidden files and folders (``.git``, ...)       not corpus items: never read, not listed
unreadable or broken file, zip or Parquet      error naming the file (a zip member as
                                               ``archive.zip!member.txt``)
malformed ``corpus.csv`` metadata              error; with ``errors="skip"`` a warning and the
                                               articles load without metadata
metadata rows that match no article            warning in ``Corpus.warnings``
=============================================  ==========================================

Nothing read from a corpus is unpickled or evaluated: text formats are parsed
by ``csv`` and ``json``, Parquet by pyarrow.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import os
import re
import sys
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import pandas as pd

from ._gc import gc_paused
from .clean import _ARABIC_LETTER, _RARE, Removal, _clean_text, decode_entities
from .tokens import Token, Unit, Vocabulary, _span_token_counts, sentences, tokenize

__all__ = ["Document", "Corpus", "LoadError", "load_corpus", "iter_documents", "decode_bytes", "is_bundled_corpus"]

TABULAR = {".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet"}
COLUMN_DEFAULTS: dict[str, tuple[str, ...]] = {
    "id": ("doc_id", "id", "article_id", "guid"),
    "text": ("text", "content", "body", "article", "article_text"),
    "title": ("title", "headline"),
    "date": ("date", "published", "date_published", "pub_date", "publish_date", "date_extracted"),
    "outlet": ("outlet", "source", "newspaper", "publisher", "site"),
    "url": ("url", "link"),
}
# Removal rules that are not page chrome (they do not count as chrome lines).
NOT_CHROME = frozenset({"invisible", "control", "html_entity"})
REPORT_COLUMNS = ["item", "status", "reason", "encoding"]


class LoadError(ValueError):
    """An input item that cannot be read; the message names it, says why and what to do.

    Attributes: ``item`` (file, ``file:line`` or ``file#entry``), ``reason``,
    ``hint`` (what to do, in Python terms), ``cli_hint`` (the same for the
    command line) and ``skippable`` (``errors="skip"`` would have listed it
    and gone on).
    """

    def __init__(self, item: str, reason: str, hint: str = "", *, cli_hint: str = "", skippable: bool = False) -> None:
        self.item, self.reason, self.hint = item, reason, hint
        self.cli_hint, self.skippable = cli_hint or hint, skippable
        super().__init__(self._message(self.hint, "load with errors='skip'"))

    def _message(self, hint: str, skip: str) -> str:
        hints = [h for h in (hint, f"{skip} to list it and go on" if self.skippable else "") if h]
        return f"{self.item}: {self.reason}" + (f" ({'; or '.join(hints)})" if hints else "")

    def cli_message(self) -> str:
        """The message in command-line terms (``--text-column``, ``--errors skip``)."""
        return self._message(self.cli_hint, "rerun with --errors skip")

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a worker process, it arrives whole (fields and all) in the caller.
        return (_load_error, (self.item, self.reason, self.hint, self.cli_hint, self.skippable, dict(self.__dict__)))


def _load_error(item: str, reason: str, hint: str, cli_hint: str, skippable: bool, state: dict) -> LoadError:
    error = LoadError(item, reason, hint, cli_hint=cli_hint, skippable=skippable)
    error.__dict__.update(state)
    return error


@dataclass
class Document:
    """One article: metadata, raw text, clean text and what cleaning removed.

    ``raw_text`` is None when the corpus was loaded with ``keep_raw=False``.
    """

    doc_id: str
    title: str
    text: str
    raw_text: str | None
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
# Signatures of binary formats people put into text folders by mistake.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document (extract its text first, e.g. with pdftotext)"),
    (b"PK\x03\x04", "a zip archive or Office document (.docx/.xlsx are zips)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
)
# Characters that never occur in text. Form feed (page breaks in PDF
# extractions), tab and line ends are text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_FF = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_OR_CONTROL = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # one scan for both
# ... and the characters cleaning looks for (invisible, presentation forms,
# look-alike letters): one scan of a record rules all of them out.
_ODD = re.compile(_SURROGATE_OR_CONTROL.pattern[:-1] + _RARE.pattern[1:])
_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFC))
MAX_BAD_SHARE = 0.01  # more control characters than this: binary, not text
MAX_REPLACED_SHARE = 0.01  # more invalid UTF-8 than this: not a damaged UTF-8 file
_DECODE_HINT = "re-save it as UTF-8, or remove it from the corpus"


# _CONTROL in UTF-8 bytes: C0 and DEL are single bytes that never occur inside
# a multi-byte sequence; C1 (U+0080-U+009F) is \xc2 followed by \x80-\x9f.
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


def _bad_share(text: str, utf8: bytes | None = None) -> float:
    """Share of characters that never occur in text: controls (whole text),
    unassigned, private-use or surrogate code points (first 20,000 characters).

    ``utf8``: the bytes ``text`` was decoded from, where controls are counted
    several times faster than in the decoded text.
    """
    if not text:
        return 0.0
    n = _utf8_controls(utf8) if utf8 is not None else len(_CONTROL.findall(text))
    return n / len(text) + _odd_share(text[:_ODD_SAMPLE])


_ODD_SAMPLE = 20000  # characters of a text checked for unassigned, private-use and surrogate code points


def _utf8_controls(utf8: bytes) -> int:
    """How many ``_CONTROL`` characters UTF-8 bytes hold (counted in the bytes)."""
    c1 = len(_C1_UTF8.findall(utf8)) if b"\xc2" in utf8 else 0  # (U+0080-U+00FF: rare in Arabic text)
    return len(utf8) - len(utf8.translate(None, _C0_BYTES)) + c1


def _odd_share(sample: str) -> float:
    """Share of unassigned, private-use or surrogate code points in ``sample``."""
    return sum(1 for ch in sample if ch > "\x7f" and unicodedata.category(ch) in ("Cn", "Co", "Cs")) / len(sample)


# A .jsonl, .csv, .tsv or .json file (or zip member) larger than this is read a
# block at a time: memory then holds a block and the records in flight, not the
# file (a .json file when its top level is an array). Parquet is read whole, a
# file at a time (one table): shard big exports of it.
_STREAM_BYTES = 64 << 20
_STREAMED = (".jsonl", ".csv", ".tsv", ".json")
_PARQUET_ROWS = 1000  # rows of a large Parquet file turned into Python values at a time
_DELIMITER = {".csv": ",", ".tsv": "\t"}
_BLOCK_BYTES = 8 << 20
_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # json's own white space
_JSON_NUMBER_REST = re.compile(r"[0-9.eE+-]*\Z")
_JSON_VALUE_BYTES = 4 * _BLOCK_BYTES  # an array element larger than this: the file is read whole
# What reading a file or zip member a block at a time can raise
_STREAM_ERRORS = (OSError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError)


class _ReadWhole(Exception):
    """The text is not one valid JSON array (or has an element too large to
    hold apart): read it whole, so that ``json.loads`` says what is wrong."""


def _json_array(open_stream: Callable[[], BinaryIO], enc: str, errors: str = "strict") -> Iterator[Any]:
    """The elements of a top-level JSON array, a block of text at a time: the
    values ``json.loads`` gives for the whole text (the same decoder, element
    by element). Raises :class:`_ReadWhole` for anything else, or for an
    element over ``_JSON_VALUE_BYTES``.

    >>> import io
    >>> list(_json_array(lambda: io.BytesIO(b' [{"a": "]"}, 12 ,[]] '), "utf-8"))
    [{'a': ']'}, 12, []]
    """
    decoder = json.JSONDecoder()
    with open_stream() as fh:
        text = codecs.getincrementaldecoder(enc)(errors)
        buf, at, done = "", 0, False

        def more() -> bool:
            """Append the next block to the unread text; False at the end."""
            nonlocal buf, at, done
            if done:
                return False
            block = fh.read(_BLOCK_BYTES)
            done = not block
            buf = buf[at:] + text.decode(block, final=done)
            at = 0
            return True

        def next_char() -> str:
            """The next character after white space ('' at the end of the text)."""
            nonlocal at
            while True:
                at = _JSON_SPACE.match(buf, at).end()
                if at < len(buf):
                    return buf[at]
                if not more():
                    return ""

        if next_char() != "[":
            raise _ReadWhole
        at += 1
        if next_char() == "]":
            at += 1
        else:
            while True:
                next_char()
                try:
                    value, stop = decoder.raw_decode(buf, at)
                except json.JSONDecodeError:  # cut by the block's end, or malformed
                    if len(buf) - at > _JSON_VALUE_BYTES or not more():
                        raise _ReadWhole from None
                    continue
                # A number may go on in the next block («0.» then «5»): only what follows it tells.
                if buf[at] in "-0123456789" and _JSON_NUMBER_REST.match(buf, stop) and more():
                    continue
                at = stop
                yield value
                following = next_char()
                if following == "]":
                    at += 1
                    break
                if following != ",":
                    raise _ReadWhole
                at += 1
        if next_char():  # anything after the array
            raise _ReadWhole


def _readable_parquet(path: Path, groups: Iterable[int] | None = None) -> bool:
    """Whether every batch of a Parquet file (or of its row ``groups``)
    decodes and is valid (strings UTF-8; a first pass, without converting any
    value to Python): a damaged file is then read whole as before, and
    skipped whole with its error, not after some of its rows."""
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as pf:
            for batch in pf.iter_batches(batch_size=_PARQUET_ROWS, row_groups=groups):
                batch.validate(full=True)  # UTF-8 of the strings too
    except Exception:  # noqa: BLE001 (pyarrow raises several types for damaged files)
        return False
    return True


def _check_row_group(path: str, group: int) -> bool:
    """:func:`_readable_parquet` of one row group (run by a worker, see :func:`_parquet_spans`)."""
    return _readable_parquet(Path(path), [group])


class _Utf8(NamedTuple):
    """How a large file that :func:`_decode` would read as UTF-8 is read a block (or span) at a time."""

    encoding: str  # "utf-8", or "utf-8-sig" after a BOM
    repairs: tuple[str, ...] = ()  # UTF-8 with a few damaged bytes: decoded with U+FFFD for them, as _decode says

    @property
    def errors(self) -> str:
        return "replace" if self.repairs else "strict"


@dataclass
class _Utf8Tally:
    """What :func:`_decode` weighs of a UTF-8 text, added up block by block
    (or span by span): every figure is a sum, or the first of its kind."""

    chars: int = 0
    controls: int = 0  # _CONTROL characters, counted in the bytes
    sample: str = ""  # the text's first _ODD_SAMPLE characters
    fffd: int = 0  # U+FFFD in the text decoded with errors="replace" ...
    literal: int = 0  # ... of which the bytes held as such (the rest replace damaged bytes)
    other_non_ascii: bool = False  # a non-ASCII character that is not U+FFFD (UTF-8 evidence)
    first_bad: int = -1  # byte offset of the first damaged sequence

    def add(self, text: str, data: bytes, fffd_bytes: bytes | None = None) -> None:
        """Count ``text``, decoded from ``data``; ``fffd_bytes``: the bytes to
        look for U+FFFD's encoding in, when it may straddle blocks (default: ``data``)."""
        self.chars += len(text)
        self.controls += _utf8_controls(data)
        self.sample += text[: _ODD_SAMPLE - len(self.sample)]
        fffd = text.count("\ufffd")
        if fffd:  # (no U+FFFD in the text: none in the bytes either)
            self.fffd += fffd
            self.literal += (data if fffd_bytes is None else fffd_bytes).count(b"\xef\xbf\xbd")
            self.other_non_ascii = self.other_non_ascii or not text.replace("\ufffd", "").isascii()
        else:
            self.other_non_ascii = self.other_non_ascii or not text.isascii()

    def merge(self, other: _Utf8Tally) -> None:
        """Add the tally of the next span."""
        self.chars += other.chars
        self.controls += other.controls
        self.sample += other.sample[: _ODD_SAMPLE - len(self.sample)]
        self.fffd += other.fffd
        self.literal += other.literal
        self.other_non_ascii = self.other_non_ascii or other.other_non_ascii
        if self.first_bad < 0:
            self.first_bad = other.first_bad

    def verdict(self, enc: str) -> _Utf8 | None:
        """How :func:`_decode` reads the text: as ``enc``, as UTF-8 with the
        damaged bytes replaced (and this repair recorded), or None: otherwise
        (an error, another encoding), which reading the file whole says."""
        replaced = self.fffd - self.literal
        bad = self.controls / self.chars + _odd_share(self.sample) if self.chars else 0.0
        if not replaced:
            # _decode refuses BOM-less UTF-8 with this share as binary data
            return None if enc == "utf-8" and bad >= MAX_BAD_SHARE else _Utf8(enc)
        if enc == "utf-8" and self.other_non_ascii and replaced <= MAX_REPLACED_SHARE * self.chars \
                and bad < MAX_BAD_SHARE:
            return _Utf8(enc, (_replaced_note(replaced, self.first_bad),))
        return None  # damaged after a BOM (an error), too damaged, another encoding: as read whole


def _replaced_note(replaced: int, first_bad: int) -> str:
    """The load report's reason for a damaged UTF-8 file read with U+FFFD."""
    return f"{replaced} invalid UTF-8 byte sequence(s) replaced with U+FFFD, the first at byte {first_bad}"


def _first_bad(data: bytes, final: bool = True) -> int:
    """Offset of the first byte sequence of ``data`` that is not UTF-8 (-1: none)."""
    try:
        codecs.utf_8_decode(data, "strict", final)
    except UnicodeDecodeError as e:
        return e.start
    return -1


def _utf8_reading(open_stream: Callable[[], BinaryIO]) -> _Utf8 | None:
    """How :func:`_decode` would read the stream, when that is as UTF-8 (with
    or without BOM), with no repair or with its few damaged bytes replaced
    (:class:`_Utf8`); checked a block at a time. None for anything else
    (another encoding, too damaged or binary data, a read error), which is
    then read whole and decoded, repaired or refused as usual."""
    try:
        with open_stream() as fh:
            block = fh.read(max(_BLOCK_BYTES, 8192))  # _decode looks at the first 8 KiB
            enc = _plain_head(block)
            if enc is None:
                return None
            decoder = codecs.getincrementaldecoder(enc)("replace")
            tally = _Utf8Tally()
            offset = 0  # bytes of the stream before this block
            last = tail = b""
            while True:
                pending = decoder.getstate()[0] if enc == "utf-8" else b""
                final = not block
                text = decoder.decode(block, final=final)
                # as _bad_share counts them in UTF-8 bytes (a C1 pair, or U+FFFD's three bytes, may
                # straddle two blocks)
                before = tally.fffd - tally.literal
                tally.add(text, last + block, tail + block)
                if tally.first_bad < 0 and tally.fffd - tally.literal > before:
                    tally.first_bad = offset - len(pending) + _first_bad(pending + block, final)
                if final:
                    break
                offset += len(block)
                last = block[-1:] if block.endswith(b"\xc2") else b""
                tail = (tail + block)[-2:]
                block = fh.read(_BLOCK_BYTES)
    except (*_STREAM_ERRORS, RuntimeError, ValueError):
        return None
    return tally.verdict(enc)


def _plain_head(head: bytes) -> str | None:
    """The encoding :func:`_utf8_reading` checks a stream for, from its first
    8 KiB (``"utf-8-sig"`` after a BOM), or None when they show another
    encoding or binary data."""
    enc = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if enc == "utf-8" and (
        any(head.startswith(bom) for bom, _ in _BOMS)
        or any(head.startswith(magic) for magic, _ in _MAGIC)
        or b"\x00" in head[:8192]
        or b"\x06" in head[:8192]
    ):
        return None
    return enc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reading it says why
        return 0


def _large(path: Path) -> bool:
    """Over ``_STREAM_BYTES``: not read whole (a block, or 1,000 Parquet rows, at a time)."""
    return _size(path) > _STREAM_BYTES


def _streamed(path: Path) -> bool:
    """Whether the loader reads this file a block at a time (if it is UTF-8, see _utf8_reading)."""
    return path.suffix.lower() in _STREAMED and _large(path)


def _stream_lines(open_stream: Callable[[], BinaryIO], enc: str, item: str, csv_lines: bool = False,
                  errors: str = "strict") -> Iterator[str]:
    """The lines of a stream of text in ``enc``, a block at a time: as
    ``text.split("\\n")`` (JSONL), or with ``csv_lines`` as iterating
    ``io.StringIO(text, newline="")`` gives them to ``csv`` (line ends kept,
    ``\\r\\n``, ``\\n`` or ``\\r``)."""
    try:
        with open_stream() as fh:
            if csv_lines:
                with io.TextIOWrapper(fh, encoding=enc, errors=errors, newline="") as text:
                    text._CHUNK_SIZE = _BLOCK_BYTES  # noqa: SLF001 (CPython reads 8 KiB at a time otherwise)
                    yield from text
                return
            decoder = codecs.getincrementaldecoder(enc)(errors)
            rest = ""
            while block := fh.read(_BLOCK_BYTES):
                lines = (rest + decoder.decode(block)).split("\n")
                rest = lines.pop()
                yield from lines
            yield rest + decoder.decode(b"", final=True)
    except _STREAM_ERRORS as e:  # changed since checked
        hint = "check that the file exists and is readable"
        raise LoadError(item, f"cannot read: {_one_line(str(e))}", hint) from None


class _Span(NamedTuple):
    """Whole lines of a large JSONL file, whole records of a large CSV file,
    or a row group of a large Parquet file, read apart from the rest (by a worker)."""

    start: int  # byte offsets: the span is data[start:end] (a row group: where its compressed bytes would be)
    end: int
    line: int  # the number of its first line in the file (as csv counts them in a CSV file; a row group: its first row)
    encoding: str  # the file's: "utf-8", or "utf-8-sig" when it starts with a BOM; "parquet"
    columns: _Columns | None  # the file's, found from its first record (None: a placeholder, see engine._planned_cut)
    repairs: tuple[str, ...] = ()  # the file's damaged bytes, replaced with U+FFFD (see _Utf8)
    row_group: int = -1  # the row group of a Parquet file (-1: lines or records of a JSONL or CSV file)


# The first _ODD_SAMPLE characters of a file lie in its first bytes (4 a character at most, and a BOM).
_SAMPLE_BYTES = 4 * _ODD_SAMPLE + len(codecs.BOM_UTF8)


def _span_cuts(path: Path, size: int) -> tuple[list[int], int]:
    """Where spans of whole lines of about ``size`` bytes start (after the
    first line break at or past ``size`` bytes into the span before), and the
    file's size; found by seeking and reading a little at each cut, not by
    reading the file."""
    n = _size(path)
    cuts = [0]
    with path.open("rb") as fh:
        while cuts[-1] + size < n:
            at = cuts[-1] + size
            fh.seek(at)
            while (piece := fh.read(1 << 16)) and (j := piece.find(b"\n")) < 0:
                at += len(piece)
            if not piece:  # no line break to the end: the last span runs to it
                break
            cuts.append(at + j + 1)
    return cuts, n


def _check_span(path: str, start: int, end: int, enc: str) -> tuple[_Utf8Tally, int] | None:
    """What :func:`_utf8_reading` learns from bytes ``start:end`` of a file, a
    span of whole lines (its :class:`_Utf8Tally`), and its line breaks; None
    when they cannot be read. Runs in a worker (see :func:`_jsonl_spans`)."""
    data = _span_bytes(path, start, end)
    if data is None:
        return None
    return _span_tally(data, start, enc), data.count(b"\n")


def _span_bytes(path: str, start: int, end: int) -> bytes | None:
    """Bytes ``start:end`` of a file; None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            return fh.read(end - start)
    except OSError:
        return None


def _span_tally(data: bytes, start: int, enc: str) -> _Utf8Tally:
    """The :class:`_Utf8Tally` of bytes ``data`` of a file, from offset
    ``start``: a span of whole lines."""
    # A BOM only at the start of the file. A span ends after a line break, so
    # no character, C1 pair or damaged sequence straddles two spans.
    text = data.decode(enc if start == 0 else "utf-8", "replace")
    tally = _Utf8Tally()
    tally.add(text, data)
    if start >= _SAMPLE_BYTES:  # the file's first characters lie in its first bytes
        tally.sample = ""
    if tally.fffd > tally.literal:
        tally.first_bad = start + _first_bad(data)
    return tally


def _utf8_spans(path: Path, size: int, spread: Callable[..., Iterable[Any]] = map, delimiter: str | None = None
                ) -> tuple[list[tuple[int, int, int]], _Utf8] | None:
    """The spans of whole lines of about ``size`` bytes of a file, as (start,
    end, number of the first line), and how to decode them; None when
    :func:`_utf8_reading` would not read it as UTF-8.

    The check is made span by span with ``spread`` (``map``, or the engine's
    map on its workers, so that a large file is not decoded on one core
    before any of it is counted), and is the whole file's check: the spans'
    tallies add up to the file's (see :class:`_Utf8Tally`). With a CSV
    ``delimiter``, spans of whole records (see :func:`_csv_cuts`), each also
    checked for its quotes (:func:`_csv_span_check`).
    """
    try:
        with path.open("rb") as fh:
            enc = _plain_head(fh.read(8192))
        if enc is None:
            return None
        cuts, n = _span_cuts(path, size) if delimiter is None else _csv_cuts(path, size)
        bounds = [(a, b) for a, b in zip(cuts, [*cuts[1:], n], strict=True) if b > a]
        if not bounds:  # an empty file
            return [], _Utf8(enc)
        k = len(bounds)
        args = [[str(path)] * k, *zip(*bounds, strict=True), [enc] * k]
        checks = list(spread(_check_span, *args) if delimiter is None
                      else spread(_csv_span_check, *args, [delimiter] * k))
    except (OSError, ValueError, RuntimeError):  # read as one, which reports it as before
        return None
    if None in checks:
        return None
    tally = _Utf8Tally()
    for span_tally, _ in checks:
        tally.merge(span_tally)
    verdict = tally.verdict(enc)
    if verdict is None:
        return None
    lines = itertools.accumulate((breaks for _, breaks in checks[:-1]), initial=1)
    return [(a, b, line) for (a, b), line in zip(bounds, lines, strict=True)], verdict


def _jsonl_spans(path: Path, item: str, names: dict[str, str | None], size: int,
                 spread: Callable[..., Iterable[Any]] = map) -> list[_Span] | None:
    """Cut a large JSONL file into spans of whole lines of about ``size``
    bytes each (see :func:`_utf8_spans`), so that several workers can read
    it at once, each its own spans, and name each record by its line as the
    whole file's reading would. The file's columns are found from its first
    record, as :meth:`_Loader.records` finds them.

    None (read the file as one, as before) when it is not UTF-8 (plain, or
    with a few damaged bytes, read as reading it whole reads them), or when
    its first span has no record or no text column.
    """
    plain = _utf8_spans(path, size, spread)
    if plain is None or not plain[0]:
        return None
    spans, utf8 = plain
    try:
        with path.open("rb") as fh:
            head = fh.read(spans[0][1]).decode(utf8.encoding, utf8.errors)
        for line in head.split("\n"):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                columns = _Columns(rec.keys(), item, names)
                break
        else:
            return None
    except (OSError, UnicodeDecodeError, LoadError):
        return None
    return [_Span(a, b, line, utf8.encoding, columns, utf8.repairs) for a, b, line in spans]


def _csv_cuts(path: Path, size: int) -> tuple[list[int], int]:
    """Where spans of whole records of about ``size`` bytes of a CSV file
    start: after the first line break (``\\n``) at or past ``size`` bytes into
    the span before that has an even number of quote characters before it
    (so it is outside any quoted field, if every quote of the file opens,
    closes or doubles inside a quoted field, which :func:`_csv_span_check`
    checks, see :func:`_quotes_in_place`); found in one pass that counts
    quotes. And the file's size.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv") as f:
    ...     _ = f.write(b'id,text\\n1,"a\\nb"\\n2,c\\n')
    ...     _ = f.flush()
    ...     _csv_cuts(Path(f.name), 1)
    ([0, 8, 16], 20)
    """
    cuts, odd, at, target = [0], 0, 0, size
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK_BYTES):
            pos = 0  # the quotes of the block before pos are counted in odd
            while (s := max(target - at, pos)) < len(block):
                odd ^= block.count(b'"', pos, s) & 1
                pos = s
                nl = block.find(b"\n", pos)
                if nl < 0:
                    break
                odd ^= block.count(b'"', pos, nl) & 1
                pos = nl + 1
                if not odd:
                    cuts.append(at + pos)
                    target = at + pos + size
            odd ^= block.count(b'"', pos) & 1
            at += len(block)
    if cuts[-1] >= at and len(cuts) > 1:  # a cut at the very end (a file ending with a line break)
        cuts.pop()
    return cuts, at


def _quotes_in_place(data: bytes, start: int, delimiter: str, open_end: bool = False) -> bool:
    """Whether, in ``data[start:]`` read from the start of a record, every
    quote character opens a field, closes one (before a delimiter, a line
    end or the end), or doubles inside a quoted field, and the last field is
    closed: then ``csv`` ends a record exactly at each line break outside
    quotes, where the count of quotes before it is even. No NUL either
    (``csv`` refuses it). The quotes are found by ``re`` and checked in NumPy,
    not byte by byte. ``open_end``: the last field may go on past the end
    (the head of a file, see :func:`_head_may_cut`).

    >>> _quotes_in_place(b'1,"a ""b""\\nc",d\\n2,e\\n', 0, ",")
    True
    >>> _quotes_in_place(b'1,5" screen\\n', 0, ","), _quotes_in_place(b'1,"a"b\\n', 0, ",")
    (False, False)
    """
    if b"\x00" in data:
        return False
    q = np.fromiter((m.start() for m in _QUOTE.finditer(data, start)), dtype=np.int64)
    if len(q) % 2 and not open_end:
        return False
    if not len(q):
        return True
    byte = np.frombuffer(data, dtype=np.uint8)
    ends = np.frombuffer(delimiter.encode() + b"\r\n", dtype=np.uint8)
    opening, closing = q[0::2], q[1::2]
    doubled = opening[1:] == closing[: len(opening) - 1] + 1  # «""» inside a quoted field: closes and opens again
    opens = (opening == start) | np.isin(byte[np.maximum(opening - 1, 0)], ends) | np.r_[False, doubled]
    after = np.minimum(closing + 1, len(byte) - 1)
    closes = (closing + 1 == len(byte)) | np.isin(byte[after], ends) | np.r_[doubled, False][: len(closing)]
    return bool(opens.all() and closes.all())


_QUOTE = re.compile(b'"')


def _line_breaks(data: bytes) -> int:
    """Line breaks as ``csv`` (reading lines with ``newline=""``) counts them: ``\\r\\n``, ``\\n`` or ``\\r``.

    >>> _line_breaks(b"a\\r\\nb\\nc\\rd\\n\\r")
    5
    """
    n = data.count(b"\n")
    return n + data.count(b"\r") - data.count(b"\r\n") if b"\r" in data else n


def _head_may_cut(path: Path, delimiter: str | None, size: int) -> bool:
    """Whether the first ``size`` bytes of a large JSONL (``delimiter`` None)
    or CSV file look as those of a file that can be cut: UTF-8 (at most 1% of
    their characters damaged, as :class:`_Utf8Tally` allows for the whole
    file) and, for CSV, every quote of their lines in place
    (:func:`_quotes_in_place`; the last field may go on after them). Looked
    at before the workers start, to decide who reads (see
    ``engine._planned_cut``): a file that fails here is read by this
    process, which hands out chunks, rather than by one worker whole when
    its check fails later. The whole file is checked when it is cut.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv") as f:
    ...     _ = f.write(b'id,text\\n1,"a\\nb ""c""\\nd"\\n2,5" screen\\n')
    ...     _ = f.flush()
    ...     _head_may_cut(Path(f.name), ",", 20), _head_may_cut(Path(f.name), ",", 100)
    (True, False)
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(size)
    except OSError:
        return False
    enc = _plain_head(head)
    if enc is None:
        return False
    text = head.decode(enc, "replace")
    # (+1: a character cut short by the end of the head)
    if text.count("\ufffd") - head.count(b"\xef\xbf\xbd") > MAX_REPLACED_SHARE * len(text) + 1:
        return False
    if delimiter is None:
        return True
    first = len(codecs.BOM_UTF8) if enc == "utf-8-sig" else 0
    return _quotes_in_place(head[: head.rfind(b"\n") + 1], first, delimiter, open_end=True)


def _csv_span_check(path: str, start: int, end: int, enc: str, delimiter: str) -> tuple[_Utf8Tally, int] | None:
    """:func:`_check_span` of a span of a CSV file, its line breaks counted as
    ``csv`` counts them (``\\r\\n``, ``\\n`` or ``\\r``); None also when it
    is not whole records whose quotes all belong to quoted fields (then the
    span may not have been cut where ``csv`` ends a record). Runs in a worker."""
    data = _span_bytes(path, start, end)
    if data is None:
        return None
    first = len(codecs.BOM_UTF8) if start == 0 and enc == "utf-8-sig" else 0
    if not _quotes_in_place(data, first, delimiter):
        return None
    return _span_tally(data, start, enc), _line_breaks(data)


def _csv_spans(path: Path, item: str, names: dict[str, str | None], delimiter: str, size: int,
               spread: Callable[..., Iterable[Any]] = map) -> list[_Span] | None:
    """Cut a large CSV (or TSV) file into spans of whole records of about
    ``size`` bytes each (see :func:`_csv_cuts`), read apart by several workers,
    each record named by the line it starts on, as reading the whole file
    names it. The spans are checked with ``spread`` (on the engine's
    workers): the file's encoding as :func:`_utf8_reading` checks it, and that
    each span is whole records whose quotes all belong to quoted fields.

    None (read the file as one, as before) when it is not UTF-8 (plain, or with
    a few damaged bytes), when a quote stands elsewhere (``csv`` takes it as a
    character: a cut found by counting quotes could fall inside a field), or
    when its header is malformed, repeats a name or has no text column.
    """
    checked = _utf8_spans(path, size, spread, delimiter)
    if checked is None or len(checked[0]) < 2:
        return None
    spans, utf8 = checked
    try:
        with path.open("rb") as fh:
            head = fh.read(spans[0][1]).decode(utf8.encoding, utf8.errors)
        header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True))
        if len(set(header)) < len(header):
            return None
        columns = _Columns(header, item, names)
    except (OSError, UnicodeDecodeError, StopIteration, csv.Error, LoadError):
        return None
    return [_Span(a, b, line, utf8.encoding, columns, utf8.repairs) for a, b, line in spans]


# A large Parquet file is cut into its row groups when it has two or more and
# none is larger than this (compressed): a file written as one row group (as
# pandas does up to a million rows) is read 1,000 rows at a time by one
# process, which hands out chunks, rather than all of it by one worker.
_ROW_GROUP_BYTES = 32 << 20


def _row_group_sizes(path: Path) -> list[int] | None:
    """Compressed bytes of each row group of a Parquet file that can be cut
    (see ``_ROW_GROUP_BYTES``), else None; from its footer alone."""
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path) as pf:
            meta = pf.metadata
            sizes = [sum(g.column(j).total_compressed_size for j in range(g.num_columns))
                     for g in map(meta.row_group, range(meta.num_row_groups))]
    except Exception:  # noqa: BLE001 (a damaged file: read as one, which reports it)
        return None
    return sizes if len(sizes) >= 2 and max(sizes) <= _ROW_GROUP_BYTES else None


def _parquet_spans(path: Path, item: str, names: dict[str, str | None],
                   spread: Callable[..., Iterable[Any]] = map) -> list[_Span] | None:
    """A large Parquet file cut into its row groups, each read apart (by a
    worker) and its rows named as reading the whole file names them
    (``file.parquet#ROW``). None (read it as one, as before) when its row
    groups are too few or too large (see ``_ROW_GROUP_BYTES``), when a row
    group does not decode (checked on the workers with ``spread``, as
    :func:`_readable_parquet` checks the whole file), or when it has no rows.
    The columns are found from the first row, as :meth:`_Loader.records` finds them.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    sizes = _row_group_sizes(path)
    if sizes is None or not all(spread(_check_row_group, [str(path)] * len(sizes), range(len(sizes)))):
        return None
    try:
        with pq.ParquetFile(path) as pf:
            rows = [pf.metadata.row_group(i).num_rows for i in range(len(sizes))]
            first = next((i for i, n in enumerate(rows) if n), None)
            if first is None:
                return None
            batch = next(pf.iter_batches(batch_size=1, row_groups=[first]))
            frame = pa.Table.from_batches([batch], schema=pf.schema_arrow).to_pandas()
            columns = _Columns(frame.columns, item, names)
    except Exception:  # noqa: BLE001 (not seen: every row group was checked)
        return None
    starts = itertools.accumulate(sizes[:-1], initial=0)
    before = itertools.accumulate(rows[:-1], initial=0)
    return [_Span(at, at + size, row, "parquet", columns, (), i)
            for i, (at, size, row, n) in enumerate(zip(starts, sizes, before, rows, strict=True)) if n]


def _stream_json(open_stream: Callable[[], BinaryIO], enc: str, item: str, errors: str = "strict") -> Iterator[Any]:
    """:func:`_json_array` of a file checked already: a failure now means it changed."""
    try:
        yield from _json_array(open_stream, enc, errors)
    except (_ReadWhole, *_STREAM_ERRORS) as e:
        reason = "it changed while it was read" if isinstance(e, _ReadWhole) else _one_line(str(e))
        raise LoadError(item, f"cannot read: {reason}", "check that the file exists and is readable") from None


def _char_counts(text: str, step: int = 1 << 20) -> tuple[int, int]:
    """(non-ASCII characters, Arabic characters) of ``text``, counted ``step``
    characters at a time as code points in NumPy: a regex's ``findall`` would
    make a string object per character, 50-odd bytes each (1.5 GB of them for
    a 37 MB file of Arabic), where this holds 4 bytes a character of one step.

    >>> _char_counts("abc سوريا ﻻ é", step=4)
    (7, 6)
    """
    non_ascii = arabic = 0
    for start in range(0, len(text), step):
        cps = np.frombuffer(text[start : start + step].encode("utf-32-le", "surrogatepass"), dtype="<u4")
        non_ascii += int(np.count_nonzero(cps > 0x7F))
        arabic += sum(int(np.count_nonzero((cps >= lo) & (cps <= hi))) for lo, hi in _ARABIC_RANGES)
    return non_ascii, arabic


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` looks like BOM-less UTF-16 text.

    Arabic and ASCII text has, in UTF-16, nearly every high byte equal to 0x06
    (the Arabic block) or 0x00 (ASCII: spaces, digits, line ends), and low
    bytes that are rarely 0x00. Random or binary data does not.
    """
    sample = data[:8192]
    if len(sample) < 2:
        return None
    for enc, high, low in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        counts = Counter(high)
        if low.count(0) > 0.05 * len(low) or counts[0] + counts[6] < 0.5 * len(high):
            continue
        if sum(n for _, n in counts.most_common(2)) >= 0.9 * len(high):
            return enc
    return None


def _decode(data: bytes, item: str) -> tuple[str, str, list[str]]:
    """(text, encoding, repairs) for one file's bytes; see :func:`decode_bytes`."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as e:
                raise LoadError(
                    item,
                    f"starts with a {enc} byte-order mark but is not valid {enc} ({e.reason} at byte {e.start})",
                    _DECODE_HINT,
                ) from None
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise LoadError(item, f"binary data, not a text file: {kind}", "remove it from the corpus folder")
    if b"\x00" in data[:8192] or b"\x06" in data[:8192]:  # NUL and ACK: never in 8-bit text
        enc16 = _utf16_without_bom(data)
        if enc16:
            if len(data) % 2:
                raise LoadError(
                    item, f"looks like {enc16} text but has an odd number of bytes (truncated?)", _DECODE_HINT
                )
            try:
                text = data.decode(enc16)
            except UnicodeDecodeError as e:
                raise LoadError(
                    item,
                    f"looks like {enc16} text but is not valid {enc16} ({e.reason} at byte {e.start})",
                    _DECODE_HINT,
                ) from None
            if _bad_share(text) < MAX_BAD_SHARE:
                return text, enc16, []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        first_bad = e.start
    else:
        if _bad_share(text, utf8=data) < MAX_BAD_SHARE:
            return text, "utf-8", []
        raise LoadError(item, "binary data (control characters), not a text file", "remove it from the corpus folder")
    # Not valid UTF-8. Three cases: UTF-8 with a few damaged bytes (a truncated
    # download), UTF-8 mixed with another encoding, or another encoding.
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    # Non-ASCII characters that decoded correctly: real UTF-8 evidence.
    # Windows-1256 Arabic decodes to almost none (about one in a thousand).
    valid = _char_counts(text)[0] - text.count("\ufffd")
    if valid > 0 and replaced <= MAX_REPLACED_SHARE * len(text) and _bad_share(text) < MAX_BAD_SHARE:
        return (
            text,
            "utf-8",
            [_replaced_note(replaced, first_bad)],
        )
    if valid >= max(20, 0.05 * (valid + replaced)) and _bad_share(text) < MAX_BAD_SHARE:
        raise LoadError(
            item,
            f"mixed encodings: valid UTF-8 text and {replaced} invalid byte sequences, the first at byte {first_bad}",
            "re-save the whole file as UTF-8",
        )
    text = data.decode("cp1256")  # defines all 256 bytes: never fails
    non_ascii, arabic = _char_counts(text)
    if _bad_share(text) < MAX_BAD_SHARE and non_ascii and arabic >= 0.7 * non_ascii:
        return text, "cp1256", []
    if _bad_share(text) >= MAX_BAD_SHARE:
        reason = (
            f"binary data, not a text file (invalid UTF-8 at byte {first_bad}, control characters in every reading)"
        )
    else:
        reason = f"undecodable text: invalid UTF-8 at byte {first_bad}, and not UTF-16 or Windows-1256 Arabic either"
    raise LoadError(item, reason, _DECODE_HINT)


def decode_bytes(data: bytes, item: str) -> tuple[str, str]:
    """Decode one file's bytes: UTF-8 (with or without BOM), UTF-16/32 with a
    BOM or recognisable without one, else Windows-1256. Returns (text, encoding).

    A UTF-8 file with a few damaged bytes (at most 1% of its characters) is
    read with U+FFFD in their place (:func:`load_corpus` records this). A
    Windows-1256 text that never has two letters side by side (a few
    characters long) can also be valid UTF-8 and is then read as UTF-8.
    Raises :class:`LoadError` naming ``item`` for binary or undecodable data.

    >>> decode_bytes("سورية".encode("cp1256"), "x.txt")
    ('سورية', 'cp1256')
    >>> decode_bytes("سورية".encode("utf-16-le"), "x.txt")
    ('سورية', 'utf-16-le')
    """
    text, enc, _ = _decode(data, item)
    return text, enc


# ---------------------------------------------------------------- records


def _pick(columns: Iterable[str], wanted: str | None, role: str, item: str, required: bool) -> str | None:
    cols = list(columns)
    option = "source" if role == "outlet" else role
    if wanted:
        if wanted not in cols:
            raise LoadError(
                item,
                f"no column {wanted!r} for the {role}; columns found: {cols}",
                f"pass one of them with {option}_column=...",
                cli_hint=f"pass one of them with --{option}-column",
            )
        return wanted
    lower = {str(c).lower(): c for c in cols}
    for name in COLUMN_DEFAULTS[role]:
        if name in lower:
            return lower[name]
    if required:
        raise LoadError(
            item,
            f"no {role} column (looked for {', '.join(COLUMN_DEFAULTS[role])}); columns found: {cols}",
            f"name the column with {option}_column=...",
            cli_hint=f"name the column with --{option}-column",
        )
    return None


class _Columns:
    """Column names resolved once per table."""

    def __init__(self, columns: Iterable[str], item: str, names: dict[str, str | None]) -> None:
        cols = list(columns)
        self.names = cols  # in the table's order (a CSV span's header)
        self.map = {
            role: _pick(cols, names.get(role), role, item, required=(role == "text")) for role in COLUMN_DEFAULTS
        }
        self.extra = [c for c in cols if c not in self.map.values()]


Rows = Iterator[tuple[str, "dict | LoadError"]]


def _rows_csv(data: str | Iterable[str], item: str, delimiter: str, header: list[str] | None = None,
              first: int = 1) -> Rows:
    """Rows of a CSV text, or of its lines (see :func:`_stream_lines`); with
    ``header``, of a span of the file after its header, whose first line is
    line ``first`` of the file (see :func:`_csv_spans`)."""
    csv.field_size_limit(sys.maxsize)
    lines = io.StringIO(data, newline="") if isinstance(data, str) else data
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    if header is None:
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise LoadError(f"{item}:1", f"malformed CSV header: {e}", "check the quoting of the first line") from None
        dupes = sorted({c for c in header if header.count(c) > 1})
        if dupes:
            raise LoadError(
                f"{item}:1", f"duplicate column name(s) {dupes}; columns found: {header}",
                "give every column its own name"
            )
    while True:
        # the line this record starts on (line_num counts the lines read: the header's, for a whole file)
        start = reader.line_num + first
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            where = f"{item}:{start}"
            what = "a quoted field is never closed" if "end of data" in str(e) else str(e)
            yield (
                where,
                LoadError(
                    where,
                    f"malformed CSV in the record starting on line {start}: {what}; "
                    f"the rest of the file (lines {start}-{reader.line_num + first - 1}) was not read",
                    "check the quoting: a field with commas, quotes or line breaks must be quoted, "
                    'with quotes inside it doubled ("")',
                ),
            )
            return
        where = f"{item}:{start}"
        if not row:
            continue  # a blank line is not a record
        if len(row) != len(header):
            yield (
                where,
                LoadError(
                    where,
                    f"{len(row)} fields where the header has {len(header)}",
                    "check the quoting: a field with commas or line breaks must be quoted",
                ),
            )
            continue
        yield where, dict(zip(header, row, strict=True))


def _rows_json(data: str, item: str) -> Rows:
    try:
        records = json.loads(data)
    except json.JSONDecodeError as e:
        raise LoadError(
            f"{item}:{e.lineno}",
            f"malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}",
            "fix the file (a JSON array of objects), or export it as JSON Lines",
        ) from None
    if isinstance(records, dict):
        # {"articles": [...]} style exports: the one list-valued field.
        lists = [k for k, v in records.items() if isinstance(v, list)]
        if len(lists) != 1:
            raise LoadError(
                item,
                f"a JSON object with {len(lists)} list fields {lists}; keys found: {list(records)[:20]}",
                "give an array of article objects, or an object with exactly one such array",
            )
        records = records[lists[0]]
    if not isinstance(records, list):
        raise LoadError(item, f"JSON is a {type(records).__name__}, not an array of article objects")
    yield from _json_rows(records, item)


def _json_rows(records: Iterable[Any], item: str) -> Rows:
    """The rows of a JSON array's elements: each an object with a text field."""
    for i, rec in enumerate(records):
        where = f"{item}#{i}"
        yield (
            where,
            rec
            if isinstance(rec, dict)
            else LoadError(where, f"entry {i} is a {type(rec).__name__}, not an object with a text field"),
        )


def _rows_jsonl(lines: Iterable[str], item: str, first: int = 1) -> Rows:
    """The rows of JSON lines, numbered from ``first`` (a span of a file starts further on)."""
    for number, line in enumerate(lines, first):
        if not line.strip():
            continue  # a blank line is not a record
        where = f"{item}:{number}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield (
                where,
                LoadError(
                    where, f"malformed JSON line (column {e.colno}): {e.msg}", "each line must be one JSON object"
                ),
            )
            continue
        yield (
            where,
            rec
            if isinstance(rec, dict)
            else LoadError(
                where, f"line is a JSON {type(rec).__name__}, not an object", "each line must be one JSON object"
            ),
        )


def _parquet_rows(path: Path, item: str, group: int = -1, first: int = 0) -> Rows:
    """The rows of a Parquet file (or of its row ``group``, whose first row is
    row ``first`` of the file), ``_PARQUET_ROWS`` at a time, converted as
    :func:`_rows_parquet` converts the whole file (pandas, with the file's
    schema, so an index stored as a column stays out of the rows). Batches
    end with their row group, so a file is converted in the same batches
    whether it is read whole or row group by row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as pf:
        at = first
        for g in [group] if group >= 0 else range(pf.metadata.num_row_groups):
            for batch in pf.iter_batches(batch_size=_PARQUET_ROWS, row_groups=[g]):
                try:
                    rows = pa.Table.from_batches([batch], schema=pf.schema_arrow).to_pandas().to_dict("records")
                except Exception as e:  # noqa: BLE001 (not seen: the first pass validates every batch)
                    raise _parquet_error(f"{item}#{at}", e) from None
                for rec in rows:
                    yield f"{item}#{at}", rec
                    at += 1


def _parquet_error(item: str, e: Exception) -> LoadError:
    return LoadError(
        item, f"unreadable Parquet: {_one_line(str(e))}", "check the file, or export the corpus as CSV or JSON Lines"
    )


def _rows_parquet(data: bytes, item: str) -> Rows:
    try:
        # Converted here: a string column that is not UTF-8 fails in to_dict.
        rows = pd.read_parquet(io.BytesIO(data)).to_dict("records")
    except Exception as e:  # pyarrow raises several types for corrupt files
        raise _parquet_error(item, e) from None
    for i, rec in enumerate(rows):
        yield f"{item}#{i}", rec


# ---------------------------------------------------------------- loading


@dataclass
class _Options:
    errors: str = "raise"
    clean: bool = True
    columns: dict[str, str | None] = field(default_factory=dict)
    metadata: _Metadata | None = None
    fields: bool = False  # deferred records carry their metadata fields (to make Documents elsewhere)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(value: Any) -> str:
    """A metadata value as text: None and NaN are empty, 3.0 is "3"."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _article_text(value: Any, where: str) -> str:
    """The text field of a record; numbers become text, containers are errors."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return _decode(value, where)[0]
    if value is None or isinstance(value, int | float):
        return _text(value)
    raise LoadError(
        where, f"the text field is a {type(value).__name__}, not text", "store the article text as a string"
    )


# An HTML tag or comment (only looked for when the text has a "<").
_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--")


class Prepared(NamedTuple):
    """What :func:`prepare_text` makes of one record's raw text."""

    skip: str  # why the record is skipped; "" when it is kept
    raw: str  # the raw text (lone surrogates replaced)
    clean: str
    removed: list[Removal]
    repairs: list[str]  # what was repaired (goes to the load report)
    notes: list[str]  # what is worth knowing (goes to the load report)


def prepare_text(raw: str, is_file: bool = False, clean: bool = True) -> Prepared:
    """The per-record step of loading: repairs, control characters, cleaning.

    Pure (no state, picklable in and out), so the engine runs it in worker
    processes; :meth:`_Loader.settle` does the rest in reading order.
    """
    repairs: list[str] = []
    rare = odd = _ODD.search(raw) is not None
    if odd:
        odd = _SURROGATE_OR_CONTROL.search(raw) is not None
        rare = _RARE.search(raw) is not None
    if odd and _SURROGATE.search(raw):  # only from JSON "\\ud800" escapes; cannot be written out
        n = len(_SURROGATE.findall(raw))
        raw = _SURROGATE.sub("\ufffd", raw)
        repairs.append(f"{n} lone surrogate(s) replaced with U+FFFD")
    if not raw.strip():
        what = "file" if is_file else "text field"
        return Prepared(f"empty {what}" if not raw else f"only white space in the {what}", raw, "", [], repairs, [])
    # Control characters are cut before cleaning (raw lines keep their numbers).
    controls: list[Removal] = []
    text = raw
    if odd and _CONTROL_OR_FF.search(raw):
        for number, line in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
            found = _CONTROL_OR_FF.findall(line)
            if found and set(found) != {"\x0c"}:
                controls.append(Removal("control", number, "".join(found)))
        text = _CONTROL.sub("", raw).replace("\x0c", "\n")
    if clean:
        out, removed = _clean_text(text, rare)
    else:
        out, removed = text.replace("\r\n", "\n"), []
    if controls:
        removed = sorted([*removed, *controls], key=lambda r: r.line)
    if not out.strip():
        return Prepared("no text left after removing page chrome and control characters", raw, out, removed,
                        repairs, [])
    notes = []
    m = _MARKUP.search(out) if "<" in out else None
    if m:
        notes.append(f"note: contains HTML markup ({_one_line(m.group())[:40]!r}), kept as text")
    if not _ARABIC_LETTER.search(out):
        notes.append("note: no Arabic letters")
    return Prepared("", raw, out, removed, repairs, notes)


class _Pending(NamedTuple):
    """A record read but not yet cleaned (the engine cleans it in a worker)."""

    item: str
    given_id: str  # the id field, or the item name; made unique by settle()
    raw: str
    is_file: bool
    repairs: list[str]
    row: dict[str, str]  # its load report row, filled by settle()
    fields: dict[str, Any] | None = None  # title, date ... (with _Options.fields; see _document)


def _document(item: str, doc_id: str, fields: dict[str, Any], clean: str, raw: str | None,
              removed: list[Removal]) -> Document:
    """The Document of a record settled as ``doc_id`` (its fields as read, its text cleaned)."""
    title = decode_entities(_SURROGATE.sub("\ufffd", _text(fields.get("title"))))[0].strip()
    if not title:  # the first line (found, not split off: the rest is not copied)
        end = clean.find("\n")
        title = (clean if end < 0 else clean[:end]).strip()
    return Document(
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


class _Loader:
    """Walks the inputs, yields Documents and fills the load report."""

    def __init__(self, opts: _Options, where: str = "", defer: bool = False) -> None:
        self.opts = opts
        self.defer = defer  # make() returns _Pending records, cleaned and settled by the caller
        self.report: list[dict[str, str]] = []
        self.noted = 0  # rows appended (the caller may move settled rows out of the list, see engine._ReportLog)
        self.ids: dict[str, str] = {}  # doc_id -> item that has it
        self.where = where  # folder to prefix to item names in errors

    def note(self, item: str, status: str, reason: str = "", encoding: str = "") -> dict[str, str]:
        row = {"item": item, "status": status, "reason": reason, "encoding": encoding}
        self.report.append(row)
        self.noted += 1
        return row

    def fail(self, err: LoadError, encoding: str = "") -> None:
        if self.opts.errors == "raise":
            item = os.path.join(self.where, err.item) if self.where else err.item
            final = LoadError(item, err.reason, err.hint, cli_hint=err.cli_hint, skippable=True)
            final.final = True
            raise final from None
        self.note(err.item, "skipped", err.reason, encoding)

    def make(
        self, item: str, fields: dict[str, Any], encoding: str, repairs: list[str], is_file: bool = False
    ) -> Document | _Pending | None:
        raw = fields.get("text", "")
        given = _SURROGATE.sub("\ufffd", _text(fields.get("id"))).strip() or item
        if self.defer:  # cleaned elsewhere (a worker); the report row is kept in reading order
            kept = {k: v for k, v in fields.items() if k != "text"} if self.opts.fields else None
            return _Pending(item, given, raw, is_file, repairs, self.note(item, "", "", encoding), kept)
        prepared = prepare_text(raw, is_file, self.opts.clean)
        doc_id = self.settle(item, given, repairs, prepared, self.note(item, "", "", encoding))
        if doc_id is None:
            return None
        return _document(item, doc_id, fields, prepared.clean, prepared.raw, prepared.removed)

    def settle(self, item: str, given_id: str, repairs: list[str], prepared: Prepared,
               row: dict[str, str]) -> str | None:
        """The serial step after :func:`prepare_text`: fills the record's load
        report ``row`` and returns its unique id (None: skipped). Runs in
        reading order, so ids and the report do not depend on who cleaned."""
        if prepared.skip:
            row.update(status="skipped", reason=prepared.skip)
            return None
        repairs = [*repairs, *prepared.repairs]
        doc_id = given_id
        if doc_id in self.ids:
            n = 2
            while f"{doc_id}#{n}" in self.ids:
                n += 1
            repairs.append(f"duplicate id {doc_id!r} (already used by {self.ids[doc_id]}) renamed to {doc_id}#{n}")
            doc_id = f"{doc_id}#{n}"
        self.ids[doc_id] = item
        row.update(status="recovered" if repairs else "loaded", reason="; ".join(repairs + prepared.notes))
        return doc_id

    # -- one .txt article
    def txt(self, item: str, data: bytes, stem: str) -> Iterator[Document]:
        try:
            text, enc, repairs = _decode(data, item)
        except LoadError as e:
            self.fail(e)
            return
        fields: dict[str, Any] = {"text": text, "id": stem}
        meta = self.opts.metadata
        if meta is not None:
            row = meta.get(stem)
            if row is not None:
                fields.update(
                    {k: v for k, v in row.items() if k in ("title", "outlet", "date", "date_precision", "url")}
                )
                fields["meta"] = {k: v for k, v in row.items() if k not in fields}
        doc = self.make(item, fields, enc, repairs, is_file=True)
        if doc:
            yield doc

    # -- one tabular export
    def table(self, item: str, data: bytes, suffix: str) -> Iterator[Document]:
        def read() -> tuple[Rows, str, list[str]]:
            if suffix == ".parquet":
                return _rows_parquet(data, item), "parquet", []
            text, enc, repairs = _decode(data, item)
            if suffix in _DELIMITER:
                return _rows_csv(text, item, _DELIMITER[suffix]), enc, repairs
            if suffix == ".json":
                return _rows_json(text, item), enc, repairs
            return _rows_jsonl(text.split("\n"), item), enc, repairs

        yield from self.records(item, read)

    def blocks(self, item: str, open_stream: Callable[[], BinaryIO], suffix: str) -> Iterator[Document] | None:
        """The records of a large JSONL, CSV, TSV or JSON file read a block at a
        time, or None when it is not UTF-8, plain or with a few damaged bytes
        (then read whole, see :func:`_utf8_reading`), or is JSON but not one valid array (read whole,
        for its error or its one list field; checked by a first pass, so that a
        malformed file is still skipped whole, as before)."""
        utf8 = _utf8_reading(open_stream)
        if utf8 is None:
            return None
        enc, errors, repairs = utf8.encoding, utf8.errors, list(utf8.repairs)
        if suffix == ".json":
            try:
                for _ in _json_array(open_stream, enc, errors):
                    pass
            except (_ReadWhole, *_STREAM_ERRORS):
                return None
            return self.records(item, lambda: (_json_rows(_stream_json(open_stream, enc, item, errors), item), enc,
                                               repairs))
        if suffix == ".jsonl":
            rows = _rows_jsonl(_stream_lines(open_stream, enc, item, errors=errors), item)
        else:
            rows = _rows_csv(_stream_lines(open_stream, enc, item, csv_lines=True, errors=errors), item,
                             _DELIMITER[suffix])
        return self.records(item, lambda: (rows, enc, repairs))

    def records(self, item: str, read: Callable[[], tuple[Rows, str, list[str]]],
                columns: _Columns | None = None) -> Iterator[Document]:
        """The documents of one export: ``read()`` gives its rows, encoding and
        repairs. ``columns``: the export's, found already (a span of a file,
        whose rows are not the whole file's: no "no rows" note either)."""
        seen = self.noted
        enc = ""
        try:
            rows, enc, repairs = read()
            cols = columns
            for where, rec in rows:
                if isinstance(rec, LoadError):
                    self.fail(rec, enc)
                    continue
                if cols is None:
                    cols = _Columns(rec.keys(), item, self.opts.columns)
                text_col = cols.map["text"]
                if text_col not in rec:
                    self.fail(LoadError(where, f"no {text_col!r} field; fields found: {list(rec)}"), enc)
                    continue
                try:
                    fields = {role: rec.get(col) for role, col in cols.map.items() if col}
                    fields["text"] = _article_text(rec[text_col], where)
                except LoadError as e:
                    self.fail(e, enc)
                    continue
                fields["meta"] = {c: rec.get(c) for c in cols.extra}
                doc = self.make(where, fields, enc, list(repairs))
                if doc:
                    yield doc
        except LoadError as e:
            if getattr(e, "final", False):
                raise
            self.fail(e, enc)
            return
        if self.noted == seen and columns is None:
            self.note(item, "skipped", "no rows (empty file or header only)", enc)

    def span(self, path: Path, item: str, span: _Span) -> Iterator[Document]:
        """The records of one span of a large JSONL or CSV file (see
        :func:`_jsonl_spans`, :func:`_csv_spans`), or of one row group of a
        large Parquet file (see :func:`_parquet_spans`)."""
        if span.row_group >= 0:
            yield from self.records(item, lambda: (_parquet_rows(path, item, span.row_group, span.line), "parquet",
                                                   []), span.columns)
            return

        def read() -> tuple[Rows, str, list[str]]:
            try:
                with path.open("rb") as fh:
                    fh.seek(span.start)
                    data = fh.read(span.end - span.start)
                # A BOM only at the start of the file: further on, U+FEFF is a character of a line.
                encoding = span.encoding if span.start == 0 else "utf-8"
                text = data.decode(encoding, "replace" if span.repairs else "strict")
            except (OSError, UnicodeDecodeError) as e:  # changed since it was checked and cut
                hint = "check that the file exists and is readable"
                raise LoadError(item, f"cannot read: {_one_line(str(e))}", hint) from None
            suffix = path.suffix.lower()
            if suffix in _DELIMITER:
                # the header is the file's first record: read with the first span, given to the others
                header = None if span.start == 0 else span.columns.names
                rows = _rows_csv(text, item, _DELIMITER[suffix], header, span.line)
            else:
                rows = _rows_jsonl(text.split("\n"), item, span.line)
            return rows, span.encoding, list(span.repairs)

        yield from self.records(item, read, span.columns)

    def path(self, path: Path, item: str) -> Iterator[Document]:
        suffix = path.suffix.lower()
        if suffix == ".zip":
            yield from self.zip(path, item)
            return
        if suffix != ".txt" and suffix not in TABULAR:
            self.note(
                item,
                "skipped",
                f"not a corpus file ({suffix or 'no extension'}); read: .txt {' '.join(sorted(TABULAR))} .zip",
            )
            return
        if not path.is_file():  # a broken link, a pipe or a device: never block reading it
            self.fail(LoadError(item, "not a regular file (a broken link?)", "remove it or fix the link"))
            return
        if _streamed(path):
            streamed = self.blocks(item, lambda: path.open("rb"), suffix)
            if streamed is not None:
                yield from streamed
                return
        if suffix == ".parquet" and _large(path) and _readable_parquet(path):
            yield from self.records(item, lambda: (_parquet_rows(path, item), "parquet", []))
            return
        try:
            data = path.read_bytes()
        except OSError as e:
            self.fail(LoadError(item, f"cannot read: {e.strerror or e}", "check that the file exists and is readable"))
            return
        yield from self.member(item, data, suffix, path.stem)

    def member(self, item: str, data: bytes, suffix: str, stem: str) -> Iterator[Document]:
        if suffix == ".txt":
            yield from self.txt(item, data, stem)
        else:
            yield from self.table(item, data, suffix)

    def zip(self, path: Path, item: str) -> Iterator[Document]:
        try:
            zf = zipfile.ZipFile(path)
        except Exception as e:  # BadZipFile, OSError, EOFError, ValueError on damaged archives
            self.fail(LoadError(item, f"not a readable zip archive: {e}"))
            return
        with zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                member = f"{item}!{info.filename}"
                name = Path(info.filename)
                suffix = name.suffix.lower()
                if suffix != ".txt" and suffix not in TABULAR:
                    self.note(member, "skipped", f"not a corpus file ({suffix or 'no extension'})")
                    continue
                if suffix in _STREAMED and info.file_size > _STREAM_BYTES:
                    streamed = self.blocks(member, lambda info=info: zf.open(info), suffix)
                    if streamed is not None:
                        yield from streamed
                        continue
                try:
                    data = zf.read(info)
                except Exception as e:  # bad CRC, zlib/lzma errors, encryption, unsupported method
                    self.fail(LoadError(member, f"cannot extract from the zip: {_one_line(str(e))}"))
                    continue
                yield from self.member(member, data, suffix, name.stem)


class _Metadata:
    """Rows of ``corpus.csv``, found by every name a file may be matched with
    (``doc_id``, ``file`` with and without ``.txt``, ``id``; the first row wins),
    remembering which rows were used."""

    def __init__(self, meta: pd.DataFrame, path: Path) -> None:
        self.path = path
        self.rows = [{str(c): _text(v) for c, v in row.items()} for row in meta.to_dict("records")]
        self.index: dict[str, int] = {}
        self.used: set[int] = set()
        for col in ("doc_id", "file", "id"):
            if col in meta.columns:
                for i, row in enumerate(self.rows):
                    key = row[col].strip()
                    for k in (key, key.removesuffix(".txt")):
                        if k:
                            self.index.setdefault(k, i)

    def get(self, stem: str) -> dict[str, str] | None:
        i = self.index.get(stem)
        if i is None:
            return None
        self.used.add(i)
        return self.rows[i]

    def unused(self) -> list[str]:
        """A name (file, doc_id or id) for every row no article matched."""
        out = []
        for i, row in enumerate(self.rows):
            if i not in self.used:
                out.append(next((row[c] for c in ("file", "doc_id", "id") if row.get(c)), f"row {i + 2}"))
        return out


def _read_metadata(path: Path) -> pd.DataFrame:
    try:
        text, _, _ = _decode(path.read_bytes(), str(path))
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except LoadError:
        raise
    except OSError as e:
        raise LoadError(str(path), f"cannot read the metadata file: {e.strerror or e}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise LoadError(str(path), f"malformed metadata CSV: {_one_line(str(e))}", "fix or remove corpus.csv") from None


def _is_metadata(candidate: Path) -> bool:
    """A ``corpus.csv`` with a text column is an export, not metadata."""
    try:
        with candidate.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
            header = next(csv.reader(fh), [])
    except OSError:
        return True  # let the metadata reader report it
    cols = {c.strip().lower() for c in header}
    return not cols.intersection(COLUMN_DEFAULTS["text"])


def _find_metadata(folder: Path, files: list[Path]) -> Path | None:
    if not any(p.suffix.lower() == ".txt" for p in files):
        return None  # nothing to attach metadata to: a corpus.csv here is data
    for candidate in (folder / "corpus.csv", folder.parent / "corpus.csv"):
        if candidate.is_file() and _is_metadata(candidate):
            return candidate
    return None


def _inputs(path: Path) -> tuple[list[Path], Path | None, Path]:
    """(files to read, metadata file, folder item names are relative to)."""
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix not in TABULAR and suffix not in (".txt", ".zip"):
            raise LoadError(
                str(path),
                f"not a corpus file ({suffix or 'no extension'})",
                f"give a folder of .txt files or a {' '.join(sorted(TABULAR))} or .zip file",
            )
        return [path], None, path.parent
    if not path.is_dir():
        raise LoadError(str(path), "no such file or folder", "check the path", cli_hint="check the --corpus path")
    folder = path / "raw" if (path / "raw").is_dir() else path
    # Hidden files and folders (.git, .DS_Store, .ipynb_checkpoints) are not part of a corpus.
    files = sorted(
        p
        for p in folder.rglob("*")
        if not p.is_dir() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    meta = _find_metadata(folder, files)
    if meta is not None:
        files = [p for p in files if p.resolve() != meta.resolve()]
    return files, meta, folder


# SHA-256 of the bundled corpus's files (``data/raw/*.txt`` and the metadata
# ``data/corpus.csv``): the corpus the notebooks' commentary was written about.
BUNDLED_FILES = {
    "000_b4bb5a84539e25b9.txt": "576fe31fae50f0e6a4cd156842f735fdfdc7437dbc16b8af0fd012ab3fc13961",
    "001_34cc1170e1beb3ba.txt": "02249d5519ffcecb8680d6d510d6017ccf4a43171d6f13dd6810e766937ff768",
    "002_34de9ea8cd55db5f.txt": "f67c4fe4dae37530672a719372160dc63b9e8fdd4dd15f4a97c2628d26b2861a",
    "003_cfbd479925494924.txt": "ba5f123cb87d498a0370c5aa8426f45eebf29ba18083503c782025a55006cbc7",
    "004_9eeaefb4c80e2381.txt": "2390cca2e0d8263621e3dfea5094532c32faf4a4a68a7d3d628e4e77eab4ac13",
    "corpus.csv": "7218101b9dbcf5a05f7036d9aa8d2bc2a6dc9c32a1209d2f1135398530cc636e",
}


def is_bundled_corpus(path: str | Path) -> bool:
    """Whether ``path`` loads exactly the bundled five articles and their
    metadata, byte for byte (a copy of ``data/`` elsewhere counts; one
    changed, added or missing file does not). The report leaves out the
    notebooks' commentary on any other corpus.

    >>> is_bundled_corpus("data"), is_bundled_corpus("data/raw/000_b4bb5a84539e25b9.txt")
    (True, False)
    """
    try:
        files, meta, _ = _inputs(Path(path))
    except LoadError:
        return False
    named = files + ([meta] if meta is not None else [])
    if sorted(p.name for p in named) != sorted(BUNDLED_FILES):
        return False
    try:
        return all(hashlib.sha256(p.read_bytes()).hexdigest() == BUNDLED_FILES[p.name] for p in named)
    except OSError:  # unreadable: not the bundled corpus as shipped (the loader will say why)
        return False


def iter_documents(
    path: str | Path,
    *,
    errors: str = "raise",
    clean: bool = True,
    report: list[dict[str, str]] | None = None,
    warnings: list[str] | None = None,
    keep_raw: bool = True,
    **columns: str | None,
) -> Iterator[Document]:
    """Yield the documents of ``path`` one by one (streaming; see :func:`load_corpus`).

    Rows of the load report are appended to ``report`` and warnings (about
    the corpus as a whole) to ``warnings`` when lists are given.
    """
    _, records = _open(path, errors=errors, clean=clean, report=report, warnings=warnings, **columns)
    if keep_raw:
        yield from records
        return
    for doc in records:
        doc.raw_text = None
        yield doc


def _open(
    path: str | Path,
    *,
    errors: str = "raise",
    clean: bool = True,
    report: list[dict[str, str]] | None = None,
    warnings: list[str] | None = None,
    defer: bool = False,
    plan: tuple | None = None,
    **columns: str | None,
) -> tuple[_Loader, Iterator[Any]]:
    """The loader and its records: Documents, or with ``defer`` _Pending records
    that the caller cleans (:func:`prepare_text`) and settles (``loader.settle``).
    ``plan``: what :func:`_plan` gave for these arguments, if the caller has it."""
    warnings = warnings if warnings is not None else []
    path = Path(path)
    files, meta_path, opts, where = plan or _plan(path, errors, clean, warnings, columns)
    loader = _Loader(opts, where=where, defer=defer)
    if report is not None:
        loader.report = report

    def records() -> Iterator[Any]:
        for file, item in files:
            yield from loader.path(file, item)
        if opts.metadata is not None:
            unused = opts.metadata.unused()
            if unused:
                warnings.append(
                    f"{len(unused)} row(s) of {meta_path} match no article file: "
                    + ", ".join(unused[:5])
                    + (" ..." if len(unused) > 5 else "")
                )

    return loader, records()


def _plan(path: Path, errors: str, clean: bool, warnings: list[str], columns: dict[str, str | None]
          ) -> tuple[list[tuple[Path, str]], Path | None, _Options, str]:
    """What reading ``path`` takes: its files in reading order with their item
    names, the metadata file, the loader's options and the folder item names
    are given relative to (for messages)."""
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', not {errors!r}")
    files, meta_path, root = _inputs(path)
    opts = _Options(errors=errors, clean=clean, columns=_column_names(columns))
    if meta_path is not None:
        try:
            opts.metadata = _Metadata(_read_metadata(meta_path), meta_path)
        except LoadError as e:
            if errors == "raise":
                raise
            warnings.append(f"metadata not used: {e}")
    where = root if path.is_file() else path / root.relative_to(path)
    items = [(file, file.relative_to(root).as_posix() if file != path else file.name) for file in files]
    return items, meta_path, opts, "" if str(where) == "." else str(where)


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


@gc_paused
def load_corpus(
    path: str | Path = "data",
    *,
    errors: str = "raise",
    clean: bool = True,
    vocabulary_options: dict[str, Any] | None = None,
    keep_raw: bool = True,
    engine: str = "local",
    n_workers: int | None = None,
    scheduler: Any = None,
    **columns: str | None,
) -> Corpus:
    """Load a corpus from a folder, an export file or a zip.

    Parameters
    ----------
    path : folder of ``.txt`` files (with ``raw/`` and ``corpus.csv``), or a
        ``.csv``/``.tsv``/``.json``/``.jsonl``/``.parquet``/``.zip`` file, or a
        folder of those.
    errors : ``"raise"`` (default) stops at the first unreadable item with a
        :class:`LoadError` naming it; ``"skip"`` lists it in ``load_report``
        and goes on. See the module docstring for every case.
    clean : remove page chrome (see :mod:`newslib.clean`); the raw text is kept.
    vocabulary_options : keywords for :class:`newslib.tokens.Vocabulary`
        (``stem``, ``min_len``, ``numbers``, normalisation switches).
    keep_raw : keep each document's ``raw_text``; ``False`` sets it to None
        and saves about a third of the corpus's memory (the notebooks do this:
        they read the clean text and ``removed``, never the raw text).
    engine, n_workers, scheduler : ``"processes"`` cleans the records on
        ``n_workers`` local processes (default: all cores), ``"dask"`` on a
        Dask cluster (see :mod:`newslib.engine`); the same Corpus as ``"local"``.
    text_column, title_column, date_column, source_column (or
    outlet_column), id_column, url_column : column names in tabular
        exports; by default the common names (``text``/``content``, ...).

    >>> corpus = load_corpus("data")
    >>> len(corpus), corpus[0].outlet
    (5, 'Syrian Telegraph (سيريان تلغراف)')
    """
    if engine != "local":
        from . import engine as engines

        return engines.load_corpus(path, engine=engine, n_workers=n_workers, scheduler=scheduler,
                                   keep_raw=keep_raw, vocabulary_options=vocabulary_options, errors=errors,
                                   clean=clean, **columns)
    report: list[dict[str, str]] = []
    warnings: list[str] = []
    docs = list(iter_documents(path, errors=errors, clean=clean, report=report, warnings=warnings,
                               keep_raw=keep_raw, **columns))
    frame = pd.DataFrame(report, columns=REPORT_COLUMNS)
    corpus = Corpus(docs, frame, vocabulary_options or {}, source=str(path))
    corpus.warnings.extend(warnings)
    if docs and not any(_ARABIC_LETTER.search(d.text) for d in docs):
        corpus.warnings.append(
            f"no Arabic letters in any of the {len(docs)} documents: newslib is built for Arabic; "
            "check the corpus path and the text column"
        )
    elif not docs:
        corpus.warnings.append(
            f"no documents loaded from {path}: {len(frame)} item(s) seen, all skipped"
            if len(frame)
            else f"no documents loaded from {path}: no .txt, {' '.join(sorted(TABULAR))} or .zip files found"
        )
    return corpus


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
            load_report if load_report is not None else pd.DataFrame(columns=["item", "status", "reason", "encoding"])
        )
        self.vocabulary_options = vocabulary_options or {}
        self.source = source
        # Notes about the corpus as a whole (no Arabic at all, unused metadata rows).
        self.warnings: list[str] = []
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

    @gc_paused
    def units(self, unit: str = "sentence", *, text: bool = True, tokens: bool = False) -> pd.DataFrame:
        """One row per paragraph, sentence or document: ``doc_id``, ``unit``
        (its index in the document), ``paragraph``, ``start``, ``end``, ``text``;
        ``tokens=True`` adds ``tokens`` (its word tokens), and ``text=False``
        leaves the text out (the frame's strings are copies: for lengths of a
        large corpus, ``text=False, tokens=True``).

        >>> text = "Moscow said so. Paris too."
        >>> c = Corpus([Document("d", "", text, text)])
        >>> c.units("sentence", text=False, tokens=True)[["unit", "start", "end", "tokens"]].values.tolist()
        [[0, 0, 15, 3], [1, 16, 26, 2]]
        """
        if unit not in ("sentence", "paragraph", "document"):
            raise ValueError("unit must be 'sentence', 'paragraph' or 'document'")
        rows: list[tuple[str, int, int, int, int]] = []
        pieces: list[str] = []  # the units' texts, while needed
        counts: list[int] = []
        for d in self.documents:
            if unit == "document":
                spans = [(0, 0, 0, len(d.text))]
            elif unit == "sentence":
                spans = [(u.sentence, u.paragraph, u.start, u.end) for u in sentences(d.text)]
            else:
                seen: dict[int, list[int]] = {}
                for u in sentences(d.text):
                    seen.setdefault(u.paragraph, [u.start, u.end])[1] = u.end
                spans = [(p, p, s, e) for p, (s, e) in seen.items()]
            rows += [(d.doc_id, *span) for span in spans]
            if tokens:
                counts += _span_token_counts(d.text, [(s, e) for _, _, s, e in spans])
            if text:
                pieces += [d.text[s:e] for _, _, s, e in spans]
        frame = pd.DataFrame(rows, columns=["doc_id", "unit", "paragraph", "start", "end"])
        if text:
            frame["text"] = pieces
        if tokens:
            frame["tokens"] = pd.array(counts, dtype="int64")
        return frame

    @gc_paused
    def to_frame(self, texts: bool = True) -> pd.DataFrame:
        """One row per document: ids, metadata, clean ``text`` and ``raw_text``
        (None where not kept; ``texts=False``: metadata only; the frame's strings are copies, so
        the texts would double the corpus's memory)."""
        rows = [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "outlet": d.outlet,
                "date": d.date,
                "date_precision": d.date_precision,
                "url": d.url,
                "source": d.source,
                **({"text": d.text, "raw_text": d.raw_text} if texts else {}),
                "chrome_removed": sum(1 for r in d.removed if r.rule not in NOT_CHROME),
            }
            for d in self.documents
        ]
        return pd.DataFrame(rows)

    def removals(self) -> pd.DataFrame:
        """Everything cleaning removed: ``doc_id``, ``rule``, ``line``, ``text``."""
        rows = [(d.doc_id, r.rule, r.line, r.text) for d in self.documents for r in d.removed]
        return pd.DataFrame(rows, columns=["doc_id", "rule", "line", "text"])

    @gc_paused
    def stats(self) -> dict[str, Any]:
        """The JSON summary of ``newslib stats``."""
        vocab = self.vocabulary
        n_par = n_sent = 0
        for d in self.documents:
            units = sentences(d.text)
            n_sent += len(units)
            n_par += len({u.paragraph for u in units})
        status = self.load_report["status"].value_counts().to_dict()
        tokens = sum(vocab.surface_counts.values())
        warnings = list(self.warnings)
        if len(self) and not tokens:
            warnings.append(f"no word tokens in the {len(self)} document(s): only punctuation or symbols")
        return {
            "documents": len(self),
            "paragraphs": n_par,
            "sentences": n_sent,
            "tokens": tokens,
            "arabic_tokens": sum(n for s, n in vocab.surface_counts.items() if _ARABIC_LETTER.search(s)),
            "types": len(vocab.key_counts(content_only=False)),
            "content_types": len(vocab.key_counts()),
            "chrome_lines_removed": int(sum(1 for d in self for r in d.removed if r.rule not in NOT_CHROME)),
            "items_seen": len(self.load_report),
            "loaded": int(status.get("loaded", 0)),
            "recovered": int(status.get("recovered", 0)),
            "skipped": int(status.get("skipped", 0)),
            "skipped_items": self.load_report.loc[self.load_report["status"] == "skipped", ["item", "reason"]].to_dict(
                "records"
            ),
            "warnings": warnings,
        }
