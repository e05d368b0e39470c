"""The IIN check digit (core.kazakh)."""

import pytest


@pytest.mark.parametrize("iin, valid", [
    ("150101500329", True),     # weights 1…11
    ("140512600131", True),
    ("150101500328", False),    # check digit off by one
    ("15010150032", False),     # 11 digits
    ("15010150032x", False),
])
def test_iin_check_digit(iin, valid):
    from bilim.core.kazakh import is_valid_iin

    assert is_valid_iin(iin) is valid


def test_an_iin_whose_both_sums_give_10_is_never_issued():
    from bilim.core.kazakh import iin_check_digit

    found = next(f"{n:011d}" for n in range(10**6) if iin_check_digit(f"{n:011d}") is None)
    assert iin_check_digit(found) is None and len(found) == 11
