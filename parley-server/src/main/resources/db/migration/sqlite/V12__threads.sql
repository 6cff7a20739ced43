-- Threads (PROTOCOL.md §7.18): one row per thread parent, with the title and custom data a partial update
-- sets, and one row per participant (the parent's author and every reply's author) with that user's read
-- state of the thread. Filled from the replies already stored.
CREATE TABLE threads (
    parent_id       TEXT NOT NULL PRIMARY KEY,
    cid             TEXT NOT NULL,
    title           TEXT,
    custom          TEXT    NOT NULL DEFAULT '{}',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    last_message_at BIGINT  NOT NULL
);

CREATE INDEX threads_channel ON threads (cid);

CREATE TABLE thread_participants (
    parent_id            TEXT NOT NULL,
    user_id              TEXT NOT NULL,
    cid                  TEXT NOT NULL,
    created_at           BIGINT  NOT NULL,
    last_thread_message_at BIGINT NOT NULL,
    last_read            BIGINT,
    last_read_message_id TEXT,
    unread_messages      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (parent_id, user_id)
);

CREATE INDEX thread_participants_user ON thread_participants (user_id, last_thread_message_at);
CREATE INDEX thread_participants_channel ON thread_participants (cid);

INSERT INTO threads (parent_id, cid, created_at, updated_at, last_message_at)
SELECT p.id, p.cid, p.created_at, p.created_at, max(r.created_at)
FROM messages p JOIN messages r ON r.parent_id = p.id
WHERE p.parent_id IS NULL
GROUP BY p.id, p.cid, p.created_at;

-- Everyone who took part has read the thread as far as it went when this ran.
INSERT INTO thread_participants (parent_id, user_id, cid, created_at, last_thread_message_at, last_read)
SELECT t.parent_id, p.user_id, t.cid, p.created_at, t.last_message_at, t.last_message_at
FROM threads t JOIN messages p ON p.id = t.parent_id;

INSERT INTO thread_participants (parent_id, user_id, cid, created_at, last_thread_message_at, last_read)
SELECT t.parent_id, r.user_id, t.cid, min(r.created_at), t.last_message_at, t.last_message_at
FROM threads t JOIN messages r ON r.parent_id = t.parent_id
WHERE NOT EXISTS (SELECT 1 FROM thread_participants x WHERE x.parent_id = t.parent_id AND x.user_id = r.user_id)
GROUP BY t.parent_id, r.user_id, t.cid, t.last_message_at;
