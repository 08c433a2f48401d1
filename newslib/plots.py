"""Plot helpers the notebooks share, laid out for an Arabic reader.

Each helper passes every text through :func:`newslib.rtl.label` itself, so
callers hand over plain Arabic strings.  Each returns ``(fig, ax)``; pass *ax*
to draw into an existing axes.  Right-to-left conventions: categories read from
the right (bar labels and heatmap rows on the right, the first heatmap column
on the right, bars growing leftwards from a baseline on the right), titles
aligned right.

>>> from newslib import plots, rtl
>>> fig, ax = plots.bar_terms(["سورية", "روسيا"], [12, 30])
>>> [t.get_text() for t in ax.get_yticklabels()] == [rtl.label("روسيا"), rtl.label("سورية")]
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from . import rtl

__all__ = ["bar_terms", "gallery", "heatmap", "network", "word_cloud", "word_cloud_image"]


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    rtl.setup()
    if ax is None:
        # constrained layout keeps right-hand tick labels inside the canvas
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    else:
        fig = ax.figure
    return fig, ax


def _title(ax, title: str | None) -> None:
    if title:
        ax.set_title(rtl.label(title), loc="right")


def _number(v: float, fmt: str | None = None) -> str:
    if fmt:
        try:
            return format(v, fmt)
        except (ValueError, TypeError):
            pass
    if float(v).is_integer():
        return f"{int(v):d}"
    return f"{v:.3g}"


def bar_terms(
    labels: Sequence[str],
    values: Sequence[float],
    ax=None,
    title: str | None = None,
    xlabel: str | None = None,
    color: str = "#3b6ea5",
):
    """Horizontal bars of terms, largest at the top, read from the right.

    Bars are sorted by value (ties keep input order), grow from a baseline on
    the right towards the left, carry their value at the end, and have their
    labels on the right-hand side.
    """
    labels, values = list(labels), [float(v) for v in values]
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    order = sorted(range(len(values)), key=lambda i: -values[i])  # stable
    fig, ax = _axes(ax, (6, 0.35 * len(labels) + 1.2))
    y = np.arange(len(order))
    bars = ax.barh(y, [values[i] for i in order], color=color)
    ax.set_yticks(y, [rtl.label(labels[i]) for i in order])
    ax.invert_yaxis()  # first (largest) at the top
    ax.invert_xaxis()  # zero on the right, bars grow leftwards
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.tick_params(axis="y", length=0)
    for side in ("left", "top"):
        ax.spines[side].set_visible(False)
    ax.bar_label(bars, labels=[_number(values[i]) for i in order], padding=3, fontsize=8)
    ax.margins(x=0.12)
    _title(ax, title)
    if xlabel:
        ax.set_xlabel(rtl.label(xlabel), loc="right")
    return fig, ax


def heatmap(frame, ax=None, title: str | None = None, cmap: str = "Blues", fmt: str = "d"):
    """A matrix (DataFrame with Arabic index and columns) with values in the cells.

    The first column is on the right and row labels are on the right, as in a
    right-to-left spreadsheet.  Column labels are slanted with the start of the
    word (its right end) at the tick.
    """
    values = frame.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig, ax = _axes(ax, (0.75 * n_cols + 2.5, 0.5 * n_rows + 1.5))
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    ax.set_xticks(np.arange(n_cols), [rtl.label(c) for c in frame.columns])
    ax.set_yticks(np.arange(n_rows), [rtl.label(r) for r in frame.index])
    ax.invert_xaxis()
    ax.yaxis.tick_right()
    ax.tick_params(length=0)
    for label in ax.get_xticklabels():
        label.set(rotation=45, ha="right", rotation_mode="anchor")
    finite = values[np.isfinite(values)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(values):
        if not math.isfinite(v):
            continue
        ax.text(j, i, _number(v, fmt), ha="center", va="center", fontsize=8,
                color="white" if v > middle else "black")
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.colorbar(image, ax=ax, location="left", shrink=0.8)
    _title(ax, title)
    return fig, ax


def _edges(graph) -> list[tuple]:
    """Edges with data, in an order that does not depend on how the graph was built."""
    def key(e):
        pair = (str(e[0]), str(e[1]))
        return pair if graph.is_directed() else tuple(sorted(pair))

    return sorted(graph.edges(data=True), key=key)


def _layout(graph, weight: str, seed: int) -> dict:
    """Spring layout that does not depend on insertion order."""
    import networkx as nx

    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes, key=str))
    edges = _edges(graph)
    ordered.add_edges_from((u, v, {"w": float(d.get(weight, 1.0))}) for u, v, d in edges)
    return nx.spring_layout(ordered, seed=seed, weight="w")


def network(graph, ax=None, weight: str = "weight", size: str = "mentions",
            label: str = "label", seed: int = 0):
    """A co-occurrence network: node area by *size*, edge width by *weight*.

    The layout is networkx's spring layout with a fixed *seed* over nodes and
    edges in sorted order, so the same graph gives the same picture however it
    was built.  Node labels come from the *label* attribute (else the node).
    """
    import networkx as nx

    fig, ax = _axes(ax, (7, 6))
    nodes = sorted(graph.nodes, key=str)
    pos = _layout(graph, weight, seed)
    sizes = np.array([float(graph.nodes[n].get(size, 1.0)) for n in nodes])
    areas = 150 + 1850 * sizes / sizes.max() if len(nodes) and sizes.max() > 0 else 300
    edges = _edges(graph)
    weights = np.array([float(d.get(weight, 1.0)) for _, _, d in edges])
    if len(edges):
        widths = 0.5 + 5.5 * weights / weights.max() if weights.max() > 0 else 1.0
        nx.draw_networkx_edges(graph, pos, edgelist=[(u, v) for u, v, _ in edges],
                               width=widths, edge_color="#9aa5b1", alpha=0.8, ax=ax)
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_size=areas,
                           node_color="#f2b134", edgecolors="#7a5a12", ax=ax)
    texts = [ax.text(*pos[n], rtl.label(str(graph.nodes[n].get(label, n))), ha="center", va="center",
                     fontsize=9, zorder=5,
                     bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
             for n in nodes]
    ax.set_axis_off()
    ax.margins(0.12)
    _separate_labels(ax, texts)
    return fig, ax


def _separate_labels(ax, texts: list) -> None:
    """Move overlapping labels apart (adjustText), and join a label to its node
    by a thin line when it has moved off it. A fixed number of iterations, not
    adjustText's default time limit, so the same graph gives the same picture."""
    if len(texts) < 2:
        return
    from adjustText import adjust_text

    nodes = [t.get_position() for t in texts]
    adjust_text(texts, ax=ax, avoid_self=False, iter_lim=400, time_lim=None, ensure_inside_axes=True,
                expand=(1.08, 1.25))
    to_pixels = ax.transData.transform
    for text, node in zip(texts, nodes, strict=True):
        at = text.get_position()
        if np.hypot(*(to_pixels(at) - to_pixels(node))) > 12:  # off its node, not just nudged
            ax.plot([node[0], at[0]], [node[1], at[1]], color="#555555", linewidth=0.6, zorder=4)


def word_cloud_image(frequencies: Mapping[str, float], seed: int = 0, width: int = 800,
                     height: int = 400, max_words: int = 200, colormap: str = "viridis"):
    """The :class:`wordcloud.WordCloud` behind :func:`word_cloud`, already generated.

    Words go through ``rtl.label(word, target="pil")`` (wordcloud draws with
    Pillow's default layout engine, which :func:`rtl.probe` measures), use the
    suite's font, and stay horizontal: rotated Arabic is hard to read.
    """
    from wordcloud import WordCloud

    rtl.setup()
    labelled: dict[str, float] = {}
    for word, freq in frequencies.items():
        if freq > 0:
            key = rtl.label(word, target="pil")
            labelled[key] = labelled.get(key, 0.0) + float(freq)
    if not labelled:
        raise ValueError("word_cloud needs at least one word with a positive frequency")
    cloud = WordCloud(font_path=str(rtl.font_path()), width=width, height=height,
                      random_state=seed, background_color="white", prefer_horizontal=1.0,
                      max_words=max_words, colormap=colormap, collocations=False,
                      include_numbers=True)
    return cloud.generate_from_frequencies(labelled)


def word_cloud(frequencies: Mapping[str, float], ax=None, seed: int = 0, width: int = 800,
               height: int = 400, max_words: int = 200, colormap: str = "viridis"):
    """A word cloud of *frequencies* ({word: weight}), deterministic for a *seed*."""
    cloud = word_cloud_image(frequencies, seed=seed, width=width, height=height,
                             max_words=max_words, colormap=colormap)
    fig, ax = _axes(ax, (width / 100, height / 100))
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    return fig, ax


# --------------------------------------------------------------------------- gallery

GALLERY_LABELS = {
    "pure Arabic": "سورية",
    "lam-alef": "لا",
    "lam-alef + hamza": "الأمم المتحدة",
    "diacritics": "موحّدة",
    "Arabic + digits": "قمة 2016",
    "Arabic + Latin": "منظمة CSTO",
    "Latin first": "CSTO منظمة",
}


def gallery(path: str | Path = "figures/rtl_gallery") -> list[Path]:
    """Draw every label kind as bars, ticks, title, annotation, network and word cloud.

    Writes ``path.png`` and ``path.svg`` through :func:`rtl.save_figure` and
    returns the written paths.
    """
    import matplotlib

    # Matplotlib's defaults plus the suite's settings, whatever the session changed:
    # the committed gallery must come out byte for byte.
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        rtl.setup(force=True)
        return _draw_gallery(path)


def _draw_gallery(path) -> list[Path]:
    import matplotlib.pyplot as plt
    import networkx as nx
    import pandas as pd

    kinds, words = list(GALLERY_LABELS), list(GALLERY_LABELS.values())
    fig = plt.figure(figsize=(13, 10))
    grid = fig.add_gridspec(2, 3, width_ratios=[1.1, 1, 1])

    ax = fig.add_subplot(grid[0, 0])
    bar_terms(words, [len(words) - i for i in range(len(words))], ax=ax,
              title="عدد الإشارات في قمة 2016", xlabel="عدد المرات")

    ax = fig.add_subplot(grid[0, 1])
    ax.set_axis_off()
    _title(ax, "تعليقات: منظمة CSTO والأمم المتحدة")
    for i, (kind, word) in enumerate(zip(kinds, words, strict=True)):
        yy = 1 - (i + 0.5) / len(kinds)
        ax.annotate(rtl.label(word), xy=(0.98, yy), xycoords="axes fraction", ha="right",
                    va="center", fontsize=13)
        ax.text(0.02, yy, kind, ha="left", va="center", fontsize=8, color="#666666",
                transform=ax.transAxes)

    ax = fig.add_subplot(grid[0, 2])
    terms = words[:4]
    counts = [[(3 * i + 2 * j) % 7 if i != j else 9 for j in range(4)] for i in range(4)]
    heatmap(pd.DataFrame(counts, index=terms, columns=terms), ax=ax, title="تكرار مشترك")

    ax = fig.add_subplot(grid[1, 0:2])
    g = nx.Graph()
    actors = {"روسيا": 9, "سورية": 7, "منظمة CSTO": 5, "الأمم المتحدة": 4, "لا": 2,
              "قمة 2016": 3}
    for name, mentions in actors.items():
        g.add_node(name, label=name, mentions=mentions)
    for u, v, w in [("روسيا", "سورية", 6), ("روسيا", "منظمة CSTO", 4),
                    ("سورية", "الأمم المتحدة", 3), ("روسيا", "قمة 2016", 2),
                    ("الأمم المتحدة", "لا", 1), ("منظمة CSTO", "قمة 2016", 2)]:
        g.add_edge(u, v, weight=w)
    network(g, ax=ax)
    _title(ax, "شبكة الفاعلين")

    ax = fig.add_subplot(grid[1, 2])
    word_cloud({w: 10 - i for i, w in enumerate(words)}, ax=ax, width=500, height=400)
    _title(ax, "سحابة الكلمات")

    fig.suptitle("RTL gallery: each label kind in bars, ticks, titles, annotations, "
                 "a network and a word cloud", fontsize=10, x=0.02, ha="left")
    fig.tight_layout()
    try:
        return rtl.save_figure(fig, path)
    finally:
        plt.close(fig)
