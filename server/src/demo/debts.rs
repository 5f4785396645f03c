//! The demo's work with debtors: two saved segments; on the largest debt but zhitel's a call
//! that ended in a promise to pay; two dunning scenarios switched on, swept once (today at noon).

use chrono::{Duration, NaiveDate};

use app::db::Store;
use app::debts::rules::dunning::{NewScenario, Step};
use app::debts::types::{Addressees, AgeBucket, CallOutcome, ContactKind, SegmentFilter};
use app::error::AppError;
use app::money::Money;
use app::notify::types::{Channel, NoticeKind};

use super::logins;

pub async fn load(store: &Store, today: NaiveDate) -> Result<(), AppError> {
    let accountant = store
        .credentials(logins::ACCOUNTANT)
        .await?
        .ok_or(AppError::Internal)?
        .id;
    store
        .save_segment(
            accountant,
            "Просрочка больше 30 дней",
            &SegmentFilter {
                min_age: AgeBucket::Days31To90,
                ..SegmentFilter::default()
            },
        )
        .await?;
    store
        .save_segment(
            accountant,
            "Больше трёх месяцев — собственникам",
            &SegmentFilter {
                min_months: Some(3),
                addressees: Some(Addressees::Owners),
                ..SegmentFilter::default()
            },
        )
        .await?;
    let receivables = store.receivables(None, today).await?;
    let Some(debtor) = receivables.debtors.iter().find(|d| d.number != "77010012") else {
        return Ok(());
    };
    store
        .log_contact(
            accountant,
            debtor.account_id,
            ContactKind::Call,
            Some(CallOutcome::Promised),
            "Обещали оплатить половину с зарплаты, остальное — в следующем месяце.",
        )
        .await?;
    store
        .record_promise(
            accountant,
            debtor.account_id,
            Money(debtor.overdue().0 / 2),
            today + Duration::days(10),
            "Половина долга",
            today,
        )
        .await?;
    let step = |days, min, kind, channels: &[Channel]| Step {
        id: 0,
        days_after_due: days,
        min_overdue: Money(min),
        kind,
        channels: channels.to_vec(),
    };
    let scenarios = [
        NewScenario {
            name: "Мягкий: напоминание, повтор, предупреждение".into(),
            house_id: None,
            restart_on_partial: true,
            holdout_percent: 10,
            steps: vec![
                step(
                    5,
                    0,
                    NoticeKind::DebtReminder,
                    &[Channel::Email, Channel::Push],
                ),
                step(
                    20,
                    100_000,
                    NoticeKind::DebtSecondReminder,
                    &[Channel::Email, Channel::Sms, Channel::Push],
                ),
                step(45, 300_000, NoticeKind::DebtWarning, Channel::ALL),
            ],
        },
        NewScenario {
            name: "Крупные долги: сразу предупреждение".into(),
            house_id: None,
            restart_on_partial: false,
            holdout_percent: 0,
            steps: vec![step(90, 1_000_000, NoticeKind::DebtWarning, Channel::ALL)],
        },
    ];
    for scenario in &scenarios {
        let id = store.save_scenario(Some(accountant), scenario).await?;
        store
            .set_scenario_enabled(Some(accountant), id, true)
            .await?;
    }
    let noon = today.and_hms_opt(12, 0, 0).ok_or(AppError::Internal)?;
    store.debt_sweep(app::clock::from_local(noon)).await?;
    Ok(())
}
