"""A region composed of parts (sim/world/region.py): the leagues of Inner Mongolia side by side."""


import numpy as np
import pytest

from sim import run
from sim.config.load import load
from sim.config.validate import ConfigError
from sim.model import GovernanceModel
from sim.snapshot import MemorySnapshots
from sim.world.generate import VILLAGE
from sim.world.region import parts_of, region_parts
from sim.world.scale import smallest_faithful_scale, warning
from tests.conftest import outcomes

S = 0.005  # about 51,000 households, two to three hundred communities
BASE = ["world=inner_mongolia", f"world.scale={S}"]
pytestmark = pytest.mark.filterwarnings("ignore::sim.api.ScaleWarning")  # small on purpose


def _model(*ov) -> GovernanceModel:
    cfg, _ = load([*BASE, "warmup_days=0", "days=1", *ov])
    return GovernanceModel(cfg)


def test_parts_lie_side_by_side_with_their_own_households():
    m = _model()
    geo, org, parts = m.geo, m.org, region_parts(m.cfg.world)
    hh_part = org.unit_part[org.unit_of_hh]
    boxes = []
    for i, p in enumerate(parts):
        mine = hh_part == i
        expected = p.urban.households + p.pastoral.households + p.villages.n_villages * p.villages.households_mean
        # village sizes are lognormal with the part's cv: four standard deviations of their sum
        spread = 4 * p.villages.households_mean * p.villages.households_cv * np.sqrt(p.villages.n_villages)
        assert abs(mine.sum() - expected) <= spread + 1, (p.name, mine.sum(), expected, spread)
        assert (geo.hh_settlement[mine] == VILLAGE).any() == (p.villages.n_villages > 0)
        lo, hi = geo.hh_xy[mine].min(0), geo.hh_xy[mine].max(0)
        tile = np.ceil(np.array([p.width_km, p.height_km]) / p.cell_km) * p.cell_km  # whole cells
        assert np.all(hi - lo <= tile)
        boxes.append((lo, hi))
    for i in range(len(boxes)):  # the tiles do not overlap
        for j in range(i):
            (a0, a1), (b0, b1) = boxes[i], boxes[j]
            assert np.any(a1 < b0) or np.any(b1 < a0), (parts[i].name, parts[j].name)
    # each household is served by the radius of its own part
    radius = np.array([p.service_radius_km for p in parts])
    np.testing.assert_array_equal(m.radius_km, radius[hh_part])


def test_a_case_escalates_within_its_league():
    org = _model().org
    units = np.arange(org.n_communities)
    for ctype in range(len(org.case_department)):
        pts = org.case_dept_point(np.full(len(units), ctype), units)
        np.testing.assert_array_equal(org.point_part(pts), org.unit_part)
    assert org.n_departments == org.n_parts * org.n_dept_kinds == 12 * len(org.departments)


@pytest.mark.parametrize("staff_to", ["communities", "departments"])
def test_staff_moved_by_the_reform_stay_in_their_league(staff_to):
    m = _model("policy.reform_day=0", "reform.abolish_street_offices.enabled=true",
               f"reform.abolish_street_offices.staff_to={staff_to}", "reform.staff_sent_down.n=20")
    o = m.officials
    before = m.org.point_part(o.point[: o.n])
    active = o.active[: o.n].copy()
    m.run()
    moved = active & o.active[: len(active)]
    assert (o.level[: len(active)][moved] != 1).all()  # no one is left at a street office
    np.testing.assert_array_equal(m.org.point_part(o.point[: len(active)][moved]), before[moved])


def test_a_region_reports_by_league():
    r = run(world="inner_mongolia", policy="im_reform", days=20, overrides=[f"world.scale={S}", "warmup_days=10"])
    league = r.groups[r.groups["dimension"] == "league"]
    assert list(league["group"]) == list(parts_of(load(BASE)[0].world)[i].name for i in range(12))
    assert league["households"].sum() == r.summary["households"]
    assert set(r.communities["part"]) == set(league["group"])


def test_a_branched_region_is_the_region_from_scratch():
    ov = [f"world.scale={S}", "warmup_days=20"]
    snaps = MemorySnapshots()
    run(world="inner_mongolia", policy="status_quo", days=15, overrides=ov, snapshots=snaps)
    scratch = run(world="inner_mongolia", policy="im_reform", days=15, overrides=ov)
    branched = run(world="inner_mongolia", policy="im_reform", days=15, overrides=ov, snapshots=snaps)
    assert outcomes(scratch.summary) == outcomes(branched.summary)


def test_a_region_keeps_its_structure_from_the_scale_its_parts_add_up_to():
    w = load(BASE)[0].world
    s = smallest_faithful_scale(w)
    assert 0.01 < s < 0.5
    at = type(w)(**{**w.__dict__, "scale": s})
    s_parts = smallest_faithful_scale(w, by_part=True)
    assert s < s_parts  # a small league's few rural communities drift long after the totals hold
    assert "cannot keep its structure" not in warning(at) and f"faithful from world.scale={s_parts:g} up" in warning(at)
    assert warning(type(w)(**{**w.__dict__, "scale": s_parts})) is None
    assert "inner_mongolia cannot keep its structure" in warning(w)


def test_an_unknown_part_is_named():
    with pytest.raises(ConfigError, match="world.parts: 'atlantis' is not a part"):
        load(["world=inner_mongolia", "world.parts=[hohhot,atlantis]"])


def test_each_part_has_its_own_universities_in_its_own_towns():
    m = _model("world.scale=0.05")
    parts = region_parts(m.cfg.world)
    unis = [u for u in m.unit_list if u.kind == "university"]
    assert len(unis) == sum(p.units.universities for p in parts) > 0
    part_of = m.org.unit_part[[u.community for u in unis]]
    for i, p in enumerate(parts):
        mine = [u for u, q in zip(unis, part_of) if q == i]
        assert len(mine) == p.units.universities, p.name
        assert all(u.partner_communities == p.units.communities_per_university for u in mine)


def test_a_baseline_that_fits_the_region_as_written_and_at_its_scale_is_accepted():
    # 110,526 department staff in the parts as written, 11,052 at scale 0.1: 50,000 sent down fits both
    load(["world=inner_mongolia", "policy=zhucheng_model", "baseline.staff_sent_down.n=50000", "world.scale=0.1"])
    with pytest.raises(ConfigError, match="baseline.staff_sent_down.n=120000"):
        load(["world=inner_mongolia", "baseline.staff_sent_down.n=120000", "world.scale=0.1"])
