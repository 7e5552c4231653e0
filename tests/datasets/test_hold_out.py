"""The hash hold-out on string ids (VOC image ids, NUS-WIDE paths): fixed, disjoint, whole."""

from __future__ import annotations

import pytest

from mlrkit.datasets.hold_out import hold_out_ids, hold_out_positions

VOC_IDS = [f"2008_{i:06d}" for i in range(1, 5001)]


def test_string_ids_hold_out_is_pinned():
    # sha1("mlrkit-hold-out:<id>"): the same images on every machine and in every version
    assert hold_out_ids(VOC_IDS, 4) == {"2008_002196", "2008_004169", "2008_004252", "2008_004802"}
    assert hold_out_ids(VOC_IDS[::-1], 4) == hold_out_ids(VOC_IDS, 4)  # order does not matter


def test_positions_split_in_two_disjoint_parts_in_order():
    ids = ["b", "a", "d", "c", "e", "f"]
    held = hold_out_positions(ids, 2, "held_out")
    rest = hold_out_positions(ids, 2, "rest")
    assert len(held) == 2 and held == sorted(held) and rest == sorted(rest)
    assert sorted(held + rest) == list(range(len(ids)))
    assert {ids[n] for n in held} == hold_out_ids(ids, 2)
    assert hold_out_positions(ids, 0, "held_out") == list(range(len(ids)))  # 0: no hold-out


def test_an_id_listed_twice_stays_in_one_part():
    ids = ["x", "y", "x", "z", "w", "x"]
    for size in range(0, 5):
        held = {ids[n] for n in hold_out_positions(ids, size, "held_out")} if size else set()
        rest = {ids[n] for n in hold_out_positions(ids, size, "rest")}
        assert not held & rest and held | rest == set(ids)


def test_bad_options_name_the_owner():
    with pytest.raises(ValueError, match=r"NUSWideMultiLabel: hold_out_size must be in \[0, 3\]"):
        hold_out_positions(["a", "b", "a", "c"], 4, "rest", owner="NUSWideMultiLabel")
    with pytest.raises(ValueError, match="VOCMultiLabel: hold_out_part must be one of"):
        hold_out_positions(["a"], 1, "val", owner="VOCMultiLabel")
