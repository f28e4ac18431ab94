"""The eight policy analyses of issue 4, exactly: hand-checked on tiny, on variants of it, and on the bundled data.

Every expected value below was worked out by hand from ``tests/data/tiny`` (see its README) or from
the bundled CSV rows named in the comment, not copied from a run. The variants add the optional
columns the bundled data lacks (``investment``, ``open_to_public``, sector ``tier``s, coordinates,
needs nobody offers) and are also checked across both engines.
"""

from __future__ import annotations

import math

import pytest

import loaders
import queries
from graph import build_graph
from graph.errors import QueryError

WEIGHTS_EQUAL = "capability=0.25,openness=0.25,service=0.25,benefit=0.25"


@pytest.fixture(scope="module")
def bundled():
    return build_graph(loaders.read_bundled())


@pytest.fixture(scope="module")
def engine(embedded_engine):
    return embedded_engine


def _row(rows, key, value):
    [r] = [r for r in rows if r[key] == value]
    return r


@pytest.fixture
def variant(tiny_rows, write_folder):
    """tiny with the optional columns: investment, open_to_public, tiers, coordinates, an unmet need."""
    orgs = {r["id"]: r for r in tiny_rows["organizations"]}
    orgs["bj-pf-1"].update(investment="40000", open_to_public="是", lat="39.99", lon="116.31")
    orgs["bj-pf-2"].update(investment="8000", open_to_public="否")
    orgs["bj-pf-3"].update(investment="100", services="SV_TEST", lat="39.90", lon="116.40")
    orgs["tj-pf-1"].update(services="SV_TEST")
    orgs["bj-ent-1"].update(lat="39.90", lon="116.40")
    orgs["bj-ent-2"].update(needs="SV_TEST;SV_NONE")
    for s in tiny_rows["sectors"]:
        s["tier"] = {"S_H2": "国际引领", "S_BIO": "能级提升"}.get(s["id"], "")
    tiny_rows["services"].append({"id": "SV_NONE", "name": "无人提供的服务", "name_en": "Nobody offers",
                                  "source": "synthetic test data"})
    return build_graph(loaders.read_folder(write_folder(tiny_rows)))


# ----------------------------------------------------------------------------- sector-coverage

def test_sector_coverage_tiny(tiny_graph):
    rows = queries.QUERIES["sector-coverage"].func(tiny_graph)
    assert [r["sector_id"] for r in rows[::3]] == ["S_BIO", "S_BIOC", "S_H2", "S_IC", "S_ROBOT"]  # not S_EMPTY
    counts = {(r["sector_id"], r["province"]): tuple(r[k] for k in (
        "rnd", "platforms_national", "platforms_municipal", "platforms_district", "platforms_other",
        "scaleup_hosts", "paths", "alliance_members")) for r in rows}
    # S_H2 in Beijing: uni-1 and ent-1; bj-pf-1 national; bj-site-1 receives a scale-up; four triples through
    # bj-pf-1; uni-1 and pf-1 are members
    assert counts["S_H2", "北京"] == (2, 1, 0, 0, 0, 1, 4, 2)
    # tj-pf-1 has no level (other); tj-site-1 hosts and is a member; two triples end at tj-site-1
    assert counts["S_H2", "天津"] == (0, 0, 0, 0, 1, 1, 2, 1)
    # nobody of S_H2 in Hebei, but two S_H2 triples end at hb-park-1 (a robot park)
    assert counts["S_H2", "河北"] == (0, 0, 0, 0, 0, 0, 2, 0)
    # S_BIO: inst-1, inst-2; pf-2 municipal, pf-3 none; one triple inst-1 → pf-2 → hb-site-1; pf-2 a member
    assert counts["S_BIO", "北京"] == (2, 0, 1, 0, 1, 0, 1, 1)
    assert counts["S_BIO", "天津"] == (1, 0, 0, 0, 0, 0, 0, 0)  # tj-uni-1
    assert counts["S_BIO", "河北"] == (0, 0, 0, 0, 0, 1, 1, 0)  # hb-site-1
    assert rows[0]["sector_name"] == "生物医药"


def test_sector_coverage_filters(tiny_graph):
    rows = queries.QUERIES["sector-coverage"].func(tiny_graph, sector="氢能", province="Hebei")
    assert [(r["sector_id"], r["province"]) for r in rows] == [("S_H2", "河北")]
    with pytest.raises(QueryError, match="province: expected 北京 or 天津 or 河北, got '上海'"):
        queries.QUERIES["sector-coverage"].func(tiny_graph, province="上海")


# ----------------------------------------------------------------------------- supply-list

def test_supply_list_tiny(tiny_graph):
    rows = queries.supply_list(tiny_graph)
    assert [r["platform_id"] for r in rows] == ["bj-pf-1", "bj-pf-2", "bj-pf-3", "tj-pf-1"]  # 北京 by level, then 天津
    assert rows[0] == {
        "platform_id": "bj-pf-1", "platform_name": "样例氢能中试平台", "province": "北京", "city": "北京",
        "district": "海淀", "kind": "pilot_platform", "level": "national", "operator_ids": ["bj-ent-1"],
        "operator_names": ["样例氢能科技"], "sectors": ["S_H2"], "sector_names": ["氢能"],
        "services": ["SV_SCALE", "SV_TEST"], "service_names": ["工艺放大熟化", "产品性能测试"],
        "open_to_public": None, "lat": None, "lon": None}
    assert rows[3]["level"] is None and rows[3]["operator_ids"] == []


@pytest.mark.parametrize("params, expected", [
    ({"level": "none"}, ["bj-pf-3", "tj-pf-1"]),  # none includes the platform with no level
    ({"level": "市级"}, ["bj-pf-2"]),
    ({"service": "SV_BATCH"}, ["bj-pf-2"]),
    ({"sector": "S_H2", "province": "天津"}, ["tj-pf-1"]),
])
def test_supply_list_filters(tiny_graph, params, expected):
    assert [r["platform_id"] for r in queries.supply_list(tiny_graph, **params)] == expected


def test_supply_list_open_to_public(variant):
    rows = {r["platform_id"]: r["open_to_public"] for r in queries.supply_list(variant)}
    assert rows == {"bj-pf-1": True, "bj-pf-2": False, "bj-pf-3": None, "tj-pf-1": None}


def test_supply_list_bad_level(tiny_graph):
    with pytest.raises(QueryError, match="level: expected one of national, municipal, district, none"):
        queries.supply_list(tiny_graph, level="provincial-ish")


# ----------------------------------------------------------------------------- supply-demand

def test_supply_demand_tiny(tiny_graph):
    rows = queries.QUERIES["supply-demand"].func(tiny_graph)
    # bj-ent-2 names its need by Chinese name (产品性能测试 = SV_TEST); only bj-pf-1 offers it
    assert [(r["enterprise_id"], r["service_id"], r["rank"], r["platform_id"], r["same_sector"], r["same_province"],
             r["distance_km"]) for r in rows] == [
        ("bj-ent-1", "SV_TEST", 1, "bj-pf-1", True, True, None),
        ("bj-ent-2", "SV_TEST", 1, "bj-pf-1", False, True, None)]


def test_supply_demand_ranking_and_gaps(variant):
    rows = queries.QUERIES["supply-demand"].func(variant)
    got = [(r["enterprise_id"], r["service_id"], r["rank"], r["platform_id"], r["distance_km"]) for r in rows]
    # bj-pf-1 −0.09° lat, +0.09° lon from bj-ent-1 at 39.95°N
    d = round(6371.0088 * math.radians(math.hypot(0.09, 0.09 * math.cos(math.radians(39.945)))), 1)
    assert d == 12.6
    assert got == [
        ("bj-ent-1", "SV_TEST", 1, "bj-pf-1", 12.6),  # same sector and province
        ("bj-ent-1", "SV_TEST", 2, "tj-pf-1", None),  # same sector beats same province …
        ("bj-ent-1", "SV_TEST", 3, "bj-pf-3", 0.0),  # … and beats distance 0
        ("bj-ent-2", "SV_NONE", None, None, None),  # nobody offers it
        ("bj-ent-2", "SV_TEST", 1, "bj-pf-1", None),  # a tie on everything: by id
        ("bj-ent-2", "SV_TEST", 2, "bj-pf-3", None),
        ("bj-ent-2", "SV_TEST", 3, "tj-pf-1", None),
    ]
    top1 = queries.QUERIES["supply-demand"].func(variant, top=1)
    assert [(r["enterprise_id"], r["service_id"], r["platform_id"]) for r in top1] == [
        ("bj-ent-1", "SV_TEST", "bj-pf-1"), ("bj-ent-2", "SV_NONE", None), ("bj-ent-2", "SV_TEST", "bj-pf-1")]
    gaps = queries.QUERIES["supply-demand"].func(variant, gaps=True)
    assert [(r["sector_id"], r["service_id"], r["enterprise_id"], r["platform_id"]) for r in gaps] == [
        ("S_ROBOT", "SV_NONE", "bj-ent-2", None)]


# ----------------------------------------------------------------------------- partner-candidates

def test_partner_candidates_tiny(tiny_graph):
    q = queries.QUERIES["partner-candidates"]
    # S_BIO's Beijing platforms are pf-2 and pf-3; pf-2 already scales up at hb-site-1; tj-site-1 shares
    # alliance-1 with pf-2 (0.5); no coordinates on the anchors, no shared sector or partner
    rows = q.func(tiny_graph, sector="S_BIO")
    assert [(r["rank"], r["candidate_id"], r["score"], r["shared_alliances"]) for r in rows] == [
        (1, "tj-site-1", 0.5, ["alliance-1"]), (2, "hb-park-1", 0.0, [])]
    # bj-pf-1 already scales up at tj-site-1 and hb-park-1 (bj-site-1 is in Beijing): hb-site-1 is left
    assert [r["candidate_id"] for r in q.func(tiny_graph, platform="bj-pf-1")] == ["hb-site-1"]
    assert q.func(tiny_graph) == []  # all Beijing platforms together already use every candidate


def test_partner_candidates_adamic_adar(tiny_graph):
    # hb-site-1 partners with bj-uni-1, who transfers to bj-pf-1: one shared partner; bj-uni-1's
    # neighbours are bj-pf-1, tj-pf-1, bj-ent-1 and hb-site-1, so it scores 1/ln 4
    tiny_graph.add_edge("hb-site-1", "bj-uni-1", key="PARTNERS_WITH")
    tiny_graph.refresh()
    [r] = queries.QUERIES["partner-candidates"].func(tiny_graph, platform="bj-pf-1")
    assert r["common_partners"] == ["bj-uni-1"]
    assert r["adamic_adar"] == round(1 / math.log(4), 4) == r["score"] == 0.7213


@pytest.mark.parametrize("params, message", [
    ({"platform": "bj-pf-1", "sector": "S_H2"}, "partner-candidates takes platform=ID or sector=ID, not both"),
    ({"platform": "bj-uni-1"}, "'bj-uni-1' is a University, not a Platform"),
    ({"platform": "nope"}, "no organization with id 'nope'"),
    ({"sector": "S_H2", "limit": -1}, "parameter 'limit': expected 0 (all) or more, got -1"),
])
def test_partner_candidates_errors(tiny_graph, params, message):
    with pytest.raises(QueryError) as err:
        queries.QUERIES["partner-candidates"].func(tiny_graph, **params)
    assert str(err.value) == message


# ----------------------------------------------------------------------------- brokers

def test_brokers_tiny(tiny_graph):
    rows = {r["org_id"]: r for r in queries.QUERIES["brokers"].func(tiny_graph)}
    # critical: S_H2's four triples all pass bj-pf-1; S_BIO's one triple is inst-1 → pf-2 → hb-site-1
    assert {k: r["critical_sectors"] for k, r in rows.items() if r["critical_sectors"]} == {
        "bj-pf-1": ["S_H2"], "bj-pf-2": ["S_BIO"], "bj-inst-1": ["S_BIO"], "hb-site-1": ["S_BIO"]}
    # hb-park-1 is the only way from bj-ent-2 to the four other Tianjin/Hebei organizations: 4 pairs
    assert rows["hb-park-1"]["betweenness"] == 4.0 and rows["hb-park-1"]["cross_links"] == 2
    # a leaf carries no path: bj-inst-1 is listed for its critical sector only; bj-ent-2 not at all
    assert rows["bj-inst-1"]["betweenness"] == 0.0
    assert "bj-ent-2" not in rows
    assert list(rows)[0] == "bj-pf-1"
    assert [r["org_id"] for r in queries.brokers(tiny_graph, limit=2)] == list(rows)[:2]
    with pytest.raises(QueryError, match=r"parameter 'limit': expected 0 \(all\) or more, got -3"):
        queries.brokers(tiny_graph, limit=-3)


# ----------------------------------------------------------------------------- subsidy-estimate

def test_subsidy_project(variant):
    q = queries.QUERIES["subsidy-estimate"]
    [r] = q.func(variant, industry="氢能", investment=20000.0, independent=False)  # 国际引领: 35%, cap 10000
    assert (r["tier"], r["rule_id"], r["ratio"], r["cap_wan"], r["amount_wan"], r["capped"]) == (
        "国际引领", "M1_INTL", 0.35, 10000.0, 7000.0, False)
    assert r["clause"].startswith("对于人工智能") and r["platform_id"] is None
    assert q.func(variant, industry="S_H2", investment=20000.0, independent=True)[0]["amount_wan"] == 9000.0  # 45%
    [r] = q.func(variant, industry="S_BIO", investment=30000.0, independent=True)  # 能级提升: 35%, cap 5000
    assert (r["ratio"], r["amount_wan"], r["capped"]) == (0.35, 5000.0, True)
    assert q.func(variant, investment=12000.0, kind="green")[0]["amount_wan"] == 3000.0  # 30% = 3600, cap 3000


def test_subsidy_platforms(variant):
    rows = queries.QUERIES["subsidy-estimate"].func(variant)
    got = [(r["platform_id"], r["industry"], r["ratio"], r["amount_wan"], r["capped"], r["note"]) for r in rows]
    assert got == [
        ("bj-pf-1", "S_H2", 0.45, 10000.0, True, None),  # independent: 45% of 40000 = 18000, cap 10000
        ("bj-pf-2", "S_BIO", 0.25, 2000.0, False, None),  # not independent: 25% of 8000
        ("bj-pf-3", "S_BIO", 0.25, 25.0, False, "independent_legal_entity not given: the base ratio is used"),
    ]  # tj-pf-1 has no investment figure
    major = queries.QUERIES["subsidy-estimate"].func(variant, kind="major_pilot")
    assert [r["amount_wan"] for r in major] == [5000.0, 2400.0, 30.0]  # 30%, cap 5000


def test_subsidy_without_investment_figures(tiny_graph):
    [r] = queries.QUERIES["subsidy-estimate"].func(tiny_graph)
    assert r["note"].startswith("no platform has an investment figure") and r["amount_wan"] is None


@pytest.mark.parametrize("params, message", [
    ({"investment": 100.0, "kind": "digital", "industry": "S_H2"},
     "kind=digital: the rule does not depend on the industry (only kind=new, measure 1, does); drop industry"),
    ({"investment": 100.0, "kind": "green", "independent": True},
     "kind=green: an independent legal entity raises the ratio only under measure 1 (kind=new); drop independent"),
    ({"investment": 100.0}, "kind=new (measure 1) needs industry=… (a sector id or name)"),
    ({"investment": 100.0, "industry": "S_ROBOT"},
     "industry 'S_ROBOT' has no measure-1 tier (国际引领, 固本强安, 未来产业, 能级提升) in sectors.csv; "
     "sectors with one: S_BIO, S_H2"),
    ({"investment": 0.0, "industry": "S_H2"}, "parameter 'investment': expected the project's total investment"),
    ({"industry": "S_H2"}, "industry and independent describe one project: pass investment=…"),
    ({"kind": "bonus"}, "parameter 'kind': expected one of new, major_pilot, digital, green, got 'bonus'"),
])
def test_subsidy_errors(variant, params, message):
    with pytest.raises(QueryError) as err:
        queries.QUERIES["subsidy-estimate"].func(variant, **params)
    assert str(err.value).startswith(message)


# ----------------------------------------------------------------------------- targets-2030

def test_targets_tiny(tiny_graph):
    rows = queries.QUERIES["targets-2030"].func(tiny_graph)
    assert [(r["scope"], r["level"], r["target"], r["count"], r["shortfall"], r["platform_ids"]) for r in rows[:2]] == [
        ("overall", "national", 10, 1, 9, ["bj-pf-1"]), ("overall", "municipal", 50, 1, 49, ["bj-pf-2"])]
    by_sector = {(r["sector_id"], r["level"]): r["platform_ids"] for r in rows[2:]}
    assert len(by_sector) == 10  # five sectors checked (not S_EMPTY) × two levels
    assert by_sector["S_H2", "national"] == ["bj-pf-1"] and by_sector["S_BIO", "municipal"] == ["bj-pf-2"]
    assert sum(map(len, by_sector.values())) == 2  # tj-pf-1 is not in Beijing; bj-pf-3 has level none
    assert all(r["target"] is None and r["shortfall"] is None for r in rows[2:])


# ----------------------------------------------------------------------------- platform-scorecard

def test_scorecard_tiny(tiny_graph):
    rows = queries.QUERIES["platform-scorecard"].func(tiny_graph)
    # capability, openness, service, benefit, by hand (maxima 2, 2, 2, 2):
    # bj-pf-1: 2 services; transfers from uni-1 and ent-1, ent-1 operates it; scales up at tj-site-1, hb-park-1
    # bj-pf-2: 1 service; transfers from inst-1 and tj-uni-1; hb-site-1
    # tj-pf-1: no service; a transfer from bj-uni-1; hb-site-1
    assert [(r["rank"], r["platform_id"], r["capability"], r["openness"], r["service"], r["benefit"], r["composite"])
            for r in rows] == [
        (1, "bj-pf-1", 2, 1, 2, 2, 0.875), (2, "bj-pf-2", 1, 2, 2, 1, 0.75),
        (3, "tj-pf-1", 0, 1, 1, 1, 0.375), (4, "bj-pf-3", 0, 0, 0, 0, 0.0)]
    assert {r["weights"] for r in rows} == {WEIGHTS_EQUAL}
    rows = queries.QUERIES["platform-scorecard"].func(tiny_graph, weights="benefit=1")
    assert [(r["platform_id"], r["composite"]) for r in rows] == [
        ("bj-pf-1", 1.0), ("bj-pf-2", 0.5), ("tj-pf-1", 0.5), ("bj-pf-3", 0.0)]
    assert rows[0]["weights"] == "capability=0,openness=0,service=0,benefit=1"


@pytest.mark.parametrize("weights, message", [
    ("speed=1", "weights: unknown indicator 'speed'; the indicators: capability, openness, service, benefit"),
    ("0,0,0,0", "weights: expected numbers of 0 or more, not all 0; got '0,0,0,0'"),
    ("1,2", "weights: expected e.g. 'capability=0.25,openness=0.25,service=0.25,benefit=0.25' or four numbers"),
])
def test_scorecard_bad_weights(tiny_graph, weights, message):
    with pytest.raises(QueryError) as err:
        queries.QUERIES["platform-scorecard"].func(tiny_graph, weights=weights)
    assert str(err.value).startswith(message)


# ----------------------------------------------------------------------------- both engines on the variants

VARIANT_PARAMS = [
    ("supply-list", {}), ("supply-demand", {}), ("supply-demand", {"gaps": True}), ("supply-demand", {"top": 2}),
    ("subsidy-estimate", {}), ("subsidy-estimate", {"kind": "major_pilot"}),
    ("subsidy-estimate", {"industry": "氢能", "investment": 20000.0, "independent": True}),
    ("partner-candidates", {"platform": "bj-pf-3", "limit": 0}), ("sector-coverage", {}),
]


def test_engines_agree_on_variant(engine, variant):
    engine.load(variant, "policy-variant")
    for name, params in VARIANT_PARAMS:
        q = queries.QUERIES[name]
        assert q.run_cypher(engine, variant, **params) == q.func(variant, **params), (name, params)


# ----------------------------------------------------------------------------- the bundled data, checked by hand

def test_bundled_targets_2030(bundled):
    # organizations.csv: level national and province 北京 on PF_BIT_EV, PF_JJJ_NTIC, PF_ROBOT_TEST;
    # municipal in 北京 PF_BJ_MEMS_ERC and PF_NEV_BJLAB (PF_HB_ZKTC and PF_LF_PAPER are in Hebei)
    overall = queries.QUERIES["targets-2030"].func(bundled)[:2]
    assert [(r["level"], r["count"], r["shortfall"], r["platform_ids"]) for r in overall] == [
        ("national", 3, 7, ["PF_BIT_EV", "PF_JJJ_NTIC", "PF_ROBOT_TEST"]),
        ("municipal", 2, 48, ["PF_BJ_MEMS_ERC", "PF_NEV_BJLAB"])]


def test_bundled_partner_candidates(bundled):
    # PF_YZ_CELL (亦庄细胞治疗, CH_BIO;IND_CGT) has no scale-up yet; 诺未 Baoding's lab shares both sectors
    # and lies 167.6 km away (Beijing's and Baoding's outline centroids): 2 + 0.5 × 100 / 267.6
    top = queries.QUERIES["partner-candidates"].func(bundled, platform="PF_YZ_CELL")[0]
    assert (top["candidate_id"], top["shared_sectors"], top["distance_km"]) == (
        "ST_NUOWEI_BD", ["CH_BIO", "IND_CGT"], 167.6)
    assert top["score"] == round(2 + 0.5 * 100 / 267.6, 4) == 2.1868


def test_bundled_scorecard_and_supply(bundled):
    # PF_YZ_CELL: operated by EN_YZ_HOLDING; EN_ZHONGYIN, EN_PHARMARON and EN_BJ_BELLE transfer to it;
    # no services, no scale-up
    r = _row(queries.QUERIES["platform-scorecard"].func(bundled), "platform_id", "PF_YZ_CELL")
    assert (r["capability"], r["openness"], r["service"], r["benefit"]) == (0, 3, 3, 0)
    # the only platform offering 检验检测 is the national robot test centre
    rows = queries.supply_list(bundled, service="检验检测")
    assert [(r["platform_id"], r["level"]) for r in rows] == [("PF_ROBOT_TEST", "national")]


def test_bundled_subsidy(bundled):
    # the bundled data has no investment column: it says so rather than guess
    [r] = queries.QUERIES["subsidy-estimate"].func(bundled)
    assert r["amount_wan"] is None and "investment" in r["note"]
    # 人工智能 is 国际引领 in the bundled taxonomy: 45% of 50000 = 22500, capped at 1亿元 = 10000 万元
    [r] = queries.QUERIES["subsidy-estimate"].func(bundled, industry="人工智能", investment=50000.0, independent=True)
    assert (r["industry"], r["tier"], r["ratio"], r["amount_wan"], r["capped"]) == ("IND_AI", "国际引领", 0.45,
                                                                                    10000.0, True)
