-- Which BHYT coverage targets were set, by whom, for which year?
-- set_by: the decision that set the target when the plan names it, else the plan's issuer.
SELECT d.doc_number,
       COALESCE(t.assigned_by, d.issuer) AS set_by,
       t.target_year,
       t.value,
       t.value_max,
       t.comparator,
       t.base,
       t.population_group,
       t.geography,
       t.doc_id
FROM targets AS t
JOIN documents AS d USING (doc_id)
WHERE t.indicator = 'bhyt_coverage' AND t.kind = 'target'
ORDER BY d.issue_date NULLS LAST, t.doc_id, t.target_year, t.population_group NULLS FIRST, t.char_start
