//! The store contract: the same tests on SQLite and PostgreSQL, each on a fresh database.

use chrono::{Duration, Utc};

use crate::common::{Backend, register_store};
use app::auth::session::{hash_password, sha256_hex};
use app::auth::store::{JoinAs, NewUser, Redeemer};
use app::auth::types::Role;
use app::clock::today;
use app::error::AppError;
use app::housing::store::NewResident;
use app::housing::types::{LinkStatus, Relation};
use server::demo::logins;

async fn user_id(store: &app::db::Store, login: &str) -> i64 {
    store
        .credentials(login)
        .await
        .unwrap()
        .expect("demo user")
        .id
}

async fn apartment_of(store: &app::db::Store, account: &str) -> i64 {
    let page = store.register(account, None, 1, today()).await.unwrap();
    assert_eq!(page.total, 1, "account {account}");
    page.rows[0].apartment_id
}

/// A register of its own for the search test: "Ключевая, 7" with 60 flats (accounts
/// 7701 0001…0060) and "Серебряная, 1" in another town with 5 (7702 0001…0005); Смирнов Алексей
/// owns flat 13 of the first house and flat 2 of the second, Семёнов Пётр flat 40.
fn search_register() -> app::housing::store::RegisterLoad {
    use app::housing::store::{ApartmentLoad, HouseLoad, RegisterLoad, ResidentLoad};
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let flat = |house: u32, n: i64, name: String| ApartmentLoad {
        number: n.to_string(),
        entrance: None,
        floor: None,
        area_centi_m2: 4_200,
        account_number: format!("770{house}{n:04}"),
        opened_on: day,
        residents: vec![ResidentLoad {
            full_name: name,
            phone: None,
            email: None,
            relation: Relation::Owner,
            share: Some((1, 1)),
            moved_in: day,
            moved_out: None,
            status: LinkStatus::Active,
            user: None,
        }],
    };
    let name = |n: i64| match n {
        13 => "Смирнов Алексей Иванович".to_string(),
        40 => "Семёнов Пётр Ильич".to_string(),
        n => format!("Жилец Номер {n}"),
    };
    RegisterLoad {
        houses: vec![
            HouseLoad {
                address: "г. Москва, ул. Ключевая, д. 7".into(),
                entrances: 0,
                apartments: (1..=60).map(|n| flat(1, n, name(n))).collect(),
            },
            HouseLoad {
                address: "г. Тверь, ул. Серебряная, д. 1".into(),
                entrances: 0,
                apartments: (1..=5)
                    .map(|n| {
                        let who = if n == 2 {
                            name(13)
                        } else {
                            format!("Тверской Жилец {n}")
                        };
                        flat(2, n, who)
                    })
                    .collect(),
            },
        ],
        staff: vec![],
    }
}

both_backends!(the_register_is_searchable, |backend: Backend| async move {
    let Some(db) = crate::common::TestDb::new(backend).await else {
        return;
    };
    let store = db.store().await;
    store.load_register(&search_register()).await.unwrap();
    let houses = store.houses().await.unwrap();
    assert_eq!(houses.len(), 2);
    assert_eq!(houses.iter().map(|h| h.apartments).sum::<i64>(), 65);
    assert_eq!(houses.iter().map(|h| h.accounts).sum::<i64>(), 65);

    // pages of 50
    let all = store.register("", None, 1, today()).await.unwrap();
    assert_eq!((all.total, all.rows.len()), (65, 50));
    let last = store.register("", None, 2, today()).await.unwrap();
    assert_eq!(last.rows.len(), 15);

    // Cyrillic, case- and ё-insensitive, on both databases
    let by_name = store
        .register("смирнов алексей", None, 1, today())
        .await
        .unwrap();
    assert_eq!(by_name.total, 2, "Смирнов owns a flat in each house");
    let by_yo = store
        .register("СЕМЕНОВ петр", None, 1, today())
        .await
        .unwrap();
    assert_eq!(by_yo.total, 1, "е finds ё");
    assert_eq!(by_yo.rows[0].number, "40");
    let by_account = store.register("77010013", None, 1, today()).await.unwrap();
    assert_eq!(by_account.total, 1);
    assert_eq!(by_account.rows[0].number, "13");
    let by_street = store.register("КЛЮЧЕВАЯ", None, 1, today()).await.unwrap();
    assert_eq!(by_street.total, 60);
    let tver = houses.iter().find(|h| h.address.contains("Тверь")).unwrap();
    let in_house = store.register("", Some(tver.id), 1, today()).await.unwrap();
    assert_eq!(in_house.total, 5);
    let smirnov_in_tver = store
        .register("смирнов", Some(tver.id), 1, today())
        .await
        .unwrap();
    assert_eq!(smirnov_in_tver.total, 1, "the house narrows the search");
    assert_eq!(
        store
            .register("нет такого", None, 1, today())
            .await
            .unwrap()
            .total,
        0
    );

    store.db.close().await;
    db.drop().await;
});

both_backends!(
    residents_reach_only_their_own_apartments,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let sosed = user_id(&store, logins::NEIGHBOUR).await;
        let home = store.my_home(zhitel, today()).await.unwrap();
        let mut accounts: Vec<String> = home
            .apartments
            .iter()
            .flat_map(|a| a.accounts.iter().map(|c| c.number.clone()))
            .collect();
        accounts.sort();
        assert_eq!(accounts, ["77010012", "77020005"]);
        let shared = home.apartments.iter().find(|a| a.number == "5").unwrap();
        assert_eq!(shared.household.len(), 2);
        assert!(
            shared
                .household
                .iter()
                .any(|m| m.is_me && m.share.as_deref() == Some("1/2"))
        );

        let zhitel_flat = apartment_of(&store, "77010012").await;
        let sosed_flat = apartment_of(&store, "77010013").await;
        assert!(
            store
                .user_reaches_apartment(zhitel, zhitel_flat)
                .await
                .unwrap()
        );
        assert!(
            !store
                .user_reaches_apartment(sosed, zhitel_flat)
                .await
                .unwrap()
        );
        assert!(
            store
                .user_reaches_apartment(sosed, sosed_flat)
                .await
                .unwrap()
        );
        let zhitel_account = home.apartments[0].accounts[0].id;
        assert!(
            !store
                .user_reaches_account(sosed, zhitel_account)
                .await
                .unwrap()
        );
        assert!(!store.user_reaches_account(sosed, 999_999).await.unwrap());
        // the resident view of an account exists only among the user's own flats
        let view = store
            .account_view(zhitel, zhitel_account, today())
            .await
            .unwrap();
        assert_eq!(view.account.id, zhitel_account);
        assert!(matches!(
            store.account_view(sosed, zhitel_account, today()).await,
            Err(AppError::NotFound)
        ));

        // a move-out ends access the day it happens
        let card = store.apartment_card(sosed_flat).await.unwrap();
        let chair = user_id(&store, logins::CHAIR).await;
        store
            .move_out(chair, card.residents[0].residency_id, today())
            .await
            .unwrap();
        assert!(
            !store
                .user_reaches_apartment(sosed, sosed_flat)
                .await
                .unwrap()
        );
        let history = store.apartment_card(sosed_flat).await.unwrap();
        assert!(
            history.residents[0].moved_out.is_some(),
            "history keeps the row"
        );

        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    sessions_rotate_expire_and_end,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let now = Utc::now();
        store
            .start_session(zhitel, "h1", None, now, now + Duration::days(30))
            .await
            .unwrap();
        let user = store
            .session_user("h1", now)
            .await
            .unwrap()
            .expect("live session");
        assert_eq!((user.id, user.role), (zhitel, Role::Resident));
        assert_eq!(user.login, logins::RESIDENT);
        assert!(
            store
                .session_user("h1", now + Duration::days(31))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );

        // signing in again from the same browser replaces the token
        store
            .start_session(zhitel, "h2", Some("h1"), now, now + Duration::days(30))
            .await
            .unwrap();
        assert!(store.session_user("h1", now).await.unwrap().is_none());
        store
            .start_session(zhitel, "h3", None, now, now + Duration::days(30))
            .await
            .unwrap();
        store.end_session("h2").await.unwrap();
        assert!(store.session_user("h2", now).await.unwrap().is_none());
        assert!(store.session_user("h3", now).await.unwrap().is_some());
        store.end_all_sessions(zhitel).await.unwrap();
        assert!(store.session_user("h3", now).await.unwrap().is_none());

        // a role change ends the user's sessions
        let chair = user_id(&store, logins::CHAIR).await;
        let accountant = user_id(&store, logins::ACCOUNTANT).await;
        store
            .start_session(accountant, "h4", None, now, now + Duration::days(30))
            .await
            .unwrap();
        store
            .set_role(chair, accountant, Role::Dispatcher)
            .await
            .unwrap();
        assert!(store.session_user("h4", now).await.unwrap().is_none());
        assert_eq!(store.user_role(accountant).await.unwrap(), Role::Dispatcher);

        // password change keeps only the current session
        store
            .start_session(zhitel, "h5", None, now, now + Duration::days(30))
            .await
            .unwrap();
        store
            .start_session(zhitel, "h6", None, now, now + Duration::days(30))
            .await
            .unwrap();
        let new_hash = hash_password("another-password-1").await.unwrap();
        store
            .change_password(zhitel, &new_hash, "h5")
            .await
            .unwrap();
        assert!(store.session_user("h5", now).await.unwrap().is_some());
        assert!(store.session_user("h6", now).await.unwrap().is_none());
        assert_eq!(
            store.credentials_by_id(zhitel).await.unwrap().password_hash,
            new_hash
        );

        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    failed_attempts_are_counted_per_key_and_window,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let now = Utc::now();
        for _ in 0..3 {
            store
                .record_failure(&[("login", "a@b.ru"), ("address", "10.0.0.1")], now)
                .await
                .unwrap();
        }
        let since = now - Duration::minutes(15);
        assert_eq!(
            store
                .recent_failures("login", "a@b.ru", since)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            store
                .recent_failures("address", "10.0.0.1", since)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            store
                .recent_failures("login", "c@d.ru", since)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .recent_failures("login", "a@b.ru", now + Duration::seconds(1))
                .await
                .unwrap(),
            0
        );
        store.clear_failures("login", "a@b.ru").await.unwrap();
        assert_eq!(
            store
                .recent_failures("login", "a@b.ru", since)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .recent_failures("address", "10.0.0.1", since)
                .await
                .unwrap(),
            3
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    invites_are_single_use_expire_and_link_pending_or_named,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let chair = user_id(&store, logins::CHAIR).await;
        let flat = apartment_of(&store, "77030001").await;
        let now = Utc::now();
        let later = now + Duration::days(30);
        store
            .issue_invites(chair, &[(flat, None, sha256_hex("CODE1"))], now, later)
            .await
            .unwrap();
        let info = store
            .invite_info(&sha256_hex("CODE1"), now)
            .await
            .unwrap()
            .expect("live");
        assert_eq!(info.apartment_number, "1");
        assert!(info.owner_name.is_none());
        assert!(
            store
                .invite_info(&sha256_hex("CODE1"), later + Duration::seconds(1))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );

        let hash = hash_password("new-resident-pass").await.unwrap();
        let newcomer = |email: &'static str| NewUser {
            full_name: "Новый Житель",
            email: Some(email),
            phone: None,
            password_hash: Box::leak(hash.clone().into_boxed_str()),
            role: Role::Resident,
        };
        // a login that already exists: nothing is written, the code stays usable
        let taken = store
            .redeem_invite(
                &sha256_hex("CODE1"),
                now,
                Redeemer::New(newcomer(logins::NEIGHBOUR)),
                JoinAs { relation: "tenant" },
            )
            .await;
        assert!(matches!(taken, Err(AppError::Invalid(_))), "{taken:?}");
        assert!(
            store
                .invite_info(&sha256_hex("CODE1"), now)
                .await
                .unwrap()
                .is_some(),
            "rolled back"
        );

        let user = store
            .redeem_invite(
                &sha256_hex("CODE1"),
                now,
                Redeemer::New(newcomer("new@example.ru")),
                JoinAs { relation: "tenant" },
            )
            .await
            .unwrap();
        assert!(
            !store.user_reaches_apartment(user, flat).await.unwrap(),
            "pending until approved"
        );
        let again = store
            .redeem_invite(
                &sha256_hex("CODE1"),
                now,
                Redeemer::New(newcomer("other@example.ru")),
                JoinAs { relation: "tenant" },
            )
            .await;
        assert!(matches!(again, Err(AppError::Invalid(_))), "single use");
        let pending = store.pending_links(None).await.unwrap();
        let mine = pending
            .iter()
            .find(|p| p.apartment_id == flat)
            .expect("listed for staff");
        assert_eq!(store.pending_links(Some(user)).await.unwrap().len(), 1);
        store
            .decide_link(chair, mine.residency_id, true)
            .await
            .unwrap();
        assert!(store.user_reaches_apartment(user, flat).await.unwrap());
        assert!(
            store
                .decide_link(chair, mine.residency_id, false)
                .await
                .is_err(),
            "decided once"
        );

        // re-issuing revokes the earlier unused code of that apartment
        let flat2 = apartment_of(&store, "77030002").await;
        store
            .issue_invites(chair, &[(flat2, None, sha256_hex("OLD"))], now, later)
            .await
            .unwrap();
        store
            .issue_invites(chair, &[(flat2, None, sha256_hex("NEW"))], now, later)
            .await
            .unwrap();
        assert!(
            store
                .invite_info(&sha256_hex("OLD"), now)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .invite_info(&sha256_hex("NEW"), now)
                .await
                .unwrap()
                .is_some()
        );

        // a code for a named owner links at once, to that very person
        let card = store.apartment_card(flat2).await.unwrap();
        let owner = card
            .residents
            .iter()
            .find(|r| r.relation == Relation::Owner && r.moved_out.is_none())
            .unwrap();
        store
            .issue_invites(
                chair,
                &[(flat2, Some(owner.person_id), sha256_hex("OWNER"))],
                now,
                later,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .invite_info(&sha256_hex("OWNER"), now)
                .await
                .unwrap()
                .unwrap()
                .owner_name
                .as_deref(),
            Some(owner.full_name.as_str())
        );
        let owner_user = store
            .redeem_invite(
                &sha256_hex("OWNER"),
                now,
                Redeemer::New(newcomer("owner@example.ru")),
                JoinAs { relation: "owner" },
            )
            .await
            .unwrap();
        assert!(
            store
                .user_reaches_apartment(owner_user, flat2)
                .await
                .unwrap()
        );
        let card = store.apartment_card(flat2).await.unwrap();
        assert!(
            card.residents
                .iter()
                .any(|r| r.person_id == owner.person_id && r.has_account)
        );
        assert_eq!(
            card.residents
                .iter()
                .filter(|r| r.status == LinkStatus::Active)
                .count(),
            card.residents.len()
        );

        // a signed-in resident adds a second flat with a code
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let flat3 = apartment_of(&store, "77030003").await;
        store
            .issue_invites(chair, &[(flat3, None, sha256_hex("THIRD"))], now, later)
            .await
            .unwrap();
        store
            .redeem_invite(
                &sha256_hex("THIRD"),
                now,
                Redeemer::Existing(zhitel),
                JoinAs { relation: "family" },
            )
            .await
            .unwrap();
        let pending = store.pending_links(Some(zhitel)).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].relation, Relation::Family);

        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    register_edits_keep_shares_whole_and_are_audited,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let chair = user_id(&store, logins::CHAIR).await;
        let flat = apartment_of(&store, "77010012").await;
        let resident = |name: &'static str, relation, share| NewResident {
            full_name: name,
            phone: None,
            email: None,
            relation,
            share,
            moved_in: today(),
        };
        // zhitel owns all of it: another owner's share does not fit
        let over = store
            .add_resident(
                chair,
                flat,
                &resident("Лишний Собственник", Relation::Owner, Some((1, 2))),
            )
            .await;
        assert!(matches!(over, Err(AppError::Invalid(_))), "{over:?}");
        store
            .add_resident(
                chair,
                flat,
                &resident("Смирнова Ольга", Relation::Family, None),
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .add_resident(chair, 999_999, &resident("Никто", Relation::Family, None))
                .await,
            Err(AppError::NotFound)
        ));
        let card = store.apartment_card(flat).await.unwrap();
        assert_eq!(card.residents.len(), 2);

        store
            .update_apartment(chair, flat, Some(2), Some(5), 7311)
            .await
            .unwrap();
        let card = store.apartment_card(flat).await.unwrap();
        assert_eq!(
            (card.entrance, card.floor, card.area.as_str()),
            (Some(2), Some(5), "73,11")
        );
        assert!(matches!(
            store
                .update_apartment(chair, flat, Some(9), None, 7311)
                .await,
            Err(AppError::Invalid(_))
        ));
        let early = card.residents[0].residency_id;
        assert!(
            store
                .move_out(
                    chair,
                    early,
                    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()
                )
                .await
                .is_err()
        );

        // accounts open and close with their dates; numbers stay unique
        let opened = store
            .open_account(chair, flat, "0100000001", today())
            .await
            .unwrap();
        assert!(matches!(
            store.open_account(chair, flat, "77010013", today()).await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            store
                .open_account(chair, 999_999, "0100000002", today())
                .await,
            Err(AppError::NotFound)
        ));
        store.close_account(chair, opened, today()).await.unwrap();
        assert!(
            store.close_account(chair, opened, today()).await.is_err(),
            "closed once"
        );
        let card = store.apartment_card(flat).await.unwrap();
        assert_eq!(card.accounts.len(), 2);
        assert!(
            card.accounts
                .iter()
                .any(|a| a.number == "0100000001" && a.closed_on.is_some())
        );
        // a closed account is no longer shown to the resident
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let home = store.my_home(zhitel, today()).await.unwrap();
        assert!(
            home.apartments
                .iter()
                .all(|a| a.accounts.iter().all(|c| c.number != "0100000001"))
        );

        // a person's name and contacts can be corrected, and search follows
        let family = card
            .residents
            .iter()
            .find(|r| r.full_name == "Смирнова Ольга")
            .unwrap();
        store
            .update_person(
                chair,
                family.person_id,
                "Смирнова Ольга Алексеевна",
                Some("+79990001122"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .register("ольга алексеевна", None, 1, today())
                .await
                .unwrap()
                .total,
            1
        );
        assert!(matches!(
            store
                .update_person(chair, 999_999, "Никто Никто", None, None)
                .await,
            Err(AppError::NotFound)
        ));

        let audited: i64 = app::with_db!(&store.db, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1")
                .bind(chair)
                .fetch_one(pool)
                .await
        })
        .unwrap();
        assert_eq!(
            audited, 5,
            "add_resident, update_apartment, open and close account, update_person; refused changes leave no trace"
        );

        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    users_are_listed_and_logins_unique,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let chair = user_id(&store, logins::CHAIR).await;
        let staff_first = store.users("").await.unwrap();
        assert!(staff_first[0].role != Role::Resident);
        assert_eq!(store.users("кузнецова").await.unwrap().len(), 1);
        let hash = hash_password("temporary-pass").await.unwrap();
        let new = NewUser {
            full_name: "Новый Диспетчер",
            email: None,
            phone: Some("+79001234567"),
            password_hash: &hash,
            role: Role::Dispatcher,
        };
        store.create_user(Some(chair), &new).await.unwrap();
        assert!(matches!(
            store.create_user(Some(chair), &new).await,
            Err(AppError::Invalid(_))
        ));
        assert!(store.credentials("+79001234567").await.unwrap().is_some());
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    faq_search_finds_answers_by_word_forms,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        // the help residents read is what the search is tried on
        server::demo::news::load(&store).await.unwrap();
        let all = store.faq("").await.unwrap();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|c| !c.items.is_empty()));
        // word forms people type → the answer that must come first
        let when = "Когда передавать показания?";
        let how = "Как передать показания?";
        let pay = "Как оплатить квитанцию?";
        let emergency = "Что считается аварией?";
        let cases = [
            ("счётчиков", when),
            ("счетчики", when),
            ("Счётчик", when),
            ("показаниями", when),
            ("показания", when),
            ("показаний", when),
            ("показания счётчиков", when),
            ("когда передавать показания счётчиков", when),
            ("передать показания", how),
            ("передаю показания", how),
            ("передача показаний", how),
            ("как передать", how),
            ("исправить ошибку", "Ошибся в показаниях — как исправить?"),
            ("оплатить", pay),
            ("оплата", pay),
            ("оплачу", pay),
            ("оплотить", pay),
            ("квитанция", pay),
            ("квитанцию", pay),
            ("квитанции", pay),
            ("квитанцыя", pay),
            ("платить", "Когда нужно платить?"),
            ("пени", "Когда нужно платить?"),
            ("пеня", "Когда нужно платить?"),
            ("долг", "Оплатил, а долг не исчез"),
            ("авария", emergency),
            ("аварийная", emergency),
            ("аварии", emergency),
            ("лифт", emergency),
            ("заявка", "Как подать заявку в АДС?"),
            ("заявки", "Как подать заявку в АДС?"),
            ("вода", "Когда отключат воду или свет — как я узнаю?"),
            ("свет", "Когда отключат воду или свет — как я узнаю?"),
            ("уведомления", "Как настроить уведомления?"),
            ("уведомление", "Как настроить уведомления?"),
            ("квартира", "Как подключить квартиру к кабинету?"),
            ("Кабинет", "Как подключить квартиру к кабинету?"),
            ("телефоне", "Как поставить Ключ на телефон как приложение?"),
            (
                "приложение",
                "Как поставить Ключ на телефон как приложение?",
            ),
        ];
        for (query, first) in cases {
            let found = store.faq(query).await.unwrap();
            let questions: Vec<&str> = found
                .iter()
                .flat_map(|c| c.items.iter().map(|i| i.question.as_str()))
                .collect();
            assert_eq!(questions.first(), Some(&first), "«{query}»: {questions:?}");
        }
        // «передать» finds «передавать» too
        let forms = store.faq("передать показания").await.unwrap();
        assert!(
            forms[0].items.iter().any(|i| i.question == when),
            "{forms:?}"
        );
        // a section's own words find all of its answers; other sections stay out
        let readings = store.faq("счётчиков").await.unwrap();
        assert_eq!(readings.len(), 1, "{readings:?}");
        assert_eq!(readings[0].title, "Показания счётчиков");
        assert_eq!(readings[0].items.len(), 4);
        let by_card = store.faq("оплата картой").await.unwrap();
        assert_eq!(by_card.len(), 1);
        assert_eq!(by_card[0].title, "Оплата");
        assert!(store.faq("несуществующее слово").await.unwrap().is_empty());
        assert!(
            store.faq("пани").await.unwrap().is_empty(),
            "short words are taken as typed"
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_write_cancelled_while_it_begins_leaves_no_open_transaction,
    |backend: Backend| async move {
        use app::db::{BeginWrite, Db};
        use std::{future::Future, task::Poll, time::Duration};
        let Some(db) = crate::common::TestDb::new(backend).await else {
            return;
        };
        let store = db.store().await;
        // The caller goes away (a client hangs up) after its begin was polled 1, 2, … times,
        // the connection answering in between: every window of the begin is hit once.
        for polls in 1..=8 {
            app::with_db!(&store.db, |pool| {
                let mut begin = std::pin::pin!(pool.begin_write());
                for _ in 0..polls {
                    let ready =
                        std::future::poll_fn(|cx| Poll::Ready(begin.as_mut().poll(cx).is_ready()))
                            .await;
                    if ready {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
            // no connection is left inside a transaction: writes go through at once …
            let wrote = tokio::time::timeout(Duration::from_secs(5), async {
                app::with_db!(&store.db, |pool| async {
                    let mut tx = pool.begin_write().await?;
                    sqlx::query("UPDATE users SET full_name = full_name WHERE id = 0")
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                }
                .await)
            })
            .await;
            assert!(
                matches!(wrote, Ok(Ok(()))),
                "cancelled after {polls} polls, then {wrote:?}"
            );
            // … and PostgreSQL has no session idle inside one
            if let Db::Postgres(_) = &store.db {
                let mut watcher = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
                    .await
                    .unwrap();
                let (open,): (i64,) = sqlx::query_as(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
                )
                .fetch_one(&mut watcher)
                .await
                .unwrap();
                assert_eq!(open, 0, "cancelled after {polls} polls");
            }
        }
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_broken_integrity_rule_reaches_the_user_as_its_message,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        // through a store operation: the same service name twice in one house
        let house = store.houses().await.unwrap()[0].id;
        let service = app::billing::store::NewService {
            house_id: house,
            name: "Шлагбаум".into(),
            basis: app::billing::types::Basis::Fixed,
            resource: None,
            section: app::billing::types::Section::Housing,
        };
        store.add_service(None, &service).await.unwrap();
        assert_eq!(
            store.add_service(None, &service).await,
            Err(AppError::invalid(
                "Услуга с таким названием в этом доме уже есть."
            ))
        );
        // each kind of rule, broken by a statement inside a write transaction
        let write = |sql: &'static str| {
            let store = store.clone();
            async move {
                app::write_tx!(store, "break a rule", |tx| {
                    sqlx::query(sql).execute(&mut *tx).await?;
                    Ok(())
                })
            }
        };
        let last_account = "WHERE id = (SELECT MAX(id) FROM accounts)";
        let cases: [(String, AppError); 4] = [
            (
                format!("UPDATE accounts SET number = (SELECT MIN(number) FROM accounts) {last_account}"),
                AppError::invalid("Лицевой счёт с таким номером уже есть."),
            ),
            (
                format!("UPDATE accounts SET apartment_id = 999999 {last_account}"),
                AppError::invalid(
                    "Запись связана с другими: одной из них уже нет или на эту запись ещё ссылаются. Обновите страницу и повторите.",
                ),
            ),
            (
                "UPDATE residencies SET status = 'bogus' WHERE id = (SELECT MIN(id) FROM residencies)"
                    .into(),
                AppError::invalid("Значение вне допустимых пределов — проверьте поля формы."),
            ),
            // a rule no user action should break is the generic message (and an error in the log)
            (
                "UPDATE people SET user_id = (SELECT MIN(user_id) FROM people)
                 WHERE id = (SELECT MAX(id) FROM people
                             WHERE user_id <> (SELECT MIN(user_id) FROM people))"
                    .into(),
                AppError::Internal,
            ),
        ];
        for (sql, expected) in cases {
            let sql: &'static str = Box::leak(sql.into_boxed_str());
            assert_eq!(write(sql).await, Err(expected), "{sql}");
        }
        db.drop().await;
    }
);
