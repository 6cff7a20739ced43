-- Imports through the HTTP routes (PROTOCOL.md §17.5): one row per upload URL handed out, which becomes an import
-- task once the file is uploaded and the import is asked for. `node` is the node whose disk holds the file: only
-- it runs the import. `history` is a JSON array of state changes and `result` a JSON object.
CREATE TABLE import_tasks (
    id          TEXT COLLATE "C" PRIMARY KEY,
    path        TEXT COLLATE "C" NOT NULL UNIQUE,
    file_name   TEXT NOT NULL,
    mode        TEXT NOT NULL,
    state       TEXT NOT NULL,
    size        BIGINT,
    node        TEXT COLLATE "C",
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    history     TEXT NOT NULL,
    result      TEXT
);
CREATE INDEX import_tasks_node ON import_tasks (node, state);
CREATE INDEX import_tasks_created ON import_tasks (created_at);
