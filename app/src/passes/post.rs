//! The guard's post on a poor connection: the page keeps the day's passes of its house (only
//! what the guard is shown), answers a check from them when the server does not answer, and
//! queues the entries recorded meanwhile with their one-time keys; the queue (kept in the
//! browser, so a reload loses nothing) is sent when the server answers again, and a key counts
//! once however often it is sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{self, Lookup, PassFacts};
use super::types::{Direction, GateAnswer};

/// A pass the post keeps for the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPass {
    /// What the guard is shown (its refusal worked out at the moment of the check).
    pub answer: GateAnswer,
    /// Its link's token: what the QR holds.
    pub token: String,
    pub code: Option<String>,
    pub facts: PassFacts,
}

/// The passes of a house that may let someone in within the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateDay {
    pub house: i64,
    /// «17:40», when the list was made.
    pub loaded: String,
    pub passes: Vec<DayPass>,
}

/// An entry or exit recorded while the server did not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedEntry {
    pub house: i64,
    pub pass: i64,
    pub direction: Direction,
    /// The record's one-time key: sent again, it counts once.
    pub key: String,
    /// When the guard let the visitor in (or out).
    pub at: DateTime<Utc>,
}

/// What the server made of a queued entry; `problem` when it did not count it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synced {
    pub key: String,
    pub problem: Option<String>,
}

impl GateDay {
    /// The check as the server would answer it from these passes (`None`: not among them — a
    /// pass of another house or made since the list was loaded is not known here).
    pub fn check(&self, lookup: &Lookup, now: DateTime<Utc>, key: String) -> Option<GateAnswer> {
        let found: Vec<&DayPass> = self
            .passes
            .iter()
            .filter(|p| match lookup {
                Lookup::Token(token) => p.token == *token,
                Lookup::Code(code) => p.code.as_deref() == Some(code.as_str()),
                Lookup::Plate(plate) => p.answer.plate.as_deref() == Some(plate.as_str()),
            })
            .collect();
        // a plate may have several passes: the one valid now, else the first
        let best = found
            .iter()
            .find(|p| rules::admit(&p.facts, now).is_ok())
            .or(found.first())?;
        Some(GateAnswer {
            refusal: rules::admit(&best.facts, now).err(),
            entries: i64::from(best.facts.entries),
            key,
            ..best.answer.clone()
        })
    }

    /// Counts an entry recorded here: a one-time pass is used from now on.
    pub fn count_entry(&mut self, pass: i64) {
        for p in self.passes.iter_mut().filter(|p| p.answer.pass_id == pass) {
            p.facts.entries = p.facts.entries.saturating_add(1);
        }
    }
}

/// The browser's side: its clock (chrono's is not in wasm), a fresh key, and the queue kept in
/// `localStorage`. On the server (where no effect runs) the clock is the server's and the queue
/// is empty.
pub mod browser {
    use super::QueuedEntry;
    use chrono::{DateTime, Utc};

    #[cfg(feature = "hydrate")]
    const QUEUE: &str = "klyuch-gate-queue";

    pub fn now() -> DateTime<Utc> {
        #[cfg(feature = "hydrate")]
        {
            DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Utc::now()
        }
    }

    /// A one-time key for a record (128 random bits as hex).
    pub fn fresh_key() -> String {
        #[cfg(feature = "hydrate")]
        {
            (0..4)
                .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
                .collect()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    }

    pub fn load_queue() -> Vec<QueuedEntry> {
        #[cfg(feature = "hydrate")]
        {
            let stored = leptos::prelude::window()
                .local_storage()
                .ok()
                .flatten()
                .and_then(|s| s.get_item(QUEUE).ok().flatten());
            stored
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Vec::new()
        }
    }

    pub fn save_queue(queue: &[QueuedEntry]) {
        #[cfg(feature = "hydrate")]
        {
            let storage = leptos::prelude::window().local_storage().ok().flatten();
            let json = serde_json::to_string(queue).unwrap_or_default();
            if let Some(storage) = storage
                && let Err(e) = storage.set_item(QUEUE, &json)
            {
                leptos::logging::error!("gate queue not kept: {e:?}");
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = queue;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::rules::{Validity, Window, read_plate};
    use crate::passes::types::{PassKind, Refusal};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day_pass(id: i64, one_time: bool, plate: Option<&str>, window: Validity) -> DayPass {
        DayPass {
            answer: GateAnswer {
                pass_id: id,
                gate_house: 1,
                refusal: None,
                kind: PassKind::Guest,
                who: format!("Гость {id}"),
                plate: plate.map(str::to_string),
                people: 1,
                home: "Серебряная, д. 1, кв. 12".into(),
                when: String::new(),
                entries: 0,
                key: String::new(),
            },
            token: format!("token{id}"),
            code: Some(format!("00000{id}")),
            facts: PassFacts {
                validity: window,
                one_time,
                entries: 0,
                cancelled: false,
                approval: None,
            },
        }
    }

    #[test]
    fn the_day_answers_like_the_server_and_a_one_time_pass_lets_in_once() {
        let evening = Validity::Window(Window {
            from: at("2026-12-07T15:00:00Z"),
            until: at("2026-12-07T20:00:00Z"),
        });
        let mut day = GateDay {
            house: 1,
            loaded: "17:40".into(),
            passes: vec![
                day_pass(1, true, None, evening),
                day_pass(2, false, Some("А123ВС77"), Validity::Permanent),
            ],
        };
        let now = at("2026-12-07T16:00:00Z");
        let by_code = day.check(&Lookup::Code("000001".into()), now, "k".into());
        assert_eq!(by_code.as_ref().map(|a| a.refusal), Some(None));
        assert_eq!(by_code.map(|a| a.key), Some("k".to_string()));
        let by_token = day.check(&Lookup::Token("token1".into()), now, String::new());
        assert_eq!(by_token.map(|a| a.pass_id), Some(1));
        let plate = Lookup::Plate(read_plate("a123bc77").unwrap());
        assert_eq!(
            day.check(&plate, now, String::new()).map(|a| a.pass_id),
            Some(2)
        );
        assert_eq!(
            day.check(&Lookup::Code("999999".into()), now, String::new()),
            None
        );
        // too early, then let in once: a second check says "used"
        let early = day.check(
            &Lookup::Code("000001".into()),
            at("2026-12-07T14:00:00Z"),
            String::new(),
        );
        assert_eq!(early.and_then(|a| a.refusal), Some(Refusal::NotYet));
        day.count_entry(1);
        let again = day.check(&Lookup::Code("000001".into()), now, String::new());
        assert_eq!(again.and_then(|a| a.refusal), Some(Refusal::Used));
        day.count_entry(2);
        let car = day.check(&plate, now, String::new()).unwrap();
        assert_eq!((car.refusal, car.entries), (None, 1));
    }
}
