-- Demo data for task-tracking: the tables of the plan's "current state analysis", exactly as
-- the plan defines them, filled the way years of Celery tasks fill them. Edge cases:
-- - exchange rate updates retried several times for the same date (one tracking row each
--   after the migration, with attempts = number of tries);
-- - task_metadata NULL (date taken from created_at) or without currencies;
-- - statuses in mixed spellings ('success', 'COMPLETED', 'error', 'running');
-- - rows without created_at; task types nobody tracks any more (archived only);
-- - daily update rows never attempted, or with data_found NULL.
-- Size: demo_rows task_status rows (default 120,000).

CREATE TABLE etfs (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    currency VARCHAR(3) NOT NULL
);

CREATE TABLE task_status (
    id SERIAL PRIMARY KEY,
    task_type VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    resource_id INTEGER NOT NULL,
    error VARCHAR,
    task_metadata JSONB,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW()
);

CREATE TABLE etf_updates (
    id SERIAL PRIMARY KEY,
    etf_id VARCHAR NOT NULL REFERENCES etfs(id),
    update_type VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    status VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    error VARCHAR,
    missing_dates DATE[],
    retry_count INTEGER NOT NULL DEFAULT 0,
    notes VARCHAR
);

CREATE TABLE daily_update_tracking (
    date DATE NOT NULL,
    update_type VARCHAR(50) NOT NULL,
    attempted BOOLEAN DEFAULT FALSE,
    data_found BOOLEAN DEFAULT FALSE,
    notes TEXT,
    PRIMARY KEY (date, update_type)
);

INSERT INTO etfs (id, name, currency)
SELECT 'ETF' || lpad(e::text, 4, '0'), 'Index fund ' || e, (ARRAY['EUR', 'USD', 'GBP', 'CHF'])[1 + e % 4]
FROM generate_series(1, 400) AS e;

-- ETF creation tasks: everything but the last 1,200 rows of demo_rows.
INSERT INTO task_status (task_type, status, resource_id, error, task_metadata, created_at, updated_at)
SELECT
  'etf_creation',
  CASE
    WHEN g % 500 = 0 THEN 'running'
    WHEN g % 97 = 0 THEN 'failed'
    WHEN g % 89 = 0 THEN 'error'
    WHEN g % 7 = 0 THEN 'success'
    WHEN g % 11 = 0 THEN 'COMPLETED'
    WHEN g > p.n - 300 THEN 'pending'
    ELSE 'completed'
  END,
  1 + g % 400,
  CASE WHEN g % 97 = 0 THEN 'Provider timeout' WHEN g % 89 = 0 THEN 'ISIN not found' END,
  CASE WHEN g % 53 = 0 THEN NULL
       ELSE jsonb_build_object('etf_id', 'ETF' || lpad((1 + g % 400)::text, 4, '0'), 'source', (ARRAY['justetf', 'manual'])[1 + g % 2]) END,
  CASE WHEN g % 1009 = 0 THEN NULL ELSE now()::timestamp - (p.n - g) * interval '9 minutes' END,
  now()::timestamp - (p.n - g) * interval '9 minutes' + interval '40 seconds'
FROM (SELECT greatest(CAST(:demo_rows AS integer) - 1200, 100) AS n) AS p
CROSS JOIN LATERAL generate_series(1, p.n) AS g;

-- Exchange rate updates: one per day for 1,000 days; every 6th day failed first and was
-- retried (every 30th twice). Attempt a of day d.
INSERT INTO task_status (task_type, status, resource_id, error, task_metadata, created_at, updated_at)
SELECT
  'exchange_rate_update',
  CASE
    WHEN a < t.tries THEN 'failed'
    WHEN d = 1000 THEN 'running'
    WHEN d % 41 = 0 THEN 'error'
    ELSE 'success'
  END,
  d,
  CASE WHEN a < t.tries THEN 'ECB feed returned 503' WHEN d % 41 = 0 AND d <> 1000 THEN 'Rate missing for CHF' END,
  CASE
    WHEN d % 83 = 0 THEN NULL
    WHEN d % 59 = 0 THEN jsonb_build_object('date', to_char(current_date - (1000 - d), 'YYYY-MM-DD'))
    ELSE jsonb_build_object('date', to_char(current_date - (1000 - d), 'YYYY-MM-DD'), 'currencies', jsonb_build_array('USD', 'GBP', 'CHF', 'JPY'))
  END,
  (current_date - (1000 - d))::timestamp + interval '16 hours' + a * interval '10 minutes',
  (current_date - (1000 - d))::timestamp + interval '16 hours' + a * interval '10 minutes' + interval '20 seconds'
FROM generate_series(1, 1000) AS d
CROSS JOIN LATERAL (SELECT CASE WHEN d % 30 = 0 THEN 3 WHEN d % 6 = 0 THEN 2 ELSE 1 END AS tries) AS t
CROSS JOIN LATERAL generate_series(1, t.tries) AS a;

-- Task types nobody reads any more: kept in the archive only.
INSERT INTO task_status (task_type, status, resource_id, error, task_metadata, created_at, updated_at)
SELECT 'legacy_cleanup', 'completed', g, NULL, NULL, now()::timestamp - interval '900 days' + g * interval '1 day', now()::timestamp - interval '900 days' + g * interval '1 day'
FROM generate_series(1, 200) AS g;

INSERT INTO etf_updates (etf_id, update_type, start_date, end_date, status, created_at, completed_at, error, missing_dates, retry_count, notes)
SELECT
  'ETF' || lpad((1 + g % 400)::text, 4, '0'),
  (ARRAY['prices', 'holdings', 'dividends'])[1 + g % 3],
  current_date - 30 - g % 300, current_date - g % 300,
  CASE WHEN g % 23 = 0 THEN 'failed' ELSE 'completed' END,
  now()::timestamp - g * interval '1 hour',
  CASE WHEN g % 23 = 0 THEN NULL ELSE now()::timestamp - g * interval '1 hour' + interval '2 minutes' END,
  CASE WHEN g % 23 = 0 THEN 'Upstream returned no data' END,
  CASE WHEN g % 17 = 0 THEN ARRAY[current_date - g % 300 - 3, current_date - g % 300 - 2] END,
  g % 4,
  CASE WHEN g % 5 = 0 THEN 'weekend gap' END
FROM generate_series(1, 4000) AS g;

INSERT INTO daily_update_tracking (date, update_type, attempted, data_found, notes)
SELECT current_date - d, u,
       d % 19 <> 0,
       CASE WHEN d % 19 = 0 THEN false WHEN d % 31 = 0 THEN NULL ELSE d % 7 <> 0 END,
       CASE WHEN d % 7 = 0 THEN 'market holiday' END
FROM generate_series(0, 999) AS d
CROSS JOIN unnest(ARRAY['prices', 'exchange_rates', 'holdings']) AS u;
