"""newslib: load, clean, tokenize and analyse Arabic news, with RTL-safe figures.

>>> import newslib
>>> corpus = newslib.load_corpus("data")
>>> len(corpus)
5
"""

from .corpus import Corpus, Document, LoadError, iter_documents, load_corpus
from .text import NORMALIZE_DEFAULTS, normalize
from .tokens import Token, Vocabulary, paragraphs, sentences, stopwords, tokenize

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "Document",
    "LoadError",
    "NORMALIZE_DEFAULTS",
    "Token",
    "Vocabulary",
    "iter_documents",
    "load_corpus",
    "normalize",
    "paragraphs",
    "sentences",
    "stopwords",
    "tokenize",
]
