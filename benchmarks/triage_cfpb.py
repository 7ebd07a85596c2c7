"""Triage on real complaints: the enriched model (product, then issue) beside a plain TF-IDF + LinearSVC baseline,
cross-validated on the same folds, on a labelled CSV in the CFPB Consumer Complaint Database layout.

    .venv/bin/python benchmarks/triage_cfpb.py ../shared/data/cfpb-complaints/complaints_part_a.csv [--folds 5]

Prints accuracy and macro-F1 per target for both models, the difference on the product, the per-class F1 of the
product, and the time each took (with the ratio).
"""

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from touchstone.complaints import triage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("csv", type=Path, help="a CSV in the CFPB layout (Product, Issue, narrative...)")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    with args.csv.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("Consumer complaint narrative", "").strip()]
    if not rows:
        sys.exit(f"{args.csv}: no row has a Consumer complaint narrative.")
    texts = [r["Consumer complaint narrative"] for r in rows]
    labels = {
        "product": np.array([r["Product"].strip() for r in rows], dtype=object),
        "topic": np.array([f"{r['Product'].strip()} / {r['Issue'].strip()}" for r in rows], dtype=object),
    }
    print(
        f"{len(rows)} narratives, {len(set(labels['product']))} products, {len(set(labels['topic']))} issues"
    )
    started = time.perf_counter()
    report = triage.cross_validate_text(texts, labels, folds=args.folds)
    seconds = time.perf_counter() - started
    print(f"{'target':<8} {'model':<9} {'accuracy':>9} {'macro-F1':>9}")
    for target in labels:
        for kind in (triage.ENRICHED, triage.PLAIN):
            scores = report[kind][target]
            print(f"{target:<8} {kind:<9} {scores['accuracy']:>9.3f} {scores['macro_f1']:>9.3f}")
    gain = report[triage.ENRICHED]["product"]["macro_f1"] - report[triage.PLAIN]["product"]["macro_f1"]
    print(f"product macro-F1, new minus baseline: {gain:+.3f}")
    print("product F1 per class (new / baseline):")
    for name, value in report[triage.ENRICHED]["product"]["per_class"].items():
        print(f"  {value:.3f} / {report[triage.PLAIN]['product']['per_class'][name]:.3f}  {name}")
    print(f"cross-validation of both models: {seconds:.1f} s")
    timings = {}
    for kind in (triage.ENRICHED, triage.PLAIN):
        started = time.perf_counter()
        features = triage.TextFeatures(kind)
        model = triage.fit_target(
            features.fit_transform(texts), labels["product"], kind, calibrate=kind != triage.PLAIN
        )
        trained = time.perf_counter() - started
        started = time.perf_counter()
        model.predict(features.transform(texts))
        timings[kind] = (trained, (time.perf_counter() - started) / len(texts) * 1000)
    new, plain = timings[triage.ENRICHED], timings[triage.PLAIN]
    print(
        f"train on all {len(texts)}: new {new[0]:.2f} s, baseline {plain[0]:.2f} s, ratio {new[0] / plain[0]:.1f}x"
    )
    print(
        f"predict per case: new {new[1]:.2f} ms, baseline {plain[1]:.2f} ms, ratio {new[1] / plain[1]:.1f}x"
    )


if __name__ == "__main__":
    main()
