-- The Generic Task Model: one task table with parent links and materialised
-- paths, and a dependency table. Both tables are new, so their constraints and indexes are
-- built on empty tables: no NOT VALID or CONCURRENTLY is needed.
SET LOCAL lock_timeout = '5s';
CREATE TABLE generic_tasks (
  task_id text PRIMARY KEY,
  task_type text NOT NULL,
  parent_task_id text REFERENCES generic_tasks (task_id) ON DELETE CASCADE,
  hierarchy_path text NOT NULL,
  hierarchy_depth integer NOT NULL,
  status text NOT NULL,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- task_breakdowns, subtasks or recovered (a breakdown re-created for orphaned subtasks);
  -- NULL for tasks created after the migration
  migrated_from text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT generic_tasks_status_check CHECK (status IN ('pending', 'active', 'completed', 'failed', 'blocked'))
);
CREATE INDEX generic_tasks_parent_task_id_idx ON generic_tasks (parent_task_id);
CREATE INDEX generic_tasks_hierarchy_path_idx ON generic_tasks (hierarchy_path text_pattern_ops);

CREATE TABLE task_dependencies (
  dependent_task_id text NOT NULL REFERENCES generic_tasks (task_id) ON DELETE CASCADE,
  dependency_task_id text NOT NULL REFERENCES generic_tasks (task_id) ON DELETE CASCADE,
  dependency_type text NOT NULL DEFAULT 'completion',
  description text,
  PRIMARY KEY (dependent_task_id, dependency_task_id),
  CONSTRAINT task_dependencies_no_self_check CHECK (dependent_task_id <> dependency_task_id)
);
CREATE INDEX task_dependencies_dependency_task_id_idx ON task_dependencies (dependency_task_id);
