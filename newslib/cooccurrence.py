"""Who appears with whom: actor co-occurrence, association measures, a network.

Co-occurrence is counted in *units* (sentences by default, or paragraphs, or
whole documents): two actors co-occur in a unit when both are mentioned in it,
however often. The counts are one sparse matrix product, ``Xᵀ·X`` of the binary
(units x actors) matrix ``X``; counts of several chunks of a corpus add up.

Association measures compare the count with what independence predicts, over
**N = the number of units in the corpus, including units that mention no
actor** (``find_mentions`` records them in ``mentions.attrs["units"]``). With
``a``, ``b`` the numbers of units mentioning each actor and ``ab`` both:

- ``pmi`` = log2(N·ab / (a·b)); ``npmi`` = pmi / −log2(ab/N), in [−1, 1]
  (1 when ab = N);
- ``dice`` = 2·ab / (a + b); ``jaccard`` = ab / (a + b − ab);
- ``llr``: log-likelihood ratio G² = 2 Σ O·ln(O/E) over the 2x2 table of the
  pair (as corpus linguistics reports it; ≥ 0, large for strong association in
  either direction; compare ``pmi``'s sign for the direction).

>>> from newslib import load_corpus
>>> from newslib.actors import find_mentions, load_lexicon
>>> m = find_mentions(load_corpus("data"), load_lexicon("data/actors.yml"))
>>> c = cooccurrence(m)
>>> c.loc[0, "actor_a"], c.loc[0, "actor_b"], int(c.loc[0, "count"])
('csto', 'syria', 15)
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "COOCCURRENCE_COLUMNS",
    "WINDOWS",
    "actor_graph",
    "actor_matrix",
    "cooccurrence",
    "export_graph",
    "unit_actor_matrix",
    "write_edge_list",
    "write_gexf",
    "write_graphml",
]

WINDOWS = ("sentence", "paragraph", "document")
COOCCURRENCE_COLUMNS = [
    "actor_a", "actor_b", "count", "count_a", "count_b", "n_units",
    "pmi", "npmi", "dice", "jaccard", "llr",
]
MEASURES = ("count", "pmi", "npmi", "dice", "jaccard", "llr")


def _unit_codes(mentions: pd.DataFrame, window: str) -> pd.Series:
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {WINDOWS}, not {window!r}")
    doc = mentions["doc_id"].astype(str)
    if window == "document":
        return doc
    return doc + "\x1f" + mentions[window].astype(str)


def unit_actor_matrix(
    mentions: pd.DataFrame, window: str = "sentence", actors: Iterable[str] | None = None
) -> tuple[sp.csr_matrix, pd.Index, pd.Index]:
    """Binary (units x actors) CSR matrix of the units that mention an actor.

    Returns ``(X, units, actors)``: ``X[i, j] == 1`` when unit ``units[i]``
    mentions actor ``actors[j]``. ``actors`` defaults to the sorted ids found.
    """
    units, unit_index = pd.factorize(_unit_codes(mentions, window), sort=True)
    actor_index = pd.Index(sorted(mentions["actor"].unique()) if actors is None else list(actors))
    cols = actor_index.get_indexer(mentions["actor"])
    keep = cols >= 0
    x = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int64), (units[keep], cols[keep])),
        shape=(len(unit_index), len(actor_index)),
    )
    x.sum_duplicates()
    x.data[:] = 1
    return x, pd.Index(unit_index), actor_index


def _n_units(mentions: pd.DataFrame, window: str, n_units: Any, observed: int) -> int:
    if n_units is None:
        recorded = mentions.attrs.get("units", {})
        if window in recorded:
            n = int(recorded[window])
        else:
            warnings.warn(
                "cooccurrence: the mentions carry no unit count (attrs['units']); N is taken "
                "as the number of units with a mention, which overstates association. Pass "
                "n_units=corpus or an int.",
                UserWarning,
                stacklevel=3,
            )
            n = observed
    elif isinstance(n_units, int | np.integer):
        n = int(n_units)
    else:  # a corpus
        n = len(n_units.units(window, text=False))  # a count: no copy of the text
    if n < observed:
        raise ValueError(f"n_units={n} is smaller than the {observed} {window}s that mention an actor")
    return n


def cooccurrence(
    mentions: pd.DataFrame,
    window: str = "sentence",
    min_count: int = 1,
    *,
    n_units: int | Any = None,
) -> pd.DataFrame:
    """Pairs of actors mentioned in the same unit, with association measures.

    Parameters
    ----------
    mentions : the table of :func:`newslib.actors.find_mentions` (``doc_id``,
        ``paragraph``, ``sentence``, ``actor`` are used).
    window : ``"sentence"`` (default), ``"paragraph"`` or ``"document"``.
    min_count : keep pairs that co-occur in at least this many units.
    n_units : N, the number of units in the corpus (an int, or a
        :class:`newslib.Corpus` to count them). By default the count that
        ``find_mentions`` stored in ``mentions.attrs["units"]``.

    Returns
    -------
    One row per pair (``actor_a`` < ``actor_b``): ``count`` (units with both),
    ``count_a``, ``count_b`` (units with each), ``n_units`` (N) and ``pmi``,
    ``npmi``, ``dice``, ``jaccard``, ``llr`` (see the module docstring);
    sorted by count, then by the ids.
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    x, units, actors = unit_actor_matrix(mentions, window)
    n = _n_units(mentions, window, n_units, len(units))
    c = (x.T @ x).tocoo()
    diag = np.asarray(x.sum(axis=0)).ravel()
    upper = (c.row < c.col) & (c.data >= min_count)
    ia, ib, ab = c.row[upper], c.col[upper], c.data[upper].astype(float)
    a, b = diag[ia].astype(float), diag[ib].astype(float)
    frame = pd.DataFrame(
        {
            "actor_a": actors[ia],
            "actor_b": actors[ib],
            "count": ab.astype(np.int64),
            "count_a": a.astype(np.int64),
            "count_b": b.astype(np.int64),
            "n_units": np.full(len(ab), n, dtype=np.int64),
        }
    )
    frame = pd.concat([frame, pd.DataFrame(association(ab, a, b, n))], axis=1)
    frame = frame.sort_values(["count", "actor_a", "actor_b"], ascending=[False, True, True], ignore_index=True)
    frame.attrs["window"] = window
    frame.attrs["n_units"] = n
    return frame[COOCCURRENCE_COLUMNS]


def association(ab: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """PMI, NPMI, Dice, Jaccard and G² for joint counts ``ab`` and margins ``a``, ``b`` of N units."""
    ab, a, b = (np.asarray(v, dtype=float) for v in (ab, a, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(n * ab / (a * b))
        h = -np.log2(ab / n)
        npmi = np.where(h > 0, pmi / np.where(h > 0, h, 1), 1.0)
        observed = np.stack([ab, a - ab, b - ab, n - a - b + ab])
        rows = np.stack([a, a, n - a, n - a])
        cols = np.stack([b, n - b, b, n - b])
        expected = rows * cols / n
        terms = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return {
        "pmi": pmi,
        "npmi": npmi,
        "dice": 2 * ab / (a + b),
        "jaccard": ab / (a + b - ab),
        "llr": np.maximum(2 * terms.sum(axis=0), 0.0),
    }


def actor_matrix(mentions: pd.DataFrame, unit: str = "document", lexicon: Any = None) -> pd.DataFrame:
    """Mentions per actor and unit: rows are units (``doc_id`` for documents,
    ``(doc_id, sentence)``/``(doc_id, paragraph)`` otherwise), columns actor ids
    ordered by total mentions (labels when a ``lexicon`` is given)."""
    if unit not in WINDOWS:
        raise ValueError(f"unit must be one of {WINDOWS}, not {unit!r}")
    index = ["doc_id"] if unit == "document" else ["doc_id", unit]
    table = mentions.pivot_table(index=index, columns="actor", values="start", aggfunc="count", fill_value=0)
    order = table.sum().sort_values(ascending=False, kind="stable")
    table = table[order.index]
    table.columns.name = "actor"
    if lexicon is not None:
        table = table.rename(columns=lexicon.labels())
    return table.astype(np.int64)


def actor_graph(
    cooc: pd.DataFrame,
    lexicon: Any = None,
    mentions: pd.DataFrame | None = None,
    *,
    weight: str = "count",
    min_count: int = 1,
) -> nx.Graph:
    """The co-occurrence network: actors as nodes, pairs as edges.

    Nodes carry ``label``, ``label_en``, ``type`` (from the ``lexicon``) and
    ``mentions`` (their number of mentions in ``mentions``; actors mentioned
    but co-occurring with nobody are nodes too when ``mentions`` is given).
    Edges carry ``weight`` (the ``weight`` column: count, npmi, dice, ...),
    ``count`` and every association measure. Nodes and edges are added in a
    fixed order, so layouts and exports are deterministic.
    """
    if weight not in MEASURES:
        raise ValueError(f"weight must be one of {MEASURES}, not {weight!r}")
    edges = cooc[cooc["count"] >= min_count]
    counts = mentions["actor"].value_counts() if mentions is not None else pd.Series(dtype=np.int64)
    nodes = sorted(set(edges["actor_a"]) | set(edges["actor_b"]) | set(counts.index))
    g = nx.Graph()
    for node in nodes:
        actor = lexicon[node] if lexicon is not None and node in lexicon else None
        g.add_node(
            node,
            label=actor.label if actor else node,
            label_en=actor.label_en if actor else "",
            type=actor.type if actor else "",
            mentions=int(counts.get(node, 0)),
        )
    for row in edges.sort_values(["actor_a", "actor_b"]).itertuples(index=False):
        attrs = {m: float(getattr(row, m)) for m in MEASURES if m != "count"}
        g.add_edge(row.actor_a, row.actor_b, weight=float(getattr(row, weight)), count=int(row.count), **attrs)
    g.graph["window"] = cooc.attrs.get("window", "")
    g.graph["weight"] = weight
    return g


# ---------------------------------------------------------------- exports


def write_edge_list(g: nx.Graph, path: str | Path) -> Path:
    """CSV edge list (UTF-8): source, target, their labels, and every edge attribute."""
    path = Path(path)
    rows = []
    for u, v, data in g.edges(data=True):
        rows.append({"source": u, "target": v, "source_label": g.nodes[u].get("label", u),
                     "target_label": g.nodes[v].get("label", v), **data})
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return path


def write_graphml(g: nx.Graph, path: str | Path) -> Path:
    """GraphML (Gephi, Cytoscape, yEd), with node and edge attributes."""
    path = Path(path)
    nx.write_graphml(g, path, encoding="utf-8")
    return path


def write_gexf(g: nx.Graph, path: str | Path) -> Path:
    """GEXF (Gephi). The file's date is ``SOURCE_DATE_EPOCH`` when that is set,
    so that regenerating it gives identical bytes."""
    path = Path(path)
    text = "\n".join(nx.generate_gexf(g, encoding="utf-8")) + "\n"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        fixed = time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
        text = re.sub(r'lastmodifieddate="[^"]*"', f'lastmodifieddate="{fixed}"', text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


def export_graph(
    g: nx.Graph, out_dir: str | Path, name: str = "actor_network", formats: Iterable[str] = ("csv", "graphml", "gexf")
) -> dict[str, Path]:
    """Write ``g`` to ``out_dir/name.{csv,graphml,gexf}``; returns the paths by format."""
    writers = {"csv": write_edge_list, "graphml": write_graphml, "gexf": write_gexf}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for fmt in formats:
        if fmt not in writers:
            raise ValueError(f"unknown format {fmt!r}; known: {sorted(writers)}")
        suffix = "csv" if fmt == "csv" else fmt
        paths[fmt] = writers[fmt](g, out / f"{name}.{suffix}")
    return paths
