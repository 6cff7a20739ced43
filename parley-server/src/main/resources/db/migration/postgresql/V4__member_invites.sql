-- Invitations: a member added through "invites" is pending until it accepts or rejects.

ALTER TABLE members ADD COLUMN invite_status TEXT;
ALTER TABLE members ADD COLUMN invite_accepted_at BIGINT;
ALTER TABLE members ADD COLUMN invite_rejected_at BIGINT;
