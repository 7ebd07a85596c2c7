"""Which cells of released counts may be shown without exposing a small group. Pure: numbers in, flags out.

Primary suppression hides every cell resting on fewer than `minimum` people, and every empty cell as well, so a
hidden cell never tells whether anyone is in it. Complementary suppression then looks at each line of cells that
adds up to a total someone can see (the groups of a breakdown adding to the overall count, the answer options of
a question adding to its respondents, the favourable options adding to the favourable share): if its hidden cells
hold people but fewer than `minimum`, or hold people in only one cell, the next-smallest shown cell is hidden as
well, so nothing hidden can be worked out by subtraction. Some cells follow others (a group's answers follow its
size; a favourable count and its complement are shown or hidden together). Lines are revisited until nothing
changes, because hiding a cell for one line can expose another.
"""

from collections.abc import Sequence


def _protect_line(counts: Sequence[int], hidden: list[bool], line: Sequence[int], minimum: int) -> bool:
    """Hide more cells of one additive line until its hidden cells are safe; return whether anything changed."""
    changed = False
    while True:
        held = [counts[i] for i in line if hidden[i] and counts[i] > 0]
        if not held or (len(held) >= 2 and sum(held) >= minimum):
            return changed
        shown = [(counts[i], i) for i in line if not hidden[i] and counts[i] > 0]
        if not shown:
            return changed
        _count, index = min(shown)
        hidden[index] = True
        changed = True


def suppress_cells(
    counts: Sequence[int],
    minimum: int,
    *,
    lines: Sequence[Sequence[int]] = (),
    follows: Sequence[tuple[Sequence[int], Sequence[int]]] = (),
) -> list[bool]:
    """Flags (True = hide) for a flat list of cell counts.

    `lines` are index lists whose totals are known. `follows` are (leaders, followers): if any leader is hidden,
    every follower is hidden too (a pair that must go together is listed both ways).
    """
    hidden = [count < minimum for count in counts]
    changed = True  # a first pass always runs
    while changed:
        changed = False
        for line in lines:
            changed |= _protect_line(counts, hidden, line, minimum)
        for leaders, followers in follows:
            if any(hidden[i] for i in leaders):
                for i in followers:
                    if not hidden[i]:
                        hidden[i] = True
                        changed = True
    return hidden


def suppress(
    counts: Sequence[Sequence[int]],
    minimum: int,
    *,
    columns_add_up: bool = True,
    rows_add_up: bool = False,
    whole_rows: bool = False,
) -> list[list[bool]]:
    """Flags (True = hide) for a table of counts[row][column]: the table form of `suppress_cells`.

    With `whole_rows`, a row whose first cell (the group's size) is hidden, as too small or as cover, is hidden
    entirely.
    """
    width = max((len(row) for row in counts), default=0)
    flat: list[int] = []
    where: list[list[int]] = []
    for row in counts:
        where.append(list(range(len(flat), len(flat) + len(row))))
        flat.extend(row)
    lines: list[list[int]] = []
    if columns_add_up:
        lines += [[row[c] for row in where if c < len(row)] for c in range(width)]
    if rows_add_up:
        lines += where
    follows = [([row[0]], row[1:]) for row in where if row] if whole_rows else []
    hidden = suppress_cells(flat, minimum, lines=lines, follows=follows)
    return [[hidden[i] for i in row] for row in where]


def suppress_groups(sizes: Sequence[int], minimum: int) -> list[bool]:
    """Flags for one list of group sizes that add up to a total that is shown."""
    return [row[0] for row in suppress([[size] for size in sizes], minimum)]
