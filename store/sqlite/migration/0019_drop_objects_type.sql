-- objects_type (type) served no query: no read selects stored objects by type
-- alone (TAXII's match[type] reads the intake and channel entries by id
-- range). One index fewer to update for each object a submission stores
-- (docs/performance.md, fifth round).
DROP INDEX objects_type;
