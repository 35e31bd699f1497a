-- Rollback of dropping the legacy tables: their definitions as before the run (seed 003,
-- "current state"), filled from the archive tables of step archive-legacy. Production
-- equivalent: `pg_restore --table=task_status --table=daily_update_tracking` from the backup dump.
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
INSERT INTO task_status SELECT * FROM archived_task_status;
SELECT setval('task_status_id_seq', coalesce((SELECT max(id) FROM task_status), 1));

CREATE TABLE daily_update_tracking (
    date DATE NOT NULL,
    update_type VARCHAR(50) NOT NULL,
    attempted BOOLEAN DEFAULT FALSE,
    data_found BOOLEAN DEFAULT FALSE,
    notes TEXT,
    PRIMARY KEY (date, update_type)
);
INSERT INTO daily_update_tracking SELECT * FROM archived_daily_update_tracking;
