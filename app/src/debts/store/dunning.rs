//! Database side of dunning scenarios: saved with their steps, swept hourly by the outbox's
//! recurring job (`Task::DebtSweep`), each step once per debt episode — the run's row is unique
//! per episode and step and is written in the same transaction as its notices, so a sweep that
//! runs twice, or on two workers, sends nothing twice.

use chrono::{DateTime, NaiveTime, Timelike, Utc};

use super::work::Debtor;
use super::*;
use crate::db::jobs::Job;
use crate::debts::rules::dunning::{self, ContactLimits, Episode, NewScenario, Step};
use crate::debts::rules::work as segment_rules;
use crate::notify::types::{Channel, Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, write_tx};

/// The notifications of one step run share this `source`.
fn step_source(episode: i64, step: i64) -> String {
    format!("debt_step:{episode}:{step}")
}

fn channels_text(channels: &[Channel]) -> String {
    channels
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_channels(text: &str) -> Vec<Channel> {
    text.split(',').filter_map(Channel::parse).collect()
}

/// A stored reminder kind (a stored name nobody knows is logged and left out).
fn known_kind(kind: &str) -> Option<NoticeKind> {
    let known = NoticeKind::parse(kind);
    if known.is_none() {
        tracing::error!(kind, "a dunning step of an unknown kind");
    }
    known
}

/// A scenario as the sweep reads it.
#[derive(Debug, Clone)]
struct Scenario {
    id: i64,
    name: String,
    house_id: Option<i64>,
    enabled: bool,
    restart_on_partial: bool,
    holdout_percent: u8,
    steps: Vec<Step>,
    /// Step id → its position (1…).
    positions: HashMap<i64, u32>,
}

/// An open episode: (id, opened on, held out, steps taken, the day of the last).
type OpenEpisode = (i64, NaiveDate, bool, Vec<i64>, Option<NaiveDate>);

/// What one scenario would do for one debtor today.
struct Planned<'a> {
    debtor: &'a Debtor,
    /// The open episode (none: one opens now, from the oldest month owed).
    episode: Option<i64>,
    opened_on: NaiveDate,
    held_out: bool,
    step: &'a Step,
    recipients: Vec<i64>,
}

impl Planned<'_> {
    fn outcome(&self) -> StepOutcome {
        if self.held_out {
            StepOutcome::HeldOut
        } else if self.recipients.is_empty() {
            StepOutcome::Unreachable
        } else {
            StepOutcome::Sent
        }
    }
}

/// The steps due today: for each debtor, its open episode (or the one that would open) and the
/// first step not taken in it, if its day and amount are reached.
fn plan<'a>(
    scenario: &'a Scenario,
    debtors: &'a [Debtor],
    open: &HashMap<i64, OpenEpisode>,
    today: NaiveDate,
) -> Vec<Planned<'a>> {
    let everyone = SegmentFilter::default();
    debtors
        .iter()
        .filter_map(|debtor| {
            let (episode, opened_on, held_out, done, last_step_on) =
                match open.get(&debtor.account_id) {
                    Some((id, opened_on, held_out, done, last)) => {
                        (Some(*id), *opened_on, *held_out, done.clone(), *last)
                    }
                    None => (
                        None,
                        debtor.since,
                        dunning::held_out(scenario.id, debtor.account_id, scenario.holdout_percent),
                        Vec::new(),
                        None,
                    ),
                };
            let state = Episode {
                opened_on,
                last_payment: debtor.last_payment,
                done,
                last_step_on,
                overdue: debtor.overdue,
            };
            let step =
                dunning::due_step(&scenario.steps, &state, scenario.restart_on_partial, today)?;
            Some(Planned {
                debtor,
                episode,
                opened_on,
                held_out,
                step,
                recipients: segment_rules::recipients(&everyone, &debtor.facts.people),
            })
        })
        .collect()
}

impl Store {
    async fn scenarios(&self, only: Option<i64>) -> Result<Vec<Scenario>, AppError> {
        type Row = (i64, String, Option<i64>, bool, bool, i64);
        type StepRow = (i64, i64, i64, i64, i64, String, String);
        let (rows, steps) = with_db!(&self.db, |pool| async {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT id, name, house_id, enabled, restart_on_partial, holdout_percent
                 FROM debt_scenarios WHERE ($1 IS NULL OR id = $1) ORDER BY name",
            )
            .bind(only)
            .fetch_all(pool)
            .await?;
            let steps: Vec<StepRow> = sqlx::query_as(
                "SELECT s.scenario_id, s.id, s.position, s.days_after_due, s.min_overdue, s.kind,
                        s.channels
                 FROM debt_scenario_steps s ORDER BY s.scenario_id, s.position",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, steps))
        }
        .await)
        .map_err(internal("load dunning scenarios"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, house_id, enabled, restart_on_partial, holdout)| {
                    let own: Vec<&StepRow> = steps.iter().filter(|s| s.0 == id).collect();
                    Scenario {
                        id,
                        name,
                        house_id,
                        enabled,
                        restart_on_partial,
                        holdout_percent: holdout.clamp(0, 100) as u8,
                        positions: own.iter().map(|s| (s.1, s.2 as u32)).collect(),
                        steps: own
                            .iter()
                            .filter_map(|(_, step, _, days, min, kind, channels)| {
                                Some(Step {
                                    id: *step,
                                    days_after_due: (*days).max(0) as u32,
                                    min_overdue: Money(*min),
                                    kind: known_kind(kind)?,
                                    channels: parse_channels(channels),
                                })
                            })
                            .collect(),
                    }
                },
            )
            .collect())
    }

    /// The scenario's open episodes by account.
    async fn open_episodes(&self, scenario: i64) -> Result<HashMap<i64, OpenEpisode>, AppError> {
        let (episodes, runs) = with_db!(&self.db, |pool| async {
            let episodes: Vec<(i64, i64, NaiveDate, bool)> = sqlx::query_as(
                "SELECT id, account_id, opened_on, held_out FROM debt_episodes
                 WHERE scenario_id = $1 AND closed_on IS NULL",
            )
            .bind(scenario)
            .fetch_all(pool)
            .await?;
            let runs: Vec<(i64, i64, NaiveDate)> = sqlx::query_as(
                "SELECT r.episode_id, r.step_id, r.ran_on FROM debt_step_runs r
                 JOIN debt_episodes e ON e.id = r.episode_id
                 WHERE e.scenario_id = $1 AND e.closed_on IS NULL",
            )
            .bind(scenario)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((episodes, runs))
        }
        .await)
        .map_err(internal("load debt episodes"))?;
        let mut done: HashMap<i64, (Vec<i64>, Option<NaiveDate>)> = HashMap::new();
        for (episode, step, ran_on) in runs {
            let (steps, last) = done.entry(episode).or_default();
            steps.push(step);
            *last = (*last).max(Some(ran_on));
        }
        Ok(episodes
            .into_iter()
            .map(|(id, account, opened_on, held_out)| {
                let (steps, last) = done.remove(&id).unwrap_or_default();
                (account, (id, opened_on, held_out, steps, last))
            })
            .collect())
    }

    /// The contact limits (the defaults until staff change them).
    pub async fn contact_limits(&self) -> Result<ContactLimits, AppError> {
        let row: Option<(i64, i64, i64, String, String)> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT sms_per_day, sms_per_week, sms_per_month, quiet_from, quiet_to
                 FROM debt_contact_limits WHERE id = 1",
            )
            .fetch_optional(pool)
            .await
        })
        .map_err(internal("load contact limits"))?;
        let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").ok();
        Ok(match row {
            Some((day, week, month, from, to)) => ContactLimits {
                sms_per_day: day.max(0) as u32,
                sms_per_week: week.max(0) as u32,
                sms_per_month: month.max(0) as u32,
                quiet_from: time(&from).unwrap_or(ContactLimits::default().quiet_from),
                quiet_to: time(&to).unwrap_or(ContactLimits::default().quiet_to),
            },
            None => ContactLimits::default(),
        })
    }

    pub async fn save_contact_limits(
        &self,
        actor: i64,
        limits: &ContactLimits,
    ) -> Result<(), AppError> {
        let (from, to) = (
            limits.quiet_from.format("%H:%M").to_string(),
            limits.quiet_to.format("%H:%M").to_string(),
        );
        write_tx!(self, "save contact limits", |tx| {
            sqlx::query(
                "INSERT INTO debt_contact_limits
                     (id, sms_per_day, sms_per_week, sms_per_month, quiet_from, quiet_to)
                 VALUES (1, $1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET sms_per_day = $1, sms_per_week = $2,
                     sms_per_month = $3, quiet_from = $4, quiet_to = $5",
            )
            .bind(i64::from(limits.sms_per_day))
            .bind(i64::from(limits.sms_per_week))
            .bind(i64::from(limits.sms_per_month))
            .bind(&from)
            .bind(&to)
            .execute(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "update",
                "debt_contact_limits",
                Some(1i64),
                format!(
                    "sms {}/{}/{}, quiet {from}–{to}",
                    limits.sms_per_day, limits.sms_per_week, limits.sms_per_month
                )
            )?;
            Ok(())
        })
    }

    /// The scenarios page: every scenario with its steps and what they did so far.
    pub async fn scenarios_page(&self) -> Result<ScenariosPage, AppError> {
        let scenarios = self.scenarios(None).await?;
        let (counts, open) = with_db!(&self.db, |pool| async {
            let counts: Vec<(i64, StepOutcome, i64)> = sqlx::query_as(
                "SELECT step_id, outcome, COUNT(*) FROM debt_step_runs GROUP BY step_id, outcome",
            )
            .fetch_all(pool)
            .await?;
            let open: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT scenario_id, COUNT(*) FROM debt_episodes WHERE closed_on IS NULL
                 GROUP BY scenario_id",
            )
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((counts, open))
        }
        .await)
        .map_err(internal("load scenario figures"))?;
        let houses: Vec<(i64, String)> = self
            .houses()
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect();
        let count = |step: i64, outcome: StepOutcome| {
            counts
                .iter()
                .find(|(s, o, _)| *s == step && *o == outcome)
                .map_or(0, |(.., n)| *n as u32)
        };
        let limits = self.contact_limits().await?;
        Ok(ScenariosPage {
            scenarios: scenarios
                .into_iter()
                .map(|s| ScenarioView {
                    house: s.house_id.and_then(|h| {
                        houses
                            .iter()
                            .find(|(id, _)| *id == h)
                            .map(|(_, a)| a.clone())
                    }),
                    open_episodes: open
                        .iter()
                        .find(|(id, _)| *id == s.id)
                        .map_or(0, |(_, n)| *n as u32),
                    steps: s
                        .steps
                        .iter()
                        .map(|step| StepView {
                            id: step.id,
                            position: s.positions.get(&step.id).copied().unwrap_or(0),
                            days_after_due: step.days_after_due,
                            min_overdue: step.min_overdue,
                            kind: step.kind,
                            channels: step.channels.clone(),
                            sent: count(step.id, StepOutcome::Sent),
                            held_out: count(step.id, StepOutcome::HeldOut),
                            unreachable: count(step.id, StepOutcome::Unreachable),
                        })
                        .collect(),
                    id: s.id,
                    name: s.name,
                    enabled: s.enabled,
                    restart_on_partial: s.restart_on_partial,
                    holdout_percent: s.holdout_percent,
                })
                .collect(),
            houses,
            limits: LimitsView {
                sms_per_day: limits.sms_per_day,
                sms_per_week: limits.sms_per_week,
                sms_per_month: limits.sms_per_month,
                quiet_from: limits.quiet_from.format("%H:%M").to_string(),
                quiet_to: limits.quiet_to.format("%H:%M").to_string(),
            },
        })
    }

    /// Saves a new scenario, switched off (a dry run first); returns its id. `actor` is none
    /// for the benchmark's.
    pub async fn save_scenario(
        &self,
        actor: Option<i64>,
        new: &NewScenario,
    ) -> Result<i64, AppError> {
        write_tx!(self, "save a dunning scenario", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO debt_scenarios
                     (name, house_id, enabled, restart_on_partial, holdout_percent, created_by,
                      updated_at)
                 VALUES ($1, $2, FALSE, $3, $4, $5, $6) RETURNING id",
            )
            .bind(&new.name)
            .bind(new.house_id)
            .bind(new.restart_on_partial)
            .bind(i64::from(new.holdout_percent))
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            for (i, step) in new.steps.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO debt_scenario_steps
                         (scenario_id, position, days_after_due, min_overdue, kind, channels)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(i as i64 + 1)
                .bind(i64::from(step.days_after_due))
                .bind(step.min_overdue.0)
                .bind(step.kind.as_str())
                .bind(channels_text(&step.channels))
                .execute(&mut *tx)
                .await?;
            }
            audit!(
                &mut *tx,
                actor,
                "create",
                "debt_scenario",
                Some(id),
                format!("{} ({} steps)", new.name, new.steps.len())
            )?;
            Ok(id)
        })
    }

    /// Switches a scenario on or off.
    pub async fn set_scenario_enabled(
        &self,
        actor: Option<i64>,
        id: i64,
        enabled: bool,
    ) -> Result<(), AppError> {
        let found = write_tx!(self, "switch a dunning scenario", |tx| {
            let found = sqlx::query(
                "UPDATE debt_scenarios SET enabled = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(enabled)
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if found {
                audit!(
                    &mut *tx,
                    actor,
                    if enabled { "enable" } else { "disable" },
                    "debt_scenario",
                    Some(id),
                    ""
                )?;
            }
            Ok(found)
        })?;
        found.then_some(()).ok_or(AppError::NotFound)
    }

    /// Who would get which step today if the scenario ran now (it may be switched off).
    pub async fn dry_run(&self, id: i64, today: NaiveDate) -> Result<Vec<DryRunLine>, AppError> {
        let scenario = self
            .scenarios(Some(id))
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        let debtors = self.debtors_today(scenario.house_id, today).await?;
        let open = self.open_episodes(id).await?;
        let mut lines: Vec<DryRunLine> = plan(&scenario, &debtors, &open, today)
            .iter()
            .map(|p| DryRunLine {
                account_id: p.debtor.account_id,
                number: p.debtor.number.clone(),
                address: p.debtor.address.clone(),
                overdue: p.debtor.overdue,
                position: scenario.positions.get(&p.step.id).copied().unwrap_or(0),
                kind: p.step.kind,
                channels: p.step.channels.clone(),
                recipients: p.recipients.len() as u32,
                outcome: p.outcome(),
            })
            .collect();
        lines.sort_by(|a, b| (b.overdue, &a.number).cmp(&(a.overdue, &b.number)));
        Ok(lines)
    }

    /// One sweep of every switched-on scenario at `now`: episodes whose debt is cleared close
    /// (the scenario stops for them), the step due for each debtor is taken — in the house's
    /// quiet hours nothing is sent (the next hourly sweep does it). Returns the notices queued.
    pub async fn debt_sweep(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let today = crate::clock::local(now).date();
        let limits = self.contact_limits().await?;
        let zones: HashMap<i64, String> = self
            .house_settings(None)
            .await?
            .into_iter()
            .map(|(id, _, settings)| (id, settings.time_zone))
            .collect();
        let quiet = |house: i64| {
            let zone = zones.get(&house).map_or("Europe/Moscow", String::as_str);
            limits.is_quiet(crate::readings::store::local_time(now, zone).time())
        };
        let mut sms_sent = self.debt_sms_sent(now).await?;
        let mut queued = 0;
        for scenario in self
            .scenarios(None)
            .await?
            .into_iter()
            .filter(|s| s.enabled)
        {
            let debtors = self.debtors_today(scenario.house_id, today).await?;
            let open = self.open_episodes(scenario.id).await?;
            self.close_cleared_episodes(&open, &debtors, today).await?;
            for planned in plan(&scenario, &debtors, &open, today) {
                if quiet(planned.debtor.facts.house_id) {
                    continue;
                }
                queued += self
                    .take_step(&scenario, &planned, &limits, &mut sms_sent, now, today)
                    .await?;
            }
        }
        Ok(queued)
    }

    /// The recurring sweep job: one sweep, then again at the top of the next hour.
    pub async fn debt_sweep_job(
        &self,
        job: &Job,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let queued = self.debt_sweep(now).await?;
        let next = now
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(now)
            + chrono::Duration::hours(1);
        self.reschedule_recurring(job, worker, next).await?;
        Ok(queued)
    }

    /// Debt SMS of the last 30 days by user: when each was queued.
    async fn debt_sms_sent(
        &self,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Vec<DateTime<Utc>>>, AppError> {
        let kinds = crate::debts::types::MAILING_KINDS
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64, DateTime<Utc>)> = with_db!(&self.db, |pool| {
            sqlx::query_as(&format!(
                "SELECT n.user_id, n.created_at FROM notifications n
                 JOIN deliveries d ON d.notification_id = n.id
                 WHERE d.channel = 'sms' AND n.kind IN ({kinds}) AND n.created_at > $1"
            ))
            .bind(now - chrono::Duration::days(30))
            .fetch_all(pool)
            .await
        })
        .map_err(internal("load debt SMS sent"))?;
        let mut sent: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
        for (user, at) in rows {
            sent.entry(user).or_default().push(at);
        }
        Ok(sent)
    }

    /// Closes the open episodes of accounts no longer owing past the due date.
    async fn close_cleared_episodes(
        &self,
        open: &HashMap<i64, OpenEpisode>,
        debtors: &[Debtor],
        today: NaiveDate,
    ) -> Result<(), AppError> {
        let cleared: Vec<i64> = open
            .iter()
            .filter(|(account, _)| !debtors.iter().any(|d| d.account_id == **account))
            .map(|(_, (episode, ..))| *episode)
            .collect();
        if cleared.is_empty() {
            return Ok(());
        }
        let list = cleared
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        write_tx!(self, "close cleared debt episodes", |tx| {
            sqlx::query(&format!(
                "UPDATE debt_episodes SET closed_on = $1 WHERE id IN ({list}) AND closed_on IS NULL"
            ))
            .bind(today)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Takes one step for one debtor in one transaction: the episode (opened if new), the run
    /// (unique per episode and step: a second sweep finds it and sends nothing), the notices.
    async fn take_step(
        &self,
        scenario: &Scenario,
        planned: &Planned<'_>,
        limits: &ContactLimits,
        sms_sent: &mut HashMap<i64, Vec<DateTime<Utc>>>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<usize, AppError> {
        let debtor = planned.debtor;
        let outcome = planned.outcome();
        // the SMS limits, person by person: over them, the other channels still go
        let sends: Vec<(i64, Vec<Channel>)> = planned
            .recipients
            .iter()
            .map(|user| {
                let sent = sms_sent.get(user).map_or(&[][..], Vec::as_slice);
                let channels: Vec<Channel> = planned
                    .step
                    .channels
                    .iter()
                    .copied()
                    .filter(|c| *c != Channel::Sms || limits.sms_allowed(sent, now))
                    .collect();
                (*user, channels)
            })
            .filter(|(_, channels)| !channels.is_empty())
            .collect();
        let taken = write_tx!(self, "take a dunning step", |tx| {
            let episode: i64 = match planned.episode {
                Some(id) => id,
                None => {
                    sqlx::query(
                        "INSERT INTO debt_episodes (account_id, scenario_id, opened_on, held_out)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (account_id, scenario_id) WHERE closed_on IS NULL DO NOTHING",
                    )
                    .bind(debtor.account_id)
                    .bind(scenario.id)
                    .bind(planned.opened_on)
                    .bind(planned.held_out)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query_scalar(
                        "SELECT id FROM debt_episodes
                         WHERE account_id = $1 AND scenario_id = $2 AND closed_on IS NULL",
                    )
                    .bind(debtor.account_id)
                    .bind(scenario.id)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            let source = step_source(episode, planned.step.id);
            let inserted = sqlx::query(
                "INSERT INTO debt_step_runs
                     (episode_id, step_id, ran_on, at, outcome, overdue, source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (episode_id, step_id) DO NOTHING",
            )
            .bind(episode)
            .bind(planned.step.id)
            .bind(today)
            .bind(now)
            .bind(outcome)
            .bind(debtor.overdue.0)
            .bind(&source)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !inserted || outcome != StepOutcome::Sent {
                return Ok(if inserted { Some(0) } else { None });
            }
            let params = segment_rules::reminder_params(
                &debtor.number,
                &debtor.address,
                debtor.overdue,
                debtor.owed,
                debtor.since,
            );
            for (user, channels) in &sends {
                enqueue_notice!(
                    &mut *tx,
                    &Notice {
                        kind: planned.step.kind,
                        recipients: Recipients::User(*user),
                        params: params.clone(),
                        link: Some(format!("/cabinet/pay?account={}", debtor.account_id)),
                        source: Some(source.clone()),
                        channels: Some(channels.clone()),
                    }
                )?;
            }
            Ok(Some(sends.len()))
        })?;
        if let (Some(n), true) = (taken, outcome == StepOutcome::Sent) {
            for (user, channels) in &sends {
                if channels.contains(&Channel::Sms) {
                    sms_sent.entry(*user).or_default().push(now);
                }
            }
            return Ok(n);
        }
        Ok(0)
    }

    /// The steps scenarios took for an account, newest first, with their deliveries.
    pub(super) async fn step_runs(&self, account_id: i64) -> Result<Vec<StepRunView>, AppError> {
        type Row = (
            String,
            i64,
            String,
            NaiveDate,
            StepOutcome,
            i64,
            Option<String>,
        );
        let (rows, deliveries) = with_db!(&self.db, |pool| async {
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT c.name, s.position, s.kind, r.ran_on, r.outcome, r.overdue, r.source
                 FROM debt_step_runs r JOIN debt_episodes e ON e.id = r.episode_id
                 JOIN debt_scenarios c ON c.id = e.scenario_id
                 JOIN debt_scenario_steps s ON s.id = r.step_id
                 WHERE e.account_id = $1 ORDER BY r.at DESC, r.id DESC",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            let deliveries: Vec<(String, Channel, String)> = sqlx::query_as(
                "SELECT n.source, d.channel, d.status
                 FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                 WHERE n.source IN (SELECT r.source FROM debt_step_runs r
                                    JOIN debt_episodes e ON e.id = r.episode_id
                                    WHERE e.account_id = $1 AND r.source IS NOT NULL)
                 ORDER BY d.id",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, deliveries))
        }
        .await)
        .map_err(internal("load dunning steps of an account"))?;
        Ok(rows
            .into_iter()
            .filter_map(
                |(scenario, position, kind, ran_on, outcome, overdue, source)| {
                    Some(StepRunView {
                        scenario,
                        position: position.max(0) as u32,
                        kind: known_kind(&kind)?,
                        ran_on,
                        outcome,
                        overdue: Money(overdue),
                        deliveries: deliveries
                            .iter()
                            .filter(|(s, ..)| Some(s) == source.as_ref())
                            .map(|(_, channel, status)| (*channel, status.clone()))
                            .collect(),
                    })
                },
            )
            .collect())
    }
}
