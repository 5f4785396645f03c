//! The demo's passes: zhitel's own car and a weekly cleaner with a week of entries, and today's
//! guests — one on foot, one by car, a taxi. Made through the store, as residents make them.
//! Each house has a gate «Главные ворота» with two plate cameras (`<house id>-in`, `<house id>-out`,
//! secret [`CAMERA_SECRET`]) and the stand-in barrier and picture of this server; zhitel's car
//! went out and in through it every day of the week, and a few reads were left to the guard.
//! sosed's third car waits for the dispatcher's exception.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use app::auth::types::{CurrentUser, Role};
use app::db::Store;
use app::error::AppError;
use app::passes::camera::PlateRead;
use app::passes::devices::Relay;
use app::passes::gates::{NewCamera, PlateOutcome};
use app::passes::rules::normalize_plate;
use app::passes::store::{NewPass, NewWindow};
use app::passes::types::{Direction, PassKind};

use crate::demo::logins;

/// The demo cameras' secret (README).
pub const CAMERA_SECRET: &str = "demo-camera-secret";

/// A gate «Главные ворота» at each house with its two cameras; returns (house, in camera, out camera) of
/// each.
async fn gates(
    store: &Store,
) -> Result<Vec<(i64, app::passes::gates::Camera, app::passes::gates::Camera)>, AppError> {
    let mut gates = Vec::new();
    for (house, _) in store.gate_houses().await? {
        // the ids are known only once the gate is in: its addresses name it
        let gate = store.add_gate(house, "Главные ворота").await?;
        store
            .set_gate_devices(
                gate,
                Some(&Relay {
                    url: format!("/standin/gates/{gate}/open"),
                    method: "POST".into(),
                }),
                Some(&format!("/standin/gates/{gate}/picture.jpg")),
            )
            .await?;
        let mut cameras = Vec::new();
        for (direction, suffix, name) in [
            (Direction::In, "in", "Камера на въезд"),
            (Direction::Out, "out", "Камера на выезд"),
        ] {
            let code = format!("{house}-{suffix}");
            store
                .add_camera(
                    gate,
                    &NewCamera {
                        code: code.clone(),
                        name: name.into(),
                        direction,
                        secret: CAMERA_SECRET.into(),
                        min_confidence: 80,
                    },
                )
                .await?;
            cameras.push(store.camera(&code).await?.ok_or(AppError::Internal)?);
        }
        let out = cameras.pop().ok_or(AppError::Internal)?;
        let inn = cameras.pop().ok_or(AppError::Internal)?;
        gates.push((house, inn, out));
    }
    Ok(gates)
}

/// A camera's read at `at`; an opening is recorded as the stand-in barrier answers.
async fn read(
    store: &Store,
    camera: &app::passes::gates::Camera,
    plate: &str,
    confidence: u8,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let read = PlateRead {
        event_key: format!("demo-{}-{}", camera.id, at.timestamp_micros()),
        camera: None,
        plate: plate.into(),
        confidence,
        at: Some(at),
        snapshot: None,
    };
    if let PlateOutcome::Decided {
        event_id,
        open: Some(_),
        ..
    } = store.take_plate_event(camera, &read, at).await?
    {
        store.barrier_answered(event_id, true, at).await?;
    }
    Ok(())
}

async fn demo_user(store: &Store, login: &str, role: Role) -> Result<CurrentUser, AppError> {
    let id = store
        .credentials(login)
        .await?
        .ok_or(AppError::Internal)?
        .id;
    Ok(CurrentUser {
        id,
        full_name: login.into(),
        role,
        login: login.into(),
    })
}

fn pass(apartment_id: i64, kind: PassKind, visitor: &str, window: NewWindow) -> NewPass {
    NewPass {
        apartment_id,
        kind,
        one_time: matches!(window, NewWindow::Day { .. } | NewWindow::NextHour),
        visitor: visitor.into(),
        phone: String::new(),
        plate: None,
        foreign_plate: false,
        car_note: String::new(),
        people: 1,
        window,
        client_key: None,
        exception: None,
    }
}

pub async fn load(store: &Store, now: DateTime<Utc>) -> Result<(), AppError> {
    let zhitel = demo_user(store, logins::RESIDENT, Role::Resident).await?;
    let guard = demo_user(store, logins::GUARD, Role::Guard).await?;
    let today = app::clock::local(now).date();
    let (homes, _) = store.pass_homes(zhitel.id, today).await?;
    let flat = homes
        .iter()
        .find(|(_, label)| label.contains("Серебряная, д. 1"))
        .ok_or(AppError::Internal)?
        .0;
    let plate = |p: &str| normalize_plate(p, false).map_err(|_| AppError::Internal);
    let week_ago = now - Duration::days(8);

    let car = NewPass {
        plate: Some(plate("А123ВС77")?),
        car_note: "Kia Rio, белая".into(),
        ..pass(flat, PassKind::Car, "", NewWindow::Permanent)
    };
    store.create_pass(&zhitel, &car, week_ago).await?;
    let house = store
        .gate_houses()
        .await?
        .into_iter()
        .find(|(_, address)| address.contains("Серебряная, д. 1"))
        .ok_or(AppError::Internal)?
        .0;
    let gates = gates(store).await?;
    let (_, camera_in, camera_out) = gates
        .iter()
        .find(|(h, _, _)| *h == house)
        .ok_or(AppError::Internal)?;
    let cleaner = NewPass {
        people: 2,
        ..pass(
            flat,
            PassKind::Contractor,
            "Клининг «Чистый дом», уборка по субботам",
            NewWindow::Days {
                first: today - Duration::days(7),
                last: today + Duration::days(21),
            },
        )
    };
    let (cleaner, _) = store.create_pass(&zhitel, &cleaner, week_ago).await?;
    for day in (1..=7).rev() {
        let morning = now - Duration::days(day) - Duration::hours(2);
        read(store, camera_out, "A123BC77", 96, morning).await?;
        read(
            store,
            camera_in,
            "A123BC77",
            94,
            morning + Duration::hours(10),
        )
        .await?;
    }
    // left to the guard: a car without a pass, and a doubtful read one letter off zhitel's
    read(store, camera_in, "T777TT77", 95, now - Duration::days(3)).await?;
    read(store, camera_in, "A123BC71", 62, now - Duration::hours(5)).await?;
    store
        .record_passage(
            &guard,
            house,
            cleaner,
            Direction::In,
            None,
            now - Duration::days(2),
        )
        .await?;

    // today's guests: for the whole day, so the demo works whenever it is loaded
    let today_all_day = NewWindow::Day {
        day: today,
        from: NaiveTime::MIN,
        until: NaiveTime::MIN,
    };
    let mother = pass(
        flat,
        PassKind::Guest,
        "Смирнова Галина Петровна",
        today_all_day,
    );
    store.create_pass(&zhitel, &mother, now).await?;
    let friend = NewPass {
        plate: Some(plate("М500НО50")?),
        ..pass(flat, PassKind::Guest, "Сергей", today_all_day)
    };
    store.create_pass(&zhitel, &friend, now).await?;
    store
        .create_pass(
            &zhitel,
            &pass(flat, PassKind::Taxi, "", NewWindow::NextHour),
            now,
        )
        .await?;

    // sosed has two cars and asks the dispatcher for a third
    let sosed = demo_user(store, logins::NEIGHBOUR, Role::Resident).await?;
    let (sosed_homes, _) = store.pass_homes(sosed.id, today).await?;
    let sosed_flat = sosed_homes.first().ok_or(AppError::Internal)?.0;
    for (number, note, exception) in [
        ("В777ММ77", "Lada Vesta, серая", None),
        ("Е001КХ199", "Skoda Octavia, синяя", None),
        (
            "Н456ТТ77",
            "Hyundai Solaris, белая",
            Some("Машина сына на время его отпуска, до конца месяца".to_string()),
        ),
    ] {
        let car = NewPass {
            plate: Some(plate(number)?),
            car_note: note.into(),
            exception,
            ..pass(sosed_flat, PassKind::Car, "", NewWindow::Permanent)
        };
        store.create_pass(&sosed, &car, week_ago).await?;
    }
    Ok(())
}
