//! Database side of the work with debtors: segments counted live over today's debtors, mailings
//! to them through the notification path, calls and promises on the debtor's card. Every staff
//! action is one transaction with its audit line.

use chrono::{DateTime, Utc};

use super::*;
use crate::billing::types::LedgerKind;
use crate::db::internal;
use crate::debts::rules::work::{self, DebtorFacts, Person};
use crate::notify::types::{Channel, DeliveryReport, Notice, NoticeKind, Recipients};
use crate::{audit, enqueue_notice, write_tx};

/// What was paid into a promise's (`p`) account after it was recorded, up to its date: money
/// received the same morning, before the call, does not keep it.
const PAID_AFTER_PROMISE: &str = "CAST(COALESCE(-(SELECT SUM(l.amount) FROM ledger l
     WHERE l.account_id = p.account_id AND l.kind = 'payment' AND l.created_at >= p.at
       AND l.occurred_on <= p.promised_on), 0) AS BIGINT)";

/// A segment preview lists this many accounts, the largest debts first.
pub const SEGMENT_PREVIEW: usize = 50;

/// The notifications a mailing sent to one account share this `source` (its delivery report
/// takes every account's: the prefix up to the account).
fn mailing_source(mailing: i64, account: i64) -> String {
    format!("{}{account}", mailing_prefix(mailing))
}

fn mailing_prefix(mailing: i64) -> String {
    format!("debt_mailing:{mailing}:")
}

/// An account owing something past its due date today, with what segments decide on.
#[derive(Debug, Clone)]
pub(super) struct Debtor {
    pub(super) account_id: i64,
    pub(super) number: String,
    pub(super) address: String,
    pub(super) overdue: Money,
    pub(super) owed: Money,
    /// The due date of the oldest month owed.
    pub(super) since: NaiveDate,
    /// The day of the last money received.
    pub(super) last_payment: Option<NaiveDate>,
    pub(super) facts: DebtorFacts,
}

impl Debtor {
    fn member(&self, filter: &SegmentFilter) -> SegmentMember {
        SegmentMember {
            account_id: self.account_id,
            number: self.number.clone(),
            address: self.address.clone(),
            overdue: self.overdue,
            owed: self.owed,
            reachable: work::recipients(filter, &self.facts.people).len() as u32,
        }
    }
}

/// The members of `filter` among `debtors`, the largest overdue debt first, and their figures.
fn members(filter: &SegmentFilter, debtors: &[Debtor]) -> (SegmentCount, Vec<SegmentMember>) {
    let mut count = SegmentCount::default();
    let mut list = Vec::new();
    for d in debtors.iter().filter(|d| work::admits(filter, &d.facts)) {
        let member = d.member(filter);
        count.accounts += 1;
        count.overdue += member.overdue;
        count.owed += member.owed;
        count.reachable += u32::from(member.reachable > 0);
        list.push(member);
    }
    list.sort_by(|a, b| (b.overdue, &a.number).cmp(&(a.overdue, &b.number)));
    (count, list)
}

impl Store {
    /// Every account owing something past its due date today (in one house or all), with its
    /// people, their channels and its pending promise.
    pub(super) async fn debtors_today(
        &self,
        house: Option<i64>,
        today: NaiveDate,
    ) -> Result<Vec<Debtor>, AppError> {
        let ledger = self.debts_ledger(house).await?;
        let addresses: HashMap<i64, String> = self
            .houses()
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect();
        let promises: Vec<(i64, i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as(&format!(
                "SELECT p.account_id, p.amount, {PAID_AFTER_PROMISE} FROM debt_promises p
                 WHERE p.promised_on >= $1"
            ))
            .bind(today)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("load pending promises"))?;
        let mut debtors = tokio::task::spawn_blocking(move || {
            let none = Vec::new();
            ledger
                .accounts
                .iter()
                .filter_map(|(account, number, flat, house, entrance)| {
                    let entries = ledger.entries.get(account).unwrap_or(&none);
                    let debt = rules::account_debt(entries, &ledger.due_rules, today);
                    let since = debt.oldest_overdue(today)?;
                    let promise_pending = promises.iter().any(|(a, amount, paid)| {
                        a == account
                            && work::promise_status(Money(*amount), Money(*paid), today, today)
                                == PromiseStatus::Pending
                    });
                    let last_payment = entries
                        .iter()
                        .filter(|e| e.kind == LedgerKind::Payment && e.amount < 0)
                        .map(|e| e.occurred_on)
                        .max();
                    Some(Debtor {
                        last_payment,
                        account_id: *account,
                        number: number.clone(),
                        address: format!(
                            "{}, кв. {flat}",
                            addresses.get(house).map_or("", String::as_str)
                        ),
                        overdue: debt.overdue(),
                        owed: debt.buckets.total() + debt.penalties,
                        since,
                        facts: DebtorFacts {
                            house_id: *house,
                            entrance_id: *entrance,
                            buckets: debt.buckets,
                            usual_charge: work::usual_charge(entries, today),
                            people: Vec::new(),
                            promise_pending,
                        },
                    })
                })
                .collect::<Vec<Debtor>>()
        })
        .await
        .map_err(task_failed("compute today's debtors"))?;
        let ids: Vec<i64> = debtors.iter().map(|d| d.account_id).collect();
        let mut people = self.debtor_contacts(&ids, today).await?;
        for d in &mut debtors {
            d.facts.people = people.remove(&d.account_id).unwrap_or_default();
        }
        Ok(debtors)
    }

    /// The people on each account's flat today with their cabinets and the channels those
    /// reach.
    async fn debtor_contacts(
        &self,
        accounts: &[i64],
        today: NaiveDate,
    ) -> Result<HashMap<i64, Vec<Person>>, AppError> {
        type Row = (i64, Relation, Option<i64>, bool, bool, bool);
        let mut people: HashMap<i64, Vec<Person>> = HashMap::new();
        for ids in accounts.chunks(500) {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let rows: Vec<Row> = with_db!(&self.db, |pool| {
                sqlx::query_as(&format!(
                    "SELECT c.id, r.relation, u.id, u.email IS NOT NULL, u.phone IS NOT NULL,
                            EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.user_id = u.id)
                     FROM accounts c
                     JOIN residencies r ON r.apartment_id = c.apartment_id
                     JOIN people p ON p.id = r.person_id
                     LEFT JOIN users u ON u.id = p.user_id AND u.is_active
                     WHERE c.id IN ({list}) AND {}",
                    crate::db::residency_in_force("$1")
                ))
                .bind(today)
                .fetch_all(pool)
                .await
            })
            .map_err(internal("load debtors' contacts"))?;
            for (account, relation, user_id, email, phone, push) in rows {
                let channels = [
                    (Channel::Email, email),
                    (Channel::Sms, phone),
                    (Channel::Push, push),
                ]
                .into_iter()
                .filter(|(_, has)| *has && user_id.is_some())
                .map(|(c, _)| c)
                .collect();
                people.entry(account).or_default().push(Person {
                    relation,
                    user_id,
                    channels,
                });
            }
        }
        Ok(people)
    }

    /// The saved segments with their figures today, the houses and entrances to filter by, the
    /// mailings sent (newest first).
    pub async fn segments_page(&self, today: NaiveDate) -> Result<SegmentsPage, AppError> {
        let stored: Vec<(i64, String, String)> = with_db!(&self.db, |pool| {
            sqlx::query_as("SELECT id, name, filter FROM debt_segments ORDER BY name")
                .fetch_all(pool)
                .await
        })
        .map_err(internal("load debt segments"))?;
        let debtors = self.debtors_today(None, today).await?;
        let houses = self.houses_with_entrances().await?;
        let segments = stored
            .into_iter()
            .map(|(id, name, filter)| {
                let filter: SegmentFilter = serde_json::from_str(&filter).map_err(|e| {
                    tracing::error!(segment = id, error = %e, "a stored segment does not parse");
                    AppError::Internal
                })?;
                let (count, _) = members(&filter, &debtors);
                Ok(Segment {
                    id,
                    name,
                    summary: t::segment_summary(&filter, &houses),
                    filter,
                    count,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let mailings = self.mailings(20).await?;
        Ok(SegmentsPage {
            today,
            segments,
            houses,
            mailings,
        })
    }

    /// Houses by address, each with its entrances.
    async fn houses_with_entrances(&self) -> Result<Vec<HouseEntrances>, AppError> {
        let entrances: Vec<(i64, i64, i64)> = with_db!(&self.db, |pool| {
            sqlx::query_as("SELECT id, house_id, number FROM entrances ORDER BY house_id, id")
                .fetch_all(pool)
                .await
        })
        .map_err(internal("load entrances"))?;
        Ok(self
            .houses()
            .await?
            .into_iter()
            .map(|h| {
                let own = entrances
                    .iter()
                    .filter(|(_, house, _)| *house == h.id)
                    .map(|(id, _, number)| (*id, number.to_string()))
                    .collect();
                HouseEntrances {
                    id: h.id,
                    address: h.address,
                    entrances: own,
                }
            })
            .collect())
    }

    /// What `filter` holds today.
    pub async fn preview_segment(
        &self,
        filter: &SegmentFilter,
        today: NaiveDate,
    ) -> Result<SegmentPreview, AppError> {
        let debtors = self.debtors_today(filter.house_id, today).await?;
        let (count, mut members) = members(filter, &debtors);
        members.truncate(SEGMENT_PREVIEW);
        Ok(SegmentPreview { count, members })
    }

    /// Saves a segment; returns its id.
    pub async fn save_segment(
        &self,
        actor: i64,
        name: &str,
        filter: &SegmentFilter,
    ) -> Result<i64, AppError> {
        let json = serde_json::to_string(filter).map_err(|e| {
            tracing::error!(error = %e, "a segment filter does not serialise");
            AppError::Internal
        })?;
        write_tx!(self, "save a debt segment", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO debt_segments (name, filter, created_by, updated_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(name)
            .bind(&json)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "debt_segment",
                Some(id),
                format!("{name}: {json}")
            )?;
            Ok(id)
        })
    }

    /// Removes a saved segment (its mailings keep its name).
    pub async fn delete_segment(&self, actor: i64, id: i64) -> Result<(), AppError> {
        let removed = write_tx!(self, "delete a debt segment", |tx| {
            let name: Option<String> =
                sqlx::query_scalar("DELETE FROM debt_segments WHERE id = $1 RETURNING name")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(name) = &name {
                audit!(
                    &mut *tx,
                    Some(actor),
                    "delete",
                    "debt_segment",
                    Some(id),
                    name
                )?;
            }
            Ok(name)
        })?;
        removed.map(|_| ()).ok_or(AppError::NotFound)
    }

    /// Sends `kind` to everyone a saved segment reaches today, each with their own account's
    /// sums and a pay link for it; one contact line per account on its card. Refused when the
    /// segment reaches nobody, or got the same kind today already (a second press).
    pub async fn send_mailing(
        &self,
        actor: i64,
        segment_id: i64,
        kind: NoticeKind,
        today: NaiveDate,
    ) -> Result<i64, AppError> {
        if !MAILING_KINDS.contains(&kind) {
            return Err(AppError::invalid(t::NOT_A_REMINDER));
        }
        let stored: Option<(String, String)> = with_db!(&self.db, |pool| {
            sqlx::query_as("SELECT name, filter FROM debt_segments WHERE id = $1")
                .bind(segment_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(internal("load a debt segment"))?;
        let (name, filter) = stored.ok_or(AppError::NotFound)?;
        let filter: SegmentFilter = serde_json::from_str(&filter).map_err(|e| {
            tracing::error!(segment = segment_id, error = %e, "a stored segment does not parse");
            AppError::Internal
        })?;
        let debtors = self.debtors_today(filter.house_id, today).await?;
        let reached: Vec<(&Debtor, Vec<i64>)> = debtors
            .iter()
            .filter(|d| work::admits(&filter, &d.facts))
            .map(|d| (d, work::recipients(&filter, &d.facts.people)))
            .filter(|(_, users)| !users.is_empty())
            .collect();
        if reached.is_empty() {
            return Err(AppError::invalid(t::NOBODY_TO_REACH));
        }
        let overdue: Money = reached.iter().map(|(d, _)| d.overdue).sum();
        let recipients: usize = reached.iter().map(|(_, users)| users.len()).sum();
        let label = crate::notify::rules::spec(kind).label;
        let sent = write_tx!(self, "send a mailing to debtors", |tx| {
            let earlier: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM debt_mailings WHERE segment_id = $1 AND kind = $2 AND sent_on = $3",
            )
            .bind(segment_id)
            .bind(kind.as_str())
            .bind(today)
            .fetch_optional(&mut *tx)
            .await?;
            if earlier.is_some() {
                return Ok(None);
            }
            let now = Utc::now();
            let mailing: i64 = sqlx::query_scalar(
                "INSERT INTO debt_mailings (segment_id, segment_name, kind, accounts, recipients,
                     overdue, sent_by, sent_at, sent_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(segment_id)
            .bind(&name)
            .bind(kind.as_str())
            .bind(reached.len() as i64)
            .bind(recipients as i64)
            .bind(overdue.0)
            .bind(actor)
            .bind(now)
            .bind(today)
            .fetch_one(&mut *tx)
            .await?;
            for (debtor, users) in &reached {
                let source = mailing_source(mailing, debtor.account_id);
                let params = work::reminder_params(
                    &debtor.number,
                    &debtor.address,
                    debtor.overdue,
                    debtor.owed,
                    debtor.since,
                );
                for user in users {
                    enqueue_notice!(
                        &mut *tx,
                        &Notice {
                            kind,
                            recipients: Recipients::User(*user),
                            params: params.clone(),
                            link: Some(format!("/cabinet/pay?account={}", debtor.account_id)),
                            source: Some(source.clone()),
                            channels: None,
                        }
                    )?;
                }
                sqlx::query(
                    "INSERT INTO debt_contacts (account_id, kind, note, source, staff_id, at)
                     VALUES ($1, 'mailing', $2, $3, $4, $5)",
                )
                .bind(debtor.account_id)
                .bind(format!("{label} · сегмент «{name}»"))
                .bind(&source)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            audit!(
                &mut *tx,
                Some(actor),
                "send",
                "debt_mailing",
                Some(mailing),
                format!(
                    "{} to segment {segment_id} «{name}»: {} accounts, {recipients} people",
                    kind.as_str(),
                    reached.len()
                )
            )?;
            Ok(Some(mailing))
        })?;
        sent.ok_or_else(|| AppError::invalid(t::ALREADY_SENT_TODAY))
    }

    /// The latest mailings to debtors, newest first, each with its delivery report.
    async fn mailings(&self, limit: i64) -> Result<Vec<MailingView>, AppError> {
        type Row = (i64, String, String, i64, i64, i64, DateTime<Utc>);
        let rows: Vec<Row> = with_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, segment_name, kind, accounts, recipients, overdue, sent_at
                 FROM debt_mailings ORDER BY sent_at DESC, id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })
        .map_err(internal("load debt mailings"))?;
        let mut mailings = Vec::with_capacity(rows.len());
        for (id, segment, kind, accounts, recipients, overdue, sent_at) in rows {
            let Some(kind) = NoticeKind::parse(&kind) else {
                tracing::error!(mailing = id, kind, "a mailing of an unknown kind");
                continue;
            };
            let report: DeliveryReport =
                self.delivery_report_of_prefix(&mailing_prefix(id)).await?;
            mailings.push(MailingView {
                id,
                segment,
                kind,
                template: crate::notify::rules::spec(kind).label.to_string(),
                sent_at: crate::clock::format_moment(sent_at),
                accounts: accounts as u32,
                recipients: recipients as u32,
                overdue: Money(overdue),
                report,
            });
        }
        Ok(mailings)
    }

    /// The card's work with the debtor: promises with their status from the ledger, and every
    /// contact (a mailing with its deliveries), newest first.
    pub async fn debtor_work(
        &self,
        account_id: i64,
        today: NaiveDate,
    ) -> Result<DebtorWork, AppError> {
        type PromiseRow = (i64, NaiveDate, NaiveDate, i64, i64, String, Option<String>);
        type ContactRow = (
            DateTime<Utc>,
            ContactKind,
            Option<CallOutcome>,
            String,
            Option<String>,
            Option<String>,
        );
        let (promises, contacts, deliveries) = with_db!(&self.db, |pool| async {
            let promises: Vec<PromiseRow> = sqlx::query_as(&format!(
                "SELECT p.id, p.made_on, p.promised_on, p.amount, {PAID_AFTER_PROMISE}, p.note,
                        u.full_name
                 FROM debt_promises p LEFT JOIN users u ON u.id = p.staff_id
                 WHERE p.account_id = $1 ORDER BY p.promised_on DESC, p.id DESC"
            ))
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            let contacts: Vec<ContactRow> = sqlx::query_as(
                "SELECT c.at, c.kind, c.outcome, c.note, u.full_name, c.source
                 FROM debt_contacts c LEFT JOIN users u ON u.id = c.staff_id
                 WHERE c.account_id = $1 ORDER BY c.at DESC, c.id DESC",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            let deliveries: Vec<(String, Channel, String)> = sqlx::query_as(
                "SELECT n.source, d.channel, d.status
                 FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                 WHERE n.source IN (SELECT source FROM debt_contacts
                                    WHERE account_id = $1 AND source IS NOT NULL)
                 ORDER BY d.id",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((promises, contacts, deliveries))
        }
        .await)
        .map_err(internal("load the work with a debtor"))?;
        let promises = promises
            .into_iter()
            .map(|(id, made_on, promised_on, amount, paid, note, staff)| {
                let paid = Money(paid);
                PromiseView {
                    id,
                    made_on,
                    promised_on,
                    amount: Money(amount),
                    paid,
                    status: work::promise_status(Money(amount), paid, promised_on, today),
                    note,
                    staff: staff.unwrap_or_default(),
                }
            })
            .collect();
        let contacts = contacts
            .into_iter()
            .map(|(at, kind, outcome, note, staff, source)| ContactView {
                at: crate::clock::format_moment(at),
                kind,
                outcome,
                note,
                staff: staff.unwrap_or_default(),
                deliveries: deliveries
                    .iter()
                    .filter(|(s, ..)| Some(s) == source.as_ref())
                    .map(|(_, channel, status)| (*channel, status.clone()))
                    .collect(),
            })
            .collect();
        Ok(DebtorWork {
            promises,
            contacts,
            steps: self.step_runs(account_id).await?,
        })
    }

    /// Writes down a call, a visit or a letter to the debtor with its outcome.
    pub async fn log_contact(
        &self,
        actor: i64,
        account_id: i64,
        kind: ContactKind,
        outcome: Option<CallOutcome>,
        note: &str,
    ) -> Result<(), AppError> {
        if kind == ContactKind::Mailing {
            return Err(AppError::invalid(t::MAILINGS_ARE_SENT));
        }
        write_tx!(self, "log a contact with a debtor", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO debt_contacts (account_id, kind, outcome, note, staff_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(account_id)
            .bind(kind)
            .bind(outcome)
            .bind(note)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "log",
                "debt_contact",
                Some(id),
                format!(
                    "account {account_id}: {} {}",
                    kind.as_str(),
                    outcome.map_or("", CallOutcome::as_str)
                )
            )?;
            Ok(())
        })
    }

    /// Records the debtor's promise to pay `amount` by `promised_on`.
    pub async fn record_promise(
        &self,
        actor: i64,
        account_id: i64,
        amount: Money,
        promised_on: NaiveDate,
        note: &str,
        today: NaiveDate,
    ) -> Result<i64, AppError> {
        work::check_promise(amount, promised_on, today)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        write_tx!(self, "record a promise to pay", |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO debt_promises
                     (account_id, made_on, promised_on, amount, note, staff_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(account_id)
            .bind(today)
            .bind(promised_on)
            .bind(amount.0)
            .bind(note)
            .bind(actor)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            audit!(
                &mut *tx,
                Some(actor),
                "create",
                "debt_promise",
                Some(id),
                format!("account {account_id}: {} by {promised_on}", amount.plain())
            )?;
            Ok(id)
        })
    }
}
