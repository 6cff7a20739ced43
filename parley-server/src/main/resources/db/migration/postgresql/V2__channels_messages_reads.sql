-- The chat core of the PostgreSQL store: channels, members (with their read state), messages,
-- reactions and the persisted channel events replayed by POST /sync.
-- Timestamps are epoch microseconds; booleans are 0/1; JSON documents are text.

CREATE TABLE channels (
    cid             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    type            TEXT COLLATE "C"    NOT NULL,
    id              TEXT COLLATE "C"    NOT NULL,
    name            TEXT COLLATE "C",
    created_by_id   TEXT COLLATE "C",
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
    custom          TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX channels_last_message_at ON channels (last_message_at, cid);
CREATE INDEX channels_type ON channels (type, cid);

CREATE TABLE members (
    cid                  TEXT COLLATE "C"    NOT NULL,
    user_id              TEXT COLLATE "C"    NOT NULL,
    channel_role         TEXT COLLATE "C"    NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    hidden               INTEGER NOT NULL DEFAULT 0,
    last_read            BIGINT,
    last_read_message_id TEXT,
    unread_messages      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cid, user_id)
);

CREATE INDEX members_user ON members (user_id, cid);

CREATE TABLE messages (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    cid        TEXT COLLATE "C"    NOT NULL,
    user_id    TEXT COLLATE "C"    NOT NULL,
    parent_id  TEXT COLLATE "C",
    in_channel INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    deleted_at BIGINT,
    pinned_at  BIGINT,
    doc        TEXT    NOT NULL
);

CREATE INDEX messages_channel ON messages (cid, in_channel, created_at, id);
CREATE INDEX messages_parent ON messages (parent_id, created_at, id);

CREATE TABLE reactions (
    message_id TEXT COLLATE "C"    NOT NULL,
    user_id    TEXT COLLATE "C"    NOT NULL,
    type       TEXT COLLATE "C"    NOT NULL,
    score      INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (message_id, user_id, type)
);

CREATE TABLE channel_events (
    seq        BIGSERIAL PRIMARY KEY,
    cid        TEXT COLLATE "C"    NOT NULL,
    created_at BIGINT  NOT NULL,
    doc        TEXT    NOT NULL
);

CREATE INDEX channel_events_cid ON channel_events (cid, created_at);
