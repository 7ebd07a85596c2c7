"""Suppression reads as rules: small cells hidden, and never exactly one hidden cell in a line that adds up."""

from touchstone.voice.suppression import suppress, suppress_groups


def test_groups_at_or_above_the_minimum_are_all_shown() -> None:
    assert suppress_groups([10, 25, 40], 10) == [False, False, False]


def test_a_small_group_is_hidden_with_the_next_smallest_as_cover() -> None:
    assert suppress_groups([150, 74, 61, 7, 4], 10) == [False, False, False, True, True]


def test_a_single_small_group_takes_the_next_smallest_group_with_it() -> None:
    assert suppress_groups([150, 74, 61, 7], 10) == [False, False, True, True]


def test_hidden_cells_whose_sum_is_still_small_take_more_cover() -> None:
    assert suppress_groups([50, 40, 3, 2], 10) == [False, True, True, True]


def test_empty_groups_are_hidden_like_small_ones_so_hidden_never_means_someone_is_there() -> None:
    assert suppress_groups([30, 20, 0], 10) == [False, False, True]  # sums to nothing: needs no cover
    assert suppress_groups([30, 0, 5], 10) == [True, True, True]


def test_a_row_hidden_for_its_size_is_hidden_in_every_column_and_each_column_is_protected() -> None:
    counts = [[40, 39, 30], [30, 30, 3], [5, 5, 5], [20, 20, 20]]
    hidden = suppress(counts, 10, whole_rows=True)
    assert hidden[2] == [True, True, True]
    for column in range(3):
        flags = [row[column] for row in hidden]
        hidden_counts = [counts[r][column] for r, flag in enumerate(flags) if flag and counts[r][column]]
        assert len(hidden_counts) != 1
        assert not hidden_counts or sum(hidden_counts) >= 10


def test_rows_that_add_up_are_protected_too() -> None:
    hidden = suppress([[20, 3, 30], [20, 20, 20]], 10, columns_add_up=True, rows_add_up=True)
    for line in hidden:
        assert sum(line) != 1
    for column in zip(*hidden, strict=True):
        assert sum(column) != 1
