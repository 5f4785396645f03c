//! Passes on SQLite and PostgreSQL: a resident makes passes only for their own flat and within
//! the house's limits, a form sent twice makes one pass, a neighbour neither sees nor cancels
//! another flat's pass; at the gate a one-time pass lets in once even when two guards tap at the
//! same moment, a record sent again counts once, the resident is told the guest came; over HTTP
//! the guest's link shows the pass and nothing of the resident, and only the guard's post may
//! check passes. The dispatcher makes a pass for a resident who calls (the resident's, who is
//! told); the post keeps the day's passes for a poor connection and its queued entries count once.

use chrono::{Duration, NaiveTime, Utc};

use crate::common::{Backend, TestApp, notices, path, scalar, user, zhitel_house};
use app::auth::types::{CurrentUser, Role};
use app::db::Store;
use app::error::AppError;
use app::passes::api::*;
use app::passes::rules::Lookup as GateLookup;
use app::passes::rules::normalize_plate;
use app::passes::store::{NewPass, NewWindow};
use app::passes::types::{Direction, IssueForm, PassKind, PassState, Refusal};
use server::demo::logins;

/// zhitel's flat at Серебряная 1.
async fn zhitel_flat(store: &Store, zhitel: &CurrentUser) -> i64 {
    let (homes, _) = store
        .pass_homes(zhitel.id, app::clock::today())
        .await
        .unwrap();
    homes
        .into_iter()
        .find(|(_, label)| label.contains("Серебряная, д. 1"))
        .unwrap()
        .0
}

/// A guest's pass for the whole of today (house time), one-time, on foot.
fn guest_today(apartment_id: i64, name: &str, key: Option<&str>) -> NewPass {
    NewPass {
        apartment_id,
        kind: PassKind::Guest,
        one_time: true,
        visitor: name.into(),
        phone: String::new(),
        plate: None,
        foreign_plate: false,
        car_note: String::new(),
        people: 1,
        window: NewWindow::Day {
            day: app::clock::today(),
            from: NaiveTime::MIN,
            until: NaiveTime::MIN,
        },
        client_key: key.map(str::to_string),
        exception: None,
    }
}

fn own_car(apartment_id: i64, plate: &str) -> NewPass {
    NewPass {
        kind: PassKind::Car,
        one_time: false,
        visitor: String::new(),
        plate: Some(normalize_plate(plate, false).unwrap()),
        window: NewWindow::Permanent,
        ..guest_today(apartment_id, "", None)
    }
}

both_backends!(
    a_resident_makes_passes_for_own_flat_within_the_limits,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let now = Utc::now();
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let sosed = user(&store, logins::NEIGHBOUR, Role::Resident).await;
        let flat = zhitel_flat(&store, &zhitel).await;
        let before = scalar(&store, "SELECT COUNT(*) FROM passes").await;

        // the same form sent twice makes one pass
        let (id, link) = store
            .create_pass(&zhitel, &guest_today(flat, "Анна", Some("k-1")), now)
            .await
            .unwrap();
        let (again, same_link) = store
            .create_pass(&zhitel, &guest_today(flat, "Анна", Some("k-1")), now)
            .await
            .unwrap();
        assert_eq!(link, same_link);
        assert_eq!(id, again);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM passes").await,
            before + 1
        );
        let mine = store.my_passes(zhitel.id, now).await.unwrap();
        let anna = mine.iter().find(|p| p.id == id).expect("in the list");
        assert_eq!(anna.state, PassState::Active);
        assert_eq!(anna.title, "Анна");
        assert!(anna.code.as_ref().is_some_and(|c| c.len() == 6));

        // a neighbour neither sees it, nor cancels it, nor makes a pass for zhitel's flat
        let theirs = store.my_passes(sosed.id, now).await.unwrap();
        assert!(theirs.iter().all(|p| p.id != id));
        assert_eq!(
            store.cancel_pass(sosed.id, id, now).await,
            Err(AppError::NotFound)
        );
        let refused = store
            .create_pass(&sosed, &guest_today(flat, "Чужой", None), now)
            .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM passes").await,
            before + 1
        );

        // zhitel cancels it: it stays in the list as cancelled
        store.cancel_pass(zhitel.id, id, now).await.unwrap();
        store.cancel_pass(zhitel.id, id, now).await.unwrap();
        let mine = store.my_passes(zhitel.id, now).await.unwrap();
        assert_eq!(
            mine.iter().find(|p| p.id == id).unwrap().state,
            PassState::Cancelled
        );

        // two own cars at most (the demo gave zhitel one)
        store
            .create_pass(&zhitel, &own_car(flat, "в 777 мм 77"), now)
            .await
            .unwrap();
        let third = store
            .create_pass(&zhitel, &own_car(flat, "Е001КХ199"), now)
            .await;
        match third {
            Err(AppError::Invalid(m)) => assert!(m.contains("не больше 2"), "{m}"),
            other => panic!("a third car: {other:?}"),
        }

        // windows: over already, or longer than the house allows
        let yesterday = app::clock::today() - Duration::days(1);
        let past = NewPass {
            window: NewWindow::Day {
                day: yesterday,
                from: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                until: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            },
            ..guest_today(flat, "Поздно", None)
        };
        assert!(matches!(
            store.create_pass(&zhitel, &past, now).await,
            Err(AppError::Invalid(m)) if m.contains("прошло")
        ));
        let long = NewPass {
            window: NewWindow::Days {
                first: app::clock::today(),
                last: app::clock::today() + Duration::days(30),
            },
            one_time: false,
            ..guest_today(flat, "Долго", None)
        };
        assert!(matches!(
            store.create_pass(&zhitel, &long, now).await,
            Err(AppError::Invalid(m)) if m.contains("30")
        ));

        // guest cars: two at once at most (the demo's guest comes by car today)
        let car_guest = |plate: &str| NewPass {
            plate: Some(normalize_plate(plate, false).unwrap()),
            ..guest_today(flat, "На машине", None)
        };
        store
            .create_pass(&zhitel, &car_guest("А111АА77"), now)
            .await
            .unwrap();
        assert!(matches!(
            store.create_pass(&zhitel, &car_guest("С333СС77"), now).await,
            Err(AppError::Invalid(m)) if m.contains("гостевых машин")
        ));
        db.drop().await;
    }
);

both_backends!(
    a_one_time_pass_lets_in_once_whoever_taps_first,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let now = Utc::now();
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let guard = user(&store, logins::GUARD, Role::Guard).await;
        let flat = zhitel_flat(&store, &zhitel).await;
        let (id, _) = store
            .create_pass(&zhitel, &guest_today(flat, "Курьер Пётр", None), now)
            .await
            .unwrap();
        let row = store
            .my_passes(zhitel.id, now)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.id == id)
            .unwrap();
        let house: i64 = scalar(
            &store,
            &format!("SELECT house_id FROM passes WHERE id = {id}"),
        )
        .await;

        // the guard finds it by its code and by its link; an unknown code is no pass
        let code = row.code.clone().unwrap();
        let by_code = store
            .gate_check(house, &GateLookup::Code(code.clone()), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((by_code.pass_id, by_code.refusal), (id, None));
        assert!(by_code.home.contains("кв."));
        let token = row.link.trim_start_matches("/p/").to_string();
        let by_link = store
            .gate_check(house, &GateLookup::Token(token), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_link.pass_id, id);
        let other_code = if code == "000000" { "000001" } else { "000000" };
        let unknown = store
            .gate_check(house, &GateLookup::Code(other_code.into()), now)
            .await
            .unwrap();
        assert!(unknown.is_none_or(|a| a.pass_id != id));

        // the gate of another house sees whose pass it is and refuses it
        let other = scalar(
            &store,
            &format!("SELECT MIN(id) FROM houses WHERE id <> {house}"),
        )
        .await;
        let elsewhere = store
            .gate_check(other, &GateLookup::Code(code.clone()), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(elsewhere.refusal, Some(Refusal::OtherHouse));
        assert_eq!(
            store
                .record_passage(&guard, other, id, Direction::In, None, now)
                .await,
            Err(AppError::invalid(Refusal::OtherHouse.message()))
        );

        // two guards tap at the same moment: one entry
        let arrived = notices(&store, "GuestArrived").await;
        let (a, b) = tokio::join!(
            store.record_passage(&guard, house, id, Direction::In, Some("tap-a"), now),
            store.record_passage(&guard, house, id, Direction::In, Some("tap-b"), now),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one entry: {a:?} {b:?}");
        let refused = if a.is_ok() { b } else { a };
        assert_eq!(refused, Err(AppError::invalid(Refusal::Used.message())));
        let entries = format!("SELECT COUNT(*) FROM pass_entries WHERE pass_id = {id}");
        assert_eq!(scalar(&store, &entries).await, 1);
        assert_eq!(notices(&store, "GuestArrived").await, arrived + 1);

        // the winning tap sent again (the phone back online) counts once
        let key = if scalar(
            &store,
            "SELECT COUNT(*) FROM pass_entries WHERE client_key = 'tap-a'",
        )
        .await
            == 1
        {
            "tap-a"
        } else {
            "tap-b"
        };
        store
            .record_passage(&guard, house, id, Direction::In, Some(key), now)
            .await
            .unwrap();
        assert_eq!(scalar(&store, &entries).await, 1);

        // now the code says "used", and the list says so too
        let used = store
            .gate_check(house, &GateLookup::Code(code), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(used.refusal, Some(Refusal::Used));
        let mine = store.my_passes(zhitel.id, now).await.unwrap();
        assert_eq!(
            mine.iter().find(|p| p.id == id).unwrap().state,
            PassState::Used
        );

        // a car with a permanent pass is found by its plate however it is typed
        let plate = normalize_plate("x 001 ky 97", false).unwrap();
        store
            .create_pass(&zhitel, &own_car(flat, "Х001КУ97"), now)
            .await
            .unwrap();
        let car = store
            .gate_check(house, &GateLookup::Plate(plate), now)
            .await
            .unwrap()
            .expect("the car's pass");
        assert_eq!((car.kind, car.refusal), (PassKind::Car, None));
        db.drop().await;
    }
);

both_backends!(
    the_guests_link_shows_the_pass_and_only_the_guard_checks_it,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let (homes, _) = app
            .store
            .pass_homes(
                app.store
                    .credentials(logins::RESIDENT)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                app::clock::today(),
            )
            .await
            .unwrap();
        let home = homes[0].0.to_string();
        let today = app::clock::today().format("%Y-%m-%d").to_string();
        let made = app
            .call(
                &zhitel,
                path::<CreatePass>(),
                &[
                    ("pass[home]", home.as_str()),
                    ("pass[kind]", "guest"),
                    ("pass[visitor]", "Мария Гостева"),
                    ("pass[mode]", "once"),
                    ("pass[day]", today.as_str()),
                    ("pass[from]", "00:00"),
                    ("pass[until]", "00:00"),
                    ("pass[key]", "http-1"),
                ],
            )
            .await;
        assert!(made.status().is_success(), "{}", made.status());
        let link: String = made.json().await.unwrap();
        assert!(link.starts_with("/p/"), "{link}");

        // the guest opens the link without an account: the QR and the address, no names
        let anonymous = app.client();
        let page = anonymous
            .get(format!("{}{link}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("<svg"), "the QR");
        assert!(html.contains("Серебряная"));
        assert!(
            !html.contains("Мария Гостева"),
            "the guest's name stays private"
        );
        assert!(!html.contains("Смирнов"), "nothing of the resident");
        let gone = anonymous
            .get(format!("{}/p/0123456789abcdef0123456789abcdef", app.base))
            .send()
            .await
            .unwrap();
        assert!(gone.text().await.unwrap().contains("Такого пропуска нет"));

        // a resident cannot use the guard's post; the guard can
        let query = [("house", "1"), ("query", "А123ВС77")];
        let refused = app.call(&zhitel, path::<GateCheck>(), &query).await;
        assert_eq!(refused.status(), 403);
        let guard = app.signed_in(logins::GUARD).await;
        let checked = app.call(&guard, path::<GateCheck>(), &query).await;
        assert!(checked.status().is_success(), "{}", checked.status());
        let garbage = app
            .call(
                &guard,
                path::<GateCheck>(),
                &[("house", "1"), ("query", "!!")],
            )
            .await;
        assert_eq!(garbage.status(), 422);
        app.stop().await;
    }
);

both_backends!(
    the_desk_shows_a_day_exports_its_log_and_old_guests_are_erased,
    |backend: Backend| async move {
        use app::passes::types::PassDesk;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let house = zhitel_house(&app.store).await.to_string();
        let yesterday = (app::clock::today() - Duration::days(1))
            .format("%Y-%m-%d")
            .to_string();
        let ask = [("house", house.as_str()), ("day", yesterday.as_str())];

        // only the desk's staff: not a resident, not the guard
        for login in [logins::RESIDENT, logins::GUARD] {
            let client = app.signed_in(login).await;
            let refused = app.call(&client, path::<LoadPassDesk>(), &ask).await;
            assert_eq!(refused.status(), 403, "{login}");
        }
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let views = || {
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND entity LIKE 'pass_log%'",
            )
        };
        let seen = views().await;
        let desk = app.call(&dispatcher, path::<LoadPassDesk>(), &ask).await;
        assert!(desk.status().is_success(), "{}", desk.status());
        let desk: PassDesk = desk.json().await.unwrap();
        assert_eq!(views().await, seen + 1, "every view is audited");
        // zhitel's car came in by the camera yesterday evening and is inside
        assert!(
            desk.inside
                .iter()
                .any(|c| c.plate == "А123ВС77" && !c.overdue),
            "{:?}",
            desk.inside
        );
        assert!(
            desk.log
                .iter()
                .any(|r| r.plate.as_deref() == Some("А123ВС77") && r.by == "камера"),
            "{:?}",
            desk.log
        );
        // the weekly cleaner's window covers yesterday
        assert!(desk.passes.iter().any(|p| p.title.contains("Чистый дом")));

        // the log over two days as CSV and XLSX
        let today = app::clock::today().format("%Y-%m-%d").to_string();
        let export = |format: &'static str, client: reqwest::Client| {
            let url = format!(
                "{}/staff/passes/log?house={house}&from={yesterday}&to={today}&format={format}",
                app.base
            );
            async move { client.get(url).send().await.unwrap() }
        };
        let csv = export("csv", dispatcher.clone()).await;
        assert_eq!(csv.status(), 200);
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
        assert!(csv.contains("Когда;Въезд/выезд"));
        assert!(csv.contains("А123ВС77") && csv.contains("камера"));
        let xlsx = export("xlsx", dispatcher.clone()).await;
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap().to_vec();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = calamine::Reader::worksheet_range(&mut book, "Журнал").unwrap();
        assert!(sheet.rows().any(|r| {
            r.iter()
                .any(|c| matches!(c, calamine::Data::String(s) if s == "А123ВС77"))
        }));
        assert_eq!(views().await, seen + 3);
        let resident = app.signed_in(logins::RESIDENT).await;
        assert_eq!(export("csv", resident).await.status(), 403);
        assert_eq!(export("pdf", dispatcher.clone()).await.status(), 422);

        // 200 days on: guests' names and plates and the cameras' reads are gone, the log's
        // rows stay, one's own car stays
        let later = Utc::now() + Duration::days(200);
        let erased = app.store.erase_guest_data(later).await.unwrap();
        assert!(erased.passes > 0 && erased.reads > 0, "{erased:?}");
        assert_eq!(
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM passes WHERE kind <> 'car' AND erased_at IS NULL
                 AND (visitor IS NOT NULL OR plate IS NOT NULL)"
            )
            .await,
            0
        );
        assert_eq!(
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM plate_events WHERE plate IS NOT NULL OR snapshot IS NOT NULL"
            )
            .await,
            0
        );
        assert!(
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM passes WHERE kind = 'car' AND plate IS NOT NULL"
            )
            .await
                > 0
        );
        let log = app
            .store
            .pass_log(
                house.parse().unwrap(),
                app::clock::today() - Duration::days(3),
                app::clock::today(),
                100,
            )
            .await
            .unwrap();
        assert!(
            log.iter().any(|r| r.who == "—"),
            "the cleaner's entry, unnamed"
        );
        assert_eq!(
            app.store.erase_guest_data(later).await.unwrap(),
            Default::default()
        );
        app.stop().await;
    }
);

both_backends!(
    over_the_limits_a_pass_waits_for_the_dispatchers_exception,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let now = Utc::now();
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let dispatcher = user(&store, logins::DISPATCHER, Role::Dispatcher).await;
        let flat = zhitel_flat(&store, &zhitel).await;
        let house: i64 = scalar(
            &store,
            &format!("SELECT house_id FROM apartments WHERE id = {flat}"),
        )
        .await;
        // the demo car and a second: the limit
        store
            .create_pass(&zhitel, &own_car(flat, "В001ВВ77"), now)
            .await
            .unwrap();
        let third = own_car(flat, "С002СС77");
        assert!(matches!(
            store.create_pass(&zhitel, &third, now).await,
            Err(AppError::Invalid(_))
        ));
        let asked = notices(&store, "PassException").await;
        let (id, _) = store
            .create_pass(
                &zhitel,
                &NewPass {
                    exception: Some("Машина мамы на неделю".into()),
                    ..third.clone()
                },
                now,
            )
            .await
            .unwrap();
        assert_eq!(notices(&store, "PassException").await, asked + 1);
        let mine = store.my_passes(zhitel.id, now).await.unwrap();
        let waiting = mine.iter().find(|p| p.id == id).unwrap();
        assert_eq!(waiting.state, PassState::Awaiting);
        assert_eq!(
            waiting.approval_note.as_deref(),
            Some("Машина мамы на неделю")
        );
        let plate = normalize_plate("С002СС77", false).unwrap();
        let at_gate = store
            .gate_check(house, &GateLookup::Plate(plate.clone()), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(at_gate.refusal, Some(Refusal::Awaiting));
        // a waiting pass does not count: nor does it stop another request
        let queue = store.exceptions_waiting(house, now).await.unwrap();
        assert!(queue.iter().any(|p| p.id == id));

        // approved: it lets in, and zhitel is told
        let decided = notices(&store, "PassExceptionDecided").await;
        store
            .decide_exception(&dispatcher, id, true, "", now)
            .await
            .unwrap();
        assert_eq!(notices(&store, "PassExceptionDecided").await, decided + 1);
        let at_gate = store
            .gate_check(house, &GateLookup::Plate(plate), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(at_gate.refusal, None);
        assert!(matches!(
            store
                .decide_exception(&dispatcher, id, false, "поздно", now)
                .await,
            Err(AppError::Invalid(_))
        ));

        // a fourth: refused only with a reason, which zhitel reads
        let (fourth, _) = store
            .create_pass(
                &zhitel,
                &NewPass {
                    exception: Some(String::new()),
                    ..own_car(flat, "Т003ТТ77")
                },
                now,
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .decide_exception(&dispatcher, fourth, false, " ", now)
                .await,
            Err(AppError::Invalid(_))
        ));
        store
            .decide_exception(&dispatcher, fourth, false, "Во дворе нет мест", now)
            .await
            .unwrap();
        let mine = store.my_passes(zhitel.id, now).await.unwrap();
        let refused = mine.iter().find(|p| p.id == fourth).unwrap();
        assert_eq!(refused.state, PassState::NotApproved);
        assert_eq!(refused.approval_note.as_deref(), Some("Во дворе нет мест"));

        // a contractor's pass ending today is told once
        let crew = NewPass {
            kind: PassKind::Contractor,
            one_time: false,
            window: NewWindow::Days {
                first: app::clock::today(),
                last: app::clock::today(),
            },
            ..guest_today(flat, "Бригада «Ремонт»", None)
        };
        let (crew, _) = store.create_pass(&zhitel, &crew, now).await.unwrap();
        let told = notices(&store, "ContractorPassEnding").await;
        assert!(store.notice_ending_contractors(now).await.unwrap() >= 1);
        assert!(
            notices(&store, "ContractorPassEnding").await > told,
            "pass {crew}"
        );
        assert_eq!(store.notice_ending_contractors(now).await.unwrap(), 0);
        db.drop().await;
    }
);

both_backends!(
    the_desk_sets_a_houses_limits_and_the_form_follows_them,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let house = zhitel_house(&app.store).await.to_string();
        let form = |cars: &'static str, days: &'static str| {
            vec![
                ("settings[house]", house.clone()),
                ("settings[cars_per_flat]", cars.to_string()),
                ("settings[guest_cars_at_once]", "2".to_string()),
                ("settings[guest_car_hours_per_month]", "72".to_string()),
                ("settings[guest_max_days]", days.to_string()),
                ("settings[retention_days]", "30".to_string()),
            ]
        };
        let send = |client: reqwest::Client, form: Vec<(&'static str, String)>| {
            let url = format!("{}{}", app.base, path::<SavePassSettings>());
            async move { client.post(url).form(&form).send().await.unwrap() }
        };
        let resident = app.signed_in(logins::RESIDENT).await;
        assert_eq!(send(resident, form("1", "3")).await.status(), 403);
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        for bad in [form("много", "3"), form("1", "0"), form("11", "3")] {
            let refused = send(dispatcher.clone(), bad).await;
            assert_eq!(refused.status(), 422);
        }
        let audited = scalar(
            &app.store,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'pass_settings'",
        )
        .await;
        let saved = send(dispatcher.clone(), form("1", "3")).await;
        assert!(saved.status().is_success(), "{}", saved.status());
        let settings = app
            .store
            .pass_settings(house.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(
            (
                settings.cars_per_flat,
                settings.guest_max_days,
                settings.retention_days
            ),
            (1, 3, 30)
        );
        assert_eq!(
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'pass_settings'"
            )
            .await,
            audited + 1
        );
        // zhitel's form offers 3 days for a guest, and a second car is over the limit now
        let zhitel = user(&app.store, logins::RESIDENT, Role::Resident).await;
        let flat = zhitel_flat(&app.store, &zhitel).await;
        let (_, max_days) = app
            .store
            .pass_homes(zhitel.id, app::clock::today())
            .await
            .unwrap();
        assert_eq!(max_days, 3);
        let second = app
            .store
            .create_pass(&zhitel, &own_car(flat, "В001ВВ77"), Utc::now())
            .await;
        match second {
            Err(AppError::Invalid(m)) => assert!(m.contains("не больше 1"), "{m}"),
            other => panic!("a second car: {other:?}"),
        }
        app.stop().await;
    }
);

both_backends!(
    the_dispatcher_makes_a_pass_for_a_resident_who_calls,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let house = zhitel_house(&app.store).await.to_string();
        let ask = [("house", house.as_str()), ("flat", "12")];
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let refused = app.call(&zhitel, path::<LoadIssueForm>(), &ask).await;
        assert_eq!(refused.status(), 403, "a resident has no dispatcher's form");
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let form = app.call(&dispatcher, path::<LoadIssueForm>(), &ask).await;
        assert!(form.status().is_success(), "{}", form.status());
        let form: IssueForm = form.json().await.unwrap();
        let flat = form.form.expect("flat 12 has residents");
        let zhitel_id = app
            .store
            .credentials(logins::RESIDENT)
            .await
            .unwrap()
            .unwrap()
            .id;
        let person: i64 = scalar(
            &app.store,
            &format!("SELECT id FROM people WHERE user_id = {zhitel_id}"),
        )
        .await;
        assert!(
            flat.people.iter().any(|(id, _)| *id == person),
            "{:?}",
            flat.people
        );
        let home = flat.homes[0].0.to_string();
        let nobody = app
            .call(
                &dispatcher,
                path::<LoadIssueForm>(),
                &[("house", house.as_str()), ("flat", "9999")],
            )
            .await;
        let nobody: IssueForm = nobody.json().await.unwrap();
        assert!(nobody.form.is_none() && nobody.problem.is_some());

        let today = app::clock::today().format("%Y-%m-%d").to_string();
        let person_field = person.to_string();
        let pass = |key: &'static str, visitor: &'static str, person: String| {
            let (home, today) = (home.clone(), today.clone());
            move || {
                vec![
                    ("pass[resident]".to_string(), person.clone()),
                    ("pass[home]".to_string(), home.clone()),
                    ("pass[kind]".to_string(), "guest".to_string()),
                    ("pass[visitor]".to_string(), visitor.to_string()),
                    ("pass[mode]".to_string(), "once".to_string()),
                    ("pass[day]".to_string(), today.clone()),
                    ("pass[from]".to_string(), "00:00".to_string()),
                    ("pass[until]".to_string(), "00:00".to_string()),
                    ("pass[key]".to_string(), key.to_string()),
                ]
            }
        };
        let send = |client: reqwest::Client, form: Vec<(String, String)>| {
            let url = format!("{}{}", app.base, path::<CreatePass>());
            async move { client.post(url).form(&form).send().await.unwrap() }
        };
        let told = notices(&app.store, "PassIssued").await;
        let audited = || {
            scalar(
                &app.store,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'passes'",
            )
        };
        let audits = audited().await;

        // a resident cannot make a pass "for" someone
        let forged = send(
            zhitel.clone(),
            pass("f-1", "Подделка", person_field.clone())(),
        )
        .await;
        assert_eq!(forged.status(), 403);

        let made = send(
            dispatcher.clone(),
            pass("d-1", "Тётя Валя", person_field.clone())(),
        )
        .await;
        assert!(made.status().is_success(), "{}", made.status());
        let link: String = made.json().await.unwrap();
        assert!(link.starts_with("/p/"), "{link}");
        // sent again (a bad connection): the same pass
        let again = send(
            dispatcher.clone(),
            pass("d-1", "Тётя Валя", person_field.clone())(),
        )
        .await;
        assert_eq!(again.json::<String>().await.unwrap(), link);
        assert_eq!(
            notices(&app.store, "PassIssued").await,
            told + 1,
            "zhitel is told"
        );
        assert_eq!(
            audited().await,
            audits + 1,
            "the dispatcher's pass is audited"
        );

        // the pass is zhitel's: in their list
        let mine = app.call(&zhitel, path::<LoadMyPasses>(), &[]).await;
        let mine: Vec<app::passes::types::PassRow> = mine.json().await.unwrap();
        assert!(
            mine.iter().any(|p| p.title.contains("Тётя Валя")),
            "{mine:?}"
        );
        let issued_by: i64 = scalar(
            &app.store,
            &format!(
                "SELECT COUNT(*) FROM passes WHERE visitor = 'Тётя Валя'
                 AND issued_by IS NOT NULL AND created_by = {zhitel_id}"
            ),
        )
        .await;
        assert_eq!(issued_by, 1);

        // someone who does not live in the flat: refused, nothing made
        let sosed_id = app
            .store
            .credentials(logins::NEIGHBOUR)
            .await
            .unwrap()
            .unwrap()
            .id;
        let stranger: i64 = scalar(
            &app.store,
            &format!("SELECT id FROM people WHERE user_id = {sosed_id}"),
        )
        .await;
        let wrong = send(
            dispatcher.clone(),
            pass("d-2", "Чужая гостья", stranger.to_string())(),
        )
        .await;
        assert_eq!(wrong.status(), 422);
        let none: i64 = scalar(
            &app.store,
            "SELECT COUNT(*) FROM passes WHERE visitor = 'Чужая гостья'",
        )
        .await;
        assert_eq!(none, 0);
        app.stop().await;
    }
);

both_backends!(
    the_post_keeps_the_day_and_its_queued_entries_count_once,
    |backend: Backend| async move {
        use app::passes::post::{GateDay, QueuedEntry, Synced};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let now = Utc::now();
        let zhitel = user(&app.store, logins::RESIDENT, Role::Resident).await;
        let flat = zhitel_flat(&app.store, &zhitel).await;
        let (pass, _) = app
            .store
            .create_pass(&zhitel, &guest_today(flat, "Гость без связи", None), now)
            .await
            .unwrap();
        let house = zhitel_house(&app.store).await;
        let ask = [("house", house.to_string())];
        let resident = app.signed_in(logins::RESIDENT).await;
        let refused = app
            .call(
                &resident,
                path::<LoadGateDay>(),
                &[("house", ask[0].1.as_str())],
            )
            .await;
        assert_eq!(refused.status(), 403);
        let guard = app.signed_in(logins::GUARD).await;
        let day = app
            .call(
                &guard,
                path::<LoadGateDay>(),
                &[("house", ask[0].1.as_str())],
            )
            .await;
        assert!(day.status().is_success(), "{}", day.status());
        let day: GateDay = day.json().await.unwrap();
        assert_eq!(day.house, house);
        let kept = day
            .passes
            .iter()
            .find(|p| p.answer.pass_id == pass)
            .expect("today's guest is in the day's list");
        assert!(kept.answer.refusal.is_none());
        // offline, the list answers the code like the server
        let code = GateLookup::Code(kept.code.clone().unwrap());
        let offline = day.check(&code, now, "k".into()).unwrap();
        assert_eq!((offline.pass_id, offline.refusal), (pass, None));
        assert!(
            day.passes
                .iter()
                .all(|p| p.answer.home.contains("Серебряная, д. 1")),
            "only this house's passes"
        );

        // entries queued offline: sent twice, counted once; a second key for the same
        // one-time pass is refused as used; an entry older than two days is not taken
        let queued = |key: &str, at| QueuedEntry {
            house,
            pass,
            direction: Direction::In,
            key: key.to_string(),
            at,
        };
        let sync = |entries: Vec<QueuedEntry>, client: reqwest::Client| {
            let url = format!("{}{}", app.base, path::<GateSync>());
            async move {
                client
                    .post(url)
                    .json(&serde_json::json!({ "entries": entries }))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let denied = sync(vec![queued("q-0", now)], resident.clone()).await;
        assert_eq!(denied.status(), 403);
        let earlier = now - Duration::minutes(5);
        let first = sync(vec![queued("q-1", earlier)], guard.clone()).await;
        assert!(first.status().is_success(), "{}", first.status());
        let first: Vec<Synced> = first.json().await.unwrap();
        assert_eq!(first[0].problem, None);
        let twice: Vec<Synced> = sync(vec![queued("q-1", earlier)], guard.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(twice[0].problem, None, "the same key again is fine");
        let other: Vec<Synced> = sync(
            vec![queued("q-2", now), queued("q-3", now - Duration::days(3))],
            guard.clone(),
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(
            other[0].problem.as_deref().unwrap().contains("использован"),
            "{other:?}"
        );
        assert!(other[1].problem.is_some(), "too old: {other:?}");
        let entries: i64 = scalar(
            &app.store,
            &format!("SELECT COUNT(*) FROM pass_entries WHERE pass_id = {pass}"),
        )
        .await;
        assert_eq!(
            entries, 1,
            "one entry, at the moment the guard let the guest in"
        );
        let at_moment: i64 = scalar(
            &app.store,
            &format!(
                "SELECT COUNT(*) FROM pass_entries WHERE pass_id = {pass} AND client_key = 'q-1'"
            ),
        )
        .await;
        assert_eq!(at_moment, 1);
        // a used pass is no longer in the day's list
        let day: GateDay = app
            .call(
                &guard,
                path::<LoadGateDay>(),
                &[("house", ask[0].1.as_str())],
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(day.passes.iter().all(|p| p.answer.pass_id != pass));
        app.stop().await;
    }
);
