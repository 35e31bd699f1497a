-- Rollback of the canary: its rows go, and so does the id it took from task_status's sequence,
-- unless the application took a later id meanwhile (then rewinding would hand out an id twice).
DELETE FROM etf_creation_tracking WHERE task_metadata ->> 'canary' = 'true';
WITH canary AS (
  DELETE FROM task_status WHERE task_metadata ->> 'canary' = 'true' RETURNING id
),
target AS (
  SELECT pg_get_serial_sequence('task_status', 'id')::regclass AS seq, (SELECT max(id) FROM canary) AS id
)
SELECT setval(t.seq, CASE WHEN t.id = s.seqstart THEN s.seqstart ELSE t.id - s.seqincrement END, t.id <> s.seqstart)
FROM target AS t
JOIN pg_sequence AS s ON s.seqrelid = t.seq
WHERE pg_sequence_last_value(t.seq) = t.id;
