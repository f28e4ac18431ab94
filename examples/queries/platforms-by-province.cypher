// name: platforms-by-province
// summary: 各省市中试平台数量（按级别）· Pilot platforms per province and level
MATCH (p:Platform)
RETURN p.province AS province, coalesce(p.level, 'unknown') AS level, count(p) AS platforms
ORDER BY province, level
