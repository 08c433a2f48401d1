"""Shared fixtures: the repository, the bundled corpus, the shared benchmark data."""

from __future__ import annotations

from pathlib import Path

import pytest

import newslib

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    """The project root (the folder holding pyproject.toml)."""
    return REPO


@pytest.fixture(scope="session")
def corpus() -> newslib.Corpus:
    """The bundled five-article corpus, loaded once per session (read-only!)."""
    return newslib.load_corpus(REPO / "data")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the project (seed corpus, benchmark data)."""
    return REPO.parent / "shared"


@pytest.fixture(scope="session")
def bench_dir(shared_dir: Path) -> Path:
    """``../shared/bench``; tests that need it skip with a message when it is absent."""
    path = shared_dir / "bench"
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (../shared/bench beside the project)")
    return path
