-- Users, usage metering and app settings on PostgreSQL.
-- Timestamps are epoch microseconds (Timestamps.toMicros). Text keys use the "C" collation so that
-- ordering is by code point, as in the embedded store, whatever the database's default collation.

CREATE TABLE users (
    id                          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    role                        TEXT COLLATE "C" NOT NULL,
    teams                       JSONB   NOT NULL DEFAULT '[]',
    name_lower                  TEXT COLLATE "C",
    created_at                  BIGINT,
    updated_at                  BIGINT,
    last_active                 BIGINT,
    online                      BOOLEAN NOT NULL DEFAULT FALSE,
    invisible                   BOOLEAN NOT NULL DEFAULT FALSE,
    banned                      BOOLEAN NOT NULL DEFAULT FALSE,
    ban_expires                 BIGINT,
    shadow_banned               BOOLEAN NOT NULL DEFAULT FALSE,
    deactivated_at              BIGINT,
    deleted_at                  BIGINT,
    revoke_tokens_issued_before BIGINT,
    custom                      JSONB   NOT NULL DEFAULT '{}'
);

CREATE INDEX users_created_at ON users (created_at, id);
CREATE INDEX users_last_active ON users (last_active, id);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_name_lower ON users (name_lower, id);

CREATE TABLE active_users (
    month   TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (month, user_id)
);

CREATE TABLE daily_peaks (
    day  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    peak INTEGER NOT NULL
);

CREATE TABLE app_settings (
    id  INTEGER NOT NULL PRIMARY KEY,
    doc JSONB   NOT NULL
);
