-- task_status as the domain tables see it: one definition used by the migration, the
-- parallel-write trigger and the comparisons, so they cannot disagree.
CREATE VIEW etf_creations_from_task_status AS
SELECT
  t.id AS legacy_task_status_id,
  m.status,
  coalesce(t.created_at, t.updated_at) AS created_at,
  coalesce(t.updated_at, t.created_at) AS updated_at,
  CASE WHEN m.status <> 'PENDING' THEN coalesce(t.created_at, t.updated_at) END AS started_at,
  CASE WHEN m.status IN ('COMPLETED', 'FAILED') THEN coalesce(t.updated_at, t.created_at) END AS completed_at,
  t.error AS error_message,
  CASE WHEN m.status = 'PENDING' THEN 0 ELSE 1 END AS attempts,
  t.resource_id,
  t.task_metadata ->> 'etf_id' AS etf_id,
  t.task_metadata
FROM task_status AS t
CROSS JOIN LATERAL (SELECT task_tracking_status(t.status) AS status) AS m
WHERE t.task_type = 'etf_creation';

-- One tracking row per day: every legacy row of that day is one attempt; the latest attempt
-- decides status and error. Days without metadata take their date from created_at.
CREATE VIEW exchange_rate_updates_from_task_status AS
SELECT
  f.update_date,
  'EUR'::varchar(3) AS base_currency,
  m.status,
  p.first_at AS created_at,
  p.last_at AS updated_at,
  CASE WHEN m.status <> 'PENDING' THEN p.first_at END AS started_at,
  CASE WHEN m.status IN ('COMPLETED', 'FAILED') THEN p.last_at END AS completed_at,
  f.error AS error_message,
  p.attempts,
  c.currencies AS target_currencies,
  CASE WHEN m.status = 'COMPLETED' THEN cardinality(c.currencies) ELSE 0 END AS success_count,
  cardinality(c.currencies) AS total_count,
  'legacy_task_status'::varchar(50) AS source
FROM (
  SELECT DISTINCT ON (x.update_date) x.*
  FROM (
    SELECT t.*, coalesce((t.task_metadata ->> 'date')::date, t.created_at::date, t.updated_at::date) AS update_date
    FROM task_status AS t WHERE t.task_type = 'exchange_rate_update'
  ) AS x
  ORDER BY x.update_date, coalesce(x.created_at, x.updated_at) DESC, x.id DESC
) AS f
JOIN (
  SELECT coalesce((t.task_metadata ->> 'date')::date, t.created_at::date, t.updated_at::date) AS update_date,
         count(*)::int AS attempts,
         min(coalesce(t.created_at, t.updated_at)) AS first_at,
         max(coalesce(t.updated_at, t.created_at)) AS last_at
  FROM task_status AS t WHERE t.task_type = 'exchange_rate_update'
  GROUP BY 1
) AS p ON p.update_date = f.update_date
CROSS JOIN LATERAL (SELECT task_tracking_status(f.status) AS status) AS m
CROSS JOIN LATERAL (
  SELECT ARRAY(SELECT jsonb_array_elements_text(f.task_metadata -> 'currencies'))::varchar(3)[] AS currencies
) AS c;
