"""A table chooses its columns at a width: the lowest-priority ones that do not fit are left out,
the room left goes to the columns that matter most, and a long cell is cut at the end that reads
(`keep_end` keeps the start's `…` and the distinguishing tail)."""

from __future__ import annotations

from rich.text import Text

from ftui.widgets.keyed_table import Column, as_column, cut_cell, plan_columns

COLUMNS = (Column("Status", 10, priority=9), Column("Base", 20, priority=5),
           Column("Tokens", 6, priority=1), Column("Name", 16, priority=8, keep_end=True))
NATURAL = [10, 22, 6, 42]


def test_everything_shows_at_its_natural_width_when_it_fits():
    assert plan_columns(COLUMNS, NATURAL, 200) == {0: 10, 1: 22, 2: 6, 3: 42}


def test_the_lowest_priority_goes_first_and_the_room_goes_to_the_highest():
    # floors 10 + 20 + 6 + 16 and 2 of padding each = 60 > 56: Tokens (priority 1) is left out
    plan = plan_columns(COLUMNS, NATURAL, 56)
    assert list(plan) == [0, 1, 3]
    assert plan == {0: 10, 1: 20, 3: 20}  # the 4 cells left go to Name (priority 8) before Base
    assert sum(w + 2 for w in plan.values()) == 56


def test_a_column_is_never_squeezed_below_its_minimum_and_one_always_stays():
    assert plan_columns(COLUMNS, NATURAL, 30) == {0: 10, 3: 16}
    assert plan_columns(COLUMNS, NATURAL, 5) == {0: 3}  # the last one is cut to the edge


def test_bare_labels_are_never_squeezed_only_left_out_from_the_right():
    files = tuple(as_column(label) for label in ("Name", "Purpose", "Size", "Created", "ID"))
    natural = [52, 9, 7, 16, 27]
    assert plan_columns(files, natural, 78) == {0: 52, 1: 9, 2: 7}


def test_one_column_wider_than_the_table_is_cut_to_the_edge():
    assert plan_columns((Column("Name"), Column("Size", 30)), [100, 40], 40) == {0: 38}


def test_a_table_not_laid_out_yet_shows_every_column():
    assert plan_columns(COLUMNS, NATURAL, 0) == dict(enumerate(NATURAL))


def test_cells_are_cut_at_the_end_that_tells_rows_apart():
    name = "ft:gpt-4o-mini-2024-07-18:sandbox:marv:AbC123xy:ckpt-step-10"
    kept = cut_cell(name, 16, keep_end=True)
    assert kept.plain == "…" + name[-15:] and kept.plain.endswith("ckpt-step-10")
    assert cut_cell(name, 10, keep_end=False).plain == name[:9] + "…"
    assert cut_cell("short", 10, keep_end=True) == "short"
    assert cut_cell(Text("validating", style="bold"), 6, keep_end=False).plain == "valid…"


def test_columns_of_the_same_priority_share_the_room_evenly():
    # a batch's two answers side by side: neither takes all the room while the other stays narrow
    answers = (Column("#"), Column("left", 12, priority=9), Column("right", 12, priority=9))
    plan = plan_columns(answers, [2, 170, 60], 60)
    assert plan == {0: 2, 1: 26, 2: 26}  # 60 cells less 2 of padding each
    assert plan_columns(answers, [2, 170, 20], 60) == {0: 2, 1: 32, 2: 20}  # one whole: the rest to the other
