"""AAPOR outcome rates against the check vector in DOMAIN.md section 5."""

import pytest

from touchstone.stats import Dispositions, outcome_rates

CHECK = Dispositions(I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1, e=0.9)


def test_response_rates_match_the_domain_check_values():
    rates = outcome_rates(CHECK)
    values = [rates.rr1, rates.rr2, rates.rr3, rates.rr4, rates.rr5, rates.rr6]
    assert [round(v, 3) for v in values] == [0.364, 0.545, 0.370, 0.556, 0.444, 0.667]


def test_cooperation_refusal_and_contact_rates_match_the_domain_check_values():
    rates = outcome_rates(CHECK)
    assert [round(v, 3) for v in (rates.coop1, rates.coop2, rates.coop3, rates.coop4)] == [
        0.5,
        0.75,
        0.571,
        0.857,
    ]
    assert [round(v, 3) for v in (rates.ref1, rates.ref2, rates.ref3)] == [0.091, 0.093, 0.111]
    assert [round(v, 3) for v in (rates.con1, rates.con2, rates.con3)] == [0.727, 0.741, 0.889]


def test_zero_denominators_give_none():
    rates = outcome_rates(Dispositions(I=0))
    assert rates.rr1 is None and rates.coop1 is None and rates.con3 is None


def test_rates_that_need_e_are_none_without_it():
    rates = outcome_rates(Dispositions(I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1))
    assert rates.rr3 is None and rates.ref2 is None and rates.con2 is None
    assert rates.rr1 == pytest.approx(4 / 11)


def test_e_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="e is a proportion"):
        Dispositions(I=1, e=1.5)
