//! The gates' plate cameras over HTTP on SQLite and PostgreSQL: a signed read of a plate with a
//! valid pass opens the barrier (a counting stand-in controller) exactly once; a wrong secret, a
//! malformed body, a replay, a pass not valid now and a doubtful read open nothing; a
//! Hikvision multipart alert is read with its picture; the guard decides what the camera could
//! not, and only the guard's post sees the pictures.

use std::sync::atomic::Ordering;

use chrono::{DateTime, Duration, Utc};

use crate::common::{Backend, TestApp, notices, path, scalar, zhitel_house};
use app::passes::api::{DecidePlate, LoadGateScreen};
use app::passes::devices::Relay;
use app::passes::gates::NewCamera;
use app::passes::types::{Direction, GateScreen, PlateDecision};
use server::demo::logins;

const SECRET: &str = "camera-secret-1";

/// zhitel's house with a gate whose barrier is `relay` and an entry camera `t-in`.
async fn gate(app: &TestApp, relay: &str) -> i64 {
    let house = zhitel_house(&app.store).await;
    let gate = app.store.add_gate(house, "Тестовые ворота").await.unwrap();
    app.store
        .set_gate_devices(
            gate,
            Some(&Relay {
                url: relay.into(),
                method: "POST".into(),
            }),
            None,
        )
        .await
        .unwrap();
    app.store
        .add_camera(
            gate,
            &NewCamera {
                code: "t-in".into(),
                name: "Въезд".into(),
                direction: Direction::In,
                secret: SECRET.into(),
                min_confidence: 80,
            },
        )
        .await
        .unwrap();
    house
}

async fn post_json(app: &TestApp, secret: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/hooks/anpr/t-in", app.base))
        .bearer_auth(secret)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Moves a pass's window (a test's clock).
async fn set_window(app: &TestApp, pass: i64, from: DateTime<Utc>, until: DateTime<Utc>) {
    app::with_db!(&app.store.db, |pool| sqlx::query(
        "UPDATE passes SET valid_from = $1, valid_until = $2 WHERE id = $3"
    )
    .bind(from)
    .bind(until)
    .bind(pass)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

fn event(id: &str, plate: &str, confidence: u8) -> serde_json::Value {
    serde_json::json!({ "event_id": id, "plate": plate, "confidence": confidence })
}

async fn decision(response: reqwest::Response) -> serde_json::Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// A Hikvision ANPR alert for `plate`, as the camera's multipart with its pictures.
fn hikvision(plate: &str, uuid: &str) -> reqwest::multipart::Form {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.0.0.64</ipAddress><channelID>1</channelID>
<dateTime>2026-12-07T10:00:00+03:00</dateTime><activePostCount>1</activePostCount>
<eventType>ANPR</eventType><eventState>active</eventState>
<ANPR><licensePlate>{plate}</licensePlate><confidenceLevel>95</confidenceLevel></ANPR>
<UUID>{uuid}</UUID></EventNotificationAlert>"#
    );
    let jpeg = |tag: u8| vec![0xFF, 0xD8, 0xFF, 0xE0, tag, 0xFF, 0xD9];
    reqwest::multipart::Form::new()
        .part(
            "anpr.xml",
            reqwest::multipart::Part::text(xml)
                .file_name("anpr.xml")
                .mime_str("application/xml")
                .unwrap(),
        )
        .part(
            "licensePlatePicture.jpg",
            reqwest::multipart::Part::bytes(jpeg(1))
                .file_name("licensePlatePicture.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
        .part(
            "detectionPicture.jpg",
            reqwest::multipart::Part::bytes(jpeg(2))
                .file_name("detectionPicture.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
}

both_backends!(
    a_signed_read_opens_the_barrier_once_and_nothing_else_does,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let (relay, opened) = server::harness::counting_barrier().await;
        gate(&app, &relay).await;
        let events = || scalar(&app.store, "SELECT COUNT(*) FROM plate_events");
        let before = events().await;

        // zhitel's own car (the demo's), read sure: the barrier opens, the entry is logged
        let entries = scalar(&app.store, "SELECT COUNT(*) FROM pass_entries").await;
        let first = decision(post_json(&app, SECRET, event("e-1", "A123BC77", 95)).await).await;
        assert_eq!(first["decision"], "open", "{first}");
        assert_eq!(first["barrier_opened"], true);
        assert_eq!(opened.load(Ordering::SeqCst), 1);
        assert_eq!(
            scalar(&app.store, "SELECT COUNT(*) FROM pass_entries").await,
            entries + 1
        );

        // the same event again: a replay, nothing opens
        let again = decision(post_json(&app, SECRET, event("e-1", "A123BC77", 95)).await).await;
        assert_eq!(again["replay"], true);
        assert_eq!(again["event"], first["event"]);

        // a wrong secret or an unknown camera: 401, nothing recorded
        let forged = post_json(&app, "guess", event("e-2", "A123BC77", 95)).await;
        assert_eq!(forged.status(), 401);
        let unsigned = reqwest::Client::new()
            .post(format!("{}/hooks/anpr/t-in", app.base))
            .json(&event("e-3", "A123BC77", 95))
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), 401);
        let nowhere = reqwest::Client::new()
            .post(format!("{}/hooks/anpr/no-such-camera", app.base))
            .bearer_auth(SECRET)
            .json(&event("e-4", "A123BC77", 95))
            .send()
            .await
            .unwrap();
        assert_eq!(nowhere.status(), 401);

        // malformed bodies: 400
        for body in [
            serde_json::json!({ "plate": "A123BC77" }),
            serde_json::json!({ "event_id": "e-5", "plate": "A123BC77", "confidence": 400 }),
            serde_json::json!({ "event_id": "e-6", "camera_id": "other", "plate": "A1", "confidence": 90 }),
        ] {
            assert_eq!(post_json(&app, SECRET, body).await.status(), 400);
        }
        let xml = reqwest::Client::new()
            .post(format!("{}/hooks/anpr/t-in", app.base))
            .bearer_auth(SECRET)
            .header("content-type", "application/xml")
            .body("<EventNotificationAlert><eventType>ANPR")
            .send()
            .await
            .unwrap();
        assert_eq!(xml.status(), 400);
        assert_eq!(events().await, before + 1);

        // a doubtful read of the same plate, and a plate with no pass: the guard decides
        let doubtful = decision(post_json(&app, SECRET, event("e-7", "A123BC77", 50)).await).await;
        assert_eq!(doubtful["decision"], "ask");
        let stranger = decision(post_json(&app, SECRET, event("e-8", "X999XX99", 99)).await).await;
        assert_eq!(stranger["decision"], "ask");
        // reads one character off zhitel's car, in either half: offered to the guard, not opened
        let candidates = |id: &'static str| {
            let sql = format!(
                "SELECT COUNT(*) FROM plate_events WHERE event_key = '{id}' AND decision = 'ask'
                 AND candidates = 'А123ВС77'"
            );
            let store = app.store.clone();
            async move { scalar(&store, &sql).await }
        };
        for (id, read) in [("e-7a", "A123BC71"), ("e-7b", "A723BC77")] {
            let near = decision(post_json(&app, SECRET, event(id, read, 99)).await).await;
            assert_eq!(near["decision"], "ask", "{read}");
            assert_eq!(candidates(id).await, 1, "{read} offers А123ВС77");
        }

        // a guest's car whose pass is over: refused
        let guest: i64 = scalar(&app.store, "SELECT id FROM passes WHERE plate = 'М500НО50'").await;
        let (from, until) = (
            Utc::now() - Duration::days(2),
            Utc::now() - Duration::days(1),
        );
        set_window(&app, guest, from, until).await;
        let expired = decision(post_json(&app, SECRET, event("e-9", "M500HO50", 97)).await).await;
        assert_eq!(expired["decision"], "refuse");
        assert_eq!(opened.load(Ordering::SeqCst), 1, "none of these opened");

        // back in its window: the camera's Hikvision alert lets the guest in, zhitel is told
        set_window(
            &app,
            guest,
            Utc::now() - Duration::hours(1),
            Utc::now() + Duration::hours(1),
        )
        .await;
        let told = notices(&app.store, "GuestArrived").await;
        let hik = reqwest::Client::new()
            .post(format!("{}/hooks/anpr/t-in", app.base))
            .basic_auth("admin", Some(SECRET))
            .multipart(hikvision("M500HO50", "uuid-1"))
            .send()
            .await
            .unwrap();
        let hik = decision(hik).await;
        assert_eq!(hik["decision"], "open", "{hik}");
        assert_eq!(opened.load(Ordering::SeqCst), 2);
        assert_eq!(notices(&app.store, "GuestArrived").await, told + 1);
        // the one-time pass is used now: the same car again is refused
        let second = reqwest::Client::new()
            .post(format!("{}/hooks/anpr/t-in", app.base))
            .header("x-camera-secret", SECRET)
            .multipart(hikvision("M500HO50", "uuid-2"))
            .send()
            .await
            .unwrap();
        assert_eq!(decision(second).await["decision"], "refuse");
        assert_eq!(opened.load(Ordering::SeqCst), 2);

        // the picture is the guard's post's only; it is the detection picture
        let snapshot = format!(
            "{}/staff/gates/events/{}/snapshot",
            app.base,
            hik["event"].as_i64().unwrap()
        );
        let resident = app.signed_in(logins::RESIDENT).await;
        assert_eq!(resident.get(&snapshot).send().await.unwrap().status(), 403);
        let guard = app.signed_in(logins::GUARD).await;
        let picture = guard.get(&snapshot).send().await.unwrap();
        assert_eq!(picture.status(), 200);
        assert_eq!(picture.bytes().await.unwrap()[4], 2);

        // the guard lets the stranger in: the barrier opens; a second tap changes nothing
        let stranger_id = stranger["event"].as_i64().unwrap().to_string();
        let decide = [("event", stranger_id.as_str()), ("let_in", "true")];
        let refused = app.call(&resident, path::<DecidePlate>(), &decide).await;
        assert_eq!(refused.status(), 403);
        let done = app.call(&guard, path::<DecidePlate>(), &decide).await;
        assert!(done.status().is_success(), "{}", done.status());
        assert_eq!(opened.load(Ordering::SeqCst), 3);
        let twice = app.call(&guard, path::<DecidePlate>(), &decide).await;
        assert_eq!(twice.status(), 422);
        assert_eq!(opened.load(Ordering::SeqCst), 3);

        // the guard's screen lists the reads with their decisions
        let house: i64 = scalar(
            &app.store,
            "SELECT house_id FROM cameras c JOIN gates g ON g.id = c.gate_id WHERE c.code = 't-in'",
        )
        .await;
        let screen = app
            .call(
                &guard,
                path::<LoadGateScreen>(),
                &[("house", &house.to_string())],
            )
            .await;
        let screen: GateScreen = screen.json().await.unwrap();
        assert!(screen.gates.iter().any(|g| g.name == "Тестовые ворота"));
        let listed = screen
            .events
            .iter()
            .find(|e| e.id == hik["event"].as_i64().unwrap())
            .expect("the Hikvision read is listed");
        assert_eq!(listed.decision, PlateDecision::Open);
        assert_eq!(listed.plate, "М500НО50");
        assert!(listed.has_snapshot);
        app.stop().await;
    }
);
