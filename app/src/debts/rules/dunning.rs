//! Pure rules of dunning scenarios: which step an account's debt episode is due for today,
//! whether a person may get one more SMS, quiet hours, and the deterministic hold-out. No I/O.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::billing::types::Money;
use crate::debts::types::{MAILING_KINDS, ScenarioForm};
use crate::notify::types::{Channel, NoticeKind};

/// The most steps a scenario has.
pub const MAX_STEPS: usize = 5;
/// The largest hold-out share, percent.
pub const MAX_HOLDOUT: u8 = 50;

/// A scenario the accountant cannot save, in their words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("Назовите сценарий.")]
    NoName,
    #[error("Название сценария длиннее 100 знаков.")]
    NameTooLong,
    #[error("Добавьте хотя бы один шаг.")]
    NoSteps,
    #[error("Шагов не больше {MAX_STEPS}.")]
    TooManySteps,
    #[error("Шаг {0}: выберите хотя бы один канал.")]
    NoChannel(usize),
    #[error("Шаг {0}: число дней — целое число от 0 до 1095.")]
    BadDays(usize),
    #[error("Шаг {0}: сумма — число рублей не меньше нуля, например 1000.")]
    BadAmount(usize),
    #[error("Шаг {0}: выберите шаблон из списка.")]
    BadTemplate(usize),
    #[error("Шаг {0} должен наступать позже предыдущего: шаги идут по нарастающей.")]
    NotAscending(usize),
    #[error("Контрольная группа — от 0 до {MAX_HOLDOUT} %.")]
    BadHoldout,
    #[error("Такого дома в списке нет — обновите страницу.")]
    BadHouse,
}

/// Contact limits the accountant cannot save.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    #[error("Число SMS — целое число от 0 до 100.")]
    BadCount,
    #[error("Время — часы и минуты, например 20:00.")]
    BadTime,
    #[error("SMS за неделю не может быть меньше, чем за день, а за месяц — меньше, чем за неделю.")]
    NotNested,
}

/// The typed limits: SMS per day, week and month, quiet hours from and to.
pub fn parse_limits(
    day: &str,
    week: &str,
    month: &str,
    from: &str,
    to: &str,
) -> Result<ContactLimits, LimitsError> {
    let count = |t: &str| {
        t.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 100)
            .ok_or(LimitsError::BadCount)
    };
    let time =
        |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| LimitsError::BadTime);
    let limits = ContactLimits {
        sms_per_day: count(day)?,
        sms_per_week: count(week)?,
        sms_per_month: count(month)?,
        quiet_from: time(from)?,
        quiet_to: time(to)?,
    };
    if limits.sms_per_week < limits.sms_per_day || limits.sms_per_month < limits.sms_per_week {
        return Err(LimitsError::NotNested);
    }
    Ok(limits)
}

/// A scenario ready to be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewScenario {
    pub name: String,
    pub house_id: Option<i64>,
    pub restart_on_partial: bool,
    pub holdout_percent: u8,
    /// In order; `id` is 0 until saved.
    pub steps: Vec<Step>,
}

/// The typed form as a scenario: rows with nothing typed are dropped, every step needs a
/// channel, its template and days later than the step before.
pub fn parse_scenario_form(form: &ScenarioForm) -> Result<NewScenario, ScenarioError> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(ScenarioError::NoName);
    }
    if name.chars().count() > 100 {
        return Err(ScenarioError::NameTooLong);
    }
    let house_id = match form.house.trim() {
        "" => None,
        h => Some(h.parse().map_err(|_| ScenarioError::BadHouse)?),
    };
    let holdout_percent = match form.holdout.trim() {
        "" => 0,
        h => h
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= MAX_HOLDOUT)
            .ok_or(ScenarioError::BadHoldout)?,
    };
    let typed: Vec<_> = form
        .steps
        .iter()
        .filter(|s| !s.days.trim().is_empty() || !s.min_overdue.trim().is_empty())
        .collect();
    if typed.is_empty() {
        return Err(ScenarioError::NoSteps);
    }
    if typed.len() > MAX_STEPS {
        return Err(ScenarioError::TooManySteps);
    }
    let mut steps: Vec<Step> = Vec::with_capacity(typed.len());
    for (i, row) in typed.into_iter().enumerate() {
        let n = i + 1;
        let days_after_due = row
            .days
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= 1095)
            .ok_or(ScenarioError::BadDays(n))?;
        let min_overdue = match row.min_overdue.trim() {
            "" => Money::ZERO,
            a => Money::parse(a)
                .filter(|m| m.0 >= 0)
                .ok_or(ScenarioError::BadAmount(n))?,
        };
        let kind = NoticeKind::parse(&row.kind)
            .filter(|k| MAILING_KINDS.contains(k))
            .ok_or(ScenarioError::BadTemplate(n))?;
        let channels: Vec<Channel> = [
            (Channel::Email, &row.email),
            (Channel::Sms, &row.sms),
            (Channel::Push, &row.push),
        ]
        .into_iter()
        .filter(|(_, on)| on.is_some())
        .map(|(c, _)| c)
        .collect();
        if channels.is_empty() {
            return Err(ScenarioError::NoChannel(n));
        }
        if steps
            .last()
            .is_some_and(|before| before.days_after_due >= days_after_due)
        {
            return Err(ScenarioError::NotAscending(n));
        }
        steps.push(Step {
            id: 0,
            days_after_due,
            min_overdue,
            kind,
            channels,
        });
    }
    Ok(NewScenario {
        name: name.to_string(),
        house_id,
        restart_on_partial: form.restart.is_some(),
        holdout_percent,
        steps,
    })
}

/// One step of a scenario: "N days after the due date, if the debt is over X: send T on C".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: i64,
    pub days_after_due: u32,
    pub min_overdue: Money,
    pub kind: NoticeKind,
    pub channels: Vec<Channel>,
}

/// What the sweep knows of one account's debt episode under one scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    /// The due date of the oldest month owed when the episode began.
    pub opened_on: NaiveDate,
    /// The last payment since the episode began, if any.
    pub last_payment: Option<NaiveDate>,
    /// Steps already taken in this episode (sent, held out or nobody to reach).
    pub done: Vec<i64>,
    /// The day of the last step taken.
    pub last_step_on: Option<NaiveDate>,
    pub overdue: Money,
}

/// The day the steps' days count from: the episode's due date, or the last partial payment
/// after it when the scenario restarts the clock on one.
pub fn clock_start(episode: &Episode, restart_on_partial: bool) -> NaiveDate {
    match episode.last_payment {
        Some(paid) if restart_on_partial && paid > episode.opened_on => paid,
        _ => episode.opened_on,
    }
}

/// The step due today, if any: steps escalate in order, so only the first one not yet taken in
/// this episode is considered; it is due once its days have passed since the clock start and
/// the overdue debt reaches its amount — and at most one step a day (a sweep that missed days
/// catches up a step a day, never several messages at once). Nothing is due without an overdue
/// debt.
pub fn due_step<'a>(
    steps: &'a [Step],
    episode: &Episode,
    restart_on_partial: bool,
    today: NaiveDate,
) -> Option<&'a Step> {
    if episode.overdue.0 <= 0 || episode.last_step_on == Some(today) {
        return None;
    }
    let next = steps.iter().find(|s| !episode.done.contains(&s.id))?;
    let since = clock_start(episode, restart_on_partial);
    let days = (today - since).num_days();
    (days >= i64::from(next.days_after_due) && episode.overdue >= next.min_overdue).then_some(next)
}

/// How many messages a person may get, and when not to send them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactLimits {
    pub sms_per_day: u32,
    pub sms_per_week: u32,
    pub sms_per_month: u32,
    /// Nothing goes out from `quiet_from` to `quiet_to` (house time, over midnight).
    pub quiet_from: NaiveTime,
    pub quiet_to: NaiveTime,
}

impl Default for ContactLimits {
    fn default() -> Self {
        ContactLimits {
            sms_per_day: 1,
            sms_per_week: 2,
            sms_per_month: 8,
            quiet_from: NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default(),
            quiet_to: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        }
    }
}

impl ContactLimits {
    /// Whether `time` (house time) is inside the quiet hours.
    pub fn is_quiet(&self, time: NaiveTime) -> bool {
        if self.quiet_from <= self.quiet_to {
            time >= self.quiet_from && time < self.quiet_to
        } else {
            time >= self.quiet_from || time < self.quiet_to
        }
    }

    /// Whether one more SMS may go to a person who got debt SMS at `sent` (any order): at most
    /// so many in the last day, week (7 days) and month (30 days).
    pub fn sms_allowed(&self, sent: &[DateTime<Utc>], now: DateTime<Utc>) -> bool {
        let within = |days: i64| {
            sent.iter()
                .filter(|t| **t > now - Duration::days(days))
                .count()
        };
        within(1) < self.sms_per_day as usize
            && within(7) < self.sms_per_week as usize
            && within(30) < self.sms_per_month as usize
    }
}

/// Whether an account is in a scenario's hold-out group (gets nothing, so the effect can be
/// measured against it): the same answer every time for the same scenario and account.
pub fn held_out(scenario: i64, account: i64, percent: u8) -> bool {
    // splitmix64: spreads neighbouring ids evenly over 0..100
    let mut z = (scenario as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(account as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % 100) < u64::from(percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn steps() -> Vec<Step> {
        [
            (1, 5, 0, NoticeKind::DebtReminder),
            (2, 20, 100_000, NoticeKind::DebtSecondReminder),
            (3, 45, 300_000, NoticeKind::DebtWarning),
        ]
        .into_iter()
        .map(|(id, days, min, kind)| Step {
            id,
            days_after_due: days,
            min_overdue: Money(min),
            kind,
            channels: vec![Channel::Email],
        })
        .collect()
    }

    #[test]
    fn steps_escalate_once_each_in_order() {
        let steps = steps();
        let mut episode = Episode {
            opened_on: day("2026-11-15"),
            last_payment: None,
            done: vec![],
            last_step_on: None,
            overdue: Money(500_000),
        };
        let due = |e: &Episode, today: &str| due_step(&steps, e, false, day(today)).map(|s| s.id);
        assert_eq!(due(&episode, "2026-11-19"), None);
        assert_eq!(due(&episode, "2026-11-20"), Some(1));
        // taken: never again in this episode; the next waits for its own day
        episode.done.push(1);
        episode.last_step_on = Some(day("2026-11-20"));
        assert_eq!(due(&episode, "2026-11-20"), None);
        assert_eq!(due(&episode, "2026-12-05"), Some(2));
        // a sweep that missed days sends the next step only, not a jump to the last
        assert_eq!(due(&episode, "2027-02-01"), Some(2));
        // and never two steps on one day
        episode.done.push(2);
        episode.last_step_on = Some(day("2027-02-01"));
        assert_eq!(due(&episode, "2027-02-01"), None);
        assert_eq!(due(&episode, "2027-02-02"), Some(3));
        episode.last_step_on = None;
        assert_eq!(due(&episode, "2026-12-29"), None);
        assert_eq!(due(&episode, "2026-12-30"), Some(3));
        episode.done.push(3);
        assert_eq!(due(&episode, "2027-06-01"), None);
    }

    #[test]
    fn a_small_or_cleared_debt_gets_no_step() {
        let steps = steps();
        let mut episode = Episode {
            opened_on: day("2026-11-15"),
            last_payment: None,
            done: vec![1],
            last_step_on: None,
            overdue: Money(99_999),
        };
        assert_eq!(due_step(&steps, &episode, false, day("2026-12-31")), None);
        episode.overdue = Money(100_000);
        assert_eq!(
            due_step(&steps, &episode, false, day("2026-12-31")).map(|s| s.id),
            Some(2)
        );
        episode.overdue = Money::ZERO;
        episode.done.clear();
        assert_eq!(due_step(&steps, &episode, false, day("2026-12-31")), None);
    }

    #[test]
    fn a_partial_payment_restarts_the_clock_only_when_the_scenario_says_so() {
        let steps = steps();
        let episode = Episode {
            opened_on: day("2026-11-15"),
            last_payment: Some(day("2026-12-01")),
            done: vec![1],
            last_step_on: None,
            overdue: Money(200_000),
        };
        assert_eq!(clock_start(&episode, false), day("2026-11-15"));
        assert_eq!(clock_start(&episode, true), day("2026-12-01"));
        // step 2: 20 days after 15.11 = 05.12; after the payment on 01.12 = 21.12
        assert_eq!(
            due_step(&steps, &episode, false, day("2026-12-05")).map(|s| s.id),
            Some(2)
        );
        assert_eq!(due_step(&steps, &episode, true, day("2026-12-05")), None);
        assert_eq!(
            due_step(&steps, &episode, true, day("2026-12-21")).map(|s| s.id),
            Some(2)
        );
        // a payment before the episode began does not move it
        let earlier = Episode {
            last_payment: Some(day("2026-11-01")),
            ..episode
        };
        assert_eq!(clock_start(&earlier, true), day("2026-11-15"));
    }

    #[test]
    fn contact_limits_over_a_week_of_sends() {
        let limits = ContactLimits::default();
        let at = |s: &str| -> DateTime<Utc> { format!("{s}:00Z").parse().unwrap() };
        let now = at("2026-12-08T10:00");
        assert!(limits.sms_allowed(&[], now));
        // one today: no second today
        assert!(!limits.sms_allowed(&[at("2026-12-08T09:30")], now));
        // one yesterday (more than 24 hours ago): one more is fine
        assert!(limits.sms_allowed(&[at("2026-12-07T09:59")], now));
        // two this week: the third waits for the week to pass
        let week = [at("2026-12-03T10:00"), at("2026-12-06T10:00")];
        assert!(!limits.sms_allowed(&week, now));
        assert!(limits.sms_allowed(&week, at("2026-12-10T10:01")));
        // eight in thirty days, spread so the day and week allow: the month does not
        let month: Vec<DateTime<Utc>> = (0..8)
            .map(|i| at("2026-11-10T10:00") + Duration::days(i * 3))
            .collect();
        let limits = ContactLimits {
            sms_per_week: 10,
            ..limits
        };
        assert!(!limits.sms_allowed(&month, at("2026-12-05T10:00")));
        assert!(limits.sms_allowed(&month, at("2026-12-10T10:01")));
    }

    #[test]
    fn limits_are_typed_whole_and_nested() {
        let limits = parse_limits("1", "2", "8", "20:00", "09:00").unwrap();
        assert_eq!(limits, ContactLimits::default());
        assert_eq!(
            parse_limits("x", "2", "8", "20:00", "09:00"),
            Err(LimitsError::BadCount)
        );
        assert_eq!(
            parse_limits("1", "2", "8", "25:00", "09:00"),
            Err(LimitsError::BadTime)
        );
        assert_eq!(
            parse_limits("3", "2", "8", "20:00", "09:00"),
            Err(LimitsError::NotNested)
        );
        assert_eq!(
            parse_limits("1", "9", "8", "20:00", "09:00"),
            Err(LimitsError::NotNested)
        );
    }

    #[test]
    fn quiet_hours_run_over_midnight() {
        let limits = ContactLimits::default();
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        for (time, quiet) in [
            ("08:59", true),
            ("09:00", false),
            ("13:00", false),
            ("19:59", false),
            ("20:00", true),
            ("23:30", true),
            ("00:00", true),
        ] {
            assert_eq!(limits.is_quiet(t(time)), quiet, "{time}");
        }
        let daytime = ContactLimits {
            quiet_from: t("13:00"),
            quiet_to: t("14:00"),
            ..limits
        };
        assert!(daytime.is_quiet(t("13:30")));
        assert!(!daytime.is_quiet(t("14:00")));
    }

    fn row(days: &str, min: &str, kind: &str, channels: &[&str]) -> crate::debts::types::StepForm {
        let on = |c: &str| channels.contains(&c).then(|| "on".to_string());
        crate::debts::types::StepForm {
            days: days.into(),
            min_overdue: min.into(),
            kind: kind.into(),
            email: on("email"),
            sms: on("sms"),
            push: on("push"),
        }
    }

    #[test]
    fn the_scenario_form_is_checked_step_by_step() {
        let form = ScenarioForm {
            name: " Мягкий ".into(),
            house: "".into(),
            restart: Some("on".into()),
            holdout: "10".into(),
            steps: vec![
                row("5", "", "debt_reminder", &["email", "push"]),
                row("", "", "debt_reminder", &[]),
                row("20", "1000", "debt_warning", &["sms"]),
            ],
        };
        let scenario = parse_scenario_form(&form).unwrap();
        assert_eq!(scenario.name, "Мягкий");
        assert!(scenario.restart_on_partial);
        assert_eq!(scenario.holdout_percent, 10);
        assert_eq!(scenario.steps.len(), 2);
        assert_eq!(scenario.steps[1].min_overdue, Money(100_000));
        assert_eq!(scenario.steps[1].channels, vec![Channel::Sms]);
        let bad = |change: fn(&mut ScenarioForm), error: ScenarioError| {
            let mut f = form.clone();
            change(&mut f);
            assert_eq!(parse_scenario_form(&f), Err(error));
        };
        bad(|f| f.name = " ".into(), ScenarioError::NoName);
        bad(|f| f.steps.truncate(0), ScenarioError::NoSteps);
        bad(|f| f.steps[2].sms = None, ScenarioError::NoChannel(2));
        bad(
            |f| f.steps[2].days = "5".into(),
            ScenarioError::NotAscending(2),
        );
        bad(
            |f| f.steps[2].days = "три".into(),
            ScenarioError::BadDays(2),
        );
        bad(
            |f| f.steps[2].min_overdue = "-1".into(),
            ScenarioError::BadAmount(2),
        );
        bad(
            |f| f.steps[0].kind = "bill_ready".into(),
            ScenarioError::BadTemplate(1),
        );
        bad(|f| f.holdout = "51".into(), ScenarioError::BadHoldout);
        bad(|f| f.house = "x".into(), ScenarioError::BadHouse);
        bad(
            |f| {
                f.steps = (1..=6)
                    .map(|d| row(&d.to_string(), "", "debt_reminder", &["email"]))
                    .collect()
            },
            ScenarioError::TooManySteps,
        );
    }

    #[test]
    fn the_hold_out_is_stable_and_near_its_share() {
        let held = (1..=10_000).filter(|a| held_out(3, *a, 10)).count();
        assert!((900..=1100).contains(&held), "{held}");
        assert!((1..=10_000).all(|a| held_out(3, a, 10) == held_out(3, a, 10)));
        assert!(!(1..=1000).any(|a| held_out(3, a, 0)));
        assert!((1..=1000).all(|a| held_out(3, a, 100)));
    }
}
