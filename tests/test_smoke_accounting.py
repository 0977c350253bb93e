"""Accounting identities of one run: needs, money, officials."""

import numpy as np


def test_every_need_is_resolved_pending_abandoned_or_unraised(tiny_run):
    s = tiny_run.summary
    assert s["needs_generated"] > 1000
    assert s["needs_generated"] == s["needs_resolved"] + s["needs_pending"] + s["needs_abandoned"] + s["needs_unraised"]


def test_money_received_equals_spent_plus_held_per_source(tiny_run):
    money = tiny_run.model.money
    lhs = money.received + money.transfer_in - money.transfer_out
    np.testing.assert_allclose(lhs, money.spent + money.held, rtol=1e-9, atol=1e-6)
    assert (money.held >= -1e-9).all()
