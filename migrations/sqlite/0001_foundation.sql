-- Foundation: housing register, people, users, sessions, invites, audit.
-- Timestamps are written by the application (UTC); dates are ISO text.

CREATE TABLE houses (
    id          INTEGER PRIMARY KEY,
    address     TEXT    NOT NULL UNIQUE,
    search_text TEXT    NOT NULL
);

CREATE TABLE entrances (
    id       INTEGER PRIMARY KEY,
    house_id INTEGER NOT NULL REFERENCES houses(id),
    number   INTEGER NOT NULL,
    UNIQUE (house_id, number)
);

CREATE TABLE apartments (
    id            INTEGER PRIMARY KEY,
    house_id      INTEGER NOT NULL REFERENCES houses(id),
    entrance_id   INTEGER REFERENCES entrances(id),
    number        TEXT    NOT NULL,
    floor         INTEGER,
    -- area in hundredths of a square metre (exact)
    area_centi_m2 INTEGER NOT NULL CHECK (area_centi_m2 > 0),
    is_residential BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (house_id, number)
);
CREATE INDEX apartments_house ON apartments(house_id);

-- лицевой счёт
CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    apartment_id INTEGER NOT NULL REFERENCES apartments(id),
    opened_on    TEXT    NOT NULL,
    closed_on    TEXT
);
CREATE INDEX accounts_apartment ON accounts(apartment_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('resident','accountant','dispatcher','council','chair')),
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT    NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    full_name   TEXT NOT NULL,
    search_text TEXT NOT NULL,
    phone       TEXT,
    email       TEXT,
    user_id     INTEGER UNIQUE REFERENCES users(id)
);
CREATE INDEX people_search ON people(search_text);

-- who lives where, with history
CREATE TABLE residencies (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    apartment_id INTEGER NOT NULL REFERENCES apartments(id),
    relation     TEXT    NOT NULL CHECK (relation IN ('owner','tenant','family')),
    share_num    INTEGER,
    share_den    INTEGER,
    moved_in     TEXT    NOT NULL,
    moved_out    TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('pending','active','rejected')),
    created_at   TEXT    NOT NULL,
    CHECK ((share_num IS NULL) = (share_den IS NULL)),
    CHECK (share_den IS NULL OR (share_num > 0 AND share_den > 0 AND share_num <= share_den))
);
CREATE INDEX residencies_person ON residencies(person_id);
CREATE INDEX residencies_apartment ON residencies(apartment_id);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    scope     TEXT    NOT NULL,
    key       TEXT    NOT NULL,
    at        TEXT    NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(scope, key, at);

CREATE TABLE invites (
    id              INTEGER PRIMARY KEY,
    code_hash       TEXT    NOT NULL UNIQUE,
    apartment_id    INTEGER NOT NULL REFERENCES apartments(id),
    owner_person_id INTEGER REFERENCES people(id),
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      TEXT    NOT NULL,
    expires_at      TEXT    NOT NULL,
    used_at         TEXT,
    used_by         INTEGER REFERENCES users(id),
    revoked_at      TEXT
);
CREATE INDEX invites_apartment ON invites(apartment_id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),
    action        TEXT    NOT NULL,
    entity        TEXT    NOT NULL,
    entity_id     INTEGER,
    details       TEXT    NOT NULL
);
