-- Which documents are cited by more than one plan of the run? (the citation graph's shared nodes)
SELECT r.canonical_id,
       any_value(r.ref_type) AS ref_type,
       count(DISTINCT r.doc_id) AS plans,
       list(DISTINCT d.doc_number ORDER BY d.doc_number) FILTER (WHERE d.doc_number IS NOT NULL) AS citing
FROM legal_refs AS r
JOIN documents AS d USING (doc_id)
GROUP BY r.canonical_id
HAVING count(DISTINCT r.doc_id) > 1
ORDER BY plans DESC, r.canonical_id
