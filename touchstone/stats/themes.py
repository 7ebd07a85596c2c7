"""Themes in free-text comments: TF-IDF vectors clustered with k-means, each theme labelled by its top terms.

The number of themes is chosen by the silhouette score over a small range (capped for small inputs), and the
clustering is seeded, so the same comments always give the same themes.  Empty input, blank comments and text
with no usable words give an empty list, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

SILHOUETTE_SAMPLE = 2000


@dataclass(frozen=True)
class Theme:
    """A group of similar comments: label from its top terms, share of the comments with text, examples."""

    label: str
    terms: tuple[str, ...]
    size: int
    share: float
    examples: tuple[int, ...]


def find_themes(
    comments: Sequence[str | None],
    *,
    max_themes: int = 8,
    seed: int = 0,
    examples: int = 3,
    label_terms: int = 3,
) -> list[Theme]:
    """Cluster comments into themes, largest first; `examples` are indices into `comments` nearest the centre."""
    positions = [i for i, text in enumerate(comments) if text and text.strip()]
    texts = [str(comments[i]) for i in positions]
    if not texts:
        return []
    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        max_features=5000,
        token_pattern=r"(?u)\b[^\W\d_]{2,}\b",
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words or punctuation: nothing to cluster on
        return []
    terms = np.asarray(vectorizer.get_feature_names_out())
    has_terms = np.asarray(matrix.sum(axis=1)).ravel() > 0
    rows = np.flatnonzero(has_terms)
    if rows.size == 0:
        return []
    matrix = matrix[rows]
    labels = _cluster(matrix, max_themes, seed)
    themes = []
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        centre = np.asarray(matrix[members].mean(axis=0)).ravel()
        top = tuple(str(terms[j]) for j in np.argsort(-centre, kind="stable")[:label_terms] if centre[j] > 0)
        closeness = np.asarray(matrix[members] @ centre).ravel()
        nearest = members[np.argsort(-closeness, kind="stable")[:examples]]
        themes.append(
            Theme(
                label=" / ".join(top),
                terms=top,
                size=int(members.size),
                share=float(members.size / len(texts)),
                examples=tuple(positions[int(rows[i])] for i in nearest),
            )
        )
    themes.sort(key=lambda theme: (-theme.size, theme.label))
    return themes


def _cluster(matrix: Any, max_themes: int, seed: int) -> npt.NDArray[np.int_]:
    """k-means labels for the best k by silhouette in 2..min(max_themes, distinct comments - 1); one theme if tiny."""
    rows = int(matrix.shape[0])
    distinct = np.unique(matrix.toarray(), axis=0).shape[0] if rows <= 5000 else rows
    upper = min(max_themes, distinct - 1)
    if upper < 2:
        return np.zeros(rows, dtype=int)
    best_labels = np.zeros(rows, dtype=int)
    best_score = 0.0
    for k in range(2, upper + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix)
        if np.unique(labels).size < 2:
            continue
        score = silhouette_score(
            matrix, labels, metric="cosine", sample_size=min(rows, SILHOUETTE_SAMPLE), random_state=seed
        )
        if score > best_score:
            best_score, best_labels = float(score), labels
    return best_labels
