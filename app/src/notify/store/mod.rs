//! Database side of the notification path: the fan-out of a notice into notifications and
//! deliveries, delivery results, the bell, preferences, templates, push subscriptions, the dev
//! mailbox and delivery reports.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

use super::rules::{self, MAX_ATTEMPTS, QuietHours, channel_wanted, render, retry_delay, spec};
use super::types::*;
use crate::clock;
use crate::db::jobs::Job;
use crate::db::{Store, internal};
use crate::error::AppError;
use crate::{audit, enqueue_job, finish_job, reschedule_job, with_db};

/// Recipients handled in one fan-out transaction; a bigger audience continues in the next one.
pub const FANOUT_BATCH: i64 = 500;

/// `enqueue_notice!(&mut *tx, &notice)`: puts a notice in the outbox inside the caller's
/// transaction — the one way every area sends anything to anyone.
#[macro_export]
macro_rules! enqueue_notice {
    ($tx:expr, $notice:expr) => {
        $crate::enqueue_job!(
            $tx,
            &$crate::db::jobs::Task::Fanout {
                notice: ::std::clone::Clone::clone($notice),
                after_user: 0,
            },
            chrono::Utc::now()
        )
    };
}

/// Residents' homes now: which user lives in which house and entrance. `$today` is the bind
/// parameter holding today's date.
fn active_homes(today: &str) -> String {
    format!(
        "SELECT p.user_id, ap.house_id, ap.entrance_id
         FROM people p
         JOIN residencies r ON r.person_id = p.id
         JOIN apartments ap ON ap.id = r.apartment_id
         WHERE p.user_id IS NOT NULL AND {in_force}",
        in_force = crate::db::residency_in_force(today)
    )
}

/// True for rows of `table` (with `house_id`, `entrance_id`) addressed to user `$user`:
/// everyone, or a house or entrance the user lives in.
pub fn audience_matches(table: &str, user: &str, today: &str) -> String {
    format!(
        "({table}.house_id IS NULL OR EXISTS (
             SELECT 1 FROM ({homes}) h
             WHERE h.user_id = {user} AND h.house_id = {table}.house_id
               AND ({table}.entrance_id IS NULL OR h.entrance_id = {table}.entrance_id)))",
        homes = active_homes(today)
    )
}

mod delivery;
mod inbox;
mod settings;
pub use delivery::*;
pub use settings::*;
