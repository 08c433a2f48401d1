"""Pausing Python's cycle collector during bulk work.

Counting a corpus allocates millions of small objects (strings, tuples), none
of them in reference cycles; the collector's passes over them find nothing
and cost 10-15% of a term-matrix pass on SaudiNewsNet (measured: 5.7 s with,
4.8 s without). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def paused() -> Iterator[None]:
    """Disable the cycle collector inside the block, restoring its state after.

    >>> with paused():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def gc_paused(func: F) -> F:
    """Decorator: run ``func`` with the cycle collector paused (see :func:`paused`)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with paused():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
