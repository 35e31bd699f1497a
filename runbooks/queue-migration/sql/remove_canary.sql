-- Rollback of the canary: the task goes, and so does the id it took from the sequence, unless
-- the application took a later id meanwhile (then rewinding would hand out an id twice).
WITH canary AS (
  DELETE FROM background_tasks WHERE task_type = 'stepwise.canary' RETURNING id
),
target AS (
  SELECT pg_get_serial_sequence('background_tasks', 'id')::regclass AS seq, (SELECT max(id) FROM canary) AS id
)
SELECT setval(t.seq, CASE WHEN t.id = s.seqstart THEN s.seqstart ELSE t.id - s.seqincrement END, t.id <> s.seqstart)
FROM target AS t
JOIN pg_sequence AS s ON s.seqrelid = t.seq
WHERE pg_sequence_last_value(t.seq) = t.id;
