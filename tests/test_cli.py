"""The ``newslib`` console script: ``newslib stats --corpus PATH``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import newslib
from newslib import paragraphs, sentences, tokenize

SCRIPT = Path(sys.executable).parent / "newslib"


def _run(*args: str, cwd: Path, module: bool = False) -> subprocess.CompletedProcess:
    if module or not SCRIPT.exists():
        command = [sys.executable, "-m", "newslib.cli", *args]
    else:
        command = [str(SCRIPT), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def stats_output(repo: Path) -> dict:
    result = _run("stats", "--corpus", "data", cwd=repo)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_console_script_is_installed() -> None:
    assert SCRIPT.exists(), f"no console script at {SCRIPT}: is the package installed (pip install -e .)?"


def test_stats_fields(stats_output: dict) -> None:
    for field in (
        "documents",
        "paragraphs",
        "sentences",
        "tokens",
        "types",
        "chrome_lines_removed",
        "skipped",
        "skipped_items",
    ):
        assert field in stats_output, field
    assert stats_output["documents"] == 5
    assert stats_output["skipped"] == 0 and stats_output["skipped_items"] == []


def test_stats_equal_a_recount(stats_output: dict, corpus: newslib.Corpus) -> None:
    texts = corpus.texts
    assert stats_output["paragraphs"] == sum(len(paragraphs(t)) for t in texts)
    assert stats_output["sentences"] == sum(len(sentences(t)) for t in texts)
    tokens = [t for doc in corpus for t in corpus.tokens(doc)]
    assert stats_output["tokens"] == len(tokens) == sum(len(tokenize(t)) for t in texts)
    assert stats_output["types"] == len({t.key for t in tokens})
    # the 18 chrome lines named in ../shared/corpus/README.md, at least
    assert stats_output["chrome_lines_removed"] >= 18
    assert stats_output == json.loads(json.dumps(corpus.stats(), ensure_ascii=False))


def test_stats_as_module(repo: Path, stats_output: dict) -> None:
    result = _run("stats", "--corpus", "data", cwd=repo, module=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == stats_output


def test_stats_on_an_export(tmp_path: Path, corpus: newslib.Corpus) -> None:
    rows = [{"Story": d.raw_text, "Heading": d.title} for d in corpus]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = _run("stats", "--corpus", str(path), "--text-column", "Story", "--title-column", "Heading", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == 5


def test_missing_corpus_is_a_one_line_error(tmp_path: Path) -> None:
    result = _run("stats", "--corpus", "nowhere", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stderr
    assert result.stdout == ""


def test_unreadable_file_error_and_skip(tmp_path: Path, repo: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(repo / "data" / "raw" / "001_34cc1170e1beb3ba.txt", folder)
    (folder / "scan.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    failed = _run("stats", "--corpus", str(folder), cwd=tmp_path)
    assert failed.returncode != 0
    assert "scan.txt" in failed.stderr and "Traceback" not in failed.stderr
    skipped = _run("stats", "--corpus", str(folder), "--errors", "skip", cwd=tmp_path)
    assert skipped.returncode == 0, skipped.stderr
    out = json.loads(skipped.stdout)
    assert out["documents"] == 1 and out["skipped"] == 1
    assert [s["item"] for s in out["skipped_items"]] == ["scan.txt"]


def test_stats_stream_and_equal_the_loaded_corpus(repo: Path, stats_output: dict, monkeypatch, capsys) -> None:
    """`newslib stats` (local engine) gives Corpus.stats() without loading the corpus."""
    import newslib
    import newslib.corpus
    from newslib.cli import main

    assert stats_output == json.loads(json.dumps(newslib.load_corpus(repo / "data").stats(), ensure_ascii=False))

    def no_loading(*args, **kwargs):
        raise AssertionError("newslib stats made a Document: it loaded the corpus")

    monkeypatch.setattr(newslib.corpus.Document, "__init__", no_loading)  # the streamed pass makes none
    assert main(["stats", "--corpus", str(repo / "data")]) == 0
    assert json.loads(capsys.readouterr().out) == stats_output


@pytest.mark.parametrize("engine", ["processes", "dask"])
def test_stats_on_every_engine_equal_the_local_engine(repo: Path, stats_output: dict, engine: str) -> None:
    done = _run("stats", "--corpus", "data", "--engine", engine, "--workers", "2", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == stats_output
