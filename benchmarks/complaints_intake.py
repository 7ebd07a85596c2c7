"""The complaint triage classifier's speed: training time and per-complaint prediction time on synthetic complaints.

    .venv/bin/python benchmarks/complaints_intake.py            # 100,000 complaints
    .venv/bin/python benchmarks/complaints_intake.py --n 5000   # quicker

Pure scikit-learn through touchstone.complaints.triage (no database), so it measures the model, not Django.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from touchstone.complaints import triage  # noqa: E402

TOPICS = {
    "late": ["payment did not arrive", "deposit is late", "not paid this month", "check is missing"],
    "amount": ["amount is lower", "took money out", "benefit was cut", "overpayment notice"],
    "documents": ["lost the forms", "certificate never returned", "cannot find my file", "mail was returned"],
    "website": ["cannot log in", "online form crashed", "upload fails", "password reset broken"],
    "wait": ["waited three hours", "on hold ninety minutes", "appointment moved", "line out the door"],
    "staff": ["clerk was rude", "agent hung up", "nobody answered", "gave wrong advice"],
}
OFFICES = ["contact-center", "baltimore", "denver", "seattle"]
FILLER = [
    "I",
    "called",
    "twice",
    "and",
    "nobody",
    "called",
    "back",
    "this",
    "has",
    "happened",
    "before",
    "please",
    "fix",
    "it",
    "soon",
]


def synthetic(n: int, seed: int = 7) -> tuple[list[str], dict[str, list[str | None]]]:
    rng = random.Random(seed)
    texts, labels = [], {"topic": [], "office": [], "urgency": []}
    for _ in range(n):
        topic = rng.choice(list(TOPICS))
        urgent = rng.random() < 0.12
        words = [rng.choice(TOPICS[topic]), *rng.sample(FILLER, 6)]
        if urgent:
            words.append("I will be evicted")
        texts.append(
            triage.features_text(
                " ".join(words), rng.randint(1, 5), rng.choice(["website", "phone", "email"])
            )
        )
        labels["topic"].append(topic)
        labels["office"].append(
            OFFICES[list(TOPICS).index(topic) % 4] if rng.random() < 0.8 else rng.choice(OFFICES)
        )
        labels["urgency"].append("urgent" if urgent else rng.choice(["routine", "soon"]))
    return texts, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=100_000, help="how many synthetic complaints (default 100,000)"
    )
    parser.add_argument("--predict", type=int, default=2_000, help="how many single predictions to time")
    args = parser.parse_args()
    texts, labels = synthetic(args.n)
    result = triage.train(texts, labels)
    print(f"complaints: {args.n:,}")
    print(f"training (measure on 20% held out, then fit on all): {result.seconds:.1f} s")
    for target, metrics in result.metrics.items():
        print(f"  {target:<8} accuracy {metrics['accuracy']:.3f}  macro-F1 {metrics['macro_f1']:.3f}")
    bundle = triage.TriageBundle.loads(result.bundle.dumps())
    probe, _ = synthetic(args.predict, seed=99)
    started = time.perf_counter()
    for text in probe:
        bundle.suggest([text])
    single = (time.perf_counter() - started) / len(probe)
    started = time.perf_counter()
    bundle.suggest(probe)
    batched = (time.perf_counter() - started) / len(probe)
    print(f"prediction, one complaint at a time (as at intake): {single * 1000:.2f} ms per complaint")
    print(f"prediction, batched: {batched * 1000:.3f} ms per complaint")
    print(f"model size: {len(result.bundle.dumps()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
