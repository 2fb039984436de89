-- Which tasks does an agency lead in each plan? ($1: canonical agency name)
-- A lead row that says "thực hiện nội dung điểm b, d" expands to those points.
WITH led AS (
    SELECT doc_id, section_id, task, task_refs, char_start
    FROM assignments
    WHERE agency_name = $1 AND role = 'lead'
), tasks AS (
    SELECT doc_id, section_id AS assigned_in, task, char_start, len(task_refs) > 0 AS by_reference,
           UNNEST(CASE WHEN len(task_refs) > 0 THEN task_refs ELSE [section_id] END) AS task_section
    FROM led
)
SELECT d.source_path, d.doc_number, t.assigned_in, t.task_section,
       CASE WHEN t.by_reference THEN s.heading ELSE t.task END AS task
FROM tasks AS t
JOIN documents AS d USING (doc_id)
LEFT JOIN sections AS s ON s.doc_id = t.doc_id AND s.section_id = t.task_section
ORDER BY d.source_path, t.char_start, t.task_section
