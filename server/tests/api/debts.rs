//! Debts on SQLite and PostgreSQL: the receivables are the ledger — their buckets, penalties and
//! advances add up to the sum of every account's balance; a payment credited shows at once; a
//! house's figures are that house's; a debtor's card adds up to its row; over HTTP only the
//! accountant, the council and the chair see them, and a resident sees only their own overdue
//! accounts (the cabinet's banner). Segments count the same debtors live; a mailing reaches each
//! person once with their own account's sums; promises are kept or broken by the ledger.

use chrono::Utc;
use reqwest::StatusCode;

use crate::common::{Backend, TestApp, account_id, error_of, path, scalar, zhitel_house};
use app::billing::store::NewPayment;
use app::debts::api::{
    DeleteDebtSegment, LoadDebtSegments, LoadDebtorCard, LoadDebtorWork, LoadMyOverdue,
    LoadReceivables, LogDebtorContact, PreviewDebtSegment, RecordDebtPromise, SaveDebtSegment,
    SendDebtMailing,
};
use app::debts::rules::dunning::{NewScenario, Step};
use app::debts::types::{
    CallOutcome, ContactKind, DebtorCard, MyOverdue, PromiseStatus, Receivables, SegmentFilter,
    StepOutcome,
};
use app::error::AppError;
use app::money::Money;
use app::notify::types::{Channel, NoticeKind};
use server::demo::logins;

both_backends!(
    the_receivables_are_the_ledger_and_a_payment_shows_at_once,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let today = app::clock::today();
        let all = store.receivables(None, today).await.unwrap();
        let accounts = scalar(&store, "SELECT COUNT(*) FROM accounts").await;
        assert_eq!(i64::from(all.totals.accounts), accounts);
        // what is owed less what was paid ahead is the ledger's sum, to the kopeck
        let ledger = scalar(
            &store,
            &format!(
                "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger WHERE occurred_on <= '{today}'"
            ),
        )
        .await;
        assert_eq!(all.totals.owed() - all.totals.advance, Money(ledger));
        // the demo's flats that stopped paying are debtors, the most overdue first
        assert!(all.totals.debtors > 0 && all.totals.overdue().0 > 0);
        assert_eq!(all.debtors.len(), all.totals.debtors as usize);
        assert!(
            all.debtors
                .windows(2)
                .all(|w| w[0].overdue() >= w[1].overdue())
        );
        assert!(all.debtors.iter().any(|d| !d.names.is_empty()));
        let services: Money = all.by_service.iter().map(|(_, owed)| *owed).sum();
        assert_eq!(services, all.totals.owed() - all.totals.penalties);
        // each house has its own services: one line per name over all of them
        let names: std::collections::HashSet<&str> = all
            .by_service
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names.len(), all.by_service.len());
        assert_eq!(all.history.len(), 12);
        assert_eq!(all.history.last().unwrap().overdue, all.totals.overdue());
        assert!(all.history.iter().any(|m| m.collection_percent().is_some()));

        // one house: its accounts only, and the houses add up to all
        let house = zhitel_house(&store).await;
        let one = store.receivables(Some(house), today).await.unwrap();
        assert!(one.totals.accounts < all.totals.accounts);
        let of_house = all.by_house.iter().find(|h| h.house_id == house).unwrap();
        assert_eq!(one.totals, of_house.totals);
        let houses: Money = all.by_house.iter().map(|h| h.totals.overdue()).sum();
        assert_eq!(houses, all.totals.overdue());
        assert_eq!(
            store.receivables(Some(999_999), today).await.unwrap_err(),
            AppError::NotFound
        );

        // the biggest debtor pays what is overdue today: off the list, the total down by it
        let debtor = all.debtors[0].clone();
        store
            .record_payments(
                None,
                &[NewPayment {
                    account_id: debtor.account_id,
                    on: today,
                    amount: debtor.overdue(),
                    reason: "Оплата долга".into(),
                    source_key: format!("debts-test:{}", Utc::now().timestamp_nanos_opt().unwrap()),
                }],
            )
            .await
            .unwrap();
        let after = store.receivables(None, today).await.unwrap();
        assert_eq!(
            after.totals.overdue(),
            all.totals.overdue() - debtor.overdue()
        );
        assert_eq!(after.totals.debtors, all.totals.debtors - 1);
        assert!(
            after
                .debtors
                .iter()
                .all(|d| d.account_id != debtor.account_id)
        );

        // the card of the second debtor: its months and services add up to its row
        let row = all.debtors[1].clone();
        let card = store.debtor_card(row.account_id, today).await.unwrap();
        assert_eq!((card.buckets, card.penalties), (row.buckets, row.penalties));
        let months: Money = card.months.iter().map(|m| m.owed).sum();
        assert_eq!(months, card.buckets.total());
        for month in &card.months {
            let parts: Money = month.parts.iter().map(|(_, owed)| *owed).sum();
            assert_eq!(parts, month.owed, "{month:?}");
            assert!(month.owed <= month.charged);
        }
        let services: Money = card.by_service.iter().map(|(_, owed)| *owed).sum();
        assert_eq!(services, months);
        assert!(card.months.windows(2).all(|w| w[0].period < w[1].period));
        assert_eq!(
            store.debtor_card(999_999, today).await.unwrap_err(),
            AppError::NotFound
        );
        db.drop().await;
    }
);

both_backends!(
    staff_see_debts_and_a_resident_only_own_overdue,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let url = path::<LoadReceivables>();
        for login in [logins::ACCOUNTANT, logins::CHAIR] {
            let client = app.signed_in(login).await;
            let response = app.call(&client, url, &[]).await;
            assert_eq!(response.status(), StatusCode::OK, "{login}");
            let receivables: Receivables = response.json().await.unwrap();
            assert!(receivables.totals.debtors > 0);
        }
        for login in [logins::RESIDENT, logins::DISPATCHER, logins::GUARD] {
            let client = app.signed_in(login).await;
            let (status, _) = error_of(app.call(&client, url, &[]).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        let (status, _) = error_of(app.call(&app.client(), url, &[]).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let client = app.signed_in(logins::ACCOUNTANT).await;
        let (status, _) = error_of(app.call(&client, url, &[("house", "999999")]).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // the debtor's card: staff only — a resident may not open it, not even for own account
        let card = path::<LoadDebtorCard>();
        let zhitel_account = account_id(&app, "77010012").await.to_string();
        let response = app
            .call(&client, card, &[("account", &zhitel_account)])
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let shown: DebtorCard = response.json().await.unwrap();
        assert!(shown.address.contains("кв. 12"));
        for login in [logins::RESIDENT, logins::NEIGHBOUR, logins::DISPATCHER] {
            let resident = app.signed_in(login).await;
            let (status, _) = error_of(
                app.call(&resident, card, &[("account", &zhitel_account)])
                    .await,
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }

        // the cabinet's banner: zhitel (two bills unpaid in the demo) sees his own overdue
        // account, the neighbour never sees it, staff have no such banner
        let mine = path::<LoadMyOverdue>();
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let response = app.call(&zhitel, mine, &[]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let overdue: Vec<MyOverdue> = response.json().await.unwrap();
        let own = overdue
            .iter()
            .find(|o| o.account_id.to_string() == zhitel_account)
            .expect("zhitel's overdue account");
        assert!(own.overdue.0 > 0 && own.owed > own.overdue);
        assert!(own.since < app::clock::today());
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let theirs: Vec<MyOverdue> = app.call(&sosed, mine, &[]).await.json().await.unwrap();
        assert!(
            theirs
                .iter()
                .all(|o| o.account_id.to_string() != zhitel_account)
        );
        let (status, _) = error_of(app.call(&client, mine, &[]).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = error_of(app.call(&app.client(), mine, &[]).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        app.stop().await;
    }
);

async fn zhitel_account(store: &app::db::Store) -> i64 {
    scalar(store, "SELECT id FROM accounts WHERE number = '77010012'").await
}

both_backends!(
    segments_count_live_and_a_mailing_reaches_each_debtor_once_with_their_own_sums,
    |backend: Backend| async move {
        let Some((db, store)) = crate::notify::quiet_demo(backend).await else {
            return;
        };
        let today = app::clock::today();
        let accountant = crate::notify::user_id(&store, logins::ACCOUNTANT).await;
        let all = store.receivables(None, today).await.unwrap();

        // every debtor, and one house's: the counts and sums are the receivables'
        let everyone = store
            .save_segment(accountant, "Все должники", &SegmentFilter::default())
            .await
            .unwrap();
        let house = zhitel_house(&store).await;
        let of_house = SegmentFilter {
            house_id: Some(house),
            ..SegmentFilter::default()
        };
        store
            .save_segment(accountant, "Серебряная 1", &of_house)
            .await
            .unwrap();
        let page = store.segments_page(today).await.unwrap();
        let count = |id: i64| {
            page.segments
                .iter()
                .find(|s| s.id == id)
                .unwrap()
                .count
                .clone()
        };
        assert_eq!(count(everyone).accounts, all.totals.debtors);
        assert_eq!(count(everyone).overdue, all.totals.overdue());
        let one = store.receivables(Some(house), today).await.unwrap();
        let preview = store.preview_segment(&of_house, today).await.unwrap();
        assert_eq!(preview.count.accounts, one.totals.debtors);
        assert_eq!(preview.count.overdue, one.totals.overdue());
        assert!(preview.count.reachable >= 1 && preview.count.reachable <= preview.count.accounts);
        // the same name twice is refused in words
        let twice = store
            .save_segment(accountant, "Все должники", &SegmentFilter::default())
            .await
            .unwrap_err();
        assert_eq!(
            twice,
            AppError::Invalid("Сегмент с таким названием уже есть.".into())
        );

        // the mailing: one reminder per reachable person, each with their own account's sums
        let mailing = store
            .send_mailing(accountant, everyone, NoticeKind::DebtReminder, today)
            .await
            .unwrap();
        let again = store
            .send_mailing(accountant, everyone, NoticeKind::DebtReminder, today)
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Invalid(_)), "{again:?}");
        let fanouts = crate::common::notices(&store, "DebtReminder").await;
        let recipients = scalar(
            &store,
            &format!("SELECT recipients FROM debt_mailings WHERE id = {mailing}"),
        )
        .await;
        assert_eq!(fanouts, recipients);
        assert!(recipients >= 1);
        let worker = server::worker::Worker::new(
            store.clone(),
            crate::notify::senders(&store, None, None).await,
            "debts".into(),
        );
        crate::notify::drain(&[worker]).await;
        let zhitel = zhitel_account(&store).await;
        let zhitel_user = crate::notify::user_id(&store, logins::RESIDENT).await;
        let (body, link): (String, Option<String>) = app::with_db!(&store.db, |pool| {
            sqlx::query_as(&format!(
                "SELECT body, link FROM notifications
                 WHERE user_id = $1 AND source = 'debt_mailing:{mailing}:{zhitel}'"
            ))
            .bind(zhitel_user)
            .fetch_one(pool)
            .await
        })
        .unwrap();
        let row = all.debtors.iter().find(|d| d.account_id == zhitel).unwrap();
        assert!(body.contains("77010012"), "{body}");
        assert!(body.contains(&row.overdue().label()), "{body}");
        assert_eq!(
            link.as_deref(),
            Some(format!("/cabinet/pay?account={zhitel}").as_str())
        );
        let sent = scalar(
            &store,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE source LIKE 'debt_mailing:{mailing}:%'"
            ),
        )
        .await;
        assert_eq!(sent, recipients);
        // the report counts the deliveries; the card shows the mailing with its deliveries
        let page = store.segments_page(today).await.unwrap();
        let shown = page.mailings.iter().find(|m| m.id == mailing).unwrap();
        assert_eq!(i64::from(shown.recipients), recipients);
        assert_eq!(shown.report.recipients, recipients);
        let delivered: i64 = shown.report.channels.iter().map(|(_, c)| c.sent).sum();
        assert!(delivered >= 1, "{:?}", shown.report);
        let work = store.debtor_work(zhitel, today).await.unwrap();
        let contact = work
            .contacts
            .iter()
            .find(|c| c.kind == ContactKind::Mailing)
            .expect("the mailing on the card");
        assert!(!contact.deliveries.is_empty());
        let audited = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'debt_mailing' AND entity_id = {mailing}"),
        )
        .await;
        assert_eq!(audited, 1);
        db.drop().await;
    }
);

both_backends!(
    a_promise_is_kept_by_the_ledger_and_a_payment_takes_the_debtor_out_of_segments,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let today = app::clock::today();
        let accountant = crate::notify::user_id(&store, logins::ACCOUNTANT).await;
        let zhitel = zhitel_account(&store).await;
        let card = store.debtor_card(zhitel, today).await.unwrap();
        let overdue = card.overdue();
        assert!(overdue.0 > 0);

        // a call and a promise, both on the card and in the audit
        store
            .log_contact(
                accountant,
                zhitel,
                ContactKind::Call,
                Some(CallOutcome::Promised),
                "Обещал оплатить с зарплаты",
            )
            .await
            .unwrap();
        let on = today + chrono::Duration::days(5);
        store
            .record_promise(accountant, zhitel, overdue, on, "", today)
            .await
            .unwrap();
        let refused = store
            .record_promise(
                accountant,
                zhitel,
                overdue,
                today - chrono::Duration::days(1),
                "",
                today,
            )
            .await
            .unwrap_err();
        assert!(matches!(refused, AppError::Invalid(_)));
        let work = store.debtor_work(zhitel, today).await.unwrap();
        assert_eq!(work.promises.len(), 1);
        assert_eq!(work.promises[0].status, PromiseStatus::Pending);
        assert_eq!(work.contacts[0].outcome, Some(CallOutcome::Promised));
        assert_eq!(work.contacts[0].note, "Обещал оплатить с зарплаты");
        let audited = scalar(
            &store,
            &format!(
                "SELECT COUNT(*) FROM audit_log
                 WHERE entity IN ('debt_contact', 'debt_promise') AND details LIKE 'account {zhitel}:%'"
            ),
        )
        .await;
        assert_eq!(audited, 2);
        // the promise is a segment's filter
        let promised = SegmentFilter {
            promised: Some(true),
            ..SegmentFilter::default()
        };
        let members = store
            .preview_segment(&promised, today)
            .await
            .unwrap()
            .members;
        assert!(members.iter().any(|m| m.account_id == zhitel));
        let unpromised = SegmentFilter {
            promised: Some(false),
            ..SegmentFilter::default()
        };
        let others = store
            .preview_segment(&unpromised, today)
            .await
            .unwrap()
            .members;
        assert!(others.iter().all(|m| m.account_id != zhitel));

        // paid in full: the promise kept, the debtor in no segment any more
        store
            .record_payments(
                None,
                &[NewPayment {
                    account_id: zhitel,
                    on: today,
                    amount: card.buckets.total() + card.penalties,
                    reason: "Оплата долга".into(),
                    source_key: format!("debts-work:{}", Utc::now().timestamp_nanos_opt().unwrap()),
                }],
            )
            .await
            .unwrap();
        let work = store.debtor_work(zhitel, today).await.unwrap();
        assert_eq!(work.promises[0].status, PromiseStatus::Kept);
        let everyone = store
            .preview_segment(&SegmentFilter::default(), today)
            .await
            .unwrap();
        assert!(everyone.members.iter().all(|m| m.account_id != zhitel));
        let promised_now = store
            .preview_segment(&promised, today)
            .await
            .unwrap()
            .members;
        assert!(promised_now.iter().all(|m| m.account_id != zhitel));
        db.drop().await;
    }
);

both_backends!(
    only_staff_who_manage_debts_work_with_debtors_and_bad_input_is_refused_in_words,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel_id = account_id(&app, "77010012").await.to_string();
        let zhitel = zhitel_id.as_str();
        let segment_form = [
            ("form[name]", "Больше 30 дней"),
            ("form[house]", ""),
            ("form[entrance]", ""),
            ("form[min_age]", "2"),
            ("form[min_overdue]", ""),
            ("form[min_months]", ""),
            ("form[addressees]", ""),
            ("form[channel]", ""),
            ("form[promised]", ""),
        ];
        let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (path::<LoadDebtSegments>(), vec![]),
            (path::<PreviewDebtSegment>(), segment_form.to_vec()),
            (path::<SaveDebtSegment>(), segment_form.to_vec()),
            (path::<DeleteDebtSegment>(), vec![("id", "1")]),
            (
                path::<SendDebtMailing>(),
                vec![("segment", "1"), ("kind", "debt_reminder")],
            ),
            (path::<LoadDebtorWork>(), vec![("account", zhitel)]),
            (
                path::<LogDebtorContact>(),
                vec![
                    ("account", zhitel),
                    ("kind", "call"),
                    ("outcome", "no_answer"),
                    ("note", ""),
                ],
            ),
            (
                path::<RecordDebtPromise>(),
                vec![
                    ("account", zhitel),
                    ("amount", "100"),
                    ("promised_on", "2099-01-01"),
                    ("note", ""),
                ],
            ),
        ];
        // a resident — even about their own account —, the dispatcher, the guard: refused
        for login in [logins::RESIDENT, logins::DISPATCHER, logins::GUARD] {
            let client = app.signed_in(login).await;
            for (url, form) in &calls {
                let (status, _) = error_of(app.call(&client, url, form).await).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{login} {url}");
            }
        }
        for (url, form) in &calls {
            let (status, _) = error_of(app.call(&app.client(), url, form).await).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{url}");
        }
        // the accountant: a segment saved, then bad ones refused with the reason
        let client = app.signed_in(logins::ACCOUNTANT).await;
        let demo_segments = scalar(&app.store, "SELECT COUNT(*) FROM debt_segments").await;
        let response = app
            .call(&client, path::<SaveDebtSegment>(), &segment_form)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let bad = [
            ("form[min_overdue]", "-5", "отрицательной"),
            ("form[min_overdue]", "пять", "число рублей"),
            ("form[min_months]", "0", "от 1 до"),
            ("form[entrance]", "1", "вместе с домом"),
            ("form[name]", " ", "Назовите"),
        ];
        for (field, value, says) in bad {
            let form: Vec<(&str, &str)> = segment_form
                .iter()
                .map(|(k, v)| (*k, if *k == field { value } else { *v }))
                .collect();
            let (status, error) =
                error_of(app.call(&client, path::<SaveDebtSegment>(), &form).await).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
            assert!(error.to_string().contains(says), "{field}={value}: {error}");
        }
        let segments = scalar(&app.store, "SELECT COUNT(*) FROM debt_segments").await;
        assert_eq!(segments, demo_segments + 1);
        // a promise of nothing, an unknown reminder: refused, nothing written
        let (status, _) = error_of(
            app.call(
                &client,
                path::<RecordDebtPromise>(),
                &[
                    ("account", zhitel),
                    ("amount", "0"),
                    ("promised_on", "2099-01-01"),
                    ("note", ""),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = error_of(
            app.call(
                &client,
                path::<SendDebtMailing>(),
                &[("segment", "1"), ("kind", "bill_ready")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let promises = scalar(
            &app.store,
            &format!("SELECT COUNT(*) FROM debt_promises WHERE account_id = {zhitel}"),
        )
        .await;
        assert_eq!(promises, 0);
        app.stop().await;
    }
);

/// The demo's scenarios switched off and their steps forgotten: the test sees only its own.
async fn without_demo_scenarios(store: &app::db::Store) {
    for sql in [
        "DELETE FROM debt_step_runs",
        "DELETE FROM debt_episodes",
        "UPDATE debt_scenarios SET enabled = FALSE",
    ] {
        app::with_db!(&store.db, |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
}

/// Noon of `day` in Moscow: outside the default quiet hours whenever the test runs.
fn noon(day: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    app::clock::from_local(day.and_hms_opt(12, 0, 0).unwrap())
}

fn step(days: u32, kind: NoticeKind) -> Step {
    Step {
        id: 0,
        days_after_due: days,
        min_overdue: Money::ZERO,
        kind,
        channels: vec![Channel::Email],
    }
}

both_backends!(
    a_scenario_takes_each_step_once_per_episode_and_a_payment_stops_it,
    |backend: Backend| async move {
        let Some((db, store)) = crate::notify::quiet_demo(backend).await else {
            return;
        };
        without_demo_scenarios(&store).await;
        let today = app::clock::today();
        let accountant = crate::notify::user_id(&store, logins::ACCOUNTANT).await;
        let zhitel = zhitel_account(&store).await;
        let id = store
            .save_scenario(
                Some(accountant),
                &NewScenario {
                    name: "Тест".into(),
                    house_id: None,
                    restart_on_partial: false,
                    holdout_percent: 0,
                    steps: vec![
                        step(1, NoticeKind::DebtReminder),
                        step(2, NoticeKind::DebtSecondReminder),
                        step(1000, NoticeKind::DebtWarning),
                    ],
                },
            )
            .await
            .unwrap();
        // the dry run: every debtor's first step, nothing written
        let dry = store.dry_run(id, today).await.unwrap();
        let debtors = store.receivables(None, today).await.unwrap().totals.debtors;
        assert_eq!(dry.len(), debtors as usize);
        assert!(dry.iter().all(|l| l.position == 1));
        let line = dry
            .iter()
            .find(|l| l.account_id == zhitel)
            .expect("zhitel in the dry run");
        assert_eq!(line.outcome, StepOutcome::Sent);
        let runs = || scalar(&store, "SELECT COUNT(*) FROM debt_step_runs");
        assert_eq!(runs().await, 0);
        // switched off, the sweep does nothing
        assert_eq!(store.debt_sweep(noon(today)).await.unwrap(), 0);
        assert_eq!(runs().await, 0);

        // on: two sweeps at once take each debtor's first step once
        store
            .set_scenario_enabled(Some(accountant), id, true)
            .await
            .unwrap();
        let (a, b) = tokio::join!(store.debt_sweep(noon(today)), store.debt_sweep(noon(today)));
        let sent = a.unwrap() + b.unwrap();
        assert_eq!(runs().await, i64::from(debtors));
        let reached = dry
            .iter()
            .filter(|l| l.outcome == StepOutcome::Sent)
            .count();
        assert_eq!(
            crate::common::notices(&store, "DebtReminder").await,
            sent as i64
        );
        assert!(sent >= reached);
        // again the same day: nothing — one step a day, each once
        assert_eq!(store.debt_sweep(noon(today)).await.unwrap(), 0);
        assert_eq!(runs().await, i64::from(debtors));
        // in the quiet hours (22:00) the next day: nothing either
        let tomorrow = today + chrono::Duration::days(1);
        let late = app::clock::from_local(tomorrow.and_hms_opt(22, 0, 0).unwrap());
        assert_eq!(store.debt_sweep(late).await.unwrap(), 0);

        // zhitel pays everything: his episode closes; the others get step 2 the next day
        let card = store.debtor_card(zhitel, today).await.unwrap();
        store
            .record_payments(
                None,
                &[NewPayment {
                    account_id: zhitel,
                    on: today,
                    amount: card.buckets.total() + card.penalties,
                    reason: "Оплата долга".into(),
                    source_key: format!(
                        "debts-sweep:{}",
                        Utc::now().timestamp_nanos_opt().unwrap()
                    ),
                }],
            )
            .await
            .unwrap();
        let second = store.debt_sweep(noon(tomorrow)).await.unwrap();
        assert_eq!(
            crate::common::notices(&store, "DebtSecondReminder").await,
            second as i64
        );
        let step_two = scalar(
            &store,
            "SELECT COUNT(*) FROM debt_step_runs r JOIN debt_scenario_steps s ON s.id = r.step_id
             WHERE s.position = 2",
        )
        .await;
        assert_eq!(step_two, i64::from(debtors) - 1);
        let work = store.debtor_work(zhitel, today).await.unwrap();
        assert_eq!(work.steps.len(), 1, "{:?}", work.steps);
        assert_eq!(work.steps[0].position, 1);
        let closed = scalar(
            &store,
            &format!("SELECT COUNT(*) FROM debt_episodes WHERE account_id = {zhitel} AND closed_on IS NOT NULL"),
        )
        .await;
        assert_eq!(closed, 1);
        let page = store.scenarios_page().await.unwrap();
        let shown = page.scenarios.iter().find(|s| s.id == id).unwrap();
        assert_eq!(
            shown
                .steps
                .iter()
                .map(|s| s.sent + s.unreachable)
                .sum::<u32>() as i64,
            runs().await
        );

        // the step went on its own channels only: e-mail, not push
        let worker = server::worker::Worker::new(
            store.clone(),
            crate::notify::senders(&store, None, None).await,
            "debts".into(),
        );
        crate::notify::drain(&[worker]).await;
        let other = scalar(
            &store,
            "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
             WHERE n.source LIKE 'debt_step:%' AND d.channel <> 'email'",
        )
        .await;
        assert_eq!(other, 0);
        let work = store.debtor_work(zhitel, today).await.unwrap();
        assert!(
            work.steps[0]
                .deliveries
                .iter()
                .all(|(c, _)| *c == Channel::Email)
        );
        db.drop().await;
    }
);

both_backends!(
    a_hold_out_group_is_recorded_and_never_written_to,
    |backend: Backend| async move {
        let Some((db, store)) = crate::notify::quiet_demo(backend).await else {
            return;
        };
        without_demo_scenarios(&store).await;
        let today = app::clock::today();
        let accountant = crate::notify::user_id(&store, logins::ACCOUNTANT).await;
        let id = store
            .save_scenario(
                Some(accountant),
                &NewScenario {
                    name: "Половина".into(),
                    house_id: None,
                    restart_on_partial: true,
                    holdout_percent: 50,
                    steps: vec![step(0, NoticeKind::DebtReminder)],
                },
            )
            .await
            .unwrap();
        store
            .set_scenario_enabled(Some(accountant), id, true)
            .await
            .unwrap();
        let sent = store.debt_sweep(noon(today)).await.unwrap();
        let held = scalar(
            &store,
            "SELECT COUNT(*) FROM debt_step_runs WHERE outcome = 'held_out'",
        )
        .await;
        let held_episodes =
            scalar(&store, "SELECT COUNT(*) FROM debt_episodes WHERE held_out").await;
        assert_eq!(held, held_episodes);
        // the held-out accounts got nothing: the notices are the others' only
        assert!(held > 0 && sent > 0, "{held} held out, {sent} sent");
        let written = scalar(
            &store,
            "SELECT COUNT(*) FROM jobs j, debt_episodes e
             WHERE e.held_out AND j.kind = 'notify.fanout'
               AND j.payload LIKE '%debt_step:' || CAST(e.id AS TEXT) || ':%'",
        )
        .await;
        assert_eq!(written, 0);
        assert_eq!(
            crate::common::notices(&store, "DebtReminder").await,
            sent as i64
        );
        db.drop().await;
    }
);
