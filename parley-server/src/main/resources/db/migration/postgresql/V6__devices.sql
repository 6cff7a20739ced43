-- Push devices of users (PROTOCOL.md §6.8, §7.14).

CREATE TABLE devices (
    id                 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    user_id            TEXT COLLATE "C" NOT NULL,
    push_provider      TEXT   NOT NULL,
    push_provider_name TEXT,
    created_at         BIGINT NOT NULL
);

CREATE INDEX devices_user ON devices (user_id, created_at);
