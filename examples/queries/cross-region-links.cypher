// name: cross-region-links
// summary: 京—津冀跨区域关系 · Relations from Beijing organizations to Tianjin/Hebei ones, by type
// param: limit int 50
MATCH (a:Organization)-[r]->(b:Organization)
WHERE a.province = '北京' AND b.province IN ['天津', '河北']
RETURN type(r) AS relation, a.id AS from_id, a.name AS from_name, b.id AS to_id, b.name AS to_name,
       b.province AS to_province
ORDER BY relation, from_id, to_id
LIMIT $limit
