"""Which cells of a table of counts may be shown without exposing a small group. Pure: numbers in, flags out.

Primary suppression hides every cell resting on fewer than `minimum` people. Complementary suppression then
looks at each line that adds up to a total someone can see (a column of groups adding to the overall count, and
a row when its cells add up too): if it holds one hidden cell, or hidden cells whose sum is still below the
minimum, the next-smallest shown cell is hidden as well, so nothing hidden can be worked out by subtraction.
Lines are revisited until nothing changes, because hiding a cell for one line can expose another.
"""

from collections.abc import Sequence


def _protect_line(counts: list[int], hidden: list[bool], minimum: int) -> bool:
    """Hide more cells of one additive line until its hidden cells are safe; return whether anything changed."""
    changed = False
    while True:
        hidden_counts = [c for c, h in zip(counts, hidden, strict=True) if h and c > 0]
        if not hidden_counts:
            return changed
        if len(hidden_counts) >= 2 and sum(hidden_counts) >= minimum:
            return changed
        shown = [(c, i) for i, (c, h) in enumerate(zip(counts, hidden, strict=True)) if not h and c > 0]
        if not shown:
            return changed
        _count, index = min(shown)
        hidden[index] = True
        changed = True


def suppress(
    counts: Sequence[Sequence[int]],
    minimum: int,
    *,
    columns_add_up: bool = True,
    rows_add_up: bool = False,
    whole_rows: bool = False,
) -> list[list[bool]]:
    """Flags (True = hide) for a table of counts[row][column].

    With `whole_rows`, a row whose first cell (the group's size) is hidden, as too small or as cover, is hidden
    entirely. A cell
    of zero is never hidden and never used as cover: an empty group is no one's answer.
    """
    table = [list(row) for row in counts]
    hidden = [[0 < count < minimum for count in row] for row in table]
    width = max((len(row) for row in table), default=0)
    changed = True  # a first pass always runs
    while changed:
        changed = False
        if columns_add_up:
            for column in range(width):
                line = [row[column] for row in table]
                flags = [row[column] for row in hidden]
                if _protect_line(line, flags, minimum):
                    for row, flag in zip(hidden, flags, strict=True):
                        row[column] = flag
                    changed = True
        if whole_rows:
            for flags in hidden:
                if flags and flags[0] and not all(flags):
                    flags[:] = [True] * len(flags)
                    changed = True
        if rows_add_up:
            for row_counts, row_flags in zip(table, hidden, strict=True):
                if _protect_line(row_counts, row_flags, minimum):
                    changed = True
    return hidden


def suppress_groups(sizes: Sequence[int], minimum: int) -> list[bool]:
    """Flags for one list of group sizes that add up to a total that is shown."""
    return [row[0] for row in suppress([[size] for size in sizes], minimum)]
