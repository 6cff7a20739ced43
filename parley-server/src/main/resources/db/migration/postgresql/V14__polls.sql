-- Polls (PROTOCOL.md §7.21): a poll, its options and its votes. A poll is made first and sent with a message
-- afterwards (message_id is set then, once). The columns a query filters on are columns; the description and
-- the custom fields are a JSON document. An answer is a vote with answer_text and no option.
CREATE TABLE polls (
    id                           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name                         TEXT    NOT NULL,
    created_by_id                TEXT COLLATE "C" NOT NULL,
    message_id                   TEXT COLLATE "C",
    cid                          TEXT COLLATE "C",
    voting_visibility            TEXT    NOT NULL,
    enforce_unique_vote          INTEGER NOT NULL,
    max_votes_allowed            INTEGER,
    allow_answers                INTEGER NOT NULL,
    allow_user_suggested_options INTEGER NOT NULL,
    is_closed                    INTEGER NOT NULL,
    doc                          TEXT    NOT NULL DEFAULT '{}',
    created_at                   BIGINT  NOT NULL,
    updated_at                   BIGINT  NOT NULL
);

CREATE INDEX polls_creator ON polls (created_by_id, created_at);
CREATE INDEX polls_channel ON polls (cid);

CREATE TABLE poll_options (
    poll_id    TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    position   INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    custom     TEXT    NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (poll_id, id)
);

CREATE TABLE poll_votes (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    poll_id     TEXT COLLATE "C" NOT NULL,
    user_id     TEXT COLLATE "C" NOT NULL,
    option_id   TEXT COLLATE "C",
    answer_text TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE INDEX poll_votes_user ON poll_votes (poll_id, user_id);
CREATE INDEX poll_votes_option ON poll_votes (poll_id, option_id, created_at);
