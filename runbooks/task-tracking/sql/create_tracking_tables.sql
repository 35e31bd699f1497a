-- The plan, phase 2: domain-specific tracking tables with the standard fields of
-- BaseTaskTracking (status, timestamps, error_message, attempts, max_attempts, celery_task_id).
-- All three tables are new, so their indexes are built on empty tables.
CREATE TABLE exchange_rate_update_tracking (
    id SERIAL PRIMARY KEY,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP NOT NULL DEFAULT NOW(),
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    celery_task_id VARCHAR(255),
    update_date DATE NOT NULL,
    base_currency VARCHAR(3) NOT NULL,
    target_currencies VARCHAR(3)[] NOT NULL,
    success_count INTEGER DEFAULT 0,
    total_count INTEGER DEFAULT 0,
    source VARCHAR(50) NOT NULL,
    CONSTRAINT uq_exchange_rate_update UNIQUE (update_date, base_currency)
);
CREATE INDEX idx_exchange_rate_status ON exchange_rate_update_tracking (status);
CREATE INDEX idx_exchange_rate_dates ON exchange_rate_update_tracking (created_at, completed_at);

-- ETF creation tasks had no table of their own; legacy_task_status_id keeps their origin.
CREATE TABLE etf_creation_tracking (
    id SERIAL PRIMARY KEY,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP NOT NULL DEFAULT NOW(),
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    celery_task_id VARCHAR(255),
    resource_id INTEGER NOT NULL,
    etf_id VARCHAR,
    task_metadata JSONB,
    legacy_task_status_id INTEGER,
    CONSTRAINT uq_etf_creation_legacy UNIQUE (legacy_task_status_id)
);
CREATE INDEX idx_etf_creation_status ON etf_creation_tracking (status);
CREATE INDEX idx_etf_creation_dates ON etf_creation_tracking (created_at, completed_at);

CREATE TABLE daily_update_tracking_new (
    id SERIAL PRIMARY KEY,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP NOT NULL DEFAULT NOW(),
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    celery_task_id VARCHAR(255),
    update_date DATE NOT NULL,
    update_type VARCHAR(50) NOT NULL,
    data_found BOOLEAN DEFAULT FALSE,
    notes TEXT,
    CONSTRAINT uq_daily_update UNIQUE (update_date, update_type)
);
CREATE INDEX idx_daily_update_status ON daily_update_tracking_new (status);
CREATE INDEX idx_daily_update_dates ON daily_update_tracking_new (created_at, completed_at);

-- The legacy status spellings mapped to the four standard ones (NULL for anything unknown,
-- which the preflight check rules out).
CREATE FUNCTION task_tracking_status(legacy_status text) RETURNS varchar(20)
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE lower(legacy_status)
    WHEN 'pending' THEN 'PENDING'
    WHEN 'queued' THEN 'PENDING'
    WHEN 'running' THEN 'PROCESSING'
    WHEN 'processing' THEN 'PROCESSING'
    WHEN 'completed' THEN 'COMPLETED'
    WHEN 'success' THEN 'COMPLETED'
    WHEN 'failed' THEN 'FAILED'
    WHEN 'error' THEN 'FAILED'
  END
$$;
