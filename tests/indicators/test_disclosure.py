"""The disclosure control: rounding, the audit of sums, and attacks that must fail."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from passport.indicators.disclosure import Table, propagate, protect, rounded
from tests.indicators.world import recovered_small


def test_rounding_down_to_five_and_nothing_under_five():
    assert [rounded(n) for n in (0, 1, 4, 5, 9, 10, 14, 15, 1234)] == [
        None, None, None, 5, 5, 10, 10, 15, 1230,
    ]  # fmt: skip


def test_the_propagation_finds_the_attack_of_the_issue():
    # Shown exactly, a total of 8 with in-person 6 and online 0 gives phone = 2.
    boxes = {"total": (8, 8), "in_person": (6, 6), "phone": (0, 4), "online": (0, 0)}
    ranges = propagate(boxes, [("total", ("in_person", "phone", "online"))])
    assert ranges["phone"] == (2, 2)


def test_the_attack_of_the_issue_fails_on_published_figures():
    table = Table(values={"total": 8, "in_person": 6, "phone": 2, "online": 0})
    table.add_sum("total", ["in_person", "phone", "online"])
    shown = protect(table)
    assert shown == {"total": 5, "in_person": 5, "phone": None, "online": None}
    assert recovered_small(table, shown) == []


def test_secondary_suppression_when_the_sums_pin_a_cell():
    # Five statuses of 4 each: rounded, the total (20) would say that each one is 4.
    table = Table(values={"total": 20, **{s: 4 for s in "abcde"}})
    table.add_sum("total", "abcde")
    naive = {"total": 20, **{s: None for s in "abcde"}}
    assert recovered_small(table, naive) != []
    shown = protect(table)
    assert shown["total"] is None
    assert recovered_small(table, shown) == []


def test_secondary_suppression_hides_the_largest_shown_part():
    table = Table(values={"total": 25, "a": 9, "b": 4, "c": 4, "d": 4, "e": 4})
    table.add_sum("total", "abcde")
    shown = protect(table)
    assert shown["a"] is None and shown["total"] == 25
    assert recovered_small(table, shown) == []


@st.composite
def two_level_tables(draw):
    """A total split two ways (like channels and structure types) and a nested split."""
    small = st.integers(0, 12)
    first = draw(st.lists(small, min_size=1, max_size=6))
    total = sum(first)
    cut = sorted(draw(st.lists(st.integers(0, total), min_size=0, max_size=5)))
    second = [b - a for a, b in zip([0, *cut], [*cut, total], strict=True)]
    nested = draw(st.lists(small, min_size=1, max_size=6))
    values = {"T": total, **{f"a{i}": n for i, n in enumerate(first)}}
    values |= {f"b{i}": n for i, n in enumerate(second)}
    values["a0"] += sum(nested)
    values["T"] += sum(nested)
    values[f"b{len(second) - 1}"] += sum(nested)
    values |= {f"n{i}": n for i, n in enumerate(nested)}
    table = Table(values=values)
    table.add_sum("T", [f"a{i}" for i in range(len(first))])
    table.add_sum("T", [f"b{i}" for i in range(len(second))])
    table.add_sum("a0", [f"n{i}" for i in range(len(nested))] + ["rest"])
    table.values["rest"] = values["a0"] - sum(nested)
    return table


@settings(max_examples=400, deadline=None)
@given(two_level_tables())
def test_no_small_count_is_pinned_by_the_sums_of_one_answer(table):
    shown = protect(table)
    assert all(v is None or (v >= 5 and v % 5 == 0) for v in shown.values())
    assert recovered_small(table, shown) == []
