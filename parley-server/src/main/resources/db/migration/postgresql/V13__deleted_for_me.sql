-- Messages a user deleted for itself only (PROTOCOL.md §7.10, delete_for_me): shown to that user as deleted,
-- to everyone else as they are.
CREATE TABLE messages_deleted_for_user (
    message_id TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL,
    cid        TEXT COLLATE "C" NOT NULL,
    deleted_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, message_id)
);

CREATE INDEX messages_deleted_for_user_channel ON messages_deleted_for_user (cid);
