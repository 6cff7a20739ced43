-- Durable tasks (PROTOCOL.md §17.6): the batch and export tasks that GET /tasks/{id} and GET /export_channels/{id}
-- answer. A task waiting or running is re-run by a starting node (or, in a cluster, by whichever node claims it
-- once its heartbeat, updated_at, is stale); a finished task is kept for a bounded time, then deleted with its
-- files. params is the request to run again; result and error are JSON objects.
CREATE TABLE tasks (
    id         TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    params     TEXT    NOT NULL DEFAULT '{}',
    result     TEXT,
    error      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE INDEX tasks_by_status ON tasks (status, updated_at);
