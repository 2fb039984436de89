-- Tasks led by a given body and due before a date, with their supporting agencies and deliverables.
-- Parameters: $1 the lead agency's canonical name ('Bộ Tài chính'), $2 the date (DATE '2026-12-31').
-- A task's deadlines are linked by id (tasks.deadline_ids → deadlines.deadline_id).
SELECT d.doc_number,
       t."number" AS task_number,
       t."group",
       t.text AS task,
       t.support_names,
       t.deliverable,
       dl.date AS due,
       t.deadline_text
FROM tasks AS t
JOIN documents AS d USING (doc_id)
JOIN deadlines AS dl ON dl.doc_id = t.doc_id AND list_contains(t.deadline_ids, dl.deadline_id)
WHERE list_contains(t.lead_names, $1)
  AND dl.kind = 'due'
  AND dl.date < $2
ORDER BY dl.date, d.doc_number, t.char_start
