-- Users, usage metering and app settings of the embedded store.
-- Timestamps are epoch microseconds (Timestamps.toMicros); booleans are 0/1.

CREATE TABLE users (
    id                          TEXT    NOT NULL PRIMARY KEY,
    role                        TEXT    NOT NULL,
    teams                       TEXT    NOT NULL DEFAULT '[]',
    name_lower                  TEXT,
    created_at                  BIGINT,
    updated_at                  BIGINT,
    last_active                 BIGINT,
    online                      INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    invisible                   INTEGER NOT NULL DEFAULT 0 CHECK (invisible IN (0, 1)),
    banned                      INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
    ban_expires                 BIGINT,
    shadow_banned               INTEGER NOT NULL DEFAULT 0 CHECK (shadow_banned IN (0, 1)),
    deactivated_at              BIGINT,
    deleted_at                  BIGINT,
    revoke_tokens_issued_before BIGINT,
    custom                      TEXT    NOT NULL DEFAULT '{}'
);

CREATE INDEX users_created_at ON users (created_at, id);
CREATE INDEX users_last_active ON users (last_active, id);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_name_lower ON users (name_lower, id);

CREATE TABLE active_users (
    month   TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (month, user_id)
);

CREATE TABLE daily_peaks (
    day  TEXT    NOT NULL PRIMARY KEY,
    peak INTEGER NOT NULL
);

CREATE TABLE app_settings (
    id  INTEGER NOT NULL PRIMARY KEY,
    doc TEXT    NOT NULL
);
