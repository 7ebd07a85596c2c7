"""The learned triage, trained on an agency's own settled complaints.

- Cases with a narrative: word (1-2) and character (2-5) TF-IDF n-grams, a linear SVM, calibrated into probabilities
  (CalibratedClassifierCV, sigmoid).
- Cases without one are not trained on as if they were text: a separate model reads only their structured fields
  (service, channel, state...) one-hot.
- Hierarchy: the product (the top of the topic tree) first, then the issue among that product's own issues; the
  routing target (office) and the urgency beside them.
- Measured by stratified k-fold cross-validation beside a plain TF-IDF + LinearSVC baseline on the SAME folds; the
  enriched text model is kept only when its product macro-F1 beats the baseline's, else the baseline (calibrated) is.

Pure scikit-learn here: lists in, dataclasses out; services.py decides which cases to learn from.
"""

import pickle
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

# product: the top of the topic tree; topic: the leaf (the issue within the product); office: the routing target.
TARGETS = ("product", "topic", "office", "urgency")
MIN_EXAMPLES = 20
FOLDS = 5
ENRICHED, PLAIN = "enriched", "baseline"


@dataclass(frozen=True)
class Example:
    """One case as triage sees it: its narrative (may be empty) and its structured fields."""

    narrative: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return bool(self.narrative.strip())


# --- the feature makers -------------------------------------------------------------------------------------------


class TextFeatures:
    """Word and character n-grams (enriched) or plain word TF-IDF (the baseline), over the narrative only."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind == ENRICHED:
            self.parts = [
                TfidfVectorizer(
                    sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_df=0.9, max_features=200_000
                ),
                TfidfVectorizer(
                    sublinear_tf=True,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    max_df=0.9,
                    max_features=300_000,
                ),
            ]
        else:
            self.parts = [TfidfVectorizer()]

    def fit(self, texts: list[str]) -> "TextFeatures":
        for part in self.parts:
            part.fit(texts)
        return self

    def transform(self, texts: list[str]) -> Any:
        return sparse.hstack([part.transform(texts) for part in self.parts]).tocsr()

    def fit_transform(self, texts: list[str]) -> Any:
        """Fit and transform in one pass over the texts (the n-grams are the cost)."""
        return sparse.hstack([part.fit_transform(texts) for part in self.parts]).tocsr()


def _fields(example: Example) -> dict[str, str]:
    return {name: value for name, value in example.fields.items() if value}


# --- one target's classifier ------------------------------------------------------------------------------------


@dataclass
class TargetModel:
    """One target's calibrated classifier, or the single label seen when there was only one."""

    classifier: Any = None
    only_label: str | None = None

    def probabilities(self, matrix: Any) -> tuple[list[str], np.ndarray]:
        if self.classifier is None:
            return [self.only_label or ""], np.ones((matrix.shape[0], 1))
        return [str(c) for c in self.classifier.classes_], self.classifier.predict_proba(matrix)

    def predict(self, matrix: Any) -> list[tuple[str, float]]:
        classes, probabilities = self.probabilities(matrix)
        best = probabilities.argmax(axis=1)
        return [(classes[i], float(probabilities[row, i])) for row, i in enumerate(best)]


def _linear(kind: str) -> Any:
    if kind == "fields":
        return LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")
    return LinearSVC(C=0.5 if kind == ENRICHED else 1.0)


def fit_target(matrix: Any, labels: np.ndarray, kind: str, calibrate: bool = True) -> TargetModel:
    """Fit and (when every class has a few examples) calibrate; a single class needs no classifier."""
    counts = Counter(labels.tolist())
    if len(counts) < 2:
        return TargetModel(only_label=str(labels[0]) if len(labels) else "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        if not calibrate:
            return TargetModel(classifier=_uncalibrated(kind, matrix, labels))
        smallest = min(counts.values())
        if smallest < 2:  # a class seen once cannot be held out for calibration: squash its decision values
            return TargetModel(classifier=_uncalibrated(kind, matrix, labels))
        classifier = CalibratedClassifierCV(
            _linear(kind), method="sigmoid", cv=min(3, smallest), ensemble=False
        )
        return TargetModel(classifier=classifier.fit(matrix, labels))


class _Softmax:
    """A linear model's decision values squashed into probabilities, for when calibration has too few examples."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.classes_ = model.classes_

    def predict_proba(self, matrix: Any) -> np.ndarray:
        scores = np.atleast_2d(self.model.decision_function(matrix))
        if scores.shape[0] != matrix.shape[0]:
            scores = scores.T
        if len(self.classes_) == 2 and scores.shape[1] == 1:
            scores = np.hstack([-scores, scores])
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _uncalibrated(kind: str, matrix: Any, labels: np.ndarray) -> Any:
    model = _linear(kind).fit(matrix, labels)
    return model if hasattr(model, "predict_proba") else _Softmax(model)


@dataclass
class Hierarchy:
    """The product model, and within each product the model of its issues (the leaves under it)."""

    product: TargetModel
    issues: dict[str, TargetModel] = field(default_factory=dict)

    def predict(self, matrix: Any) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        products = self.product.predict(matrix)
        leaves: list[tuple[str, float]] = []
        for row, (product, confidence) in enumerate(products):
            model = self.issues.get(product)
            if model is None:
                leaves.append((product, confidence))
                continue
            leaf, leaf_confidence = model.predict(matrix[row])[0]
            leaves.append((leaf, confidence * leaf_confidence))
        return products, leaves


def fit_hierarchy(
    matrix: Any, products: np.ndarray, leaves: np.ndarray, kind: str, calibrate: bool
) -> Hierarchy:
    hierarchy = Hierarchy(product=fit_target(matrix, products, kind, calibrate))
    for product in set(products.tolist()):
        inside = (products == product) & (leaves != "")
        if inside.sum() and set(leaves[inside].tolist()) != {product}:
            hierarchy.issues[product] = fit_target(matrix[inside], leaves[inside], kind, calibrate)
    return hierarchy


# --- the bundle that is stored ----------------------------------------------------------------------------------


@dataclass
class Channel:
    """The models of one kind of case: those with a narrative (text) or those without (fields)."""

    features: Any
    hierarchy: Hierarchy | None = None
    targets: dict[str, TargetModel] = field(default_factory=dict)


@dataclass
class TriageBundle:
    text: Channel | None = None
    fields: Channel | None = None
    text_kind: str = ENRICHED

    def suggest(self, examples: list[Example]) -> list[dict[str, tuple[str, float]]]:
        answers: list[dict[str, tuple[str, float]]] = [{} for _ in examples]
        for channel, rows in ((self.text, _rows(examples, True)), (self.fields, _rows(examples, False))):
            if channel is None or not rows:
                continue
            subset = [examples[i] for i in rows]
            matrix = (
                channel.features.transform([e.narrative for e in subset])
                if channel is self.text
                else channel.features.transform([_fields(e) for e in subset])
            )
            if channel.hierarchy is not None:
                products, leaves = channel.hierarchy.predict(matrix)
                for n, row in enumerate(rows):
                    answers[row]["product"], answers[row]["topic"] = products[n], leaves[n]
            for name, model in channel.targets.items():
                for n, guess in enumerate(model.predict(matrix)):
                    answers[rows[n]][name] = guess
        return answers

    def dumps(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> "TriageBundle":
        # Only ever bytes this module wrote into the agency's own TriageModel row.
        return pickle.loads(blob)  # noqa: S301


def _rows(examples: list[Example], with_text: bool) -> list[int]:
    return [i for i, e in enumerate(examples) if e.has_text == with_text]


# --- cross-validation beside the baseline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingResult:
    bundle: TriageBundle
    metrics: dict[str, Any]
    seconds: float


def _scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    classes = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=classes, average=None, zero_division=0)
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=classes, average="macro", zero_division=0)), 4
        ),
        "cases": len(truth),
        "per_class": {c: round(float(v), 4) for c, v in zip(classes, per_class, strict=True)},
    }


def _label_array(labels: dict[str, list[str | None]], target: str, rows: list[int]) -> np.ndarray:
    values = labels.get(target) or [None] * (max(rows, default=0) + 1)
    return np.array([values[i] or "" for i in rows], dtype=object)


def _folds(stratify_by: np.ndarray, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    counts = Counter(stratify_by.tolist())
    splits = max(2, min(folds, len(stratify_by) // 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if len(counts) > 1 and max(counts.values()) >= splits:
            return list(StratifiedKFold(splits, shuffle=True, random_state=7).split(stratify_by, stratify_by))
        return list(KFold(splits, shuffle=True, random_state=7).split(stratify_by))


def cross_validate_text(
    texts: list[str], labels: dict[str, np.ndarray], folds: int = FOLDS, calibrate: bool = True
) -> dict[str, dict[str, dict[str, Any]]]:
    """{model kind: {target: scores}} for the enriched model and the plain baseline on the same folds.

    The baseline is flat (one TF-IDF + LinearSVC per target); the enriched model predicts the product, then the
    issue within it.
    """
    text_array = np.array(texts, dtype=object)
    stratify = labels.get("product", labels.get("topic"))
    assert stratify is not None
    predictions: dict[str, dict[str, np.ndarray]] = {
        kind: {t: np.empty(len(texts), dtype=object) for t in labels} for kind in (ENRICHED, PLAIN)
    }
    for train_idx, test_idx in _folds(stratify, folds):
        for kind in (ENRICHED, PLAIN):
            features = TextFeatures(kind)
            train_m = features.fit_transform(list(text_array[train_idx]))
            test_m = features.transform(list(text_array[test_idx]))
            for target, values in labels.items():
                if kind == ENRICHED and target == "topic" and "product" in labels:
                    continue
                known = values[train_idx] != ""
                if not known.any():
                    continue
                if kind == ENRICHED and target == "product" and "topic" in labels:
                    hierarchy = fit_hierarchy(
                        train_m, values[train_idx], labels["topic"][train_idx], kind, calibrate
                    )
                    products, leaves = hierarchy.predict(test_m)
                    predictions[kind]["product"][test_idx] = [p for p, _c in products]
                    predictions[kind]["topic"][test_idx] = [leaf for leaf, _c in leaves]
                    continue
                model = fit_target(
                    train_m[known], values[train_idx][known], kind, calibrate=calibrate and kind != PLAIN
                )
                predictions[kind][target][test_idx] = [p for p, _c in model.predict(test_m)]
    report: dict[str, dict[str, dict[str, Any]]] = {ENRICHED: {}, PLAIN: {}}
    for kind in (ENRICHED, PLAIN):
        for target, values in labels.items():
            has = values != ""
            if has.sum() and Counter(values[has].tolist()).most_common(1)[0][1] < has.sum():
                report[kind][target] = _scores(
                    list(values[has]), [str(p) for p in predictions[kind][target][has]]
                )
    return report


def _cross_validate_fields(
    examples: list[Example], labels: dict[str, np.ndarray], folds: int = FOLDS
) -> dict[str, dict[str, Any]]:
    stratify = labels.get("product", labels.get("topic"))
    assert stratify is not None
    report: dict[str, dict[str, Any]] = {}
    predictions = {t: np.empty(len(examples), dtype=object) for t in labels}
    dicts = [_fields(e) for e in examples]
    for train_idx, test_idx in _folds(stratify, folds):
        vectorizer = DictVectorizer().fit([dicts[i] for i in train_idx])
        train_m = vectorizer.transform([dicts[i] for i in train_idx])
        test_m = vectorizer.transform([dicts[i] for i in test_idx])
        for target, values in labels.items():
            known = values[train_idx] != ""
            if known.any():
                model = fit_target(train_m[known], values[train_idx][known], "fields", calibrate=False)
                predictions[target][test_idx] = [p for p, _c in model.predict(test_m)]
    for target, values in labels.items():
        has = values != ""
        if has.sum() and len(set(values[has].tolist())) > 1:
            report[target] = _scores(list(values[has]), [str(p) for p in predictions[target][has]])
    return report


def _fit_channel(matrix: Any, labels: dict[str, np.ndarray], kind: str, features: Any) -> Channel:
    channel = Channel(features=features)
    if "product" in labels and (labels["product"] != "").any():
        has = labels["product"] != ""
        channel.hierarchy = fit_hierarchy(
            matrix[has], labels["product"][has], labels.get("topic", labels["product"])[has], kind, True
        )
    for target in ("office", "urgency"):
        values = labels.get(target)
        if values is not None and (values != "").any():
            has = values != ""
            channel.targets[target] = fit_target(matrix[has], values[has], kind)
    return channel


def train(examples: list[Example], labels: dict[str, list[str | None]], folds: int = FOLDS) -> TrainingResult:
    """Cross-validate (new model and baseline, same folds), then fit the better text model and the fields model on
    everything for use.

    `labels[target][i]` is None where case i has no label for that target; such cases are left out of it.
    """
    started = time.perf_counter()
    if len(examples) < MIN_EXAMPLES:
        raise ValueError(
            f"Triage needs at least {MIN_EXAMPLES} settled complaints; there are {len(examples)}."
        )
    metrics: dict[str, Any] = {"folds": folds}
    bundle = TriageBundle()
    text_rows, field_rows = _rows(examples, True), _rows(examples, False)
    if len(text_rows) >= MIN_EXAMPLES:
        text_labels = {t: _label_array(labels, t, text_rows) for t in TARGETS if t in labels}
        texts = [examples[i].narrative for i in text_rows]
        report = cross_validate_text(texts, text_labels, folds)
        main = "product" if "product" in report[ENRICHED] else next(iter(report[ENRICHED]), None)
        better = main is None or report[ENRICHED][main]["macro_f1"] > report[PLAIN][main]["macro_f1"]
        bundle.text_kind = ENRICHED if better else PLAIN
        metrics["narratives"] = {"cases": len(text_rows), "new": report[ENRICHED], "baseline": report[PLAIN]}
        metrics["kept"] = bundle.text_kind
        features = TextFeatures(bundle.text_kind)
        bundle.text = _fit_channel(features.fit_transform(texts), text_labels, bundle.text_kind, features)
    if len(field_rows) >= MIN_EXAMPLES:
        field_examples = [examples[i] for i in field_rows]
        field_labels = {t: _label_array(labels, t, field_rows) for t in TARGETS if t in labels}
        metrics["fields_only"] = {
            "cases": len(field_rows),
            "new": _cross_validate_fields(field_examples, field_labels, folds),
        }
        vectorizer = DictVectorizer().fit([_fields(e) for e in field_examples])
        bundle.fields = _fit_channel(
            vectorizer.transform([_fields(e) for e in field_examples]), field_labels, "fields", vectorizer
        )
    if bundle.text is None and bundle.fields is None:
        raise ValueError(
            f"Triage needs at least {MIN_EXAMPLES} settled complaints of one kind (with or without a narrative)."
        )
    return TrainingResult(bundle=bundle, metrics=metrics, seconds=time.perf_counter() - started)


def similar(
    text: str,
    candidates: list[str],
    threshold: float = 0.35,
    limit: int = 3,
    by_characters: bool = False,
) -> list[tuple[int, float]]:
    """(index, cosine similarity) of the candidates most like `text`, best first, above the threshold.

    `by_characters` compares runs of 3 to 5 letters within words instead of whole English words: the same
    complaint retold (other word forms, a typo, Spanish) still reads alike."""
    if not candidates or not text.strip():
        return []
    vectorizer = (
        TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode")
        if by_characters
        else TfidfVectorizer(sublinear_tf=True, stop_words="english")
    )
    try:
        matrix = vectorizer.fit_transform([text, *candidates])
    except ValueError:  # only stop words
        return []
    scores = cosine_similarity(matrix[0], matrix[1:]).ravel()
    order = np.argsort(-scores)[:limit]
    return [(int(i), float(scores[i])) for i in order if scores[i] >= threshold]
