"""newslib: load, clean, tokenize and analyse Arabic news, with RTL-safe figures.

The corpus objects and text functions are imported with the package; the
analyses and plotting modules (which pull in matplotlib, scikit-learn, ...)
load on first use: ``newslib.rtl.setup()``, ``newslib.cluster_topics(...)``.

>>> import newslib
>>> corpus = newslib.load_corpus("data")
>>> len(corpus), newslib.document_term_matrix(corpus).terms["display"].iloc[0]
(5, 'سورية')
"""

from importlib import import_module
from typing import Any

from .corpus import Corpus, Document, LoadError, is_bundled_corpus, iter_documents, load_corpus
from .text import NORMALIZE_DEFAULTS, normalize
from .tokens import Token, Vocabulary, paragraphs, sentences, stopwords, tokenize

__version__ = "0.1.0"

_SUBMODULES = {
    "actors", "clean", "cooccurrence", "dtm", "engine", "plots", "report", "rtl", "tables", "terms", "topics"
}
_LAZY = {
    "document_term_matrix": "dtm",
    "load_lexicon": "actors",
    "find_mentions": "actors",
    "attribute_speech": "actors",
    "actor_graph": "cooccurrence",
    "cluster_topics": "topics",
    "choose_k": "topics",
    "run_report": "report",
}


def __getattr__(name: str) -> Any:
    # Modules and functions that need the heavy libraries load when first used.
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'newslib' has no attribute {name!r}")


__all__ = [
    "Corpus",
    "Document",
    "LoadError",
    "NORMALIZE_DEFAULTS",
    "Token",
    "Vocabulary",
    "is_bundled_corpus",
    "iter_documents",
    "load_corpus",
    "normalize",
    "paragraphs",
    "sentences",
    "stopwords",
    "tokenize",
    *sorted(_LAZY),
]
