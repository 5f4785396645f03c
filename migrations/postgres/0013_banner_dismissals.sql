-- A critical announcement's banner that a user has read and collapsed: hidden from their
-- header while the announcement stays as it was (`version` is a fingerprint of its title, text
-- and end), back when it changes. It stays in the notification list either way.
CREATE TABLE banner_dismissals (
    user_id         BIGINT NOT NULL REFERENCES users(id),
    announcement_id BIGINT NOT NULL REFERENCES announcements(id),
    version         TEXT NOT NULL,
    dismissed_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, announcement_id)
);
