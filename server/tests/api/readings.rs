//! Meter readings on SQLite and PostgreSQL: the window in the house's time zone and both modes,
//! every server-side check (all or nothing), ownership, replacement, the volume billing takes
//! (reading → average → norm → recalculation), closed periods, reminders and the import.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::common::{Backend, TestApp, TestDb, error_of, path, register_store, text};
use app::clock;
use app::db::Store;
use app::error::AppError;
use app::readings::store::{Submitter, VolumeScope};
use app::readings::types::NewMeter;
use app::readings::types::{Period, Source, Utility, VolumeSource, WindowSettings};
use reqwest::StatusCode;
use server::demo::logins;

/// A Moscow wall-clock moment.
fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    clock::from_local(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn p(y: i32, m: u32) -> Period {
    Period { year: y, month: m }
}

/// The demo register (no demo meters): house 1 flat 12 is zhitel's, flat 13 the neighbour's.
struct Fixture {
    db: TestDb,
    store: Store,
    house: i64,
    zhitel_flat: i64,
    sosed_flat: i64,
    zhitel: i64,
    sosed: i64,
    accountant: i64,
}

async fn fixture(backend: Backend) -> Option<Fixture> {
    let (db, store) = register_store(backend).await?;
    let house = store
        .houses()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.address.contains("Серебряная, д. 1"))
        .unwrap()
        .id;
    let flats = store.house_apartments(house).await.unwrap();
    let flat = |n: &str| flats.iter().find(|f| f.1 == n).unwrap().0;
    let id = |login: &'static str| {
        let store = store.clone();
        async move { store.credentials(login).await.unwrap().unwrap().id }
    };
    Some(Fixture {
        zhitel_flat: flat("12"),
        sosed_flat: flat("13"),
        zhitel: id(logins::RESIDENT).await,
        sosed: id(logins::NEIGHBOUR).await,
        accountant: id(logins::ACCOUNTANT).await,
        house,
        store,
        db,
    })
}

impl Fixture {
    async fn meter(
        &self,
        flat: i64,
        utility: Utility,
        serial: &str,
        zones: u8,
        installed: NaiveDate,
    ) -> i64 {
        self.store
            .add_meter(
                self.accountant,
                &NewMeter {
                    house_id: self.house,
                    apartment_id: Some(flat),
                    resource: utility,
                    serial: serial.into(),
                    zones,
                    place: "кухня".into(),
                    installed_on: installed,
                    verified_until: day(2032, 1, 1),
                    seal: String::new(),
                    initial: vec![Decimal::ZERO; zones as usize],
                },
                Source::Staff,
            )
            .await
            .unwrap()
    }

    fn resident(&self, user: i64) -> Submitter {
        Submitter {
            user_id: user,
            source: Source::Cabinet,
            staff: false,
            taken_on: None,
        }
    }

    fn staff(&self, taken_on: NaiveDate) -> Submitter {
        Submitter {
            user_id: self.accountant,
            source: Source::Staff,
            staff: true,
            taken_on: Some(taken_on),
        }
    }

    async fn window(&self, first: u32, last: u32, strict: bool, tz: &str) {
        let s = WindowSettings {
            first_day: first,
            last_day: last,
            strict,
            time_zone: tz.into(),
        };
        self.store
            .save_reading_settings(self.accountant, self.house, &s)
            .await
            .unwrap();
    }

    async fn count(&self, sql: &str) -> i64 {
        app::with_db!(&self.store.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await)
        .unwrap()
    }

    /// Sets a verification date directly (as if the meter had aged).
    async fn verified_until(&self, meter: i64, until: NaiveDate) {
        app::with_db!(&self.store.db, |pool| sqlx::query(
            "UPDATE meters SET verified_until = $1 WHERE id = $2"
        )
        .bind(until)
        .bind(meter)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }

    async fn done(self) {
        self.store.db.close().await;
        self.db.drop().await;
    }
}

fn invalid(r: Result<impl std::fmt::Debug, AppError>) -> String {
    match r {
        Err(AppError::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

both_backends!(
    the_window_follows_the_house_time_zone_and_its_mode,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let cold = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "W-1",
                1,
                day(2026, 1, 10),
            )
            .await;
        let me = f.resident(f.zhitel);
        // default window 20–25, strict, Moscow: 19th 23:59 is closed, the 20th 00:30 open
        let refused = invalid(
            f.store
                .submit_readings(me, &[(cold, vec![dec("10")])], msk(2026, 11, 19, 23, 59))
                .await,
        );
        assert!(refused.contains("откроется 20.11.2026"), "{refused}");
        let ok = f
            .store
            .submit_readings(me, &[(cold, vec![dec("10")])], msk(2026, 11, 20, 0, 30))
            .await
            .unwrap();
        assert_eq!((ok.saved, ok.period), (1, Some(p(2026, 11))));
        // Vladivostok is 7 hours ahead: 25th 18:00 in Moscow is already the 26th there
        f.window(20, 25, true, "Asia/Vladivostok").await;
        let refused = invalid(
            f.store
                .submit_readings(me, &[(cold, vec![dec("11")])], msk(2026, 11, 25, 18, 0))
                .await,
        );
        assert!(refused.contains("откроется 20.12.2026"), "{refused}");
        // …and the 20th begins there while Moscow still has the 19th
        let ok = f
            .store
            .submit_readings(me, &[(cold, vec![dec("12")])], msk(2026, 12, 19, 18, 0))
            .await
            .unwrap();
        assert_eq!(ok.period, Some(p(2026, 12)));
        // soft mode across the year end: late readings count for January
        f.window(20, 25, false, "Europe/Moscow").await;
        let late = f
            .store
            .submit_readings(me, &[(cold, vec![dec("13")])], msk(2026, 12, 31, 23, 30))
            .await
            .unwrap();
        assert_eq!(late.period, Some(p(2027, 1)));
        // a window to the month end follows February's length
        f.window(25, 31, true, "Europe/Moscow").await;
        let feb = f
            .store
            .submit_readings(me, &[(cold, vec![dec("14")])], msk(2027, 2, 28, 12, 0))
            .await
            .unwrap();
        assert_eq!(feb.period, Some(p(2027, 2)));
        let refused = invalid(
            f.store
                .submit_readings(me, &[(cold, vec![dec("15")])], msk(2027, 3, 1, 12, 0))
                .await,
        );
        assert!(refused.contains("25.03.2027"), "{refused}");
        // staff entering outside a strict window put the value in the coming period
        let staff = f
            .store
            .submit_readings(
                f.staff(day(2027, 3, 1)),
                &[(cold, vec![dec("15")])],
                msk(2027, 3, 1, 12, 0),
            )
            .await
            .unwrap();
        assert_eq!(staff.period, Some(p(2027, 3)));
        assert_eq!(
            f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'enter_reading'")
                .await,
            1
        );
        f.done().await;
    }
);

both_backends!(
    every_check_runs_on_the_server_and_a_submission_is_all_or_nothing,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let cold = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "W-1",
                1,
                day(2025, 12, 10),
            )
            .await;
        let power = f
            .meter(
                f.zhitel_flat,
                Utility::Electricity,
                "E-1",
                2,
                day(2025, 12, 10),
            )
            .await;
        let me = f.resident(f.zhitel);
        for m in 1..=6 {
            let at = msk(2026, m, 21, 12, 0);
            f.store
                .submit_readings(
                    me,
                    &[
                        (cold, vec![Decimal::from(5 * m)]),
                        (power, vec![Decimal::from(100 * m), Decimal::from(40 * m)]),
                    ],
                    at,
                )
                .await
                .unwrap();
        }
        let at = msk(2026, 7, 21, 12, 0);
        // one good and one bad meter: nothing is saved, the answer names the bad one
        let refused = invalid(
            f.store
                .submit_readings(
                    me,
                    &[
                        (cold, vec![dec("31")]),
                        (power, vec![dec("700"), dec("239.5")]),
                    ],
                    at,
                )
                .await,
        );
        assert!(
            refused.contains("Электроэнергия №E-1") && refused.contains("Ночь (Т2)"),
            "{refused}"
        );
        assert_eq!(
            f.count("SELECT COUNT(*) FROM readings WHERE period = '2026-07'")
                .await,
            0
        );
        // one value per zone
        let refused = invalid(
            f.store
                .submit_readings(me, &[(power, vec![dec("700")])], at)
                .await,
        );
        assert!(
            refused.contains("по одному на каждую тарифную зону"),
            "{refused}"
        );
        // far above the average (5 a month): accepted, flagged for staff with the reason
        let ok = f
            .store
            .submit_readings(me, &[(cold, vec![dec("60")])], at)
            .await
            .unwrap();
        assert_eq!((ok.saved, ok.flagged), (1, 1));
        let house = f
            .store
            .house_readings(f.house, Some(p(2026, 7)), at)
            .await
            .unwrap();
        assert_eq!(house.flagged.len(), 1);
        assert!(
            house.flagged[0].flag.contains("в 6 раза выше среднего"),
            "{}",
            house.flagged[0].flag
        );
        f.store
            .review_reading(f.accountant, house.flagged[0].reading_id, at)
            .await
            .unwrap();
        assert!(
            f.store
                .house_readings(f.house, Some(p(2026, 7)), at)
                .await
                .unwrap()
                .flagged
                .is_empty()
        );
        // a date in the future (staff) is refused
        let refused = invalid(
            f.store
                .submit_readings(
                    f.staff(day(2026, 7, 22)),
                    &[(power, vec![dec("700"), dec("280")])],
                    at,
                )
                .await,
        );
        assert!(refused.contains("в будущем"), "{refused}");
        // an expired verification is refused with what happens and how to fix it
        f.verified_until(power, day(2026, 7, 1)).await;
        let refused = invalid(
            f.store
                .submit_readings(me, &[(power, vec![dec("700"), dec("280")])], at)
                .await,
        );
        assert!(
            refused.contains("Срок поверки счётчика истёк 01.07.2026")
                && refused.contains("по среднему"),
            "{refused}"
        );
        // a meter taken off takes nothing
        f.store
            .replace_meter(
                f.accountant,
                cold,
                day(2026, 7, 22),
                &[dec("61")],
                None,
                day(2026, 7, 22),
            )
            .await
            .unwrap();
        let refused = invalid(
            f.store
                .submit_readings(me, &[(cold, vec![dec("62")])], msk(2026, 8, 21, 12, 0))
                .await,
        );
        assert!(refused.contains("снят с учёта"), "{refused}");
        f.done().await;
    }
);

both_backends!(
    a_resident_reaches_only_the_meters_of_their_own_home,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let theirs = f
            .meter(f.sosed_flat, Utility::ColdWater, "S-1", 1, day(2026, 1, 10))
            .await;
        let mine = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "Z-1",
                1,
                day(2026, 1, 10),
            )
            .await;
        let at = msk(2026, 11, 21, 12, 0);
        let r = f
            .store
            .submit_readings(
                f.resident(f.zhitel),
                &[(mine, vec![dec("1")]), (theirs, vec![dec("5")])],
                at,
            )
            .await;
        assert_eq!(r.unwrap_err(), AppError::Forbidden);
        assert_eq!(
            f.count("SELECT COUNT(*) FROM readings WHERE kind = 'regular'")
                .await,
            0
        );
        assert!(!f.store.user_reaches_meter(f.zhitel, theirs).await.unwrap());
        assert!(f.store.user_reaches_meter(f.sosed, theirs).await.unwrap());
        let screen = f.store.my_readings(f.zhitel, at).await.unwrap();
        let ids: Vec<i64> = screen
            .homes
            .iter()
            .flat_map(|h| h.meters.iter().map(|m| m.id))
            .collect();
        assert!(ids.contains(&mine) && !ids.contains(&theirs), "{ids:?}");
        f.done().await;
    }
);

both_backends!(
    the_volume_goes_from_average_to_norm_and_is_recalculated_when_readings_return,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        f.store
            .set_norm(
                None,
                f.house,
                Utility::ColdWater,
                day(2025, 1, 1),
                dec("6.935"),
                false,
            )
            .await
            .unwrap();
        let cold = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "W-1",
                1,
                day(2025, 12, 10),
            )
            .await;
        let me = f.resident(f.zhitel);
        for m in 1..=6 {
            f.store
                .submit_readings(
                    me,
                    &[(cold, vec![Decimal::from(6 * m)])],
                    msk(2026, m, 21, 12, 0),
                )
                .await
                .unwrap();
        }
        let volume = |period| {
            let store = f.store.clone();
            let flat = f.zhitel_flat;
            async move {
                store
                    .service_volume(flat, Utility::ColdWater, period)
                    .await
                    .unwrap()
            }
        };
        let june = volume(p(2026, 6)).await;
        assert_eq!((june.source, june.total), (VolumeSource::Reading, dec("6")));
        for m in 7..=9 {
            let v = volume(p(2026, m)).await;
            assert_eq!(
                (v.source, v.total),
                (VolumeSource::Average, dec("6")),
                "{m}: {}",
                v.explanation
            );
        }
        let october = volume(p(2026, 10)).await;
        assert_eq!(october.source, VolumeSource::Norm);
        // zhitel alone is registered in flat 12: 6,935 × 1
        assert_eq!(october.total, dec("6.935"));
        assert!(
            october.explanation.contains("6,935 м³ × 1 чел."),
            "{}",
            october.explanation
        );
        // November the reading comes back: 66 − 36 = 30 used, minus 3 × 6 + 6,935 charged
        f.store
            .submit_readings(me, &[(cold, vec![dec("66")])], msk(2026, 11, 21, 12, 0))
            .await
            .unwrap();
        let november = volume(p(2026, 11)).await;
        assert_eq!(
            (november.source, november.total),
            (VolumeSource::Reading, dec("5.065"))
        );
        assert!(
            november.explanation.contains("перерасчёт")
                && november
                    .explanation
                    .starts_with("Холодная вода №W-1: Показания 66,000 − 36,000"),
            "{}",
            november.explanation
        );
        // a flat without a meter of the service: the norm for the whole flat
        let hot = volume_for(&f.store, f.zhitel_flat, Utility::HotWater, p(2026, 11)).await;
        assert_eq!(hot.source, VolumeSource::Norm);
        // the accrual run's reads, of the whole house and of a step's flats, give every flat
        // exactly its own volume
        let resources = [Utility::ColdWater, Utility::HotWater];
        let all_flats: Vec<i64> = f
            .store
            .house_apartments(f.house)
            .await
            .unwrap()
            .iter()
            .map(|a| a.0)
            .collect();
        for period in [p(2026, 8), p(2026, 10), p(2026, 11)] {
            let house = f
                .store
                .volumes(VolumeScope::House(f.house), &resources, period)
                .await
                .unwrap()
                .resources;
            let step = f
                .store
                .volumes(
                    VolumeScope::Apartments(all_flats[1..].to_vec()),
                    &resources,
                    period,
                )
                .await
                .unwrap();
            assert_eq!(house.len(), 2);
            for u in resources {
                let mut house_flats = house[&u].apartments.clone();
                house_flats.remove(&all_flats[0]);
                assert_eq!(step.resources[&u].apartments, house_flats, "{u:?}");
                assert_eq!(
                    step.resources[&u].building, None,
                    "a step has no building meters"
                );
            }
            for u in resources {
                let flats = &house[&u].apartments;
                assert_eq!(
                    flats.len(),
                    f.store.house_apartments(f.house).await.unwrap().len()
                );
                for (flat, volume) in flats {
                    assert_eq!(
                        volume,
                        &volume_for(&f.store, *flat, u, period).await,
                        "{flat} {u:?}"
                    );
                }
            }
            let zhitel = &house[&Utility::ColdWater].apartments[&f.zhitel_flat];
            assert_eq!(zhitel, &volume(period).await);
        }
        f.done().await;
    }
);

async fn volume_for(
    store: &Store,
    flat: i64,
    u: Utility,
    period: Period,
) -> app::readings::types::ServiceVolume {
    store.service_volume(flat, u, period).await.unwrap()
}

both_backends!(
    a_replacement_keeps_the_history_and_counts_both_meters,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let old = f
            .meter(f.zhitel_flat, Utility::HotWater, "H-1", 1, day(2026, 1, 10))
            .await;
        let me = f.resident(f.zhitel);
        f.store
            .submit_readings(me, &[(old, vec![dec("10")])], msk(2026, 9, 21, 12, 0))
            .await
            .unwrap();
        let new_meter = NewMeter {
            house_id: f.house,
            apartment_id: Some(f.zhitel_flat),
            resource: Utility::HotWater,
            serial: "H-2".into(),
            zones: 1,
            place: "ванная".into(),
            installed_on: day(2026, 10, 5),
            verified_until: day(2032, 10, 5),
            seal: "П-1".into(),
            initial: vec![dec("0.5")],
        };
        // the final value cannot be below the last reading
        let refused = invalid(
            f.store
                .replace_meter(
                    f.accountant,
                    old,
                    day(2026, 10, 5),
                    &[dec("9")],
                    Some(&new_meter),
                    day(2026, 10, 5),
                )
                .await,
        );
        assert!(refused.contains("меньше предыдущего"), "{refused}");
        let new = f
            .store
            .replace_meter(
                f.accountant,
                old,
                day(2026, 10, 5),
                &[dec("12")],
                Some(&new_meter),
                day(2026, 10, 5),
            )
            .await
            .unwrap()
            .unwrap();
        f.store
            .submit_readings(me, &[(new, vec![dec("3.5")])], msk(2026, 10, 21, 12, 0))
            .await
            .unwrap();
        // October: 12 − 10 on the old meter and 3,5 − 0,5 on the new one
        let october = volume_for(&f.store, f.zhitel_flat, Utility::HotWater, p(2026, 10)).await;
        assert_eq!(october.total, dec("5"), "{}", october.explanation);
        let history = f
            .store
            .meter_history(old, msk(2026, 10, 21, 12, 0))
            .await
            .unwrap();
        assert_eq!(history.meter.archived_on, Some(day(2026, 10, 5)));
        assert!(history.readings.iter().any(|r| r.values == vec![dec("12")]));
        assert_eq!(
            f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'replace_meter'")
                .await,
            1
        );
        f.done().await;
    }
);

both_backends!(
    a_closed_period_is_final_and_its_corrections_are_recalculated_later,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let cold = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "W-1",
                1,
                day(2026, 8, 10),
            )
            .await;
        let me = f.resident(f.zhitel);
        f.store
            .submit_readings(me, &[(cold, vec![dec("5")])], msk(2026, 9, 21, 12, 0))
            .await
            .unwrap();
        f.store
            .submit_readings(me, &[(cold, vec![dec("10")])], msk(2026, 10, 21, 12, 0))
            .await
            .unwrap();
        // not before the window ends
        let early = invalid(
            f.store
                .close_reading_period(f.accountant, f.house, p(2026, 10), msk(2026, 10, 24, 12, 0))
                .await,
        );
        assert!(early.contains("ещё не закончилось"), "{early}");
        f.store
            .close_reading_period(f.accountant, f.house, p(2026, 10), msk(2026, 10, 27, 12, 0))
            .await
            .unwrap();
        // nothing more goes into a closed period (soft mode would have put it there… it is refused)
        f.window(1, 31, true, "Europe/Moscow").await;
        let refused = invalid(
            f.store
                .submit_readings(me, &[(cold, vec![dec("11")])], msk(2026, 10, 28, 12, 0))
                .await,
        );
        assert!(refused.contains("закрыты"), "{refused}");
        f.window(20, 25, true, "Europe/Moscow").await;
        f.store
            .submit_readings(me, &[(cold, vec![dec("16")])], msk(2026, 11, 21, 12, 0))
            .await
            .unwrap();
        // October's value was misread: 10 → 12; October is closed, so November carries the change
        let readings = f
            .store
            .meter_history(cold, msk(2026, 11, 21, 12, 0))
            .await
            .unwrap()
            .readings;
        let october = readings
            .iter()
            .find(|r| r.period == p(2026, 10))
            .unwrap()
            .id;
        let short = invalid(
            f.store
                .correct_reading(
                    f.accountant,
                    october,
                    &[dec("12")],
                    "",
                    msk(2026, 11, 22, 9, 0),
                )
                .await,
        );
        assert!(short.contains("причину"), "{short}");
        let above = invalid(
            f.store
                .correct_reading(
                    f.accountant,
                    october,
                    &[dec("17")],
                    "опечатка в цифре",
                    msk(2026, 11, 22, 9, 0),
                )
                .await,
        );
        assert!(above.contains("больше следующего"), "{above}");
        let applied = f
            .store
            .correct_reading(
                f.accountant,
                october,
                &[dec("12")],
                "опечатка в цифре",
                msk(2026, 11, 22, 9, 0),
            )
            .await
            .unwrap();
        assert_eq!(applied, Some(p(2026, 11)));
        let november = volume_for(&f.store, f.zhitel_flat, Utility::ColdWater, p(2026, 11)).await;
        // November's own use is 16 − 12 = 4; October was billed 5 and really was 7: +2
        assert_eq!(november.total, dec("6"), "{}", november.explanation);
        assert!(
            november.explanation.contains("перерасчёт по исправленным"),
            "{}",
            november.explanation
        );
        assert_eq!(
            f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'correct_reading'")
                .await,
            1
        );
        // a reading of an open period is corrected in place, no recalculation
        let nov = f
            .store
            .meter_history(cold, msk(2026, 11, 22, 9, 0))
            .await
            .unwrap()
            .readings[0]
            .id;
        assert_eq!(
            f.store
                .correct_reading(
                    f.accountant,
                    nov,
                    &[dec("15")],
                    "перепутали цифры",
                    msk(2026, 11, 22, 9, 0)
                )
                .await
                .unwrap(),
            None
        );
        f.done().await;
    }
);

both_backends!(
    reminders_go_only_to_those_who_have_not_handed_in_and_never_twice,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let mine = f
            .meter(
                f.zhitel_flat,
                Utility::ColdWater,
                "Z-1",
                1,
                day(2026, 1, 10),
            )
            .await;
        let theirs = f
            .meter(f.sosed_flat, Utility::ColdWater, "S-1", 1, day(2026, 1, 10))
            .await;
        let reminders = "SELECT COUNT(*) FROM jobs WHERE kind = 'notify.fanout' AND payload LIKE '%ReadingsDue%'";
        // the neighbour hands in on the first morning
        f.store
            .submit_readings(
                f.resident(f.sosed),
                &[(theirs, vec![dec("3")])],
                msk(2026, 11, 20, 8, 0),
            )
            .await
            .unwrap();
        // not before 10:00 local time
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 20, 9, 30))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 20, 10, 30))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 20, 11, 30))
                .await
                .unwrap(),
            0,
            "not twice"
        );
        assert_eq!(f.count(reminders).await, 1);
        let payload: String = app::with_db!(&f.store.db, |pool| sqlx::query_scalar(
            "SELECT payload FROM jobs WHERE payload LIKE '%ReadingsDue%'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert!(
            payload.contains(&format!("\"User\":{}", f.zhitel)) && payload.contains("Z-1"),
            "{payload}"
        );
        // no reminder on an ordinary day; two days before the end, again to zhitel only
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 21, 12, 0))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 23, 12, 0))
                .await
                .unwrap(),
            1
        );
        // once zhitel has handed in, the last day reminds nobody
        f.store
            .submit_readings(
                f.resident(f.zhitel),
                &[(mine, vec![dec("4")])],
                msk(2026, 11, 24, 8, 0),
            )
            .await
            .unwrap();
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 25, 12, 0))
                .await
                .unwrap(),
            0
        );
        assert_eq!(f.count(reminders).await, 2);
        // a verification ending within 30 days reminds the owner, once
        f.verified_until(mine, day(2026, 12, 20)).await;
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 26, 12, 0))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            f.store
                .send_reading_reminders(msk(2026, 11, 27, 12, 0))
                .await
                .unwrap(),
            0
        );
        f.done().await;
    }
);

both_backends!(
    an_import_is_checked_row_by_row_and_loaded_all_or_nothing,
    |backend: Backend| async move {
        let Some(f) = fixture(backend).await else {
            return;
        };
        let bad = "квартира;ресурс;номер;зон;место;установлен;поверка до;пломба;начальное\n\
               1;ХВС;IM-1;1;кухня;10.01.2024;10.01.2030;П-1;12,5\n\
               999;ГВС;IM-2;1;;10.01.2024;10.01.2030;;\n\
               2;электроэнергия;IM-3;2;;2024-02-01;01.02.2032;;100/50\n";
        let report = f
            .store
            .import_meters(f.accountant, f.house, bad.as_bytes(), true)
            .await
            .unwrap();
        assert!(!report.saved);
        assert_eq!(
            report.errors,
            vec!["Строка 3: квартиры 999 в этом доме нет.".to_string()]
        );
        assert_eq!(
            f.count("SELECT COUNT(*) FROM meters").await,
            0,
            "nothing of a file with errors"
        );
        let good = bad.replace("999;", "3;");
        let preview = f
            .store
            .import_meters(f.accountant, f.house, good.as_bytes(), false)
            .await
            .unwrap();
        assert!(preview.errors.is_empty() && !preview.saved && preview.rows == 3);
        assert_eq!(
            f.count("SELECT COUNT(*) FROM meters").await,
            0,
            "a check writes nothing"
        );
        let report = f
            .store
            .import_meters(f.accountant, f.house, good.as_bytes(), true)
            .await
            .unwrap();
        assert!(report.saved);
        assert_eq!(f.count("SELECT COUNT(*) FROM meters").await, 3);
        assert_eq!(
            f.count("SELECT COUNT(*) FROM readings WHERE kind = 'initial' AND source = 'import'")
                .await,
            3
        );
        // the same file again: every row is already there, nothing is doubled
        let again = f
            .store
            .import_meters(f.accountant, f.house, good.as_bytes(), true)
            .await
            .unwrap();
        assert_eq!(again.errors.len(), 3);
        assert_eq!(f.count("SELECT COUNT(*) FROM meters").await, 3);
        f.done().await;
    }
);

both_backends!(
    the_worker_runs_the_reminder_sweep_and_schedules_the_next_one,
    |backend: Backend| async move {
        use app::db::jobs::Task;
        let Some(f) = fixture(backend).await else {
            return;
        };
        let settings = server::config::Settings::from_lookup(|_| None).unwrap();
        let senders = server::worker::Senders::from_settings(&f.store, &settings)
            .await
            .unwrap();
        let worker = server::worker::Worker::new(f.store.clone(), senders, "w1".into());
        let now = Utc::now();
        // ensured twice (two instances starting): one job
        f.store
            .ensure_recurring_job(&Task::ReadingReminders {}, now)
            .await
            .unwrap();
        f.store
            .ensure_recurring_job(&Task::ReadingReminders {}, now)
            .await
            .unwrap();
        let sweeps = "SELECT COUNT(*) FROM jobs WHERE kind = 'readings.reminders'";
        assert_eq!(f.count(sweeps).await, 1);
        assert_eq!(worker.clone().tick().await, 1);
        // handled (not failed for want of a handler) and queued again for the next hour
        let next: DateTime<Utc> = app::with_db!(&f.store.db, |pool| sqlx::query_scalar(
            "SELECT run_at FROM jobs WHERE kind = 'readings.reminders' AND status = 'queued'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert!(
            next > now && next <= now + chrono::Duration::hours(1),
            "{next}"
        );
        assert_eq!(f.count(sweeps).await, 1);
        f.done().await;
    }
);

// HTTP: the real server on a random port, driven like a browser would drive it.

both_backends!(
    readings_go_in_by_form_only_for_ones_own_meters,
    |backend: Backend| async move {
        use app::readings::api::*;
        use app::readings::types::{MeterHistory, MyReadings};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        // the accountant opens every house's window for the whole month (any test day)
        for house in app.store.houses().await.unwrap() {
            let id = house.id.to_string();
            let saved = app
                .call(
                    &accountant,
                    path::<SaveReadingWindow>(),
                    &[
                        ("house_id", &id),
                        ("first_day", "1"),
                        ("last_day", "31"),
                        ("mode", "strict"),
                        ("time_zone", "Europe/Moscow"),
                    ],
                )
                .await;
            assert_eq!(saved.status(), StatusCode::OK);
        }
        let (status, _) = error_of(
            app.call(
                &dispatcher,
                path::<SaveReadingWindow>(),
                &[
                    ("house_id", "1"),
                    ("first_day", "1"),
                    ("last_day", "31"),
                    ("mode", "soft"),
                    ("time_zone", "UTC"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let mine: MyReadings = app
            .call(&zhitel, path::<LoadMyReadings>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let theirs: MyReadings = app
            .call(&sosed, path::<LoadMyReadings>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let meter = mine.homes[0]
            .meters
            .iter()
            .find(|m| m.zones == 1 && m.verified_until > app::clock::today())
            .expect("a demo water meter")
            .clone();
        let their_meter = theirs.homes[0].meters[0].id;
        let next = meter
            .previous
            .as_ref()
            .map_or(rust_decimal::Decimal::ONE, |p| {
                p.values[0] + rust_decimal::Decimal::ONE
            });
        let field = format!("v[m{}.1]", meter.id);
        let value = next.to_string().replace('.', ",");

        // a form posted without JavaScript: saved, and the browser is sent back to the page
        let plain = zhitel
            .post(format!("{}{}", app.base, path::<SubmitMyReadings>()))
            .header(reqwest::header::ACCEPT, "text/html")
            .header(
                reqwest::header::REFERER,
                format!("{}/cabinet/readings", app.base),
            )
            .form(&[(field.as_str(), value.as_str())])
            .send()
            .await
            .unwrap();
        assert!(plain.status().is_redirection(), "{}", plain.status());
        let location = plain.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.contains("/cabinet/readings") && !location.contains("__err"),
            "{location}"
        );
        let history: MeterHistory = app
            .call(
                &zhitel,
                path::<LoadMeterHistory>(),
                &[("meter_id", &meter.id.to_string())],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(history.readings[0].values, vec![next]);
        assert_eq!(
            history.readings[0].source,
            app::readings::types::Source::Cabinet
        );

        // someone else's meter: refused and nothing stored; their history is closed too
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<SubmitMyReadings>(),
                &[(format!("v[m{their_meter}.1]").as_str(), "99999")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<LoadMeterHistory>(),
                &[("meter_id", &their_meter.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // a value below the previous one: a message in Russian, not a 500
        let (status, error) = error_of(
            app.call(
                &zhitel,
                path::<SubmitMyReadings>(),
                &[(field.as_str(), "0")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("меньше предыдущего"), "{error}");
        let (status, error) = error_of(
            app.call(
                &zhitel,
                path::<SubmitMyReadings>(),
                &[(field.as_str(), "двенадцать")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("число"), "{error}");

        // staff pages: residents cannot, the dispatcher cannot close a period
        let (status, _) = error_of(
            app.call(&zhitel, path::<LoadHouseReadings>(), &[("house_id", "1")])
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = error_of(
            app.call(
                &dispatcher,
                path::<CloseReadingPeriod>(),
                &[("house_id", "1"), ("period", "2026-01")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let house = app
            .call(
                &dispatcher,
                path::<LoadHouseReadings>(),
                &[("house_id", "1")],
            )
            .await;
        assert_eq!(house.status(), StatusCode::OK);
        let views: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND entity = 'house_readings'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(
            views, 1,
            "staff looking at who has not handed in is recorded"
        );
        // the history page renders on the server for its owner
        let page = zhitel
            .get(format!("{}/cabinet/readings/meter/{}", app.base, meter.id))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text(&page).contains("Расход по месяцам"));
        app.stop().await;
    }
);
