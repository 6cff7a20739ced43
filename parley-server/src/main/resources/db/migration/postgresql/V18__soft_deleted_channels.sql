-- Soft-deleted channels (PROTOCOL.md §7.6): a channel deleted without hard_delete leaves the channels table for
-- this one, with its row as it was, while its members, messages and threads stay where they are, out of every
-- query (they are reached only through the channel). Creating the channel again removes that history, unless
-- the delete kept it (skip_truncate), in which case the old row comes back with it.
CREATE TABLE channels_deleted (
    cid             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    type            TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    name            TEXT,
    created_by_id   TEXT,
    team            TEXT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    last_message_at BIGINT,
    truncated_at    BIGINT,
    truncated_by_id TEXT,
    frozen          INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    cooldown        INTEGER NOT NULL DEFAULT 0,
    member_count    INTEGER NOT NULL DEFAULT 0,
    message_count   INTEGER NOT NULL DEFAULT 0,
    custom          TEXT    NOT NULL DEFAULT '{}',
    deleted_at      BIGINT  NOT NULL,
    deleted_by_id   TEXT,
    keep_history    INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX channels_deleted_at ON channels_deleted (deleted_at);
