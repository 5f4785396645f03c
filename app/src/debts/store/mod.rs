//! Database side of debts: the ledger read in bulk (one JSON value per query, `fetch_json!`),
//! the rules applied on a blocking thread. Nothing here is stored: every figure is computed from
//! the ledger when it is asked for, so a payment shows the moment it is credited.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::rules::{self, AccountDebt, MonthParts, Part};
use super::text as t;
use super::types::*;
use crate::billing::rules::DueRules;
use crate::billing::rules::accrual::LedgerEntry;
use crate::billing::store::{ACCOUNT_HEAD, ACCOUNT_LEDGER};
use crate::db::{Store, internal, task_failed};
use crate::error::AppError;
use crate::housing::types::Relation;
use crate::money::Money;
use crate::period::Period;
use crate::{fetch_json, with_db};

mod dunning;
mod work;

/// The debtors' list shows this many, the most overdue first.
pub const DEBTORS_SHOWN: usize = 300;
/// Months of the receivables' history.
pub const HISTORY_MONTHS: i32 = 12;

/// What the receivables are computed from.
struct Ledger {
    /// (account, account number, flat, house, entrance)
    accounts: Vec<(i64, String, String, i64, Option<i64>)>,
    entries: HashMap<i64, Vec<LedgerEntry>>,
    /// (account, period, service, charged)
    parts: Vec<(i64, String, i64, i64)>,
    services: HashMap<i64, String>,
    due_rules: DueRules,
}

impl Store {
    /// The receivables of one house (or of all) on `today`: each account's debt by age and by
    /// service, penalties apart, the totals per house, the debtors most overdue first and the
    /// last twelve months.
    pub async fn receivables(
        &self,
        house: Option<i64>,
        today: NaiveDate,
    ) -> Result<Receivables, AppError> {
        let houses: Vec<(i64, String)> = self
            .houses()
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect();
        if house.is_some_and(|h| !houses.iter().any(|(id, _)| *id == h)) {
            return Err(AppError::NotFound);
        }
        let ledger = self.debts_ledger(house).await?;
        let addresses: HashMap<i64, String> = houses.iter().cloned().collect();
        let (mut receivables, debtor_ids) =
            tokio::task::spawn_blocking(move || compute_receivables(&ledger, &addresses, today))
                .await
                .map_err(task_failed("compute receivables"))?;
        let people = self.account_people(&debtor_ids, today).await?;
        for row in &mut receivables.debtors {
            row.names = names_of(people.get(&row.account_id).map_or(&[], Vec::as_slice));
        }
        receivables.houses = houses;
        receivables.house = house;
        Ok(receivables)
    }

    /// The accounts of a house (or all), their ledger summed per month, kind and day, and what
    /// each service charged each month.
    async fn debts_ledger(&self, house: Option<i64>) -> Result<Ledger, AppError> {
        let scope = house.map_or(String::new(), |h| format!("AND a.house_id = {h}"));
        let accounts_of = "FROM ledger l JOIN accounts c ON c.id = l.account_id
             JOIN apartments a ON a.id = c.apartment_id";
        let (accounts, entries, parts, services) = with_db!(&self.db, |pool| async {
            let accounts: Vec<(i64, String, String, i64, Option<i64>)> = fetch_json!(
                pool,
                &self.db,
                "c.id, c.number, a.number, a.house_id, a.entrance_id",
                &format!(
                    "FROM accounts c JOIN apartments a ON a.id = c.apartment_id WHERE 1 = 1 {scope}"
                ),
                ""
            )
            .await?;
            // payments of one day naming one month are one payment to the settling
            let entries: Vec<LedgerEntry> = fetch_json!(
                pool,
                &self.db,
                "g.account_id, g.period, g.kind, g.amount, g.occurred_on, ''",
                &format!(
                    "FROM (SELECT l.account_id, l.period, l.kind, SUM(l.amount) AS amount,
                             l.occurred_on {accounts_of} WHERE 1 = 1 {scope}
                           GROUP BY l.account_id, l.period, l.kind, l.occurred_on) g"
                ),
                ""
            )
            .await?;
            let parts: Vec<(i64, String, i64, i64)> = fetch_json!(
                pool,
                &self.db,
                "g.account_id, g.period, g.service_id, g.amount",
                &format!(
                    "FROM (SELECT l.account_id, l.period, l.service_id, SUM(l.amount) AS amount
                           {accounts_of} WHERE l.kind = 'charge' AND l.service_id IS NOT NULL
                             {scope}
                           GROUP BY l.account_id, l.period, l.service_id) g"
                ),
                ""
            )
            .await?;
            let services: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM services")
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((accounts, entries, parts, services))
        }
        .await)
        .map_err(internal("load debts ledger"))?;
        let mut entries_of: HashMap<i64, Vec<LedgerEntry>> = HashMap::new();
        for e in entries {
            entries_of.entry(e.account_id).or_default().push(e);
        }
        let (_, due_rules) = self.rule_tables().await?;
        Ok(Ledger {
            accounts,
            entries: entries_of,
            parts,
            services: services.into_iter().collect(),
            due_rules,
        })
    }

    /// The user's own open accounts (by the register today) with services owed past their due
    /// date: the cabinet's banner.
    pub async fn my_overdue(
        &self,
        user_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<MyOverdue>, AppError> {
        let (accounts, entries) = with_db!(&self.db, |pool| async {
            let accounts: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
                "SELECT DISTINCT c.id, c.number, h.address, a.number FROM residencies r
                 JOIN people p ON p.id = r.person_id JOIN apartments a ON a.id = r.apartment_id
                 JOIN houses h ON h.id = a.house_id JOIN accounts c ON c.apartment_id = a.id
                 WHERE p.user_id = $1 AND c.closed_on IS NULL AND {}
                 ORDER BY c.number",
                crate::db::residency_in_force("$2")
            ))
            .bind(user_id)
            .bind(today)
            .fetch_all(pool)
            .await?;
            let list = accounts
                .iter()
                .map(|(id, ..)| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let entries: Vec<LedgerEntry> = if list.is_empty() {
                Vec::new()
            } else {
                sqlx::query_as(&format!(
                    "SELECT account_id, period, kind, amount, occurred_on, reason FROM ledger
                     WHERE account_id IN ({list})"
                ))
                .fetch_all(pool)
                .await?
            };
            Ok::<_, sqlx::Error>((accounts, entries))
        }
        .await)
        .map_err(internal("load own overdue"))?;
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let (_, due_rules) = self.rule_tables().await?;
        Ok(accounts
            .into_iter()
            .filter_map(|(account_id, number, address, flat)| {
                let own: Vec<LedgerEntry> = entries
                    .iter()
                    .filter(|e| e.account_id == account_id)
                    .cloned()
                    .collect();
                let debt = rules::account_debt(&own, &due_rules, today);
                let since = debt.oldest_overdue(today)?;
                Some(MyOverdue {
                    account_id,
                    number,
                    address: format!("{address}, кв. {flat}"),
                    overdue: debt.overdue(),
                    owed: debt.buckets.total() + debt.penalties,
                    since,
                })
            })
            .collect())
    }

    /// The people on each account's flat today, owners first.
    pub(super) async fn account_people(
        &self,
        accounts: &[i64],
        today: NaiveDate,
    ) -> Result<HashMap<i64, Vec<DebtorPerson>>, AppError> {
        type Row = (i64, String, Relation, Option<String>, Option<String>);
        let mut people: HashMap<i64, Vec<DebtorPerson>> = HashMap::new();
        for ids in accounts.chunks(500) {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let rows: Vec<Row> = with_db!(&self.db, |pool| {
                sqlx::query_as(&format!(
                    "SELECT c.id, p.full_name, r.relation, p.phone, p.email FROM accounts c
                     JOIN residencies r ON r.apartment_id = c.apartment_id
                     JOIN people p ON p.id = r.person_id
                     WHERE c.id IN ({list}) AND r.status = 'active' AND r.moved_in <= $1
                       AND (r.moved_out IS NULL OR r.moved_out > $1)
                     ORDER BY c.id, CASE r.relation WHEN 'owner' THEN 0 ELSE 1 END, p.full_name"
                ))
                .bind(today)
                .fetch_all(pool)
                .await
            })
            .map_err(internal("load debtors' people"))?;
            for (account, name, relation, phone, email) in rows {
                people.entry(account).or_default().push(DebtorPerson {
                    name,
                    relation,
                    phone,
                    email,
                });
            }
        }
        Ok(people)
    }

    /// One account's debt on `today`: the months owed with their services, the people to reach.
    pub async fn debtor_card(
        &self,
        account_id: i64,
        today: NaiveDate,
    ) -> Result<DebtorCard, AppError> {
        let (head, entries, parts) = with_db!(&self.db, |pool| async {
            let head: Option<(String, String, String)> = sqlx::query_as(ACCOUNT_HEAD)
                .bind(account_id)
                .fetch_optional(pool)
                .await?;
            let entries: Vec<LedgerEntry> = sqlx::query_as(ACCOUNT_LEDGER)
                .bind(account_id)
                .fetch_all(pool)
                .await?;
            let parts: Vec<(String, Option<i64>, String, i64)> = sqlx::query_as(
                "SELECT l.period, l.service_id, COALESCE(s.name, ''),
                        CAST(SUM(l.amount) AS BIGINT)
                 FROM ledger l LEFT JOIN services s ON s.id = l.service_id
                 WHERE l.account_id = $1 AND l.kind = 'charge'
                 GROUP BY l.period, l.service_id, s.name",
            )
            .bind(account_id)
            .fetch_all(pool)
            .await?;
            Ok::<_, sqlx::Error>((head, entries, parts))
        }
        .await)
        .map_err(internal("load debtor's card"))?;
        let (number, address, flat) = head.ok_or(AppError::NotFound)?;
        let (_, due_rules) = self.rule_tables().await?;
        let mut month_parts = MonthParts::new();
        let mut names: HashMap<Part, String> = HashMap::from([(Part::Other, t::OTHER_PART.into())]);
        for (period, service, name, amount) in parts {
            let part = rules::part_of(service);
            if let (Some(period), Part::Service(_)) = (Period::parse(&period), part) {
                month_parts
                    .entry(period)
                    .or_default()
                    .push((part, Money(amount)));
                names.insert(part, name);
            }
        }
        let name = |part: &Part| names.get(part).cloned().unwrap_or_default();
        let debt = rules::account_debt(&entries, &due_rules, today);
        let months = debt
            .months
            .iter()
            .map(|owed| OwedMonthView {
                period: owed.period,
                due_on: owed.due_on,
                bucket: AgeBucket::of(owed.due_on, today),
                charged: owed.charged,
                owed: owed.amount,
                parts: rules::owed_month_parts(owed, &month_parts)
                    .iter()
                    .map(|(part, share)| (name(part), *share))
                    .collect(),
            })
            .collect();
        let mut by_service: Vec<(String, Money)> = rules::owed_by_part(&debt.months, &month_parts)
            .iter()
            .map(|(part, owed)| (name(part), *owed))
            .collect();
        by_service.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let people = self
            .account_people(&[account_id], today)
            .await?
            .remove(&account_id)
            .unwrap_or_default();
        Ok(DebtorCard {
            account_id,
            number,
            address: format!("{address}, кв. {flat}"),
            people,
            today,
            balance: debt.balance,
            buckets: debt.buckets,
            penalties: debt.penalties,
            advance: debt.advance,
            months,
            by_service,
        })
    }
}

/// The receivables from the ledger (names and houses' list still to fill), and the accounts of
/// the debtors shown.
fn compute_receivables(
    ledger: &Ledger,
    addresses: &HashMap<i64, String>,
    today: NaiveDate,
) -> (Receivables, Vec<i64>) {
    let days = rules::history_days(today, HISTORY_MONTHS);
    let mut history: Vec<MonthFigures> = days
        .iter()
        .map(|(period, _)| MonthFigures::new(*period))
        .collect();
    let mut parts_of: HashMap<i64, MonthParts> = HashMap::new();
    for (account, period, service, amount) in &ledger.parts {
        if let Some(period) = Period::parse(period) {
            parts_of
                .entry(*account)
                .or_default()
                .entry(period)
                .or_default()
                .push((Part::Service(*service), Money(*amount)));
        }
    }
    let mut totals = DebtTotals::default();
    let mut by_house: BTreeMap<i64, DebtTotals> = BTreeMap::new();
    let mut by_part: BTreeMap<Part, Money> = BTreeMap::new();
    let mut debtors = Vec::new();
    let none = Vec::new();
    for (account, number, flat, house, _) in &ledger.accounts {
        let entries = ledger.entries.get(account).unwrap_or(&none);
        let debt = rules::account_debt(entries, &ledger.due_rules, today);
        for (month, (_, day)) in history.iter_mut().zip(&days) {
            let then = if *day == today {
                debt.overdue()
            } else {
                rules::account_debt(entries, &ledger.due_rules, *day).overdue()
            };
            month.overdue += then;
            month.debtors += u32::from(then.0 > 0);
            rules::add_turnover(month, entries);
        }
        for (part, owed) in rules::owed_by_part(
            &debt.months,
            parts_of.get(account).unwrap_or(&MonthParts::new()),
        ) {
            *by_part.entry(part).or_default() += owed;
        }
        add_to(&mut totals, &debt);
        add_to(by_house.entry(*house).or_default(), &debt);
        if debt.overdue().0 > 0 {
            debtors.push(DebtorRow {
                account_id: *account,
                number: number.clone(),
                address: format!(
                    "{}, кв. {flat}",
                    addresses.get(house).map_or("", String::as_str)
                ),
                names: String::new(),
                buckets: debt.buckets,
                penalties: debt.penalties,
                oldest_overdue: debt.oldest_overdue(today),
            });
        }
    }
    debtors.sort_by(|a, b| {
        (b.overdue(), b.owed(), &a.number).cmp(&(a.overdue(), a.owed(), &b.number))
    });
    debtors.truncate(DEBTORS_SHOWN);
    // each house has its own services: one line per name over several houses
    let mut by_name: BTreeMap<String, Money> = BTreeMap::new();
    for (part, owed) in by_part {
        let name = match part {
            Part::Service(id) => ledger.services.get(&id).cloned().unwrap_or_default(),
            Part::Other | Part::Penalties => t::OTHER_PART.to_string(),
        };
        *by_name.entry(name).or_default() += owed;
    }
    let mut by_service: Vec<(String, Money)> = by_name.into_iter().collect();
    by_service.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let ids = debtors.iter().map(|d| d.account_id).collect();
    let receivables = Receivables {
        today,
        houses: Vec::new(),
        house: None,
        totals,
        by_house: by_house
            .into_iter()
            .map(|(house_id, totals)| HouseDebt {
                house_id,
                address: addresses.get(&house_id).cloned().unwrap_or_default(),
                totals,
            })
            .collect(),
        by_service,
        debtors,
        history,
    };
    (receivables, ids)
}

fn add_to(totals: &mut DebtTotals, debt: &AccountDebt) {
    totals.accounts += 1;
    totals.debtors += u32::from(debt.overdue().0 > 0);
    totals.buckets += debt.buckets;
    totals.penalties += debt.penalties;
    totals.advance += debt.advance;
}

/// The owners' names, or whoever lives there when the register has no owner.
fn names_of(people: &[DebtorPerson]) -> String {
    let owners = people.iter().any(|p| p.relation == Relation::Owner);
    people
        .iter()
        .filter(|p| p.relation == Relation::Owner || !owners)
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
