-- What request made an outbox row's change (PROTOCOL.md §15.2): the caller's kind, address, user agent and SDK,
-- as JSON, added to the payload as request_info when the row is posted; NULL when no request made it.
ALTER TABLE hook_outbox ADD COLUMN request_info TEXT;
