//! АДС on SQLite and PostgreSQL: a ticket with its files is saved whole or not at all, a
//! repeated submit makes one ticket, the statuses move only as the rules allow and every move
//! is in the history with its notice, reopening restarts the clock, the SLA sweep warns once and
//! closes quiet done tickets, a neighbour reaches nothing of another's ticket, the demo and the
//! council's report; over HTTP, chunked uploads resume after a lost chunk, a renamed executable
//! is refused, files are served only to those who may see the ticket, and the form works
//! without the page's script.

use std::io::Cursor;

use chrono::{Duration, Utc};
use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::common::{Backend, TestApp, notices, scalar, user};
use app::auth::types::{CurrentUser, Role};
use app::db::Store;
use app::error::AppError;
use app::tickets::api::*;
use app::tickets::store::{NewTicket, StoredUpload};
use app::tickets::types::{FileKind, Place, Sla, Status};
use server::demo::logins;

/// zhitel's first home (Серебряная 1, кв. 12).
async fn zhitel_home(store: &Store, zhitel: &CurrentUser) -> i64 {
    store
        .ticket_homes(zhitel.id, app::clock::today())
        .await
        .unwrap()
        .into_iter()
        .find(|(_, label)| label.contains("Серебряная, д. 1"))
        .unwrap()
        .0
}

async fn category(store: &Store, code: &str) -> i64 {
    store
        .ticket_categories()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.code == code)
        .unwrap()
        .id
}

/// A finished upload as the file handler leaves it.
async fn staged(store: &Store, user: &CurrentUser) -> String {
    let token = store
        .start_upload(user.id, "фото.jpg", 10, Utc::now())
        .await
        .unwrap();
    let state = store.upload_state(user.id, &token).await.unwrap().unwrap();
    assert!(store.upload_received(state.id, 0, 10).await.unwrap());
    let stored = StoredUpload {
        kind: FileKind::Photo,
        content_type: "image/jpeg".into(),
        size: 10,
        storage_key: format!("tickets/test{}.jpg", state.id),
        thumb_key: None,
    };
    store.upload_stored(state.id, &stored).await.unwrap();
    token
}

fn leak(apartment: i64, category_id: i64, uploads: Vec<String>, key: Option<&str>) -> NewTicket {
    NewTicket {
        category_id,
        place: Place::Flat,
        place_note: "ванная".into(),
        description: "Течёт с потолка в ванной, вода капает на пол.".into(),
        apartment_id: Some(apartment),
        house_id: None,
        caller: None,
        uploads,
        client_key: key.map(str::to_string),
    }
}

both_backends!(
    a_ticket_and_its_files_are_saved_whole_or_not_at_all,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::register_store(backend).await else {
            return;
        };
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let home = zhitel_home(&store, &zhitel).await;
        let leak_id = category(&store, "leak").await;
        let (now, today) = (Utc::now(), app::clock::today());
        let before = scalar(&store, "SELECT COUNT(*) FROM tickets").await;
        let emergencies = notices(&store, "TicketEmergency").await;

        // a file that never finished uploading: nothing is saved, the finished one stays staged
        let good = staged(&store, &zhitel).await;
        let unfinished = store
            .start_upload(zhitel.id, "видео.mp4", 1000, now)
            .await
            .unwrap();
        let refused = store
            .create_ticket(
                &zhitel,
                &leak(home, leak_id, vec![good.clone(), unfinished], None),
                now,
                today,
            )
            .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM tickets").await, before);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM ticket_files WHERE ticket_id IS NOT NULL AND token IN (SELECT token FROM ticket_files WHERE kind IS NOT NULL)").await,
            scalar(&store, "SELECT COUNT(*) FROM ticket_files WHERE ticket_id IS NOT NULL AND kind IS NOT NULL").await,
        );
        assert!(
            store
                .upload_state(zhitel.id, &good)
                .await
                .unwrap()
                .is_some(),
            "still staged"
        );

        // the same form sent twice (a bad connection) makes one ticket with its file
        let ticket = leak(home, leak_id, vec![good.clone()], Some("form-key-1"));
        let id = store
            .create_ticket(&zhitel, &ticket, now, today)
            .await
            .unwrap();
        let again = store
            .create_ticket(&zhitel, &ticket, now, today)
            .await
            .unwrap();
        assert_eq!(id, again);
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) FROM tickets").await,
            before + 1
        );
        let view = store.ticket_view(&zhitel, id, now).await.unwrap();
        assert_eq!(view.files.len(), 1);
        assert_eq!(view.row.status, Status::New);
        assert!(matches!(
            view.row.reaction,
            Sla::Running {
                left_minutes: 29 | 30
            }
        ));
        // a leak is an emergency: the dispatchers are told at once, in the same transaction
        assert_eq!(notices(&store, "TicketEmergency").await, emergencies + 1);

        // a neighbour may not name zhitel's flat, nor use his uploads
        let sosed = user(&store, logins::NEIGHBOUR, Role::Resident).await;
        let theirs = store
            .create_ticket(&sosed, &leak(home, leak_id, vec![], None), now, today)
            .await;
        assert_eq!(theirs, Err(AppError::Forbidden));
        let stolen = staged(&store, &zhitel).await;
        let sosed_home = store.ticket_homes(sosed.id, today).await.unwrap()[0].0;
        let with_stolen = store
            .create_ticket(
                &sosed,
                &leak(sosed_home, leak_id, vec![stolen], None),
                now,
                today,
            )
            .await;
        assert!(matches!(with_stolen, Err(AppError::Invalid(_))));
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    statuses_move_as_the_rules_allow_with_history_and_notices,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let dispatcher = user(&store, logins::DISPATCHER, Role::Dispatcher).await;
        let master = user(&store, logins::EXECUTOR, Role::Executor).await;
        let electrician = user(&store, logins::ELECTRICIAN, Role::Executor).await;
        let home = zhitel_home(&store, &zhitel).await;
        let now = Utc::now();
        let id = store
            .create_ticket(
                &zhitel,
                &leak(home, category(&store, "leak").await, vec![], None),
                now,
                app::clock::today(),
            )
            .await
            .unwrap();
        let updates = notices(&store, "TicketUpdate").await;

        // the resident cannot accept his own ticket; an executor not assigned sees nothing
        let refused = store
            .move_ticket(&zhitel, id, Status::Accepted, "", now)
            .await;
        assert!(matches!(refused, Err(AppError::Invalid(_))));
        assert_eq!(
            store.ticket_view(&master, id, now).await.err(),
            Some(AppError::Forbidden)
        );

        let later = now + Duration::minutes(12);
        store
            .move_ticket(&dispatcher, id, Status::Accepted, "", later)
            .await
            .unwrap();
        assert_eq!(
            notices(&store, "TicketUpdate").await,
            updates + 1,
            "the resident is told"
        );
        let view = store.ticket_view(&zhitel, id, later).await.unwrap();
        assert_eq!(view.row.reaction, Sla::Met, "accepted in 12 minutes of 30");

        // assigned to the plumbers with their master: he starts and finishes on his phone
        let plumbers = store
            .contractors(now)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.executors.iter().any(|e| e.0 == master.id))
            .unwrap();
        let wrong = store
            .assign_ticket(
                &dispatcher,
                id,
                Some(plumbers.id),
                Some(electrician.id),
                later,
            )
            .await;
        assert!(
            matches!(wrong, Err(AppError::Invalid(_))),
            "the electrician is not a plumber"
        );
        store
            .assign_ticket(&dispatcher, id, Some(plumbers.id), Some(master.id), later)
            .await
            .unwrap();
        assert!(
            store
                .executor_work(master.id, later)
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == id)
        );
        assert!(
            !store
                .executor_work(electrician.id, later)
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == id)
        );
        assert_eq!(
            notices(&store, "TicketAssigned").await,
            1,
            "the master is told"
        );
        assert!(
            store
                .move_ticket(&master, id, Status::Closed, "", later)
                .await
                .is_err()
        );
        store
            .move_ticket(&master, id, Status::InWork, "", later)
            .await
            .unwrap();
        store
            .move_ticket(&master, id, Status::Done, "", later + Duration::hours(2))
            .await
            .unwrap();
        assert_eq!(
            store
                .ticket_view(&master, id, later)
                .await
                .unwrap()
                .row
                .resolution,
            Sla::Met
        );

        // the resident: not fixed → reopen with a reason; the clock starts again from then
        assert!(
            store
                .move_ticket(&zhitel, id, Status::Reopened, "нет", later)
                .await
                .is_err(),
            "a reason is needed"
        );
        let reopened_at = later + Duration::hours(5);
        store
            .move_ticket(
                &zhitel,
                id,
                Status::Reopened,
                "Снова капает с потолка",
                reopened_at,
            )
            .await
            .unwrap();
        let view = store
            .ticket_view(&dispatcher, id, reopened_at)
            .await
            .unwrap();
        assert_eq!(view.row.status, Status::Reopened);
        assert_eq!(view.reopen_count, 1);
        assert!(
            matches!(
                view.row.reaction,
                Sla::Running {
                    left_minutes: 29 | 30
                }
            ),
            "{:?}",
            view.row.reaction
        );
        assert_eq!(
            view.row.resolution_due,
            app::clock::format_moment(reopened_at + Duration::minutes(1440))
        );
        store
            .move_ticket(&master, id, Status::InWork, "", reopened_at)
            .await
            .unwrap();
        store
            .move_ticket(
                &master,
                id,
                Status::Done,
                "",
                reopened_at + Duration::hours(1),
            )
            .await
            .unwrap();
        // confirmed and rated once
        store
            .move_ticket(
                &zhitel,
                id,
                Status::Closed,
                "",
                reopened_at + Duration::hours(2),
            )
            .await
            .unwrap();
        store
            .rate_ticket(&zhitel, id, 5, "быстро", reopened_at)
            .await
            .unwrap();
        assert!(
            store
                .rate_ticket(&zhitel, id, 1, "", reopened_at)
                .await
                .is_err(),
            "once"
        );
        assert!(
            store
                .move_ticket(&dispatcher, id, Status::InWork, "", reopened_at)
                .await
                .is_err(),
            "closed is final"
        );

        // every change is in the history, staff changes in the audit log
        let view = store.ticket_view(&zhitel, id, reopened_at).await.unwrap();
        let statuses = view.events.iter().filter(|e| e.what.contains('→')).count();
        assert_eq!(statuses, 7, "{:?}", view.events);
        assert_eq!(view.rating, Some(5));
        assert!(
            !view.events.iter().any(|e| e.internal),
            "the assignment is internal"
        );
        assert_eq!(
            scalar(
                &store,
                &format!(
                    "SELECT COUNT(*) FROM audit_log WHERE entity = 'ticket' AND entity_id = {id} AND action <> 'view'"
                )
            )
            .await,
            6
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_neighbour_reaches_nothing_of_anothers_ticket,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::register_store(backend).await else {
            return;
        };
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let sosed = user(&store, logins::NEIGHBOUR, Role::Resident).await;
        let dispatcher = user(&store, logins::DISPATCHER, Role::Dispatcher).await;
        let accountant = user(&store, logins::ACCOUNTANT, Role::Accountant).await;
        let home = zhitel_home(&store, &zhitel).await;
        let now = Utc::now();
        let token = staged(&store, &zhitel).await;
        let id = store
            .create_ticket(
                &zhitel,
                &leak(home, category(&store, "other").await, vec![token], None),
                now,
                app::clock::today(),
            )
            .await
            .unwrap();
        store
            .comment_ticket(&dispatcher, id, "Позвонить соседям сверху", true, now)
            .await
            .unwrap();
        store
            .comment_ticket(&dispatcher, id, "Мастер придёт в 15:00", false, now)
            .await
            .unwrap();
        let internal_file = staged(&store, &dispatcher).await;
        store
            .attach_ticket_files(
                &dispatcher,
                id,
                app::tickets::types::Stage::Before,
                &[internal_file],
                true,
                now,
            )
            .await
            .unwrap();
        let file_id = scalar(
            &store,
            &format!("SELECT MIN(id) FROM ticket_files WHERE ticket_id = {id}"),
        )
        .await;
        let internal_id = scalar(
            &store,
            &format!("SELECT MAX(id) FROM ticket_files WHERE ticket_id = {id}"),
        )
        .await;

        for outsider in [&sosed, &accountant] {
            assert_eq!(
                store.ticket_view(outsider, id, now).await.err(),
                Some(AppError::Forbidden)
            );
            assert_eq!(
                store
                    .move_ticket(outsider, id, Status::Cancelled, "чужая заявка", now)
                    .await
                    .err(),
                Some(AppError::Forbidden)
            );
            assert_eq!(
                store
                    .comment_ticket(outsider, id, "привет", false, now)
                    .await
                    .err(),
                Some(AppError::Forbidden)
            );
            assert_eq!(
                store.ticket_file(outsider, file_id).await.err(),
                Some(AppError::Forbidden)
            );
        }
        assert!(
            !store
                .my_tickets(sosed.id, now)
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == id)
        );
        // the requester sees the public comment, not the internal one nor the internal file
        let mine = store.ticket_view(&zhitel, id, now).await.unwrap();
        assert!(mine.events.iter().any(|e| e.body.contains("15:00")));
        assert!(!mine.events.iter().any(|e| e.body.contains("соседям")));
        assert_eq!(mine.files.len(), 1);
        assert!(mine.requester_phone.is_none());
        // staff see the resident's phone to call back, and that they saw it is audited
        let staff_view = store.ticket_view(&dispatcher, id, now).await.unwrap();
        assert_eq!(staff_view.requester_phone.as_deref(), Some("+79161234512"));
        assert_eq!(
            scalar(&store, &format!("SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND entity = 'ticket' AND entity_id = {id}")).await,
            1
        );
        assert!(store.ticket_file(&zhitel, file_id).await.is_ok());
        assert_eq!(
            store.ticket_file(&zhitel, internal_id).await.err(),
            Some(AppError::Forbidden)
        );
        assert!(store.ticket_file(&dispatcher, internal_id).await.is_ok());
        // a resident cannot mark his own comment internal
        store
            .comment_ticket(&zhitel, id, "Жду", true, now)
            .await
            .unwrap();
        assert!(
            store
                .ticket_view(&zhitel, id, now)
                .await
                .unwrap()
                .events
                .iter()
                .any(|e| e.body == "Жду")
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    the_sweep_warns_once_and_closes_quiet_done_tickets,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::register_store(backend).await else {
            return;
        };
        let zhitel = user(&store, logins::RESIDENT, Role::Resident).await;
        let dispatcher = user(&store, logins::DISPATCHER, Role::Dispatcher).await;
        let home = zhitel_home(&store, &zhitel).await;
        let now = Utc::now();
        // the demo's past is quiet: its tickets were escalated and closed as they happened (only
        // its fresh emergency may have come close to its deadline since the demo was made)
        let first = store.ticket_sweep(now).await.unwrap();
        assert!(first.escalated <= 1 && first.closed == 0, "{first:?}");
        let sla = notices(&store, "TicketSla").await;

        // a leak registered 25 minutes ago, nobody reacted: 5 of 30 minutes left → at risk
        let id = store
            .create_ticket(
                &zhitel,
                &leak(home, category(&store, "leak").await, vec![], None),
                now - Duration::minutes(25),
                app::clock::today(),
            )
            .await
            .unwrap();
        assert_eq!(store.ticket_sweep(now).await.unwrap().escalated, 1);
        assert_eq!(store.ticket_sweep(now).await.unwrap().escalated, 0, "once");
        assert_eq!(notices(&store, "TicketSla").await, sla + 1);
        // done four days ago and the resident said nothing: closed, and he is told
        store
            .move_ticket(
                &dispatcher,
                id,
                Status::Accepted,
                "",
                now - Duration::days(4),
            )
            .await
            .unwrap();
        store
            .move_ticket(&dispatcher, id, Status::Done, "", now - Duration::days(4))
            .await
            .unwrap();
        let swept = store.ticket_sweep(now).await.unwrap();
        assert_eq!(swept.closed, 1);
        assert_eq!(
            store
                .ticket_view(&zhitel, id, now)
                .await
                .unwrap()
                .row
                .status,
            Status::Closed
        );
        // an upload no ticket took for a day is purged with its file
        let old = store
            .start_upload(zhitel.id, "a.jpg", 5, now - Duration::hours(25))
            .await
            .unwrap();
        let swept = store.ticket_sweep(now).await.unwrap();
        assert!(swept.purged.iter().any(|k| k.starts_with("staging/")));
        assert!(store.upload_state(zhitel.id, &old).await.unwrap().is_none());
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    the_demo_year_and_the_councils_report,
    |backend: Backend| async move {
        let Some((db, store)) = crate::common::demo_store(backend).await else {
            return;
        };
        let now = Utc::now();
        let total = scalar(&store, "SELECT COUNT(*) FROM tickets").await;
        assert!((300..=400).contains(&total), "{total} tickets");
        assert!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM tickets WHERE reopen_count > 0"
            )
            .await
                >= 5
        );
        assert_eq!(
            scalar(&store, "SELECT COUNT(DISTINCT category_id) FROM tickets").await,
            scalar(&store, "SELECT COUNT(*) FROM ticket_categories").await
        );
        let board = store.board(&Default::default(), now).await.unwrap();
        assert_eq!(
            board.rows.len() as i64,
            board.counts.open,
            "every open ticket is listed"
        );
        assert!(
            board.counts.open >= 5 && board.counts.overdue >= 1,
            "{:?}",
            board.counts
        );
        let loads: Vec<i64> = board.contractors.iter().map(|c| c.open).collect();
        assert!(
            loads.iter().max() > loads.iter().min(),
            "different loads: {loads:?}"
        );
        let overdue = store
            .board(
                &app::tickets::types::BoardFilter {
                    status: "all".into(),
                    overdue: true,
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        assert!(!overdue.rows.is_empty());
        assert!(
            overdue
                .rows
                .iter()
                .all(|r| app::tickets::rules::is_late(r.reaction)
                    || app::tickets::rules::is_late(r.resolution))
        );
        // one executor's tickets
        let master = user(&store, logins::EXECUTOR, Role::Executor).await;
        let his = store
            .board(
                &app::tickets::types::BoardFilter {
                    status: "all".into(),
                    executor: Some(master.id),
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        assert!(!his.rows.is_empty());
        assert!(
            his.rows
                .iter()
                .all(|r| r.executor.as_deref() == Some("Кузнецов Андрей Петрович"))
        );

        // the report adds up: every ticket of the year in one month and one category
        let year = chrono::Datelike::year(&app::clock::today());
        let report = store.ticket_report(year).await.unwrap();
        let by_month: i64 = report.by_month.iter().map(|r| r.tickets).sum();
        let by_category: i64 = report.by_category.iter().map(|r| r.tickets).sum();
        let grid: i64 = report.by_category_month.iter().flat_map(|(_, m)| m).sum();
        assert_eq!(by_month, report.total.tickets);
        assert_eq!(by_category, report.total.tickets);
        assert_eq!(grid, report.total.tickets);
        assert!(report.total.within_sla <= report.total.resolved && report.total.resolved > 0);
        assert!(
            report.total.within_sla < report.total.resolved,
            "some were late"
        );
        store.db.close().await;
        db.drop().await;
    }
);

fn path<T: ServerFn>() -> &'static str {
    T::PATH
}

/// A phone's photo: a PNG of some size.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 90])
    })
    .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
    .unwrap();
    out
}

/// The answer as JSON; a refusal is the server's Russian message as text, read as `{"error": …}`
/// (as the page's script reads it).
async fn json(response: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| serde_json::json!({ "error": text }));
    (status, value)
}

both_backends!(
    uploads_resume_files_are_checked_and_served_only_to_those_allowed,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let photo = png(900, 700);
        let size = photo.len().to_string();
        let (status, started) = json(
            app.call(
                &zhitel,
                "/uploads",
                &[("name", "протечка.png"), ("size", &size)],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{started}");
        let token = started["token"].as_str().unwrap().to_string();
        let half = photo.len() / 2;
        let put = |offset: usize, bytes: Vec<u8>| {
            zhitel
                .put(format!("{}/uploads/{token}?offset={offset}", app.base))
                .body(bytes)
                .send()
        };
        let (status, first) = json(put(0, photo[..half].to_vec()).await.unwrap()).await;
        assert_eq!(
            (status, first["received"].as_u64()),
            (StatusCode::OK, Some(half as u64))
        );
        // the connection dropped and the phone sends the first chunk again: told where to go on
        let (status, again) = json(put(0, photo[..half].to_vec()).await.unwrap()).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(again["received"].as_u64(), Some(half as u64));
        let (status, asked) = json(
            zhitel
                .get(format!("{}/uploads/{token}", app.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, asked["done"].as_bool()),
            (StatusCode::OK, Some(false))
        );
        let (status, done) = json(put(half, photo[half..].to_vec()).await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(
            (done["done"].as_bool(), done["kind"].as_str()),
            (Some(true), Some("photo"))
        );

        // a program renamed to a photo is refused and forgotten
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF".to_vec();
        let (_, bad) = json(
            app.call(
                &zhitel,
                "/uploads",
                &[("name", "фото.jpg"), ("size", &exe.len().to_string())],
            )
            .await,
        )
        .await;
        let bad_token = bad["token"].as_str().unwrap().to_string();
        let (status, refused) = json(
            zhitel
                .put(format!("{}/uploads/{bad_token}?offset=0", app.base))
                .body(exe)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused["error"].as_str().unwrap().contains("не подходит"),
            "{refused}"
        );
        assert_eq!(
            zhitel
                .get(format!("{}/uploads/{bad_token}", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // the form: the uploaded photo goes with it by its token
        let home = zhitel_home(
            &app.store,
            &user(&app.store, logins::RESIDENT, Role::Resident).await,
        )
        .await;
        let leak = category(&app.store, "leak").await.to_string();
        let form = reqwest::multipart::Form::new()
            .text("key", "k-1")
            .text("category", leak.clone())
            .text("apartment", home.to_string())
            .text("place", "flat")
            .text("note", "")
            .text("description", "Течёт с потолка в ванной комнате.")
            .text("upload", token.clone());
        let created = zhitel
            .post(format!("{}/cabinet/tickets/new", app.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let location = created.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = location
            .trim_start_matches("/cabinet/tickets/")
            .parse()
            .expect(&location);
        let file_id = scalar(
            &app.store,
            &format!("SELECT id FROM ticket_files WHERE ticket_id = {id}"),
        )
        .await;

        // the stored photo is a clean JPEG no bigger than 1600 px, with a thumbnail
        let file = zhitel
            .get(format!("{}/tickets/file/{file_id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()["content-type"], "image/jpeg");
        let bytes = file.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xFF\xD8\xFF");
        let thumb = zhitel
            .get(format!("{}/tickets/file/{file_id}/thumb", app.base))
            .send()
            .await
            .unwrap();
        let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
        assert!(thumb.width() <= 320 && thumb.height() <= 320);
        // the neighbour and a stranger get nothing
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        assert_eq!(
            sosed
                .get(format!("{}/tickets/file/{file_id}", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.client()
                .get(format!("{}/tickets/file/{file_id}", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let foreign = app
            .call(&sosed, path::<LoadTicket>(), &[("id", &id.to_string())])
            .await;
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.call(
                &sosed,
                path::<MoveTicket>(),
                &[
                    ("id", &id.to_string()),
                    ("to", "cancelled"),
                    ("reason", "не моя заявка")
                ]
            )
            .await
            .status(),
            StatusCode::FORBIDDEN
        );
        // a neighbour cannot upload into zhitel's staged file either
        assert_eq!(
            sosed
                .get(format!("{}/uploads/{token}", app.base))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // without the page's script the photo goes with the form itself
        let form = reqwest::multipart::Form::new()
            .text("category", leak)
            .text("apartment", home.to_string())
            .text("place", "entrance")
            .text("note", "")
            .text("description", "В подъезде течёт с потолка у лифта.")
            .part(
                "file",
                reqwest::multipart::Part::bytes(png(40, 30)).file_name("IMG_0001.png"),
            );
        let created = zhitel
            .post(format!("{}/cabinet/tickets/new", app.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let location = created.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with("/cabinet/tickets/") && !location.contains("error"),
            "{location}"
        );
        // too big for its kind: a 21 MB photo (limit 20 MB), and over 100 MB declared at all
        let mut huge = b"\xFF\xD8\xFF\xE0".to_vec();
        huge.resize(21 * 1024 * 1024, 0);
        let form = reqwest::multipart::Form::new()
            .text("category", category(&app.store, "leak").await.to_string())
            .text("apartment", home.to_string())
            .text("place", "flat")
            .text("description", "Течёт с потолка в ванной комнате.")
            .part(
                "file",
                reqwest::multipart::Part::bytes(huge).file_name("IMG_9999.jpg"),
            );
        let back = zhitel
            .post(format!("{}/cabinet/tickets/new", app.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            back.headers()["location"],
            "/cabinet/tickets/new?error=file"
        );
        let (status, refused) = json(
            app.call(
                &zhitel,
                "/uploads",
                &[
                    ("name", "фильм.mp4"),
                    ("size", &(101 * 1024 * 1024).to_string()),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("слишком большой"),
            "{refused}"
        );

        // a bad description comes back to the form with what to fix
        let form = reqwest::multipart::Form::new()
            .text("category", "1")
            .text("apartment", home.to_string())
            .text("place", "flat")
            .text("description", "течёт");
        let back = zhitel
            .post(format!("{}/cabinet/tickets/new", app.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            back.headers()["location"],
            "/cabinet/tickets/new?error=description"
        );
        let page = zhitel
            .get(format!(
                "{}/cabinet/tickets/new?error=description",
                app.base
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Опишите, что случилось"),
            "the message on the page"
        );
        app.stop().await;
    }
);

both_backends!(
    roles_reach_only_their_part_of_the_adc,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let master = app.signed_in(logins::EXECUTOR).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let board_form = [
            ("status", ""),
            ("category", ""),
            ("house", ""),
            ("contractor", ""),
            ("executor", ""),
            ("overdue", ""),
        ];
        for (who, status) in [
            (&zhitel, StatusCode::FORBIDDEN),
            (&master, StatusCode::FORBIDDEN),
            (&accountant, StatusCode::FORBIDDEN),
            (&dispatcher, StatusCode::OK),
        ] {
            assert_eq!(
                app.call(who, path::<LoadBoard>(), &board_form)
                    .await
                    .status(),
                status
            );
        }
        assert_eq!(
            app.call(&dispatcher, path::<LoadTicketReport>(), &[])
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "the council's"
        );
        let chair = app.signed_in(logins::CHAIR).await;
        assert_eq!(
            app.call(&chair, path::<LoadTicketReport>(), &[])
                .await
                .status(),
            StatusCode::OK
        );
        // the executor sees his work and nothing of the register
        let work: Vec<app::tickets::types::TicketRow> = app
            .call(&master, path::<LoadWork>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(!work.is_empty());
        let master_id = app
            .store
            .credentials(logins::EXECUTOR)
            .await
            .unwrap()
            .unwrap()
            .id;
        let others = scalar(&app.store, &format!("SELECT MIN(id) FROM tickets WHERE executor_user_id IS NULL AND (contractor_id IS NULL OR contractor_id NOT IN (SELECT contractor_id FROM executors WHERE user_id = {master_id}))")).await;
        assert_eq!(
            app.call(
                &master,
                path::<LoadTicket>(),
                &[("id", &others.to_string())]
            )
            .await
            .status(),
            StatusCode::FORBIDDEN
        );
        let register = master
            .get(format!("{}/staff", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(register.contains("Нет доступа"));
        // a call taken by phone, then the dispatcher's pages render
        let call = app
            .call(
                &dispatcher,
                path::<RegisterCall>(),
                &[
                    ("house", "1"),
                    ("flat", "12"),
                    ("caller", "Иван Петрович"),
                    ("phone", "+7 916 000-11-22"),
                    ("category", "1"),
                    ("place", "flat"),
                    ("note", ""),
                    ("description", "Течёт из-под ванны у соседей снизу."),
                ],
            )
            .await;
        assert_eq!(call.status(), StatusCode::OK);
        let id: i64 = call.json().await.unwrap();
        let page = dispatcher
            .get(format!("{}/staff/tickets/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap().replace("<!>", "");
        assert!(html.contains(&format!("Заявка №{id}")) && html.contains("+7 916 000-11-22"));
        let board = dispatcher
            .get(format!("{}/staff/tickets?status=all", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(board.contains("data-testid=\"board\""));
        app.stop().await;
    }
);

fn s3_settings(
    fake: &crate::common::s3::S3,
    secret: &str,
) -> server::integrations::storage::S3Settings {
    server::integrations::storage::S3Settings {
        endpoint: Some(fake.endpoint.clone()),
        bucket: fake.bucket.clone(),
        region: fake.region.clone(),
        access_key_id: fake.access_key_id.clone(),
        secret_access_key: secret.into(),
    }
}

#[tokio::test]
async fn the_s3_adapter_signs_every_request_and_reads_parts() {
    use server::integrations::storage::{Storage, new_key};
    let fake = crate::common::s3::S3::start().await;
    let staging = std::env::temp_dir().join("klyuch-s3-staging");
    let storage = Storage::s3(&s3_settings(&fake, &fake.secret), &staging).unwrap();
    let key = new_key("tickets", "mp4");
    let video: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    storage.put(&key, &video).await.unwrap();
    assert_eq!(fake.keys(), vec![key.clone()]);
    assert_eq!(storage.size(&key).await.unwrap(), 200_000);
    assert_eq!(storage.get(&key).await.unwrap(), video);
    assert_eq!(
        storage.get_range(&key, 1000..1010).await.unwrap(),
        video[1000..1010]
    );
    storage.delete(&key).await.unwrap();
    assert!(fake.keys().is_empty());
    assert!(storage.get(&key).await.is_err());
    assert!(
        fake.refused.lock().unwrap().is_empty(),
        "{:?}",
        fake.refused.lock().unwrap()
    );
    // a wrong secret is refused by the signature check, and nothing is stored
    let wrong = Storage::s3(&s3_settings(&fake, "not-the-secret"), &staging).unwrap();
    assert!(wrong.put(&new_key("tickets", "jpg"), b"x").await.is_err());
    assert!(fake.keys().is_empty());
    assert!(!fake.refused.lock().unwrap().is_empty());
}

both_backends!(
    ticket_files_live_in_s3_when_it_is_configured,
    |backend: Backend| async move {
        let fake = crate::common::s3::S3::start().await;
        let settings = [
            ("KLYUCH_S3_BUCKET", fake.bucket.as_str()),
            ("KLYUCH_S3_ENDPOINT", fake.endpoint.as_str()),
            ("KLYUCH_S3_REGION", fake.region.as_str()),
            ("KLYUCH_S3_ACCESS_KEY_ID", fake.access_key_id.as_str()),
            ("KLYUCH_S3_SECRET_ACCESS_KEY", fake.secret.as_str()),
        ];
        let Some(app) = TestApp::spawn_with(backend, &settings).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let home = zhitel_home(
            &app.store,
            &user(&app.store, logins::RESIDENT, Role::Resident).await,
        )
        .await;
        // a video (an MP4 by its first bytes) and a photo, sent with the form
        let mut video = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();
        video.extend((0..300_000u32).map(|i| (i % 253) as u8));
        let form = reqwest::multipart::Form::new()
            .text("category", category(&app.store, "leak").await.to_string())
            .text("apartment", home.to_string())
            .text("place", "flat")
            .text("description", "Течёт из-под ванны, снял на видео.")
            .part(
                "file",
                reqwest::multipart::Part::bytes(video.clone()).file_name("VID_0001.mp4"),
            )
            .part(
                "file",
                reqwest::multipart::Part::bytes(png(300, 200)).file_name("IMG_0002.png"),
            );
        let created = zhitel
            .post(format!("{}/cabinet/tickets/new", app.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let location = created.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = location
            .trim_start_matches("/cabinet/tickets/")
            .parse()
            .expect(&location);
        let keys = fake.keys();
        assert_eq!(
            keys.len(),
            3,
            "the video, the photo and its thumbnail: {keys:?}"
        );
        assert!(keys.iter().all(|k| k.starts_with("tickets/")));
        let video_id = scalar(
            &app.store,
            &format!("SELECT id FROM ticket_files WHERE ticket_id = {id} AND kind = 'video'"),
        )
        .await;
        let whole = zhitel
            .get(format!("{}/tickets/file/{video_id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(whole.headers()["content-type"], "video/mp4");
        assert_eq!(whole.headers()["accept-ranges"], "bytes");
        assert_eq!(whole.bytes().await.unwrap().to_vec(), video);
        // a phone's player asks for a part
        let part = zhitel
            .get(format!("{}/tickets/file/{video_id}", app.base))
            .header("Range", "bytes=100-199")
            .send()
            .await
            .unwrap();
        assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            part.headers()["content-range"],
            format!("bytes 100-199/{}", video.len()).as_str()
        );
        assert_eq!(part.bytes().await.unwrap().to_vec(), video[100..200]);
        let past_end = zhitel
            .get(format!("{}/tickets/file/{video_id}", app.base))
            .header("Range", format!("bytes={}-", video.len() + 5))
            .send()
            .await
            .unwrap();
        assert_eq!(past_end.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert!(fake.refused.lock().unwrap().is_empty());
        app.stop().await;
    }
);
