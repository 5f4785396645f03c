-- АДС: tickets (заявки) with categories carrying their SLA, the history of every change and
-- comment, files (the resident's photos, the executor's before/after), contractors and their
-- executors. Executors are users of a role of their own.

-- SQLite changes a CHECK by rebuilding the table (sqlite.org/lang_altertable.html, the
-- 12 steps): Db::migrate runs SQLite migrations with foreign keys off and checks them after.
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('resident','accountant','dispatcher','council','chair','executor')),
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT    NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
INSERT INTO users_new (id, email, phone, password_hash, full_name, role, is_active, created_at)
    SELECT id, email, phone, password_hash, full_name, role, is_active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- A category's deadlines count from registration: reaction (accepted / the accident localised)
-- and resolution (done). Emergency ones carry the legal deadlines (ПП 416 п. 13).
CREATE TABLE ticket_categories (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    title              TEXT    NOT NULL,
    emergency          BOOLEAN NOT NULL,
    reaction_minutes   INTEGER NOT NULL CHECK (reaction_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes >= reaction_minutes),
    basis              TEXT    NOT NULL,
    sort               INTEGER NOT NULL
);
INSERT INTO ticket_categories (code, title, emergency, reaction_minutes, resolution_minutes, basis, sort) VALUES
    ('leak',     'Протечка, затопление',                TRUE,  30, 1440, 'ПП 416 п. 13: локализация аварии — 30 мин', 1),
    ('power',    'Нет электричества',                   TRUE,  30, 1440, 'ПП 416 п. 13: локализация аварии — 30 мин', 2),
    ('blockage', 'Засор канализации, мусоропровода',    TRUE,  30,  120, 'ПП 416 п. 13: засор — 2 ч', 3),
    ('water',    'Нет воды',                            TRUE,  30,  240, 'ПП 416 п. 13: локализация — 30 мин; ПП 354: без холодной воды не более 4 ч подряд', 4),
    ('elevator', 'Лифт',                                TRUE,  30, 1440, 'ПП 416 п. 13: локализация аварии — 30 мин', 5),
    ('heating',  'Отопление',                           FALSE, 120, 960, 'ПП 354: перерыв в отоплении — не более 16 ч подряд', 6),
    ('cleaning', 'Уборка',                              FALSE, 1440, 11520, 'по умолчанию: 8 дней', 7),
    ('intercom', 'Домофон',                             FALSE, 1440, 11520, 'по умолчанию: 8 дней', 8),
    ('other',    'Другое',                              FALSE, 1440, 11520, 'по умолчанию: 8 дней', 9);

-- Contractors (подрядчики: an outside firm or the organisation's own crew) and their people.
CREATE TABLE contractors (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    specialty  TEXT    NOT NULL,
    phone      TEXT,
    is_active  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT    NOT NULL
);
CREATE TABLE executors (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    contractor_id INTEGER NOT NULL REFERENCES contractors(id)
);
CREATE INDEX executors_contractor ON executors(contractor_id);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    house_id          INTEGER NOT NULL REFERENCES houses(id),
    apartment_id      INTEGER REFERENCES apartments(id),
    entrance_id       INTEGER REFERENCES entrances(id),
    place             TEXT    NOT NULL CHECK (place IN ('flat','entrance','yard','basement','other')),
    place_note        TEXT    NOT NULL,
    category_id       INTEGER NOT NULL REFERENCES ticket_categories(id),
    description       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('new','accepted','in_work','done','closed','deferred','cancelled','reopened')),
    requester_user_id INTEGER REFERENCES users(id),
    requester_name    TEXT    NOT NULL,
    requester_phone   TEXT,
    channel           TEXT    NOT NULL CHECK (channel IN ('cabinet','phone')),
    created_by        INTEGER NOT NULL REFERENCES users(id),
    contractor_id     INTEGER REFERENCES contractors(id),
    executor_user_id  INTEGER REFERENCES users(id),
    registered_at     TEXT    NOT NULL,
    -- the SLA clock: from registration, restarted when the resident reopens the ticket
    clock_from        TEXT    NOT NULL,
    reaction_due      TEXT    NOT NULL,
    resolution_due    TEXT    NOT NULL,
    reacted_at        TEXT,
    done_at           TEXT,
    closed_at         TEXT,
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    rating            INTEGER CHECK (rating BETWEEN 1 AND 5),
    -- escalations sent for the current clock: 0 none, 1 reaction, 2 resolution too
    escalated         INTEGER NOT NULL DEFAULT 0,
    -- the form's one-time key: a submit repeated on a bad connection makes one ticket
    client_key        TEXT    UNIQUE,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX tickets_status ON tickets(status);
CREATE INDEX tickets_requester ON tickets(requester_user_id);
CREATE INDEX tickets_house ON tickets(house_id);
CREATE INDEX tickets_contractor ON tickets(contractor_id);
CREATE INDEX tickets_registered ON tickets(registered_at);

-- The history: every status change, assignment, comment (internal or for the resident), rating.
CREATE TABLE ticket_events (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    at            TEXT    NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('created','status','assigned','comment','files','rated')),
    from_status   TEXT,
    to_status     TEXT,
    body          TEXT    NOT NULL,
    internal      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id);

-- Files in storage (keys, never the user's names): checked by content, pictures re-encoded
-- with a thumbnail. An upload is staged (ticket_id NULL) until the ticket or the executor's
-- report that takes it is saved; staged ones are purged after a day.
CREATE TABLE ticket_files (
    id           INTEGER PRIMARY KEY,
    token        TEXT    NOT NULL UNIQUE,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    ticket_id    INTEGER REFERENCES tickets(id),
    stage        TEXT    CHECK (stage IN ('report','before','after')),
    file_name    TEXT    NOT NULL,
    declared_size INTEGER NOT NULL CHECK (declared_size > 0),
    received     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT    CHECK (kind IN ('photo','video','document')),
    content_type TEXT,
    size         INTEGER,
    storage_key  TEXT,
    thumb_key    TEXT,
    internal     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TEXT    NOT NULL
);
CREATE INDEX ticket_files_ticket ON ticket_files(ticket_id);
