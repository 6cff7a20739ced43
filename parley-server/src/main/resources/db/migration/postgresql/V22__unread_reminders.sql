-- Unread reminders (PROTOCOL.md §7.30): for each member reminded of a channel's unread messages, the time of the
-- channel's last message when the reminder went out. A member is reminded again only of messages after it.
CREATE TABLE unread_reminders (
    cid              TEXT COLLATE "C" NOT NULL,
    user_id          TEXT COLLATE "C" NOT NULL,
    reminded_through BIGINT NOT NULL,
    PRIMARY KEY (cid, user_id)
);
