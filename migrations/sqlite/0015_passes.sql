-- Passes: guests' and contractors' passes (a QR code and a short code the guard types), the
-- residents' own cars, taxis and couriers; the house's limits; entries and exits at the gate.
-- Guards are users of a role of their own.

-- SQLite changes a CHECK by rebuilding the table (as in 0007).
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    password_hash TEXT    NOT NULL,
    full_name     TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('resident','accountant','dispatcher','council','chair','executor','guard')),
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT    NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
INSERT INTO users_new (id, email, phone, password_hash, full_name, role, is_active, created_at)
    SELECT id, email, phone, password_hash, full_name, role, is_active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- The house's limits per flat and how long guests' data is kept (a row per house that changed
-- them; the others use the defaults of passes::rules::Limits).
CREATE TABLE pass_settings (
    house_id                  INTEGER PRIMARY KEY REFERENCES houses(id),
    cars_per_flat             INTEGER NOT NULL CHECK (cars_per_flat >= 0),
    guest_cars_at_once        INTEGER NOT NULL CHECK (guest_cars_at_once >= 0),
    guest_car_hours_per_month INTEGER NOT NULL CHECK (guest_car_hours_per_month >= 0),
    guest_max_days            INTEGER NOT NULL CHECK (guest_max_days > 0),
    retention_days            INTEGER NOT NULL CHECK (retention_days > 0)
);

CREATE TABLE passes (
    id            INTEGER PRIMARY KEY,
    house_id      INTEGER NOT NULL REFERENCES houses(id),
    apartment_id  INTEGER NOT NULL REFERENCES apartments(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('guest','car','taxi','contractor')),
    one_time      BOOLEAN NOT NULL,
    -- the guest as the guard will ask (erased with the phone and plate after the retention)
    visitor       TEXT,
    phone         TEXT,
    -- canonical (passes::rules::normalize_plate); NULL: on foot, or any taxi
    plate         TEXT,
    foreign_plate BOOLEAN NOT NULL DEFAULT FALSE,
    car_note      TEXT    NOT NULL DEFAULT '',
    people        INTEGER NOT NULL DEFAULT 1 CHECK (people > 0),
    valid_from    TEXT    NOT NULL,
    -- NULL: permanent (the resident's own car)
    valid_until   TEXT,
    -- the link's and QR's secret, and the short code the guard types (unique in the organisation:
    -- a guard finds the pass by it alone, then sees whether it is for this gate's house)
    token         TEXT    NOT NULL UNIQUE,
    code          TEXT,
    cancelled_at  TEXT,
    entries       INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    TEXT    NOT NULL,
    erased_at     TEXT,
    -- the form's one-time key: a submit repeated on a bad connection makes one pass
    client_key    TEXT    UNIQUE,
    UNIQUE (code)
);
CREATE INDEX passes_apartment ON passes(apartment_id);
CREATE INDEX passes_house_plate ON passes(house_id, plate);
CREATE INDEX passes_until ON passes(valid_until);

-- Every entry and exit the guard (or a camera) recorded; `client_key` makes a record sent twice
-- (the guard's phone back online) count once.
CREATE TABLE pass_entries (
    id            INTEGER PRIMARY KEY,
    pass_id       INTEGER NOT NULL REFERENCES passes(id),
    house_id      INTEGER NOT NULL REFERENCES houses(id),
    direction     TEXT    NOT NULL CHECK (direction IN ('in','out')),
    at            TEXT    NOT NULL,
    guard_user_id INTEGER REFERENCES users(id),
    client_key    TEXT    UNIQUE
);
CREATE INDEX pass_entries_pass ON pass_entries(pass_id);
CREATE INDEX pass_entries_house_at ON pass_entries(house_id, at);
