"""Service paths: volunteers add capacity where it is short, facilities serve their own fields,
the party network gives every household a branch, universities train their partners only."""

import numpy as np

from sim.config.load import load
from sim.mechanisms import service
from sim.mechanisms.needs import HOUSEHOLD
from sim.model import GovernanceModel


def _busy_model(*ov) -> GovernanceModel:
    """A tiny world with twice the needs, a month in: queues are long enough to compete for."""
    busy = ("params.needs.rate_household=10", "params.needs.rate_cultural=6", "params.needs.rate_public_service=8")
    cfg, _ = load(["world=tiny", "warmup_days=0", "days=60", *busy, *ov])
    return GovernanceModel(cfg).run(days=30)


def test_volunteers_never_take_a_need_staff_would_have_served():
    """The same queues and staff, with and without civic capacity: staff serve exactly the same
    needs, and civic capacity serves only needs that staff left (before: volunteers served first at
    quality 0.65 and displaced staff of about 0.70)."""
    m = _busy_model("policy.party_building.civic_groups=[sanitation,patrol,arts]",
                    "world.staff.community_workers_per_10k_residents=4", "world.staff.min_community_workers=1")
    cap = service.capacity(m, m.levers)
    assert cap.civic.sum() > 0
    no_civic = service.Capacity(cap.hours, cap.skill, cap.facility, np.zeros_like(cap.civic),
                                np.zeros_like(cap.purchasable), np.zeros_like(cap.affordable))
    t = m.t
    with_civic, without = service.serve(m, cap, t), service.serve(m, no_civic, t)
    np.testing.assert_array_equal(np.sort(with_civic.staff), np.sort(without.staff))
    assert len(with_civic.civic) > 0 and not np.isin(with_civic.civic, with_civic.staff).any()


def test_civic_capacity_helps_only_where_staff_are_short():
    m = _busy_model("policy.party_building.civic_groups=[sanitation,patrol,arts]",
                    "world.staff.community_workers_per_10k_residents=200")  # ample staff
    served = service.serve(m, service.capacity(m, m.levers), m.t)
    assert len(served.civic) == 0


def test_each_facility_serves_its_own_field():
    """A standard centre with only a kindergarten: its capacity goes to childcare (household needs
    of households with children), nothing else (before: a +0.1 quality bonus on everything)."""
    m = _busy_model("policy.service_centres.standard=true", "policy.service_centres.facilities=[kindergarten]")
    cap = service.capacity(m, m.levers)
    assert cap.facility[:, service.CHILDCARE].sum() > 0
    assert cap.facility[:, [k for k in range(service.N_KEYS) if k != service.CHILDCARE]].sum() == \
        cap.facility[:, :].sum() - cap.facility[:, service.CHILDCARE].sum()
    served = service.serve(m, cap, m.t)
    pool = m.needs
    kids = m.residents.children[pool["hh"][served.facility]]
    cats = pool["cat"][served.facility]
    fac_units = cap.facility.sum(1) - cap.facility[:, service.CHILDCARE]
    only_kindergarten = fac_units[pool["point"][served.facility]] == 0
    assert len(served.facility) > 0
    assert ((cats == HOUSEHOLD) & kids)[only_kindergarten].all()


def test_the_three_level_network_gives_every_household_a_branch_in_proportion_to_its_members():
    """The network divides a community's households among its branches (through their groups), the
    same number per member, in the order of where they live."""
    cfg, _ = load(["world=tiny", "warmup_days=0", "policy.party_building.three_level_network=true"])
    m = GovernanceModel(cfg)
    pm, res, C = m.party_members, m.residents, m.org.n_communities
    branch_of_member, branch_of_household, looked_after, community_of_branch = m.participation.branches()
    members = np.bincount(pm.community, minlength=C)
    assert (members > 0).all() and looked_after.sum() == res.n
    in_branch = np.bincount(branch_of_member, minlength=len(looked_after))
    np.testing.assert_array_equal(community_of_branch[branch_of_member], pm.community)
    per_member = np.bincount(res.community, minlength=C)[community_of_branch] / members[community_of_branch]
    np.testing.assert_allclose(looked_after, in_branch * per_member, atol=1)
    # the branches of a community look after its own households, one stretch each in the order of cells
    for b in np.unique(branch_of_household[branch_of_household >= 0])[:20]:
        assert (res.community[branch_of_household == b] == community_of_branch[b]).all()


def test_the_three_level_network_reaches_the_households_no_member_lives_near():
    """Unorganised, a member reaches the households around them, so sparse households far from any
    member are never reached; in the network every household is someone's, and a branch shares its
    members' time, so every household of a branch is reached alike, and no community reaches more
    households than its members can (before: the whole community pooled, branches and groups unused)."""
    local, network, m = [], [], None
    for on in ("false", "true"):
        cfg, _ = load(["world=im_pastoral", "warmup_days=0", f"policy.party_building.three_level_network={on}"])
        m = GovernanceModel(cfg)
        (network if on == "true" else local).append(m.participation.reached(m.levers))
    local, network = local[0], network[0]
    has_members = np.bincount(m.party_members.community, minlength=m.org.n_communities)[m.residents.community] > 0
    assert (local[has_members] == 0).mean() > 0.02
    assert (network[has_members] > 0).all()
    assert network.mean() > local.mean() + 0.05  # measured on im_pastoral: 0.626 -> 0.714
    branch_of_household = m.participation.branches()[1]
    for b in np.unique(branch_of_household)[:20]:
        assert np.ptp(network[branch_of_household == b]) == 0
    capacity = np.bincount(m.party_members.community, weights=m.participation.reach_capacity(m.levers),
                           minlength=m.org.n_communities)
    reached = np.bincount(m.residents.community, weights=network, minlength=m.org.n_communities)
    assert (reached <= capacity + 1e-9).all()


def test_a_branch_of_busy_members_reaches_its_households_less_than_one_of_retired_members():
    """Reach is a branch's, not the community's: where the committee has no time to spare, each
    branch reaches min(1, its members' capacity / the households it looks after), so branches of
    one community differ (pooling the community, as before, gave them all the same share)."""
    cfg, _ = load(["world=tiny", "warmup_days=0", "policy.party_building.three_level_network=true"])
    m = GovernanceModel(cfg)
    p = m.participation
    branch_of_member, branch_of_household, looked_after, community = p.branches()
    capacity = np.bincount(branch_of_member, weights=p.reach_capacity(m.levers), minlength=len(looked_after))
    reached = p.reached(m.levers)
    spare = np.bincount(community, weights=np.maximum(capacity - looked_after, 0), minlength=m.org.n_communities)
    several = np.bincount(community, minlength=m.org.n_communities) > 1
    checked = 0
    for c in np.flatnonzero(several & (spare == 0)):
        branches = np.flatnonzero(community == c)
        got = np.array([reached[branch_of_household == b][0] for b in branches])
        np.testing.assert_allclose(got, np.minimum(1, capacity[branches] / looked_after[branches]))
        checked += np.ptp(got) > 0.01
    assert checked >= 3


def test_a_village_without_party_members_is_reached_by_its_big_communitys_spare_time():
    """After a merger the committee is the big community's: its spare time reaches a former
    village whose own households have no member (before this fix they had no branch and got 0)."""
    few = ("world.party.members_per_household=0.003", "params.participation.households_per_active_member=5000",
           "warmup_days=0", "policy.party_building.three_level_network=true")
    for merged in (False, True):
        ov = ("policy=only_abolish_street_offices", "policy.reform_day=0") if merged else ()
        cfg, _ = load(["world=tiny", *few, *ov])
        m = GovernanceModel(cfg).run(days=1)
        members = np.bincount(m.party_members.community, minlength=m.org.n_communities)
        lonely = members[m.residents.community] == 0
        assert lonely.any()
        reached = m.participation.reached(m.levers)[lonely]
        with_members = np.bincount(m.org.lead, weights=members, minlength=m.org.n_communities)[m.org.lead]
        helped = (with_members[m.residents.community] > 0)[lonely]
        if merged:
            assert helped.any() and (reached[helped] > 0).all() and (reached[~helped] == 0).all()
        else:
            assert (reached == 0).all()


def test_a_university_trains_only_the_communities_it_partners_with():
    m = _busy_model("policy.unit_integration.university_partnership=true", "world.units.communities_per_university=1")
    partnered = m.university_partner_leads()
    assert 0 < partnered.sum() < len(m.org.leads())
    o = m.officials
    at = np.flatnonzero(o.active & (o.level == 0) & (o.hired_day < 0))
    before = o.skill.copy()
    m.staffing.train(0, m.levers)  # day 0 opens a month
    gained = o.skill[at] > before[at]
    np.testing.assert_array_equal(gained, partnered[o.point[at]])


def test_no_served_need_is_done_before_its_hours_from_when_work_on_it_could_start(monkeypatch):
    """Work on a need starts when it is ready, but not before the office opens: staff, a facility
    or civic capacity finish it no earlier than max(ready, opening) + its hours (before: a need
    ready at 03:00 taking 0.5 h could be done at 08:35, five minutes after opening)."""
    seen = {"facility": 0, "staff": 0, "civic": 0}
    serve = service.serve

    def checked(model, cap, t):
        out = serve(model, cap, t)
        s, pool = model.cfg.params.service, model.needs
        open_t = t + s.office_open_hour / 24
        for kind, idx, done, hours in (
                ("facility", out.facility, out.done_facility, service.own_hours(model, out.facility)),
                ("staff", out.staff, out.done_staff, service.need_hours(model, out.staff)),
                ("civic", out.civic, out.done_civic, service.own_hours(model, out.civic))):
            start = np.maximum(pool["ready"][idx], open_t)
            assert (done >= start + hours / 24 - 1e-9).all(), kind
            assert (done <= t + s.office_close_hour / 24 + 1e-9).all(), kind
            seen[kind] += len(idx)
        return out

    monkeypatch.setattr(service, "serve", checked)
    _busy_model("policy.service_centres.standard=true", "policy.party_building.civic_groups=[sanitation,patrol,arts]",
                "world.staff.community_workers_per_10k_residents=4", "world.staff.min_community_workers=1")
    assert min(seen.values()) > 100, seen


def test_every_bought_household_case_is_paid_in_full(monkeypatch):
    """Civic capacity is rounded to whole cases at random, and its last household cases are bought: a community
    with money for less than a case could buy a whole one, served though never paid (before: 9 of 526 bought
    cases on zhucheng_rural at a tenth of its size).  What money records as spent on purchased services is
    the cases bought times their price, community by community."""
    from sim import run

    bought = {}
    serve = service.serve

    def counted(model, cap, t):
        out = serve(model, cap, t)
        n = np.bincount(model.needs["point"][out.civic[out.bought]], minlength=model.org.n_communities)
        assert (n <= cap.affordable).all()
        bought["cases"] = bought.get("cases", 0) + n
        return out

    monkeypatch.setattr(service, "serve", counted)
    m = run(world="zhucheng_rural", policy="only_funding", days=180, overrides=["world.scale=0.1"],
            keep_model=True).model
    price = m.cfg.params.money.purchase_yuan_per_case
    assert bought["cases"].sum() > 100
    np.testing.assert_allclose(m.money.cost_parts[3], bought["cases"].sum() * price, rtol=1e-9)
