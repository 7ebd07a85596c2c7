"""Benchmark statistics: one scale, the gap and its interval, ranks that admit noise, and the allocation score."""

import math

import pytest

from touchstone.stats import benchmarks as stats


def test_scales_convert_linearly_to_a_share() -> None:
    assert stats.to_common(74.4, "index_100") == pytest.approx(0.744)
    assert stats.to_common(4.0, "five_point") == pytest.approx(0.75)
    assert stats.to_common(1.0, "five_point") == 0.0
    assert stats.se_to_common(2.0, "index_100") == pytest.approx(0.02)
    assert stats.conversion_method("five_point") == "(mean − 1) ÷ 4"


def test_a_gap_counts_both_uncertainties_and_is_significant_when_its_interval_leaves_out_zero() -> None:
    gap = stats.gap(0.80, 0.01, 0.74, 0.02)
    assert gap.se == pytest.approx(math.sqrt(0.01**2 + 0.02**2))
    assert gap.low == pytest.approx(0.06 - 1.959964 * gap.se, abs=1e-6)
    assert gap.significant and gap.verdict == "ahead"
    assert stats.gap(0.60, 0.01, 0.74, None).verdict == "behind"
    assert stats.gap(0.74, 0.02, 0.75, 0.01).verdict == "within_noise"
    assert not stats.gap(0.74, 0.02, 0.75, None).benchmark_uncertainty_known
    assert stats.gap(0.7, None, 0.6, None).verdict == "unknown"


def test_for_times_a_lower_value_is_ahead() -> None:
    assert stats.gap(3.0, 0.1, 5.0, 0.1, higher_is_better=False).verdict == "ahead"


def test_neighbours_within_noise_share_a_rank() -> None:
    ranked = stats.rank_with_noise([("a", 0.80, 0.01), ("b", 0.79, 0.01), ("c", 0.60, 0.01)])
    assert [(r.key, r.rank, r.tied_with_next) for r in ranked] == [
        ("a", 1, True),
        ("b", 1, False),
        ("c", 3, False),
    ]


def test_priorities_weigh_shortfall_by_customers_and_importance() -> None:
    ranked = stats.priorities(
        [("ahead", 0.05, 1e6, 1.0), ("small", -0.10, 1_000, 1.0), ("big", -0.05, 100_000, 0.5)]
    )
    assert [p.key for p in ranked] == ["big", "small", "ahead"]
    assert ranked[0].score == pytest.approx(0.05 * 100_000 * 0.5)
    assert ranked[-1].score == 0


def test_noise_groups_share_a_letter_only_within_noise():
    from touchstone.stats.benchmarks import noise_groups

    groups = noise_groups([("gamma", 0.60, 0.01), ("alpha", 0.90, 0.01), ("beta", 0.895, 0.01)])
    assert groups == {"alpha": "a", "beta": "a", "gamma": "b"}


def test_noise_groups_overlap_when_the_middle_is_within_noise_of_both_ends():
    from touchstone.stats.benchmarks import noise_groups

    # 0.90 and 0.86 differ by more than noise (0.04 > 1.96 * 0.0141); 0.88 is within noise of each.
    groups = noise_groups([("top", 0.90, 0.01), ("middle", 0.88, 0.01), ("bottom", 0.86, 0.01)])
    assert groups == {"top": "a", "middle": "ab", "bottom": "b"}


def test_noise_groups_run_past_z_and_keep_unknown_errors_apart():
    from touchstone.stats.benchmarks import noise_groups

    groups = noise_groups([(f"k{i}", 1.0 - i / 100, None) for i in range(30)])
    assert groups["k0"] == "a" and groups["k25"] == "z" and groups["k26"] == "aa" and groups["k29"] == "ad"


def test_noise_groups_match_checking_every_run_from_scratch():
    import random

    from touchstone.stats.benchmarks import noise_groups, within_noise

    rng = random.Random(4)
    for _ in range(50):
        items = [(f"k{i}", rng.uniform(0.6, 0.9), rng.uniform(0.0, 0.04)) for i in range(rng.randint(1, 25))]
        ordered = sorted(items, key=lambda item: -item[1])
        expected = {key: "" for key, _v, _se in ordered}
        runs = []
        for start in range(len(ordered)):
            end = start
            while end + 1 < len(ordered) and all(
                within_noise(ordered[k][1:], ordered[end + 1][1:]) for k in range(start, end + 1)
            ):
                end += 1
            if not runs or end > runs[-1][1]:
                runs.append((start, end))
        for index, (start, end) in enumerate(runs):
            for k in range(start, end + 1):
                expected[ordered[k][0]] += chr(ord("a") + index) if index < 26 else "?"
        got = noise_groups(items)
        assert got == expected or any("?" in v for v in expected.values())


def reference_letters(items: list[tuple[str, float, float | None]]) -> dict[str, str]:
    """The compact letter display worked out the slow, obvious way: sort best first; for every start, the longest
    run from it whose every pair passes `within_noise`, checked from scratch; each run not inside the one before it
    gets the next letter (a..z, aa, ab, ...)."""
    from touchstone.stats.benchmarks import within_noise

    ordered = sorted(items, key=lambda item: -item[1])
    runs: list[tuple[int, int]] = []
    for start in range(len(ordered)):
        end = start
        while end + 1 < len(ordered) and all(
            within_noise(ordered[i][1:], ordered[j][1:])
            for i in range(start, end + 2)
            for j in range(i + 1, end + 2)
        ):
            end += 1
        if not runs or end > runs[-1][1]:
            runs.append((start, end))
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    names = [*alphabet, *(a + b for a in alphabet for b in alphabet)]
    letters = {key: "" for key, _value, _se in ordered}
    for index, (start, end) in enumerate(runs):
        for k in range(start, end + 1):
            letters[ordered[k][0]] += names[index]
    return letters


@pytest.mark.parametrize("seed", range(8))
def test_noise_groups_testing_every_pair_at_once_match_the_reference(seed: int) -> None:
    import random

    from touchstone.stats.benchmarks import noise_groups

    rng = random.Random(seed)
    for _ in range(40):
        count = rng.choice([0, 1, 2, 3, rng.randint(4, 30), rng.randint(60, 110)])
        # Ties (a few distinct values), unknown and zero errors, and spreads from "all one group" to "all apart".
        levels = [round(rng.uniform(0.5, 0.95), 3) for _ in range(rng.randint(1, 8))]
        spread = rng.choice([0.001, 0.01, 0.05])
        items = [
            (
                f"agency-{i}",
                rng.choice(levels) if rng.random() < 0.3 else rng.uniform(0.5, 0.95),
                rng.choice([None, 0.0, rng.uniform(0.0, spread), rng.uniform(0.0, spread)]),
            )
            for i in range(count)
        ]
        assert noise_groups(items) == reference_letters(items)


def test_noise_groups_of_nothing_and_of_one() -> None:
    from touchstone.stats.benchmarks import noise_groups

    assert noise_groups([]) == {}
    assert noise_groups([("only", 0.7, None)]) == {"only": "a"}
    # Equal figures with no error are within noise of nothing but keep the order they came in.
    assert noise_groups([("first", 0.7, None), ("second", 0.7, None)]) == {"first": "a", "second": "b"}
