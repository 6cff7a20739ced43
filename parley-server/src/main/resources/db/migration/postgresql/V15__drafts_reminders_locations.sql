-- Drafts (PROTOCOL.md §7.22): a user's unsent message of a channel (parent_id '') or of one thread; one each.
CREATE TABLE drafts (
    user_id    TEXT COLLATE "C" NOT NULL,
    cid        TEXT COLLATE "C" NOT NULL,
    parent_id  TEXT COLLATE "C" NOT NULL,
    created_at BIGINT  NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (user_id, cid, parent_id)
);

-- Reminders and saved-for-later messages (§7.23): one per user and message; remind_at NULL is saved for later.
-- notified_at is set once, by the node that sends notification.reminder_due.
CREATE TABLE reminders (
    user_id     TEXT COLLATE "C" NOT NULL,
    message_id  TEXT COLLATE "C" NOT NULL,
    cid         TEXT COLLATE "C" NOT NULL,
    remind_at   BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    notified_at BIGINT,
    PRIMARY KEY (user_id, message_id)
);

CREATE INDEX reminders_due ON reminders (remind_at) WHERE notified_at IS NULL;
CREATE INDEX reminders_message ON reminders (message_id);

-- Shared locations (§7.24): one per message that carries one; end_at NULL is a static location.
CREATE TABLE shared_locations (
    message_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    cid        TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    device_id  TEXT COLLATE "C" NOT NULL,
    latitude   DOUBLE PRECISION NOT NULL,
    longitude  DOUBLE PRECISION NOT NULL,
    end_at     BIGINT,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE INDEX shared_locations_live ON shared_locations (user_id, end_at);
