"""The learned triage: TF-IDF over the complaint's words (with its service and channel as tokens) and one
logistic classifier per target (topic, office, urgency), trained on the agency's own settled complaints.

Pure scikit-learn here: lists in, dataclasses out; services.py decides which cases to learn from.
"""

import pickle
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.model_selection import train_test_split

TARGETS = ("topic", "office", "urgency")
MIN_EXAMPLES = 20


def features_text(narrative: str, service: str | int | None, channel: str) -> str:
    return f"svc_{service or 'none'} ch_{channel} {narrative}"


@dataclass
class TargetModel:
    """One target's classifier, or the single label seen when there was only one."""

    classifier: Any = None
    only_label: str | None = None

    def predict(self, matrix: Any) -> list[tuple[str, float]]:
        if self.classifier is None:
            return [(self.only_label or "", 1.0)] * matrix.shape[0]
        probabilities = self.classifier.predict_proba(matrix)
        best = probabilities.argmax(axis=1)
        classes = self.classifier.classes_
        return [(str(classes[i]), float(probabilities[row, i])) for row, i in enumerate(best)]


@dataclass
class TriageBundle:
    vectorizer: TfidfVectorizer
    targets: dict[str, TargetModel] = field(default_factory=dict)

    def suggest(self, texts: list[str]) -> list[dict[str, tuple[str, float]]]:
        matrix = self.vectorizer.transform(texts)
        predictions = {name: model.predict(matrix) for name, model in self.targets.items()}
        return [{name: predictions[name][row] for name in predictions} for row in range(len(texts))]

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> "TriageBundle":
        # Only ever bytes this module wrote into the agency's own TriageModel row.
        return pickle.loads(blob)  # noqa: S301


@dataclass(frozen=True)
class TrainingResult:
    bundle: TriageBundle
    metrics: dict[str, dict[str, float | int]]
    seconds: float


def _fit_target(matrix: Any, labels: np.ndarray) -> TargetModel:
    if len(set(labels)) < 2:
        return TargetModel(only_label=str(labels[0]) if len(labels) else "")
    classifier = SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=30, tol=1e-3, random_state=7)
    with warnings.catch_warnings():
        # A few passes are enough for a suggestion a person reviews; full convergence costs minutes on 100,000.
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(matrix, labels)
    return TargetModel(classifier=classifier)


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=200_000)


def train(texts: list[str], labels: dict[str, list[str | None]], held_out: float = 0.2) -> TrainingResult:
    """Measure each target on a held-out part, then fit on everything for use.

    `labels[target][i]` is None where case i has no label for that target; such cases are left out of it.
    """
    started = time.perf_counter()
    if len(texts) < MIN_EXAMPLES:
        raise ValueError(f"Triage needs at least {MIN_EXAMPLES} settled complaints; there are {len(texts)}.")
    indices = np.arange(len(texts))
    train_idx, test_idx = train_test_split(indices, test_size=held_out, random_state=7)
    text_array = np.array(texts, dtype=object)
    measuring = _vectorizer().fit(text_array[train_idx])
    train_matrix, test_matrix = (
        measuring.transform(text_array[train_idx]),
        measuring.transform(text_array[test_idx]),
    )
    metrics: dict[str, dict[str, float | int]] = {}
    for target in TARGETS:
        target_labels = np.array(
            [label or "" for label in labels.get(target, [None] * len(texts))], dtype=object
        )
        has = target_labels != ""
        tr, te = has[train_idx], has[test_idx]
        if tr.sum() < 2 or te.sum() < 1:
            continue
        model = _fit_target(train_matrix[tr], target_labels[train_idx][tr])
        predicted = [label for label, _conf in model.predict(test_matrix[te])]
        truth = list(target_labels[test_idx][te])
        metrics[target] = {
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
            "held_out": int(te.sum()),
            "trained_on": int(tr.sum()),
        }
    vectorizer = _vectorizer().fit(text_array)
    matrix = vectorizer.transform(text_array)
    bundle = TriageBundle(vectorizer=vectorizer)
    for target in metrics:
        target_labels = np.array([label or "" for label in labels[target]], dtype=object)
        has = target_labels != ""
        bundle.targets[target] = _fit_target(matrix[has], target_labels[has])
    return TrainingResult(bundle=bundle, metrics=metrics, seconds=time.perf_counter() - started)


def similar(
    text: str, candidates: list[str], threshold: float = 0.35, limit: int = 3
) -> list[tuple[int, float]]:
    """(index, cosine similarity) of the candidates most like `text`, best first, above the threshold."""
    if not candidates or not text.strip():
        return []
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    try:
        matrix = vectorizer.fit_transform([text, *candidates])
    except ValueError:  # only stop words
        return []
    scores = cosine_similarity(matrix[0], matrix[1:]).ravel()
    order = np.argsort(-scores)[:limit]
    return [(int(i), float(scores[i])) for i in order if scores[i] >= threshold]
