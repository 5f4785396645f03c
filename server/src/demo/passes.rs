//! The demo's passes: zhitel's own car and a weekly cleaner with a week of entries, and today's
//! guests — one on foot, one by car, a taxi. Made through the store, as residents make them.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use app::auth::types::{CurrentUser, Role};
use app::db::Store;
use app::error::AppError;
use app::passes::rules::normalize_plate;
use app::passes::store::{NewPass, NewWindow};
use app::passes::types::{Direction, PassKind};

use crate::demo::logins;

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
    let (car, _) = store.create_pass(&zhitel, &car, week_ago).await?;
    let house = store
        .gate_houses()
        .await?
        .into_iter()
        .find(|(_, address)| address.contains("Серебряная, д. 1"))
        .ok_or(AppError::Internal)?
        .0;
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
        store
            .record_passage(&guard, house, car, Direction::Out, None, morning)
            .await?;
        store
            .record_passage(
                &guard,
                house,
                car,
                Direction::In,
                None,
                morning + Duration::hours(10),
            )
            .await?;
    }
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
    Ok(())
}
