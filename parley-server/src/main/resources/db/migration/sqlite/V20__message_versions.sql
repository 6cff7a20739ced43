-- The versions of edited messages (PROTOCOL.md §7.29, POST /messages/history): the first edit of a message keeps its
-- original text and attachments, and every edit that changes them keeps what it made, with when and by whom.
CREATE TABLE message_versions (
    message_id    TEXT NOT NULL,
    version_at    BIGINT NOT NULL,
    updated_by_id TEXT,
    doc           TEXT NOT NULL,
    PRIMARY KEY (message_id, version_at)
);
