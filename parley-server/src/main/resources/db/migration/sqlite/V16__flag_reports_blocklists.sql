-- Flag reports and blocklists (PROTOCOL.md §7.26, §7.27).
-- A flag may come from the server itself (a blocklist's 'flag' behaviour): created_by_automod 1, user_id '',
-- details the JSON of what matched. A flag report gathers the flags of one flagged message or user and
-- carries its review; target_user_id is the flagged user, or the author of the flagged message.
ALTER TABLE flags ADD COLUMN created_by_automod INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flags ADD COLUMN details TEXT;

CREATE INDEX flags_target ON flags (target_kind, target_id);

CREATE TABLE flag_reports (
    id                TEXT    NOT NULL PRIMARY KEY,
    target_kind       TEXT    NOT NULL,
    target_id         TEXT    NOT NULL,
    channel_cid       TEXT,
    target_user_id    TEXT    NOT NULL,
    first_reporter_id TEXT,
    flags_count       INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    review_result     TEXT,
    reviewed_by       TEXT,
    reviewed_at       BIGINT,
    review_details    TEXT,
    UNIQUE (target_kind, target_id)
);

CREATE INDEX flag_reports_created ON flag_reports (created_at);

-- The flags stored before this version get their reports (a flag of a message since hard-deleted names the
-- message id as its user: nothing better is left).
INSERT INTO flag_reports (id, target_kind, target_id, channel_cid, target_user_id, first_reporter_id, flags_count,
                          created_at, updated_at)
SELECT lower(hex(randomblob(16))), f.target_kind, f.target_id,
       (SELECT m.cid FROM messages m WHERE m.id = f.target_id AND f.target_kind = 'message'),
       COALESCE((SELECT m.user_id FROM messages m WHERE m.id = f.target_id AND f.target_kind = 'message'),
                f.target_id),
       (SELECT f2.user_id FROM flags f2 WHERE f2.target_kind = f.target_kind AND f2.target_id = f.target_id
        ORDER BY f2.created_at, f2.user_id LIMIT 1),
       COUNT(*), MIN(f.created_at), MAX(f.updated_at)
FROM flags f
GROUP BY f.target_kind, f.target_id;

CREATE TABLE blocklists (
    name       TEXT   NOT NULL PRIMARY KEY,
    words      TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
