-- Gates with plate-reading cameras: a camera posts what it read, Ключ decides and opens the
-- barrier through the gate controller's relay command. Every read is kept with its decision.

CREATE TABLE gates (
    id           INTEGER PRIMARY KEY,
    house_id     INTEGER NOT NULL REFERENCES houses(id),
    name         TEXT    NOT NULL,
    -- the barrier controller's "open" command; NULL: the gate has no barrier Ключ drives
    relay_url    TEXT,
    relay_method TEXT    NOT NULL DEFAULT 'POST' CHECK (relay_method IN ('GET','POST','PUT')),
    -- the camera's still picture (may hold the camera's credentials: never sent to a browser)
    snapshot_url TEXT
);
CREATE INDEX gates_house ON gates(house_id);

CREATE TABLE cameras (
    id             INTEGER PRIMARY KEY,
    gate_id        INTEGER NOT NULL REFERENCES gates(id),
    -- the name in the camera's webhook address, /hooks/anpr/<code>
    code           TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    -- which way the cars it reads go
    direction      TEXT    NOT NULL CHECK (direction IN ('in','out')),
    -- SHA-256 (hex) of the camera's secret; the secret itself is shown once when set
    secret_hash    TEXT    NOT NULL,
    -- below this the barrier never opens by itself (0-100)
    min_confidence INTEGER NOT NULL DEFAULT 80 CHECK (min_confidence BETWEEN 0 AND 100)
);

-- Every read a camera sent, once (`event_key` is the camera's own event id), with the decision
-- and its reason, what the barrier answered, and the guard's decision when it was asked.
CREATE TABLE plate_events (
    id             INTEGER PRIMARY KEY,
    camera_id      INTEGER NOT NULL REFERENCES cameras(id),
    house_id       INTEGER NOT NULL REFERENCES houses(id),
    event_key      TEXT    NOT NULL,
    -- as read, and canonical when it is a plate at all (erased with the snapshot after retention)
    raw_plate      TEXT,
    plate          TEXT,
    confidence     INTEGER NOT NULL,
    read_at        TEXT    NOT NULL,
    received_at    TEXT    NOT NULL,
    decision       TEXT    NOT NULL CHECK (decision IN ('open','refuse','ask')),
    reason         TEXT    NOT NULL,
    pass_id        INTEGER REFERENCES passes(id),
    -- the house's valid plates one character away from a doubtful read, comma-separated
    candidates     TEXT    NOT NULL DEFAULT '',
    snapshot       BLOB,
    -- the relay's answer: 'opened' or 'failed', and when
    barrier        TEXT    CHECK (barrier IN ('opened','failed')),
    barrier_at     TEXT,
    -- the guard's decision on a read the camera could not settle
    guard_decision TEXT    CHECK (guard_decision IN ('let_in','refused')),
    guard_user_id  INTEGER REFERENCES users(id),
    erased_at      TEXT,
    UNIQUE (camera_id, event_key)
);
CREATE INDEX plate_events_house_at ON plate_events(house_id, received_at);
