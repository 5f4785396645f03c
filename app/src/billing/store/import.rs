//! Importing a house's accounts and their history from a spreadsheet.

use super::*;
use crate::write_tx;

/// What an import found in the database about a house.
pub(super) struct ImportContext {
    /// Apartment number → (id, area).
    apartments: HashMap<String, (i64, i64)>,
    entrances: HashMap<i64, i64>,
    /// Account number → (id, house id, apartment number).
    accounts: HashMap<String, (i64, i64, String)>,
    /// Service name in lower case → id.
    services: HashMap<String, i64>,
    /// The first period this house's charges were computed in Ключ: history stops before it.
    first_posted: Option<Period>,
}

impl Store {
    pub(super) async fn import_context(&self, house_id: i64) -> Result<ImportContext, AppError> {
        with_db!(&self.db, |pool| async {
            let apartments: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT number, id, area_centi_m2 FROM apartments WHERE house_id = $1",
            )
            .bind(house_id)
            .fetch_all(pool)
            .await?;
            let entrances: Vec<(i64, i64)> =
                sqlx::query_as("SELECT number, id FROM entrances WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            let accounts: Vec<(String, i64, i64, String)> = sqlx::query_as(
                "SELECT c.number, c.id, a.house_id, a.number FROM accounts c
                 JOIN apartments a ON a.id = c.apartment_id",
            )
            .fetch_all(pool)
            .await?;
            let services: Vec<(String, i64)> =
                sqlx::query_as("SELECT name, id FROM services WHERE house_id = $1")
                    .bind(house_id)
                    .fetch_all(pool)
                    .await?;
            let first_posted: Option<Period> = sqlx::query_scalar(
                "SELECT MIN(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'",
            )
            .bind(house_id)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>(ImportContext {
                apartments: apartments
                    .into_iter()
                    .map(|(n, id, area)| (n.to_lowercase(), (id, area)))
                    .collect(),
                entrances: entrances.into_iter().collect(),
                accounts: accounts
                    .into_iter()
                    .map(|(n, id, house, flat)| (n, (id, house, flat)))
                    .collect(),
                services: services
                    .into_iter()
                    .map(|(n, id)| (n.to_lowercase(), id))
                    .collect(),
                first_posted,
            })
        }
        .await)
        .map_err(internal("load import context"))
    }

    /// Imports personal accounts of a house with their apartments (created, or their area
    /// updated), residents and opening balances. With `commit` false only checks and says what
    /// would happen; with it true writes everything in one transaction, and nothing when any
    /// row is wrong. An account already loaded into this apartment is skipped.
    pub async fn import_accounts(
        &self,
        actor: i64,
        house_id: i64,
        bytes: &[u8],
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        use crate::billing::import::{AccountLine, check_accounts};
        use crate::housing::rules::format_area;
        let table = crate::sheet::read_table(bytes).map_err(AppError::invalid)?;
        let (lines, mut errors) = check_accounts(&table);
        let context = self.import_context(house_id).await?;
        let taken_els: Vec<String> = with_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT els FROM accounts WHERE els IS NOT NULL"
        )
        .fetch_all(pool)
        .await)
        .map_err(internal("known ЕЛС"))?;
        let mut new: Vec<&AccountLine> = Vec::new();
        let mut skipped = 0;
        let mut areas_changed = Vec::new();
        for l in &lines {
            let mut problems = Vec::new();
            match context.accounts.get(&l.number) {
                Some((_, house, flat))
                    if *house == house_id && flat.eq_ignore_ascii_case(&l.apartment) =>
                {
                    skipped += 1;
                    continue;
                }
                Some((_, _, flat)) => problems.push(format!(
                    "лицевой счёт {} уже открыт на другую квартиру ({flat})",
                    l.number
                )),
                None => {}
            }
            if let Some(els) = &l.els
                && (taken_els.contains(els)
                    || lines
                        .iter()
                        .any(|o| o.line < l.line && o.els.as_ref() == Some(els)))
            {
                problems.push(format!("ЕЛС {els} уже есть у другого лицевого счёта"));
            }
            if let (Some((_, on)), Some(first)) = (l.opening, context.first_posted)
                && AccountLine::opening_period(on) >= first
            {
                problems.push(format!(
                    "сальдо на {}: с {} начисления уже ведутся в Ключе — сальдо берётся не позже {}",
                    on.format("%d.%m.%Y"),
                    first.label(),
                    first.first_day().format("%d.%m.%Y")
                ));
            }
            if !problems.is_empty() {
                errors.push(format!("Строка {}: {}.", l.line, problems.join("; ")));
                continue;
            }
            if let Some((_, area)) = context.apartments.get(&l.apartment.to_lowercase())
                && *area != l.area_centi_m2
            {
                areas_changed.push(format!(
                    "кв. {}: {} → {} м²",
                    l.apartment,
                    format_area(*area),
                    format_area(l.area_centi_m2)
                ));
            }
            new.push(l);
        }
        crate::sheet::sort_by_line(&mut errors);
        let people: usize = new.iter().map(|l| l.people.len()).sum();
        let openings: Vec<Money> = new
            .iter()
            .filter_map(|l| l.opening.map(|o| o.0))
            .filter(|m| *m != Money::ZERO)
            .collect();
        let new_flats = new
            .iter()
            .filter(|l| !context.apartments.contains_key(&l.apartment.to_lowercase()))
            .count();
        let mut notes = vec![format!(
            "Лицевых счетов: {} новых{}.",
            new.len(),
            if skipped > 0 {
                format!(", {skipped} уже загружены раньше — пропускаются")
            } else {
                String::new()
            }
        )];
        notes.push(format!(
            "Квартир новых: {new_flats}; жильцов: {people}; входящих сальдо: {} на {}.",
            openings.len(),
            openings.iter().copied().sum::<Money>().label()
        ));
        if !areas_changed.is_empty() {
            notes.push(format!("Площадь изменится: {}.", areas_changed.join(", ")));
        }
        let rows = crate::sheet::data_rows(&table);
        if !commit || !errors.is_empty() || new.is_empty() {
            return Ok(ImportReport {
                rows,
                errors,
                notes,
                saved: false,
            });
        }
        let now = Utc::now();
        write_tx!(self, "import accounts", |tx| {
            let mut entrances = context.entrances.clone();
            let mut apartments = context.apartments.clone();
            for l in &new {
                let entrance_id = match l.entrance {
                    Some(n) => Some(match entrances.get(&n) {
                        Some(id) => *id,
                        None => {
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO entrances (house_id, number) VALUES ($1, $2)
                                 RETURNING id",
                            )
                            .bind(house_id)
                            .bind(n)
                            .fetch_one(&mut *tx)
                            .await?;
                            entrances.insert(n, id);
                            id
                        }
                    }),
                    None => None,
                };
                let key = l.apartment.to_lowercase();
                let apartment_id = match apartments.get(&key) {
                    Some((id, area)) => {
                        if *area != l.area_centi_m2 {
                            sqlx::query("UPDATE apartments SET area_centi_m2 = $1 WHERE id = $2")
                                .bind(l.area_centi_m2)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        *id
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO apartments (house_id, entrance_id, number, floor,
                                 area_centi_m2, is_residential)
                             VALUES ($1, $2, $3, $4, $5, TRUE) RETURNING id",
                        )
                        .bind(house_id)
                        .bind(entrance_id)
                        .bind(&l.apartment)
                        .bind(l.floor)
                        .bind(l.area_centi_m2)
                        .fetch_one(&mut *tx)
                        .await?;
                        id
                    }
                };
                apartments.insert(key, (apartment_id, l.area_centi_m2));
                let account_id: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (number, apartment_id, opened_on, els)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&l.number)
                .bind(apartment_id)
                .bind(l.opened_on)
                .bind(&l.els)
                .fetch_one(&mut *tx)
                .await?;
                for p in &l.people {
                    let person_id: i64 = sqlx::query_scalar(
                        "INSERT INTO people (full_name, search_text, phone, email)
                         VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(&p.full_name)
                    .bind(crate::housing::rules::search_text(&p.full_name))
                    .bind(&p.phone)
                    .bind(&p.email)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO residencies (person_id, apartment_id, relation, share_num,
                             share_den, moved_in, status, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7)",
                    )
                    .bind(person_id)
                    .bind(apartment_id)
                    .bind(p.relation.as_str())
                    .bind(p.share.map(|s| s.0))
                    .bind(p.share.map(|s| s.1))
                    .bind(p.moved_in)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                if let Some((amount, on)) = l.opening
                    && amount != Money::ZERO
                {
                    sqlx::query(
                        "INSERT INTO ledger (account_id, period, kind, amount, occurred_on, reason,
                             source_key, created_by, created_at)
                         VALUES ($1, $2, 'opening', $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(account_id)
                    .bind(AccountLine::opening_period(on).to_string())
                    .bind(amount.0)
                    .bind(on)
                    .bind(format!("Входящее сальдо на {}", on.format("%d.%m.%Y")))
                    .bind(format!("opening:{}", l.number))
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_accounts",
                "house",
                Some(house_id),
                format!("{} accounts, {people} people", new.len())
            )?;
            Ok(())
        })?;
        Ok(ImportReport {
            rows,
            errors,
            notes,
            saved: true,
        })
    }

    /// Imports past charges, penalties, recalculations and payments of a house's accounts
    /// (periods before the first one computed in Ключ, at most three years back). Every row is
    /// a ledger entry with a key made of its content, so loading the same file again records
    /// nothing twice. All or nothing, like `import_accounts`.
    pub async fn import_history(
        &self,
        actor: i64,
        house_id: i64,
        bytes: &[u8],
        today: NaiveDate,
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        use crate::billing::import::check_history;
        let table = crate::sheet::read_table(bytes).map_err(AppError::invalid)?;
        let (lines, mut errors) = check_history(&table, today);
        let context = self.import_context(house_id).await?;
        let mut rows_ok = Vec::new();
        let mut repeats: HashMap<String, usize> = HashMap::new();
        for l in &lines {
            let mut problems = Vec::new();
            let account = match context.accounts.get(&l.account) {
                Some((id, house, _)) if *house == house_id => Some(*id),
                _ => {
                    problems.push(format!(
                        "лицевого счёта {} в этом доме нет — сначала загрузите счета",
                        l.account
                    ));
                    None
                }
            };
            let service = match &l.service {
                None => None,
                Some(name) => match context.services.get(&name.to_lowercase()) {
                    Some(id) => Some(*id),
                    None => {
                        problems.push(format!("услуги «{name}» в этом доме нет"));
                        None
                    }
                },
            };
            if let Some(first) = context.first_posted
                && l.period >= first
            {
                problems.push(format!(
                    "с {} начисления ведутся в Ключе — загружается история до этого месяца",
                    first.label()
                ));
            }
            match account {
                Some(account_id) if problems.is_empty() => {
                    let key = l.source_key(0);
                    let repeat = repeats.entry(key).or_default();
                    rows_ok.push((account_id, service, l, l.source_key(*repeat)));
                    *repeat += 1;
                }
                _ => errors.push(format!("Строка {}: {}.", l.line, problems.join("; "))),
            }
        }
        crate::sheet::sort_by_line(&mut errors);
        let total = |kind: LedgerKind| -> (usize, Money) {
            let of_kind = rows_ok.iter().filter(|r| r.2.kind == kind);
            (of_kind.clone().count(), of_kind.map(|r| r.2.amount).sum())
        };
        let mut notes = Vec::new();
        for kind in [
            LedgerKind::Charge,
            LedgerKind::Penalty,
            LedgerKind::Correction,
            LedgerKind::Payment,
        ] {
            let (count, sum) = total(kind);
            if count > 0 {
                let sum = if kind == LedgerKind::Payment {
                    -sum
                } else {
                    sum
                };
                notes.push(format!("{}: {count} на {}", kind.label(), sum.label()));
            }
        }
        if let (Some(from), Some(to)) = (
            rows_ok.iter().map(|r| r.2.period).min(),
            rows_ok.iter().map(|r| r.2.period).max(),
        ) {
            notes.push(format!("Периоды: с {} по {}.", from.label(), to.label()));
        }
        let rows = crate::sheet::data_rows(&table);
        if !commit || !errors.is_empty() || rows_ok.is_empty() {
            return Ok(ImportReport {
                rows,
                errors,
                notes,
                saved: false,
            });
        }
        let now = Utc::now();
        let written = write_tx!(self, "import history", |tx| {
            let mut written = 0;
            for chunk in rows_ok.chunks(INSERT_ROWS) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO ledger (account_id, period, kind, service_id, amount, occurred_on,
                         reason, source_key, created_by, created_at) ",
                );
                q.push_values(chunk, |mut b, (account_id, service, l, key)| {
                    b.push_bind(*account_id)
                        .push_bind(l.period.to_string())
                        .push_bind(l.kind)
                        .push_bind(*service)
                        .push_bind(l.amount.0)
                        .push_bind(l.on)
                        .push_bind(format!("Из истории: {}", l.kind.label()))
                        .push_bind(key)
                        .push_bind(actor)
                        .push_bind(now);
                });
                q.push(" ON CONFLICT (source_key) DO NOTHING");
                written += q.build().execute(&mut *tx).await?.rows_affected() as usize;
            }
            audit!(
                &mut *tx,
                Some(actor),
                "import_history",
                "house",
                Some(house_id),
                format!("{written} of {} entries", rows_ok.len())
            )?;
            Ok(written)
        })?;
        notes.push(if written == rows_ok.len() {
            format!("Записано в книгу расчётов: {written}.")
        } else {
            format!(
                "Записано в книгу расчётов: {written}; {} уже были загружены раньше — пропущены.",
                rows_ok.len() - written
            )
        });
        Ok(ImportReport {
            rows,
            errors,
            notes,
            saved: true,
        })
    }
}
