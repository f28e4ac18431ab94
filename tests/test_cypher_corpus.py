"""A corpus of Neo4j statements through ``jjjkg cypher``: none may exit 0 with a wrong answer and no word.

Each statement comes with the answer Neo4j gives: computed here from the bundled CSVs with pandas,
or as the openCypher TCK and Neo4j's manual document it (the TCK scenario is named beside each; its
statements are adapted to run without its setup graph). The whole corpus runs through one
``jjjkg cypher`` shell on the bundled store, as an analyst pastes it, and each outcome is one of

* ``right`` — the rows Neo4j returns (ints stay ints), or an error where Neo4j gives one;
* ``refused`` — an error that says what to write instead;
* ``noted`` — a different answer, with a note on Neo4j's difference printed before it.

A statement that answers differently with no such note fails the test; so does a refusal with no way out.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from graph.store.falkordb import stop

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "graph" / "data"
ORGS = pd.read_csv(DATA / "bundled" / "organizations.csv", dtype=str, keep_default_na=False)
RELS = pd.read_csv(DATA / "bundled" / "relations.csv", dtype=str, keep_default_na=False)
SECTORS = pd.read_csv(DATA / "sectors.csv", dtype=str, keep_default_na=False)
REGIONS = pd.read_csv(DATA / "regions.csv", dtype=str, keep_default_na=False)

LABEL = {"enterprise": "Enterprise", "platform": "Platform", "park": "Park", "institute": "Institute",
         "site": "Site", "university": "University", "agency": "Agency", "alliance": "Alliance",
         "financial": "Financial"}
ORGS["label"] = ORGS["type"].map(LABEL)
ORGS["sector_list"] = ORGS["sectors"].str.split(";").apply(lambda xs: [x.strip() for x in xs if x.strip()])
ORGS["province"] = ORGS["province"].replace({"北京市": "北京", "天津市": "天津", "河北省": "河北"})
ORG_IDS = set(ORGS["id"])
ERROR = "error"  # Neo4j refuses the statement


def n_orgs(mask=None) -> int:
    return int(len(ORGS) if mask is None else mask.sum())


def rel_count(kind: str) -> int:
    return int((RELS["relation"] == kind).sum())


def in_sector(sector: str):
    return ORGS["sector_list"].apply(lambda xs: sector in xs)


def rows_by(series: pd.Series, key: str, value: str = "n") -> list[dict]:
    counts = series.value_counts()
    return [{key: k, value: int(v)} for k, v in counts.items()]


def out_degree(kind: str) -> pd.Series:
    return RELS[RELS["relation"] == kind].groupby("from_id").size()


def two_hop_partners() -> int:
    """Neo4j's count for (a)-[:PARTNERS_WITH]-(b)-[:PARTNERS_WITH]-(c): walks that never reuse a relationship."""
    p = RELS[RELS["relation"] == "PARTNERS_WITH"]
    degree = Counter(p["from_id"]) + Counter(p["to_id"])
    loops = Counter(f for f, t in zip(p["from_id"], p["to_id"]) if f == t)
    return sum(d * (d - 1) for d in degree.values()) + 0 * len(loops)


def same_province_operators() -> int:
    ops = RELS[RELS["relation"] == "OPERATES"].merge(ORGS[["id", "province"]], left_on="from_id", right_on="id")
    ops = ops.merge(ORGS[["id", "province"]], left_on="to_id", right_on="id", suffixes=("", "_to"))
    return ops[(ops["province"] == ops["province_to"]) & (ops["province"] != "")]["from_id"].nunique()


TOP_CITY = ORGS[ORGS["city"] != ""]["city"].value_counts()
BJ = ORGS["province"] == "北京"
PLATFORMS = ORGS["label"] == "Platform"
H2 = in_sector("CH_H2")
OPERATED = set(RELS[RELS["relation"] == "OPERATES"]["to_id"])
OPERATORS = set(RELS[RELS["relation"] == "OPERATES"]["from_id"])
MEMBERS = set(RELS[RELS["relation"] == "MEMBER_OF"]["from_id"])

# (source, statement, expected rows (in any order unless the statement has ORDER BY) or ERROR, params)
CORPUS: list[tuple[str, str, object, dict]] = [
    # ------------------------------------------------------------------ TCK Precedence1: boolean operators
    ("Precedence1 [1]", "RETURN true OR true XOR true AS a, true OR (true XOR true) AS b, (true OR true) XOR true AS c",
     [{"a": True, "b": True, "c": False}], {}),
    ("Precedence1 [2]", "RETURN true XOR false AND false AS a, true XOR (false AND false) AS b, "
     "(true XOR false) AND false AS c", [{"a": True, "b": True, "c": False}], {}),
    ("Precedence1 [3]", "RETURN true OR false AND false AS a, true OR (false AND false) AS b, "
     "(true OR false) AND false AS c", [{"a": True, "b": True, "c": False}], {}),
    ("Precedence1 [4]", "RETURN NOT true AND false AS a, (NOT true) AND false AS b, NOT (true AND false) AS c",
     [{"a": False, "b": False, "c": True}], {}),
    ("Precedence1 [5]", "RETURN NOT false OR true AS a, (NOT false) OR true AS b, NOT (false OR true) AS c",
     [{"a": True, "b": True, "c": False}], {}),
    ("Precedence1 [6]", "RETURN NOT false >= false AS a, NOT (false >= false) AS b, (NOT false) >= false AS c",
     [{"a": False, "b": False, "c": True}], {}),
    ("Precedence1 [7]", "RETURN true OR false = false AS a, true OR (false = false) AS b, (true OR false) = false AS c",
     [{"a": True, "b": True, "c": False}], {}),
    ("Precedence1 [8]", "RETURN false = false IS NULL AS a, false = (false IS NULL) AS b, (false = false) IS NULL AS c",
     [{"a": True, "b": True, "c": False}], {}),
    # ------------------------------------------------------------------ TCK Precedence2: numeric operators
    ("Precedence2 [1]", "RETURN 4 * 2 + 3 * 2 AS a, 4 * 2 + (3 * 2) AS b, 4 * (2 + 3) * 2 AS c",
     [{"a": 14, "b": 14, "c": 40}], {}),
    ("Precedence2 [1]", "RETURN 4 * 2 + 3 / 2 AS a, 4 * 2 + (3 / 2) AS b, 4 * (2 + 3) / 2 AS c",
     [{"a": 9, "b": 9, "c": 10}], {}),
    ("Precedence2 [1]", "RETURN 4 * 2 - 3 % 2 AS a, 4 * 2 - (3 % 2) AS b, 4 * (2 - 3) % 2 AS c",
     [{"a": 7, "b": 7, "c": 0}], {}),
    ("Precedence2 [2]", "RETURN 4 ^ 3 * 2 AS a, 4 ^ (3 * 2) AS b, (4 ^ 3) * 2 AS c",
     [{"a": 128.0, "b": 4096.0, "c": 128.0}], {}),
    ("Precedence2 [3]", "RETURN -3 ^ 2 AS a, (-3) ^ 2 AS b, -(3 ^ 2) AS c", [{"a": 9.0, "b": 9.0, "c": -9.0}], {}),
    ("Precedence2 [4]", "RETURN 2 + 3 * 4 - 1 AS a, 10 - 2 - 3 AS b, 100 / 10 / 5 AS c",
     [{"a": 13, "b": 5, "c": 2}], {}),
    # ------------------------------------------------------------------ TCK Precedence3/4: lists, strings, null
    ("Precedence3 [1]", "RETURN [[1], [2, 3], [4, 5]] + [5, [6, 7], [8, 9], 10][3] AS a, "
     "([[1], [2, 3], [4, 5]] + [5, [6, 7], [8, 9], 10])[3] AS c", [{"a": [[1], [2, 3], [4, 5], 10], "c": 5}], {}),
    ("Precedence3 [4]", "RETURN [1]+2 IN [3]+4 AS a, ([1]+2) IN ([3]+4) AS b, [1]+(2 IN [3])+4 AS c",
     [{"a": False, "b": False, "c": [1, False, 4]}], {}),
    ("Precedence3 [6]", "RETURN [1, 2] = [3, 4] IN [[3, 4], false] AS a, ([1, 2] = [3, 4]) IN [[3, 4], false] AS c",
     [{"a": False, "c": True}], {}),
    ("Precedence4 [1]", "RETURN null IS NULL AND null IS NOT NULL AS a", [{"a": False}], {}),
    ("Precedence4 [2]", "RETURN 'a' + 'b' STARTS WITH 'ab' AS a, 'a' + ('b' STARTS WITH 'ab') AS b",
     [{"a": True, "b": "afalse"}], {}),
    # ------------------------------------------------------------------ =~ among the other operators (Neo4j's grammar)
    ("regex precedence", "RETURN 'ab' =~ 'a' + 'b' AS a", [{"a": True}], {}),
    ("regex precedence", "RETURN 'a' + 'b' =~ 'ab' AS a", [{"a": True}], {}),
    ("regex precedence", "RETURN 'ab' =~ 'a' AS a, 'ab' =~ 'a.' AS b, 'ab' =~ 'a|ab' AS c", [{"a": False, "b": True,
                                                                                              "c": True}], {}),
    ("regex precedence", "RETURN NOT 'ab' =~ 'a' AS a, 'ab' =~ 'ab' AND 'x' =~ 'y' AS b, 'ab' =~ 'ab' = true AS c",
     [{"a": True, "b": False, "c": True}], {}),
    ("regex precedence", "RETURN toUpper('ab') =~ 'A' + 'B' AS a, 'a1' =~ 'a' + 1 AS b", [{"a": True, "b": True}], {}),
    ("regex anchoring", "RETURN 'abc' =~ 'a)|(.*' AS m", ERROR, {}),
    ("regex anchoring", "RETURN 'abc' =~ $re AS m", ERROR, {"re": "a)|(.*"}),
    ("regex anchoring", "RETURN 'abc\\n' =~ 'abc' AS a, 'abc' =~ 'abc' AS b", [{"a": False, "b": True}], {}),
    ("regex anchoring", "RETURN 'xabcx' =~ 'abc' AS a, 'abc' =~ '.*b.*' AS b, '' =~ '' AS c",
     [{"a": False, "b": True, "c": True}], {}),
    ("regex null", "RETURN null =~ 'a' AS a, 'a' =~ null AS b", [{"a": None, "b": None}], {}),
    ("regex on data", "MATCH (o:Organization) RETURN count(CASE WHEN o.name =~ '.*平台' + '|.*基地' THEN 1 END) AS n",
     [{"n": n_orgs(ORGS["name"].str.fullmatch(r".*平台|.*基地"))}], {}),
    ("regex on data", "MATCH (o:Organization) WHERE o.name =~ '.*中试.*' RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name"].str.contains("中试"))}], {}),
    ("regex on data", "MATCH (o:Organization) WHERE o.id =~ $re RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["id"].str.fullmatch(r"PF_.*"))}], {"re": "PF_.*"}),
    ("regex on data", "MATCH (o:Organization) WHERE o.name =~ '(?i).*university.*' OR o.name_en =~ '(?i).*university.*' "
     "RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name"].str.fullmatch(r"(?i).*university.*") | ORGS["name_en"].str.fullmatch(
         r"(?i).*university.*"))}], {}),
    # ------------------------------------------------------------------ TCK Comparison1–4
    ("Comparison1 [1]", "RETURN 1 = 1 AS a, 1 = 1.0 AS b, 1 <> 2 AS c, 'a' = 'a' AS d", [{"a": True, "b": True,
                                                                                        "c": True, "d": True}], {}),
    ("Comparison1 [2]", "RETURN [1, 2] = [1, 2] AS a, [1, 2] = [2, 1] AS b, [1, [2]] = [1, [2]] AS c",
     [{"a": True, "b": False, "c": True}], {}),
    ("Comparison1 [3]", "RETURN {a: 1} = {a: 1} AS a, {a: 1} = {a: 2} AS b", [{"a": True, "b": False}], {}),
    ("Comparison1 [4]", "RETURN null = null AS a, null <> null AS b, 1 = null AS c", [{"a": None, "b": None,
                                                                                       "c": None}], {}),
    ("Comparison1 [5]", "RETURN [1, null] = [1, null] AS a", [{"a": None}], {}),
    ("Comparison2 [1]", "RETURN 1 < 2 AS a, 2 <= 2 AS b, 3 > 2.5 AS c, 'a' < 'b' AS d, 'B' < 'a' AS e",
     [{"a": True, "b": True, "c": True, "d": True, "e": True}], {}),
    ("Comparison2 [2]", "RETURN 1 < null AS a, null >= 2 AS b", [{"a": None, "b": None}], {}),
    ("Comparison2 [3]", "RETURN 'abc' < 'abd' AS a, 'ab' < 'abc' AS b, '北京' < '天津' AS c",
     [{"a": True, "b": True, "c": "北京" < "天津"}], {}),
    ("Comparison3 [1]", "RETURN 1 < 2 < 3 AS a, 1 < 3 < 2 AS b", [{"a": True, "b": False}], {}),
    ("Comparison4 [1]", "UNWIND [1, 2, 3] AS x WITH x WHERE 1 < x < 3 RETURN x", [{"x": 2}], {}),
    ("Comparison", "RETURN 'a' IN ['a', 'b'] AS a, 3 IN [1, 2] AS b, null IN [1] AS c, 1 IN [null, 1] AS d",
     [{"a": True, "b": False, "c": None, "d": True}], {}),
    ("Comparison", "RETURN 'abc' STARTS WITH 'ab' AS a, 'abc' ENDS WITH 'bc' AS b, 'abc' CONTAINS 'x' AS c",
     [{"a": True, "b": True, "c": False}], {}),
    ("Comparison", "RETURN 2 = 2.0 AND 2 <> 3 AS a, 0.1 + 0.2 = 0.3 AS b", [{"a": True, "b": False}], {}),
    # ------------------------------------------------------------------ TCK temporal (date, localdatetime, duration)
    ("Temporal1 date", "RETURN date('2015-07-21') AS d", [{"d": "2015-07-21"}], {}),
    ("Temporal1 date", "RETURN date({year: 1984, month: 10, day: 11}) AS d", [{"d": "1984-10-11"}], {}),
    ("Temporal1 localdatetime", "RETURN localdatetime('2015-07-21T21:40:32') AS d", [{"d": "2015-07-21T21:40:32"}], {}),
    ("Temporal1 localtime", "RETURN localtime('21:40:32') AS t", [{"t": "21:40:32"}], {}),
    ("Temporal1 fractions", "RETURN localtime('12:30:14.645') AS t", [{"t": "12:30:14.645"}], {}),
    ("Temporal2 accessors", "RETURN date('2015-07-21').year AS y, date('2015-07-21').month AS m, "
     "date('2015-07-21').day AS d", [{"y": 2015, "m": 7, "d": 21}], {}),
    ("Temporal3 duration", "RETURN duration({days: 14, hours: 16}) AS d", [{"d": "P14DT16H"}], {}),
    ("Temporal3 duration", "RETURN duration('P1Y2M10DT12H45M30S') AS d", [{"d": "P1Y2M10DT12H45M30S"}], {}),
    ("Temporal3 fractions", "RETURN duration({seconds: 1.5}) AS d", [{"d": "PT1.5S"}], {}),
    ("Temporal8 arithmetic", "RETURN date('2026-01-31') + duration({months: 1}) AS d", [{"d": "2026-02-28"}], {}),
    ("Temporal8 arithmetic", "RETURN date('2024-01-31') + duration({months: 1}) AS d", [{"d": "2024-02-29"}], {}),
    ("Temporal8 arithmetic", "RETURN date('2026-03-31') - duration({months: 1}) AS d", [{"d": "2026-02-28"}], {}),
    ("Temporal8 arithmetic", "RETURN date('2025-01-15') + duration({years: 1, months: 2, days: 3}) AS d",
     [{"d": "2026-03-18"}], {}),
    ("Temporal8 arithmetic", "RETURN date('2025-01-15') + duration({days: 20}) AS d", [{"d": "2025-02-04"}], {}),
    ("Temporal8 arithmetic", "WITH date('2026-01-31') AS d RETURN d + duration({months: 1}) AS e",
     [{"e": "2026-02-28"}], {}),
    ("Temporal8 arithmetic", "RETURN duration({days: 1}) + duration({hours: 36}) AS d", [{"d": "P1DT36H"}], {}),
    ("Temporal9 comparison", "RETURN date('1910-05-06') < date('1980-10-24') AS a", [{"a": True}], {}),
    ("Temporal9 comparison", "RETURN date('2020-05-06') < date('2021-10-24') AS a, date('2021-01-01') = "
     "date({year: 2021, month: 1, day: 1}) AS b", [{"a": True, "b": True}], {}),
    ("Temporal9 comparison", "UNWIND [date('1950-01-01'), date('2000-01-01'), date('1960-06-01')] AS d "
     "RETURN d ORDER BY d", [{"d": "1950-01-01"}, {"d": "1960-06-01"}, {"d": "2000-01-01"}], {}),
    ("Temporal10 no datetime", "RETURN datetime('2015-07-21T21:40:32+01:00') AS d", ERROR, {}),
    ("Temporal10 no time", "RETURN time('21:40:32+01:00') AS t", ERROR, {}),
    ("Temporal10 duration.between", "RETURN duration.between(date('2024-01-01'), date('2024-02-01')) AS d",
     ERROR, {}),
    ("Temporal truncate", "RETURN date.truncate('month', date('2024-03-05')) AS d", ERROR, {}),
    # ------------------------------------------------------------------ TCK ExistentialSubquery1–3, on the bundled graph
    ("ExistentialSubquery1 [1]", "MATCH (n:Organization) WHERE EXISTS { (n)-[:OPERATES]->() } RETURN count(n) AS n",
     [{"n": len(OPERATORS)}], {}),
    ("ExistentialSubquery1 [2]", "MATCH (n:Organization) WHERE EXISTS { (n)-[:OPERATES]->(m) WHERE m.province = "
     "n.province } RETURN count(n) AS n",
     [{"n": same_province_operators()}], {}),
    ("ExistentialSubquery1 [3]", "MATCH (n:Organization) WHERE EXISTS { (n)-[:NOT_A_TYPE]->() } RETURN count(n) AS n",
     [{"n": 0}], {}),
    ("ExistentialSubquery1 [4]", "MATCH (n:Organization) WHERE EXISTS { (n)-[r]->() WHERE type(r) = 'NA' } "
     "RETURN count(n) AS n", [{"n": 0}], {}),
    ("ExistentialSubquery2 [1]", "MATCH (n:Platform) WHERE NOT EXISTS { MATCH (n)<-[:OPERATES]-() } "
     "RETURN count(n) AS n", [{"n": n_orgs(PLATFORMS & ~ORGS["id"].isin(OPERATED))}], {}),
    ("ExistentialSubquery2 [2]", "MATCH (n:Organization) WHERE EXISTS { MATCH (n)-[:MEMBER_OF]->(:Alliance) } "
     "RETURN count(n) AS n", [{"n": len(MEMBERS)}], {}),
    ("ExistentialSubquery2 [3]", "MATCH (n:Organization) WHERE EXISTS { MATCH (n)-->(m) WITH m WHERE m:Alliance "
     "RETURN m } RETURN count(n) AS n", [{"n": len(MEMBERS)}], {}),
    ("ExistentialSubquery3 [1]", "MATCH (n:Organization) WHERE EXISTS { (n)-[:IN_SECTOR]->(s) WHERE EXISTS "
     "{ (s)<-[:IN_SECTOR]-(:Platform) } } RETURN count(n) AS n",
     [{"n": n_orgs(ORGS["sector_list"].apply(lambda xs: bool(set(xs) & set(
         ORGS[PLATFORMS]["sector_list"].explode().dropna()))))}], {}),
    ("EXISTS as a value", "MATCH (p:Platform) RETURN EXISTS { (p)<-[:OPERATES]-() } AS op, count(*) AS n",
     rows_by(ORGS[PLATFORMS]["id"].isin(OPERATED), "op"), {}),
    ("EXISTS as a value", "MATCH (p:Platform) WITH p, EXISTS { (p)-[:IN_SECTOR]->(:Sector {id: 'CH_H2'}) } AS h "
     "RETURN h, count(*) AS n", rows_by(H2[PLATFORMS], "h"), {}),
    ("EXISTS scope", "MATCH (p:Organization) WHERE EXISTS { (p)-[:IN_SECTOR]->(x) } MATCH (p)-[:LOCATED_IN]->(x) "
     "RETURN count(*) AS n", [{"n": n_orgs(ORGS["sector_list"].apply(bool) & ((ORGS["province"] != "")
                                                                             | (ORGS["city"] != "")))}], {}),
    ("EXISTS scope", "MATCH (p:Organization) WHERE EXISTS { (p)-[:IN_SECTOR]->(x) WHERE x.kind = 'chain' } "
     "WITH p MATCH (p)-[:IN_SECTOR]->(x) RETURN count(*) AS n",
     [{"n": int(ORGS["sector_list"].apply(lambda xs: len(xs) if any(x.startswith("CH_") for x in xs) else 0)
                .sum())}], {}),
    ("EXISTS write", "MATCH (p:Platform) WHERE EXISTS { MATCH (p)-->(x) CREATE (:Probe) } RETURN count(p) AS n",
     ERROR, {}),
    ("EXISTS write", "MATCH (p:Platform) WHERE EXISTS { MATCH (p)-->(x) SET x.probe = 1 } RETURN count(p) AS n",
     ERROR, {}),
    ("EXISTS STARTS WITH", "MATCH (o:Organization) WHERE EXISTS { (o)-[:IN_SECTOR]->(s) WHERE s.id STARTS WITH 'CH_' } "
     "RETURN count(o) AS n", [{"n": n_orgs(ORGS["sector_list"].apply(lambda xs: any(x.startswith("CH_")
                                                                                    for x in xs)))}], {}),
    ("COUNT ENDS WITH", "MATCH (o:Organization) RETURN sum(COUNT { (o)-[:IN_SECTOR]->(s) WHERE s.id ENDS WITH 'H2' }) "
     "AS n", [{"n": int(ORGS["sector_list"].apply(lambda xs: sum(x.endswith("H2") for x in xs)).sum())}], {}),
    ("COUNT subquery", "MATCH (p:Platform) WHERE COUNT { (p)-[:IN_SECTOR]->() } >= 2 RETURN count(p) AS n",
     [{"n": n_orgs(PLATFORMS & (ORGS["sector_list"].apply(len) >= 2))}], {}),
    ("COUNT subquery", "MATCH (o:Organization {id: 'PF_BJ_IC_BZ'}) RETURN COUNT { (o)-[:IN_SECTOR]->() } AS k",
     [{"k": len(ORGS.set_index("id").at["PF_BJ_IC_BZ", "sector_list"])}] if "PF_BJ_IC_BZ" in ORG_IDS else [], {}),
    ("COLLECT subquery", "MATCH (s:Sector {id: 'CH_H2'}) RETURN size(COLLECT { MATCH (o:Platform)-[:IN_SECTOR]->(s) "
     "RETURN o.id }) AS k", [{"k": n_orgs(PLATFORMS & H2)}], {}),
    ("CALL scope", "MATCH (s:Sector {id: 'CH_BIO'}) CALL (s) { MATCH (o)-[:IN_SECTOR]->(s) RETURN count(o) AS k } "
     "RETURN k", [{"k": n_orgs(in_sector("CH_BIO"))}], {}),
    ("schema visualization", "CALL db.schema.visualization() YIELD nodes RETURN size(nodes) AS n", [{"n": 13}], {}),
    ("schema visualization", "CALL db.schema.visualization() YIELD nodes UNWIND nodes AS n WITH n WHERE n.name = "
     "'Sector' RETURN n.name AS name", [{"name": "Sector"}], {}),
    # ------------------------------------------------------------------ analyst habits (Neo4j's cheat sheet), bundled data
    ("count all", "MATCH (o:Organization) RETURN count(o) AS n", [{"n": len(ORGS)}], {}),
    ("count by label", "MATCH (p:Platform) RETURN count(p) AS n", [{"n": n_orgs(PLATFORMS)}], {}),
    ("count by label", "MATCH (p:Enterprise) RETURN count(*) AS n", [{"n": n_orgs(ORGS["label"] == "Enterprise")}], {}),
    ("count by label", "MATCH (n:Park) RETURN count(n) AS n", [{"n": n_orgs(ORGS["label"] == "Park")}], {}),
    ("count by label", "MATCH (n:University) RETURN count(n) AS n", [{"n": n_orgs(ORGS["label"] == "University")}], {}),
    ("count by label", "MATCH (n:Institute) RETURN count(n) AS n", [{"n": n_orgs(ORGS["label"] == "Institute")}], {}),
    ("count by label", "MATCH (s:Sector) RETURN count(s) AS n", [{"n": len(SECTORS)}], {}),
    ("count by label", "MATCH (r:Region) RETURN count(r) AS n", [{"n": len(REGIONS)}], {}),
    ("group by", "MATCH (o:Organization) RETURN o.province AS p, count(*) AS n",
     rows_by(ORGS["province"].replace("", None).dropna(), "p") + (
         [{"p": None, "n": n_orgs(ORGS["province"] == "")}] if (ORGS["province"] == "").any() else []), {}),
    ("group by", "MATCH (o:Organization) WHERE o.city IS NOT NULL RETURN o.city AS c, count(*) AS n",
     rows_by(ORGS["city"].replace("", None).dropna(), "c"), {}),
    ("order by", "MATCH (o:Organization) WHERE o.city IS NOT NULL RETURN o.city AS c, count(*) AS n "
     "ORDER BY n DESC, c LIMIT 3",
     [{"c": c, "n": int(n)} for c, n in sorted(TOP_CITY.items(), key=lambda kv: (-kv[1], kv[0]))[:3]], {}),
    ("group by", "MATCH (p:Platform) RETURN p.level AS level, count(*) AS n ORDER BY level",
     [{"level": k, "n": int(v)} for k, v in sorted(ORGS[PLATFORMS]["level"].replace("", None).value_counts()
                                                   .items())], {}),
    ("property map", "MATCH (o:Organization {province: '北京'}) RETURN count(o) AS n", [{"n": n_orgs(BJ)}], {}),
    ("property map", "MATCH (o:Platform {province: '北京'}) RETURN count(o) AS n", [{"n": n_orgs(BJ & PLATFORMS)}], {}),
    ("where", "MATCH (o:Organization) WHERE o.province = '河北' AND o.city = '沧州' RETURN count(o) AS n",
     [{"n": n_orgs((ORGS["province"] == "河北") & (ORGS["city"] == "沧州"))}], {}),
    ("where IN", "MATCH (o:Organization) WHERE o.province IN ['天津', '河北'] RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["province"].isin(["天津", "河北"]))}], {}),
    ("where NOT", "MATCH (o:Organization) WHERE NOT o.province = '北京' RETURN count(o) AS n",
     [{"n": n_orgs(~BJ & (ORGS["province"] != ""))}], {}),
    ("where <>", "MATCH (o:Organization) WHERE o.province <> '北京' RETURN count(o) AS n",
     [{"n": n_orgs(~BJ & (ORGS["province"] != ""))}], {}),
    ("parameters", "MATCH (o:Organization) WHERE o.province = $p RETURN count(o) AS n", [{"n": n_orgs(BJ)}],
     {"p": "北京"}),
    ("parameters", "MATCH (o:Organization) WHERE o.province IN $ps RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["province"].isin(["天津", "河北"]))}], {"ps": ["天津", "河北"]}),
    ("stored spelling", "MATCH (o:Organization {province: '北京市'}) RETURN count(o) AS n", [{"n": 0}], {}),
    ("stored spelling", "MATCH (o:Organization) WHERE o.province = $p RETURN count(o) AS n", [{"n": 0}],
     {"p": "Beijing"}),
    ("stored spelling", "MATCH (o:Organization) WHERE o.city = '沧州市' RETURN count(o) AS n", [{"n": 0}], {}),
    ("stored spelling", "MATCH (r:Region {name: '北京'}) RETURN count(r) AS n", [{"n": 0}], {}),
    ("stored spelling", "MATCH (s:Sector {id: '氢能'}) RETURN count(s) AS n", [{"n": 0}], {}),
    ("stored spelling", "MATCH (r:Region {name: '北京市'}) RETURN r.level AS level",
     [{"level": lv} for lv in REGIONS[REGIONS["name"] == "北京市"]["level"]], {}),
    ("strings", "MATCH (o:Organization) WHERE o.name CONTAINS '中试' RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name"].str.contains("中试"))}], {}),
    ("strings", "MATCH (o:Organization) WHERE o.name STARTS WITH '北京' RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name"].str.startswith("北京"))}], {}),
    ("strings", "MATCH (o:Organization) WHERE o.name ENDS WITH '有限公司' RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name"].str.endswith("有限公司"))}], {}),
    ("strings", "MATCH (o:Organization) WHERE toLower(o.name_en) CONTAINS 'hydrogen' RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["name_en"].str.lower().str.contains("hydrogen"))}], {}),
    ("strings", "MATCH (s:Sector {id: 'CH_H2'}) RETURN toUpper(s.name_en) AS u, size(s.name) AS k, "
     "substring(s.id, 0, 2) AS p, replace(s.id, '_', '-') AS r, split(s.id, '_') AS parts",
     [{"u": SECTORS.set_index("id").at["CH_H2", "name_en"].upper(),
       "k": len(SECTORS.set_index("id").at["CH_H2", "name"]), "p": "CH", "r": "CH-H2", "parts": ["CH", "H2"]}], {}),
    ("strings", "RETURN trim('  a ') AS t, left('abc', 2) AS l, right('abc', 2) AS r, reverse('abc') AS v",
     [{"t": "a", "l": "ab", "r": "bc", "v": "cba"}], {}),
    ("strings", "RETURN toString(12) AS s, toInteger('42') AS i, toFloat('1.5') AS f, toBoolean('true') AS b",
     [{"s": "12", "i": 42, "f": 1.5, "b": True}], {}),
    ("null", "MATCH (o:Organization) WHERE o.city IS NULL RETURN count(o) AS n", [{"n": n_orgs(ORGS["city"] == "")}],
     {}),
    ("null", "MATCH (o:Organization) RETURN count(o.credit_code) AS n",
     [{"n": n_orgs(ORGS["credit_code"] != "")}], {}),
    ("coalesce", "MATCH (o:Organization) RETURN count(coalesce(o.city, o.province)) AS n",
     [{"n": n_orgs((ORGS["city"] != "") | (ORGS["province"] != ""))}], {}),
    ("distinct", "MATCH (o:Organization) RETURN count(DISTINCT o.province) AS n",
     [{"n": ORGS["province"].replace("", None).nunique()}], {}),
    ("distinct", "MATCH (o:Organization) RETURN DISTINCT o.type AS t", [{"t": x} for x in ORGS["type"].unique()], {}),
    ("relationships", "MATCH ()-[r:OPERATES]->() RETURN count(r) AS n", [{"n": rel_count("OPERATES")}], {}),
    ("relationships", "MATCH ()-[r:PARTNERS_WITH]->() RETURN count(r) AS n", [{"n": rel_count("PARTNERS_WITH")}], {}),
    ("relationships", "MATCH ()-[r:SCALES_UP_AT]->() RETURN count(r) AS n", [{"n": rel_count("SCALES_UP_AT")}], {}),
    ("relationships", "MATCH ()-[r:TRANSFERS_TO|SCALES_UP_AT]->() RETURN count(r) AS n",
     [{"n": rel_count("TRANSFERS_TO") + rel_count("SCALES_UP_AT")}], {}),
    ("relationships", "MATCH (a)-[r]->(b:Alliance) RETURN type(r) AS t, count(*) AS n", rows_by(
        RELS[RELS["to_id"].isin(set(ORGS[ORGS["label"] == "Alliance"]["id"]))]["relation"], "t"), {}),
    ("relationships", "MATCH (o:Organization)-[:IN_SECTOR]->(s:Sector) RETURN count(*) AS n",
     [{"n": int(ORGS["sector_list"].apply(len).sum())}], {}),
    ("relationships", "MATCH (o:Organization)-[:IN_SECTOR]->(s:Sector {id: 'CH_H2'}) RETURN count(o) AS n",
     [{"n": n_orgs(H2)}], {}),
    ("relationships", "MATCH (s:Sector)<-[:IN_SECTOR]-(o) RETURN s.id AS s, count(o) AS n ORDER BY n DESC, s LIMIT 3",
     [{"s": s, "n": int(n)} for s, n in sorted(ORGS["sector_list"].explode().dropna().value_counts().items(),
                                              key=lambda kv: (-kv[1], kv[0]))[:3]], {}),
    ("relationships", "MATCH (o:Organization)-[:OPERATES]->(p:Platform) RETURN count(DISTINCT o) AS n",
     [{"n": RELS[(RELS["relation"] == "OPERATES") & RELS["to_id"].isin(set(ORGS[PLATFORMS]["id"]))]["from_id"]
       .nunique()}], {}),
    ("relationships", "MATCH (o:Organization)-[:OPERATES]->(p) WITH o, count(p) AS k WHERE k > 1 RETURN count(o) AS n",
     [{"n": int((out_degree("OPERATES") > 1).sum())}], {}),
    ("relationships", "MATCH (o:Organization)-[r:OPERATES]->(p) RETURN max(size(o.name)) >= 2 AS a",
     [{"a": True}], {}),
    ("direction", "MATCH (p:Platform)<-[:OPERATES]-(o) RETURN count(*) AS n",
     [{"n": int(RELS[(RELS["relation"] == "OPERATES") & RELS["to_id"].isin(set(ORGS[PLATFORMS]["id"]))].shape[0])}],
     {}),
    ("undirected", "MATCH (a:Organization)-[:PARTNERS_WITH]-(b) RETURN count(*) AS n",
     [{"n": 2 * rel_count("PARTNERS_WITH")}], {}),
    ("undirected", "MATCH (a)-[:PARTNERS_WITH]-(b)-[:PARTNERS_WITH]-(c) RETURN count(*) AS n",
     [{"n": two_hop_partners()}], {}),
    ("two hops", "MATCH (r)-[:TRANSFERS_TO]->(p:Platform)-[:SCALES_UP_AT]->(s) RETURN count(*) AS n",
     [{"n": int(RELS[RELS["relation"] == "TRANSFERS_TO"].merge(RELS[RELS["relation"] == "SCALES_UP_AT"],
                                                              left_on="to_id", right_on="from_id").shape[0])}], {}),
    ("optional match", "MATCH (p:Platform) OPTIONAL MATCH (p)<-[:OPERATES]-(o) RETURN count(p) AS a, count(o) AS b",
     [{"a": int(PLATFORMS.sum()) + int(sum(max(0, int((RELS[(RELS["relation"] == "OPERATES")]["to_id"] == pid).sum())
                                               - 1) for pid in ORGS[PLATFORMS]["id"])),
       "b": int(RELS[(RELS["relation"] == "OPERATES") & RELS["to_id"].isin(set(ORGS[PLATFORMS]["id"]))].shape[0])}],
     {}),
    ("rebound relationship", "MATCH ()-[r:OPERATES]->() WITH r MATCH ()-[r]->() RETURN count(*) AS n",
     [{"n": rel_count("OPERATES")}], {}),
    ("relationship property", "MATCH ()-[r]->() WHERE r.year >= 2023 RETURN count(r) AS n",
     [{"n": int((pd.to_numeric(RELS["year"], errors="coerce") >= 2023).sum())}], {}),
    ("relationship property", "MATCH ()-[r]->() WHERE r.year IS NOT NULL RETURN min(r.year) AS a, max(r.year) AS b",
     [{"a": int(pd.to_numeric(RELS["year"], errors="coerce").min()),
       "b": int(pd.to_numeric(RELS["year"], errors="coerce").max())}], {}),
    ("aggregation", "MATCH ()-[r]->() WHERE r.year IS NOT NULL RETURN sum(r.year) AS s",
     [{"s": int(pd.to_numeric(RELS["year"], errors="coerce").sum())}], {}),
    ("aggregation", "UNWIND [1, 2, 3] AS x RETURN sum(x) AS s", [{"s": 6}], {}),
    ("aggregation", "UNWIND [1, 2.5] AS x RETURN sum(x) AS s", [{"s": 3.5}], {}),
    ("aggregation", "UNWIND [] AS x RETURN sum(x) AS s", [{"s": 0}], {}),
    ("aggregation", "UNWIND [1, 2, 3, 4] AS x RETURN avg(x) AS a, min(x) AS lo, max(x) AS hi, count(x) AS n",
     [{"a": 2.5, "lo": 1, "hi": 4, "n": 4}], {}),
    ("aggregation", "MATCH (o:Organization) RETURN sum(CASE WHEN o.province = '北京' THEN 1 ELSE 0 END) AS n",
     [{"n": n_orgs(BJ)}], {}),
    ("aggregation", "MATCH (o:Organization) RETURN count(CASE WHEN o.province = '天津' THEN 1 END) AS n",
     [{"n": n_orgs(ORGS["province"] == "天津")}], {}),
    ("aggregation", "MATCH (o:Organization) WHERE o.lat IS NOT NULL RETURN round(avg(o.lat) * 100) / 100 AS lat",
     [{"lat": round(pd.to_numeric(ORGS["lat"], errors="coerce").mean() * 100) / 100}], {}),
    ("aggregation", "MATCH (p:Platform) RETURN size(collect(p.id)) AS n", [{"n": n_orgs(PLATFORMS)}], {}),
    ("aggregation", "MATCH (p:Platform {province: '天津'}) WITH p ORDER BY p.id RETURN collect(p.id)[0] AS first",
     [{"first": sorted(ORGS[PLATFORMS & (ORGS["province"] == "天津")]["id"])[0]}], {}),
    ("lists", "RETURN size([1, 2, 3]) AS a, range(1, 5) AS b, [x IN range(1, 10) WHERE x % 2 = 0 | x * x] AS c",
     [{"a": 3, "b": [1, 2, 3, 4, 5], "c": [4, 16, 36, 64, 100]}], {}),
    ("lists", "RETURN reduce(s = 0, x IN [1, 2, 3] | s + x) AS a, head([1, 2]) AS b, last([1, 2]) AS c, "
     "tail([1, 2, 3]) AS d", [{"a": 6, "b": 1, "c": 2, "d": [2, 3]}], {}),
    ("lists", "RETURN [1, 2, 3][1..] AS a, [1, 2, 3][-1] AS b, 2 IN [1, 2] AS c", [{"a": [2, 3], "b": 3, "c": True}],
     {}),
    ("lists", "MATCH (o:Organization) WHERE size(o.sectors) > 2 RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["sector_list"].apply(len) > 2)}], {}),
    ("lists", "MATCH (o:Organization) WHERE 'CH_H2' IN o.sectors RETURN count(o) AS n", [{"n": n_orgs(H2)}], {}),
    ("lists", "MATCH (o:Organization) WHERE '氢能' IN o.sectors RETURN count(o) AS n", [{"n": 0}], {}),
    ("lists", "MATCH (o:Organization) WHERE any(s IN o.sectors WHERE s STARTS WITH 'CL_') RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["sector_list"].apply(lambda xs: any(x.startswith("CL_") for x in xs)))}], {}),
    ("unwind", "MATCH (o:Organization) UNWIND o.sectors AS s RETURN count(DISTINCT s) AS n",
     [{"n": ORGS["sector_list"].explode().dropna().nunique()}], {}),
    ("unwind", "UNWIND ['北京', '天津', '河北'] AS p MATCH (o:Organization {province: p}) RETURN p, count(o) AS n",
     rows_by(ORGS["province"].replace("", None).dropna(), "p"), {}),
    ("with", "MATCH (o:Organization) WITH o.province AS p, count(*) AS n WHERE n > 60 RETURN p ORDER BY p",
     [{"p": p} for p in sorted(ORGS["province"].replace("", None).dropna().value_counts()
                               .loc[lambda s: s > 60].index)], {}),
    ("case", "MATCH (p:Platform) RETURN CASE p.level WHEN 'national' THEN '国家级' ELSE '其他' END AS l, count(*) AS n",
     rows_by(ORGS[PLATFORMS]["level"].map(lambda v: "国家级" if v == "national" else "其他"), "l"), {}),
    ("order skip limit", "MATCH (o:Organization) RETURN o.id AS id ORDER BY id SKIP 3 LIMIT 2",
     [{"id": i} for i in sorted(ORGS["id"])[3:5]], {}),
    ("order desc", "MATCH (o:Organization) RETURN o.id AS id ORDER BY id DESC LIMIT 2",
     [{"id": i} for i in sorted(ORGS["id"], reverse=True)[:2]], {}),
    ("union", "MATCH (p:Platform) RETURN p.province AS x UNION MATCH (s:Site) RETURN s.province AS x",
     [{"x": x} for x in set(ORGS[ORGS["label"].isin(["Platform", "Site"])]["province"].replace("", None))], {}),
    ("union all", "MATCH (p:Platform) RETURN 1 AS x UNION ALL MATCH (s:Site) RETURN 1 AS x",
     [{"x": 1}] * n_orgs(ORGS["label"].isin(["Platform", "Site"])), {}),
    ("regions", "MATCH (r:Region {level: 'province'}) RETURN r.name AS name",
     [{"name": n} for n in REGIONS[REGIONS["level"] == "province"]["name"]], {}),
    ("regions", "MATCH (r:Region)-[:PART_OF]->(p:Region {name: '河北省'}) RETURN count(r) AS n",
     [{"n": int((REGIONS["parent"] == REGIONS[REGIONS["name"] == "河北省"]["id"].iloc[0]).sum())}], {}),
    ("labels", "MATCH (n:Organization {id: 'AG_BJ_NDRC'}) RETURN labels(n) AS l",
     [{"l": ["Organization", "Agency"]}], {}),
    ("labels", "MATCH (n:Organization) WHERE n:Platform OR n:Site RETURN count(n) AS n",
     [{"n": n_orgs(ORGS["label"].isin(["Platform", "Site"]))}], {}),
    ("label disjunction", "MATCH (n:Platform|Site) RETURN count(n) AS n",
     [{"n": n_orgs(ORGS["label"].isin(["Platform", "Site"]))}], {}),
    ("elementId", "MATCH (n:Organization {id: 'AG_BJ_NDRC'}) RETURN elementId(n) = toString(id(n)) AS same",
     [{"same": True}], {}),
    ("allShortestPaths", "MATCH p = allShortestPaths((a:Organization {id: 'AG_BJ_NDRC'})-[*]-(b:Sector)) "
     "RETURN count(p) AS n", ERROR, {}),
    ("apoc function", "RETURN apoc.coll.sum([1, 2, 3]) AS s", [{"s": 6}], {}),
    ("apoc procedure", "CALL apoc.help('coll')", [], {}),
    ("datetime habit", "RETURN datetime() IS NOT NULL AS x", [{"x": True}], {}),
    ("exists property", "MATCH (o:Organization) WHERE o.lat IS NOT NULL RETURN count(o) AS n",
     [{"n": n_orgs(ORGS["lat"] != "")}], {}),
    ("math", "RETURN abs(-3) AS a, ceil(1.2) AS b, floor(1.8) AS c, round(2.5) AS d, sign(-2) AS e, 7 % 3 AS f",
     [{"a": 3, "b": 2.0, "c": 1.0, "d": 3.0, "e": -1, "f": 1}], {}),
    ("math", "RETURN sqrt(16) AS a, 2 ^ 10 AS b, 10 / 4 AS c, 10 / 4.0 AS d", [{"a": 4.0, "b": 1024.0, "c": 2,
                                                                                 "d": 2.5}], {}),
    ("names", "MATCH (机构:Platform) RETURN count(机构) AS 数量", [{"数量": n_orgs(PLATFORMS)}], {}),
    ("names", "MATCH (o:Organization) WHERE o.province = $省份 RETURN count(o) AS n", [{"n": n_orgs(BJ)}],
     {"省份": "北京"}),
    ("map projection", "MATCH (s:Sector {id: 'CH_H2'}) RETURN s {.id, .kind} AS m",
     [{"m": {"id": "CH_H2", "kind": "chain"}}], {}),
    ("keys", "MATCH (s:Sector {id: 'CH_H2'}) RETURN s.name AS name", [{"name": "氢能"}], {}),
    ("services", "MATCH (p)-[:OFFERS]->(v:Service) RETURN count(*) AS n",
     [{"n": int(ORGS["services"].str.split(";").apply(lambda xs: len([x for x in xs if x.strip()])).sum())}], {}),
    ("count subquery sum", "MATCH (p:Platform) RETURN sum(COUNT { (p)-[:IN_SECTOR]->() }) AS n",
     [{"n": int(ORGS[PLATFORMS]["sector_list"].apply(len).sum())}], {}),
    ("sum of a count", "MATCH (p:Platform) WITH p, size([(p)-[:IN_SECTOR]->() | 1]) AS k RETURN sum(k) AS n",
     [{"n": int(ORGS[PLATFORMS]["sector_list"].apply(len).sum())}], {}),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from jjjkg.cli import main

    path = tmp_path_factory.mktemp("corpus") / "store"
    assert main(["build", "--store", str(path)]) == 0
    yield path
    stop(path)


MARK = "corpus_mark"


def _script() -> str:
    lines = [":format json"]
    for k, (_, statement, _, params) in enumerate(CORPUS):
        for name, value in params.items():
            lines.append(f":param {name} {json.dumps(value, ensure_ascii=False)}")
        lines.append(statement + ";")
        lines.append(f"RETURN {k} AS {MARK};")
    return "\n".join(lines) + "\n"


def _segments(stdout: str) -> list[str]:
    """The output of each statement, cut at the marker statements' results."""
    out, current = [], []
    lines = stdout.splitlines()
    i = 0
    while i < len(lines):
        if lines[i] == "[" and i + 2 < len(lines) and lines[i + 2].strip().startswith(f'"{MARK}"'):
            out.append("\n".join(current))
            current = []
            i += 5  # [ { "corpus_mark": k } ]
            continue
        current.append(lines[i])
        i += 1
    return out


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _key(row) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


def _equal(rows, expected, ordered: bool) -> bool:
    if len(rows) != len(expected):
        return False
    if not ordered:
        rows, expected = sorted(rows, key=_key), sorted(expected, key=_key)
    return all(_same(r, e) for r, e in zip(rows, expected))


#: words of a refusal that tells what to type instead
WAY_OUT = ("hint:", "use ", "write ", "instead", "put each side", "Invalid regex", "in a clause of its own")


def classify(segment: str, expected, ordered: bool) -> tuple[str, str]:
    """("right" | "refused" | "noted" | "WRONG", why)."""
    lines = segment.splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    notes = [line for line in lines if line.startswith("note: ") and "Neo4j" in line]
    start = next((k for k, line in enumerate(lines) if line.startswith("[")), None)
    if errors:
        if expected == ERROR:
            return "right", errors[0]
        if any(w in segment for w in WAY_OUT):
            return "refused", errors[0]
        return "WRONG", f"refused without saying what to write instead: {segment}"
    rows = json.loads("\n".join(lines[start:])) if start is not None else None
    if expected != ERROR and rows is not None and _equal(rows, expected, ordered):
        return "right", ""
    if notes:
        return "noted", notes[0]
    return "WRONG", f"answered {rows!r}, Neo4j answers {expected!r}, and no note said so"


@pytest.fixture(scope="module")
def outcomes(store):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "jjjkg", "cypher", "--store", str(store), "--write"],
                       input=_script(), capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT,
                       timeout=900)
    assert r.returncode == 0, r.stderr
    segments = _segments(r.stdout)
    assert len(segments) == len(CORPUS), r.stdout[-3000:]
    return [classify(seg, expected, " ORDER BY " in statement.upper())
            for seg, (_, statement, expected, _) in zip(segments, CORPUS)]


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 150
    assert {"Precedence", "Comparison", "Temporal", "ExistentialSubquery"} <= {s.split(" ")[0].rstrip("0123456789")
                                                                             for s, *_ in CORPUS}


@pytest.mark.parametrize("k", range(len(CORPUS)), ids=[f"{c[0]}: {c[1][:50]}" for c in CORPUS])
def test_no_statement_answers_wrong_without_a_word(outcomes, k):
    kind, why = outcomes[k]
    assert kind != "WRONG", f"{CORPUS[k][1]}\n{why}"


def test_the_outcomes_are_counted(outcomes, capsys):
    counts = Counter(kind for kind, _ in outcomes)
    with capsys.disabled():
        print(f"\ncorpus of {len(CORPUS)}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for (kind, why), (source, statement, _, _) in zip(outcomes, CORPUS):
            if kind != "right" or os.environ.get("JJJKG_CORPUS_ALL"):
                print(f"  {kind:8} {source}: {statement[:70]}  — {why[:150]}")
    assert counts["right"] >= len(CORPUS) * 3 // 4
