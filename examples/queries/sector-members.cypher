// name: sector-members
// summary: 某领域的全部机构 · Every organization of one sector, with type and province
// param: sector str CH_H2
MATCH (o:Organization)-[:IN_SECTOR]->(s:Sector {id: $sector})
RETURN o.id AS id, o.name AS name, o.type AS type, o.province AS province
ORDER BY province, type, id
