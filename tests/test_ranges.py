"""Every assumption carries a plausible range (or says why it stays fixed), and the range holds its default."""

import math

from sim.config.table import rows


def _assumptions():
    return [r for r in rows() if "assumption" in r.src.lower()]


def test_every_assumption_has_a_range_or_a_reason_to_stay_fixed():
    bare = [r.key for r in _assumptions() if "plausible" not in r.meta and "fixed" not in r.meta]
    assert not bare, f"assumptions without plausible=(lo, hi, why) or fixed='why': {bare}"
    for r in rows():
        if "plausible" in r.meta:
            assert r.meta["plausible"][2].strip(), f"{r.key}: a range needs its reason"
        if "fixed" in r.meta:
            assert r.meta["fixed"].strip(), f"{r.key}: fixed needs its reason"


def test_ranges_contain_their_defaults_and_lie_inside_the_allowed_values():
    n = 0
    for r in rows():
        p = r.meta.get("plausible")
        if not p:
            continue
        n += 1
        lo, hi, _ = p
        assert lo < hi, f"{r.key}: plausible range [{lo}, {hi}] is empty"
        if isinstance(r.default, list):  # a factor on every item
            assert lo <= 1 <= hi, f"{r.key}: factor range [{lo}, {hi}] does not hold 1 (the default)"
            values = [v * f for v in r.default for f in (lo, hi)]
        else:
            assert isinstance(r.default, (int, float)) and not isinstance(r.default, bool), r.key
            assert lo <= r.default <= hi, f"{r.key}: default {r.default} outside its range [{lo}, {hi}]"
            values = [lo, hi]
        m = r.meta
        for v in values:
            assert math.isfinite(v)
            assert m.get("lo") is None or v >= m["lo"], f"{r.key}: {v} below the allowed {m['lo']}"
            assert m.get("hi") is None or v <= m["hi"], f"{r.key}: {v} above the allowed {m['hi']}"
            assert m.get("gt") is None or v > m["gt"], f"{r.key}: {v} not above {m['gt']}"
    assert n > 100  # the behavioural sizes of params.* alone are more than a hundred


def test_the_parameter_table_shows_the_range_column():
    from sim.config.table import markdown

    table = markdown()
    assert "| plausible range |" in table
    assert "[3.0, 8.0]: a household service every 1-4 months" in table
    assert "fixed: calibrated" in table
