//! Database side of gates and their cameras: a camera's read taken once and decided (the pass,
//! the house's valid plates), the barrier's answer, the guard's decision on a doubtful read, and
//! what the guard's screen shows.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::camera::PlateRead;
use super::devices::Relay;
use super::rules::{self, GateDecision, Plate};
use super::store::{GRANTED, PassData, RECORD_ENTRY, TAKE_ENTRY, guest_arrived, pass_sql};
use super::types::*;
use crate::auth::types::CurrentUser;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::{enqueue_notice, with_db, write_tx};

/// A stored plate's first half, as migration 0018 indexes it (with `house_id`): a plate one
/// character off a read shares its first or its last half ([`rules::halves`]).
const PLATE_HEAD: &str = "substr(plate, 1, length(plate) / 2)";
/// A stored plate's second half, indexed like [`PLATE_HEAD`].
const PLATE_TAIL: &str = "substr(plate, length(plate) / 2 + 1)";

/// How many reads the guard's screen lists.
pub const EVENTS_SHOWN: i64 = 30;

/// A camera as its webhook needs it.
#[derive(Debug, Clone, FromRow)]
pub struct Camera {
    pub id: i64,
    pub gate_id: i64,
    pub house_id: i64,
    pub direction: Direction,
    /// SHA-256 (hex) of the camera's secret.
    pub secret_hash: String,
    pub min_confidence: i64,
    relay_url: Option<String>,
    relay_method: String,
}

impl Camera {
    pub fn relay(&self) -> Option<Relay> {
        relay_of(self.relay_url.clone(), &self.relay_method)
    }

    /// Whether `secret` is this camera's.
    pub fn accepts(&self, secret: &str) -> bool {
        secret_hash(secret) == self.secret_hash
    }
}

/// How a camera's secret is kept.
fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

fn relay_of(url: Option<String>, method: &str) -> Option<Relay> {
    url.filter(|u| !u.trim().is_empty()).map(|url| Relay {
        url,
        method: method.to_string(),
    })
}

/// A read with what a guard's decision on it needs.
#[derive(Debug, FromRow)]
struct ReadAtGate {
    house_id: i64,
    pass_id: Option<i64>,
    direction: Direction,
    relay_url: Option<String>,
    relay_method: String,
}

/// What became of a read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlateOutcome {
    /// Taken and decided; `open` holds the relay to command when the barrier is to open.
    Decided {
        event_id: i64,
        decision: PlateDecision,
        open: Option<Relay>,
    },
    /// The camera sent this event before: nothing more happens.
    Replay { event_id: i64 },
}

#[derive(Debug, FromRow)]
struct EventData {
    id: i64,
    received_at: DateTime<Utc>,
    gate: String,
    direction: Direction,
    raw_plate: Option<String>,
    plate: Option<String>,
    confidence: i64,
    decision: PlateDecision,
    reason: String,
    candidates: String,
    barrier: Option<BarrierAnswer>,
    guard_decision: Option<GuardDecision>,
    has_snapshot: bool,
}

impl EventData {
    fn row(self) -> PlateEventRow {
        PlateEventRow {
            id: self.id,
            at: crate::clock::format_moment(self.received_at),
            gate: self.gate,
            direction: self.direction,
            plate: self.plate.or(self.raw_plate).unwrap_or_default(),
            confidence: self.confidence,
            decision: self.decision,
            reason: self.reason,
            candidates: self
                .candidates
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            barrier: self.barrier,
            guard_decision: self.guard_decision,
            has_snapshot: self.has_snapshot,
        }
    }
}

/// The decision on a read with its words for the log.
fn explain(decision: &GateDecision, read: Option<&Plate>, pass: Option<&PassData>) -> String {
    match (decision, pass) {
        (GateDecision::Open, Some(p)) => format!("Пропуск действует: {}, {}", p.who(), p.home()),
        (GateDecision::Refuse(why), _) => why.message().to_string(),
        (GateDecision::AskGuard { .. }, Some(_)) => {
            "Камера не уверена в номере — решает охрана".to_string()
        }
        (_, None) if read.is_none() => "Номер не распознан — решает охрана".to_string(),
        _ => "Нет пропуска на этот номер — решает охрана".to_string(),
    }
}

impl Store {
    /// The camera of a webhook address (`/hooks/anpr/<code>`).
    pub async fn camera(&self, code: &str) -> Result<Option<Camera>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<_, Camera>(
            "SELECT c.id, c.gate_id, g.house_id, c.direction, c.secret_hash, c.min_confidence,
                 g.relay_url, g.relay_method
             FROM cameras c JOIN gates g ON g.id = c.gate_id WHERE c.code = $1"
        )
        .bind(code)
        .fetch_optional(pool)
        .await)
        .map_err(internal("camera"))
    }

    /// Takes a camera's read once and decides it: a sure read of a plate whose pass is valid
    /// opens (an entry counted like the guard's, a one-time pass once), a leaving car with any
    /// pass of the house opens, the rest is refused or left to the guard with the house's valid
    /// plates one character away. The same event again is a [`PlateOutcome::Replay`].
    pub async fn take_plate_event(
        &self,
        camera: &Camera,
        read: &PlateRead,
        now: DateTime<Utc>,
    ) -> Result<PlateOutcome, AppError> {
        let plate = rules::read_plate(&read.plate).ok();
        let by_plate = format!(
            "{} ORDER BY p.valid_from DESC LIMIT 50",
            pass_sql("p.plate = $1 AND p.house_id = $2")
        );
        let min_confidence = u8::try_from(camera.min_confidence).unwrap_or(100);
        // decided from reads outside the write transaction (SQLite has one writer: it is held
        // only for the writes); the entry's TAKE_ENTRY checks the pass again when it counts, and
        // the event's INSERT finds a replay (rare: not worth a query of every event)
        let passes: Vec<PassData> = match &plate {
            Some(plate) => with_db!(&self.db, |pool| sqlx::query_as(&by_plate)
                .bind(plate.as_str())
                .bind(camera.house_id)
                .fetch_all(pool)
                .await)
            .map_err(internal("plate event passes"))?,
            None => Vec::new(),
        };
        // the pass valid now, else the latest
        let pass = passes
            .iter()
            .find(|p| rules::admit(&p.facts(), now).is_ok())
            .or(passes.first());
        let sure = read.confidence >= min_confidence;
        let leaving_known = camera.direction == Direction::Out && pass.is_some() && sure;
        let settled = leaving_known || (pass.is_some() && sure);
        let valid: Vec<Plate> = match &plate {
            Some(read_plate) if !settled => {
                let (head, tail) = rules::halves(read_plate);
                let valid = format!(
                    "house_id = $1 AND plate IS NOT NULL AND cancelled_at IS NULL
                     AND erased_at IS NULL AND valid_from <= $2
                     AND (valid_until IS NULL OR valid_until > $2) AND {GRANTED}"
                );
                let sql = format!(
                    "SELECT plate FROM passes WHERE {PLATE_HEAD} = $3 AND {valid}
                     UNION SELECT plate FROM passes WHERE {PLATE_TAIL} = $4 AND {valid}"
                );
                let near: Vec<String> = with_db!(&self.db, |pool| sqlx::query_scalar(&sql)
                    .bind(camera.house_id)
                    .bind(now)
                    .bind(head)
                    .bind(tail)
                    .fetch_all(pool)
                    .await)
                .map_err(internal("plate event candidates"))?;
                near.iter()
                    .filter_map(|p| rules::read_plate(p).ok())
                    .collect()
            }
            _ => Vec::new(),
        };
        let mut decision = match (&plate, pass) {
            _ if leaving_known => GateDecision::Open,
            (Some(read_plate), pass) => rules::decide_read(
                read_plate,
                read.confidence,
                min_confidence,
                pass.map(PassData::facts).as_ref(),
                &valid,
                now,
            ),
            (None, _) => GateDecision::AskGuard {
                candidates: Vec::new(),
            },
        };
        // a read under the threshold never opens, even for the exact plate
        if !sure && decision == GateDecision::Open {
            decision = GateDecision::AskGuard {
                candidates: Vec::new(),
            };
        }
        let mut reason = explain(&decision, plate.as_ref(), pass);
        let (kind, candidates) = match &decision {
            GateDecision::Open => (PlateDecision::Open, String::new()),
            GateDecision::Refuse(_) => (PlateDecision::Refuse, String::new()),
            GateDecision::AskGuard { candidates } => (
                PlateDecision::Ask,
                candidates
                    .iter()
                    .map(Plate::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        };
        write_tx!(self, "plate event", |tx| {
            let event_id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO plate_events (camera_id, house_id, event_key, raw_plate, plate,
                     confidence, read_at, received_at, decision, reason, pass_id, candidates,
                     snapshot)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (camera_id, event_key) DO NOTHING RETURNING id",
            )
            .bind(camera.id)
            .bind(camera.house_id)
            .bind(&read.event_key)
            .bind(&read.plate)
            .bind(plate.as_ref().map(Plate::as_str))
            .bind(i64::from(read.confidence))
            .bind(read.at.unwrap_or(now))
            .bind(now)
            .bind(kind)
            .bind(&reason)
            .bind(pass.map(|p| p.id))
            .bind(&candidates)
            .bind(&read.snapshot)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(event_id) = event_id else {
                // the same event again: decided when it first came
                let event_id: i64 = sqlx::query_scalar(
                    "SELECT id FROM plate_events WHERE camera_id = $1 AND event_key = $2",
                )
                .bind(camera.id)
                .bind(&read.event_key)
                .fetch_one(&mut *tx)
                .await?;
                return Ok(PlateOutcome::Replay { event_id });
            };
            let mut kind = kind;
            if let (PlateDecision::Open, Some(p)) = (kind, pass) {
                let taken = match camera.direction {
                    Direction::In => {
                        sqlx::query(TAKE_ENTRY)
                            .bind(p.id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected()
                            > 0
                    }
                    Direction::Out => true,
                };
                if taken {
                    sqlx::query(RECORD_ENTRY)
                        .bind(p.id)
                        .bind(camera.house_id)
                        .bind(camera.direction)
                        .bind(now)
                        .bind(None::<i64>)
                        .bind(None::<String>)
                        .execute(&mut *tx)
                        .await?;
                    if camera.direction == Direction::In && p.kind != PassKind::Car {
                        enqueue_notice!(&mut *tx, &guest_arrived(p.created_by, p, now))?;
                    }
                } else {
                    // a guard let the same one-time pass in a moment ago
                    kind = PlateDecision::Refuse;
                    reason = Refusal::Used.message().to_string();
                    sqlx::query("UPDATE plate_events SET decision = $1, reason = $2 WHERE id = $3")
                        .bind(kind)
                        .bind(&reason)
                        .bind(event_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Ok(PlateOutcome::Decided {
                event_id,
                decision: kind,
                open: camera.relay().filter(|_| kind == PlateDecision::Open),
            })
        })
    }

    /// Records what the barrier controller answered for a read.
    pub async fn barrier_answered(
        &self,
        event_id: i64,
        opened: bool,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let answer = if opened {
            BarrierAnswer::Opened
        } else {
            BarrierAnswer::Failed
        };
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE plate_events SET barrier = $1, barrier_at = $2 WHERE id = $3"
        )
        .bind(answer)
        .bind(now)
        .bind(event_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("barrier answer"))?;
        Ok(())
    }

    /// The guard's decision on a read the camera left to them (once: a second tap, or another
    /// guard's, changes nothing). Letting in records the entry on the read's pass, if it has
    /// one, and returns the gate's relay to open.
    pub async fn decide_plate_event(
        &self,
        guard: &CurrentUser,
        event_id: i64,
        let_in: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Relay>, AppError> {
        let decision = if let_in {
            GuardDecision::LetIn
        } else {
            GuardDecision::Refused
        };
        write_tx!(self, "guard plate decision", |tx| {
            let event: Option<ReadAtGate> = sqlx::query_as(
                "SELECT e.house_id, e.pass_id, c.direction, g.relay_url, g.relay_method
                     FROM plate_events e JOIN cameras c ON c.id = e.camera_id
                     JOIN gates g ON g.id = c.gate_id WHERE e.id = $1",
            )
            .bind(event_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(ReadAtGate {
                house_id,
                pass_id,
                direction,
                relay_url,
                relay_method,
            }) = event
            else {
                return Err(AppError::NotFound.into());
            };
            let decided = sqlx::query(
                "UPDATE plate_events SET guard_decision = $1, guard_user_id = $2
                 WHERE id = $3 AND guard_decision IS NULL AND decision <> 'open'",
            )
            .bind(decision)
            .bind(guard.id)
            .bind(event_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if decided == 0 {
                return Err(
                    AppError::invalid("Эту машину уже пропустили или решили по ней.").into(),
                );
            }
            if !let_in {
                return Ok(None);
            }
            if let Some(pass_id) = pass_id {
                if direction == Direction::In {
                    sqlx::query("UPDATE passes SET entries = entries + 1 WHERE id = $1")
                        .bind(pass_id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(RECORD_ENTRY)
                    .bind(pass_id)
                    .bind(house_id)
                    .bind(direction)
                    .bind(now)
                    .bind(guard.id)
                    .bind(None::<String>)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(relay_of(relay_url, &relay_method))
        })
    }

    /// The latest reads at a house's gates, newest first.
    pub async fn plate_events(&self, house_id: i64) -> Result<Vec<PlateEventRow>, AppError> {
        let rows = with_db!(&self.db, |pool| sqlx::query_as::<_, EventData>(&format!(
            "SELECT e.id, e.received_at, g.name AS gate, c.direction, e.raw_plate, e.plate,
                 e.confidence, e.decision, e.reason, e.candidates, e.barrier, e.guard_decision,
                 (e.snapshot IS NOT NULL) AS has_snapshot
             FROM plate_events e JOIN cameras c ON c.id = e.camera_id
             JOIN gates g ON g.id = c.gate_id
             WHERE e.house_id = $1 ORDER BY e.received_at DESC, e.id DESC LIMIT {EVENTS_SHOWN}"
        ))
        .bind(house_id)
        .fetch_all(pool)
        .await)
        .map_err(internal("plate events"))?;
        Ok(rows.into_iter().map(EventData::row).collect())
    }

    /// The JPEG a camera sent with a read.
    pub async fn plate_snapshot(&self, event_id: i64) -> Result<Vec<u8>, AppError> {
        let snapshot: Option<Option<Vec<u8>>> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT snapshot FROM plate_events WHERE id = $1"
        )
        .bind(event_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("plate snapshot"))?;
        snapshot.flatten().ok_or(AppError::NotFound)
    }

    /// A house's gates.
    pub async fn house_gates(&self, house_id: i64) -> Result<Vec<GateRow>, AppError> {
        with_db!(&self.db, |pool| sqlx::query_as::<
            _,
            (i64, String, bool, bool),
        >(
            "SELECT id, name, snapshot_url IS NOT NULL, relay_url IS NOT NULL FROM gates
             WHERE house_id = $1 ORDER BY name"
        )
        .bind(house_id)
        .fetch_all(pool)
        .await)
        .map(|rows| {
            rows.into_iter()
                .map(|(id, name, has_picture, has_barrier)| GateRow {
                    id,
                    name,
                    has_picture,
                    has_barrier,
                })
                .collect()
        })
        .map_err(internal("house gates"))
    }

    /// Where a gate's camera picture is taken from (never shown to a browser).
    pub async fn gate_picture_url(&self, gate_id: i64) -> Result<String, AppError> {
        let url: Option<Option<String>> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT snapshot_url FROM gates WHERE id = $1"
        )
        .bind(gate_id)
        .fetch_optional(pool)
        .await)
        .map_err(internal("gate picture"))?;
        url.flatten().ok_or(AppError::NotFound)
    }
}

/// A new camera's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCamera {
    pub code: String,
    pub name: String,
    pub direction: Direction,
    /// Kept only as its SHA-256.
    pub secret: String,
    pub min_confidence: i64,
}

impl Store {
    /// Adds a gate to a house (its devices: [`Store::set_gate_devices`]).
    pub async fn add_gate(&self, house_id: i64, name: &str) -> Result<i64, AppError> {
        with_db!(&self.db, |pool| sqlx::query_scalar(
            "INSERT INTO gates (house_id, name) VALUES ($1, $2) RETURNING id"
        )
        .bind(house_id)
        .bind(name)
        .fetch_one(pool)
        .await)
        .map_err(internal("add gate"))
    }

    /// Adds a plate-reading camera to a gate.
    pub async fn add_camera(&self, gate_id: i64, camera: &NewCamera) -> Result<i64, AppError> {
        let hash = secret_hash(&camera.secret);
        with_db!(&self.db, |pool| sqlx::query_scalar(
            "INSERT INTO cameras (gate_id, code, name, direction, secret_hash, min_confidence)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(gate_id)
        .bind(&camera.code)
        .bind(&camera.name)
        .bind(camera.direction)
        .bind(hash)
        .bind(camera.min_confidence)
        .fetch_one(pool)
        .await)
        .map_err(internal("add camera"))
    }

    /// Sets a gate's barrier relay and camera picture addresses.
    pub async fn set_gate_devices(
        &self,
        gate_id: i64,
        relay: Option<&Relay>,
        picture_url: Option<&str>,
    ) -> Result<(), AppError> {
        with_db!(&self.db, |pool| sqlx::query(
            "UPDATE gates SET relay_url = $1, relay_method = $2, snapshot_url = $3 WHERE id = $4"
        )
        .bind(relay.map(|r| r.url.as_str()))
        .bind(relay.map_or("POST", |r| r.method.as_str()))
        .bind(picture_url)
        .bind(gate_id)
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(internal("gate devices"))?;
        Ok(())
    }
}
