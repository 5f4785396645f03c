//! HTTP tests: the real server on a random port with a fresh database (SQLite and PostgreSQL),
//! driven like a browser would drive it.

use leptos::server_fn::ServerFn;
use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, sign_in_path};
use app::auth::api::*;
use app::auth::types::InviteCard;
use app::error::AppError;
use app::housing::api::*;
use server::demo::logins;

fn path<T: ServerFn>() -> &'static str {
    T::PATH
}

async fn account_id(app: &TestApp, number: &str) -> i64 {
    let page = app
        .store
        .register(number, None, 1, app::clock::today())
        .await
        .unwrap();
    let card = app
        .store
        .apartment_card(page.rows[0].apartment_id)
        .await
        .unwrap();
    card.accounts
        .iter()
        .find(|a| a.number == number)
        .unwrap()
        .id
}

/// The text of a server-rendered page without the hydration markers between text nodes.
fn text(html: &str) -> String {
    html.replace("<!>", "")
}

/// The sandbox bank's card page a started payment sends the payer to (a redirect without the
/// page's script, the URL as JSON with it).
async fn sandbox_path(started: reqwest::Response) -> String {
    let url = match started.headers().get(reqwest::header::LOCATION) {
        Some(l) => l.to_str().unwrap().to_string(),
        None => started.json::<String>().await.unwrap(),
    };
    url.split_once("/sandbox-bank/")
        .map(|(_, p)| format!("/sandbox-bank/{p}"))
        .expect("the sandbox bank's page")
}

async fn error_of(response: reqwest::Response) -> (StatusCode, AppError) {
    let status = response.status();
    let error = response.json::<AppError>().await.expect("an AppError body");
    (status, error)
}

both_backends!(
    every_answer_carries_a_request_id_for_staff_to_quote,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let client = app.client();
        let made = client
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        let id = made.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        let other = client
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
        // a caller's own id (a proxy's) is kept, so both logs tell of one request
        let given = client
            .get(format!("{}/healthz", app.base))
            .header("x-request-id", "proxy-42")
            .send()
            .await
            .unwrap();
        assert_eq!(given.headers()["x-request-id"], "proxy-42");
        app.stop().await;
    }
);

both_backends!(
    anonymous_visitors_are_sent_to_sign_in,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let client = app.client();
        let health = client
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let root = client.get(format!("{}/", app.base)).send().await.unwrap();
        assert!(root.status().is_redirection());
        assert_eq!(root.headers()["location"], "/login");
        let cabinet = client
            .get(format!("{}/cabinet/profile", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            cabinet.headers()["location"],
            "/login?next=/cabinet/profile"
        );
        let login = client
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), StatusCode::OK);
        let headers = login.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"),
            "{csp}"
        );
        let body = login.text().await.unwrap();
        assert!(body.contains("Вход в Ключ"));
        let missing = client
            .get(format!("{}/no/such/page", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let me = app.call(&client, path::<GetCurrentUser>(), &[]).await;
        assert_eq!(me.text().await.unwrap(), "null");
        let (status, error) = error_of(app.call(&client, path::<LoadMyHome>(), &[]).await).await;
        assert_eq!(
            (status, error),
            (StatusCode::UNAUTHORIZED, AppError::Unauthenticated)
        );
        app.stop().await;
    }
);

both_backends!(
    sign_in_sets_a_safe_cookie_and_sign_out_revokes_it,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let client = app.client();
        let response = app
            .call(
                &client,
                sign_in_path(),
                &[("login", " ZHITEL@demo.klyuch.ru "), ("password", PASSWORD)],
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cookie.starts_with("klyuch_session="));
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && !cookie.contains("Secure"),
            "{cookie}"
        );
        let token = cookie.split(';').next().unwrap().to_string();

        let page = client
            .get(format!("{}/cabinet", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("77010012") && html.contains("77020005"),
            "both of zhitel's accounts"
        );
        assert!(!html.contains("77010013"), "not the neighbour's");

        // signing in again rotates the token and ends the previous session
        let again = app
            .call(
                &client,
                sign_in_path(),
                &[("login", logins::RESIDENT), ("password", PASSWORD)],
            )
            .await;
        let rotated = again.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert_ne!(rotated, token);
        let stale = app
            .client()
            .get(format!("{}/cabinet", app.base))
            .header("cookie", &token)
            .send()
            .await
            .unwrap();
        assert!(
            stale.status().is_redirection(),
            "the old token no longer works"
        );

        app.call(&client, path::<SignOut>(), &[]).await;
        let replay = app
            .client()
            .get(format!("{}/cabinet", app.base))
            .header("cookie", &rotated)
            .send()
            .await
            .unwrap();
        assert!(
            replay.status().is_redirection(),
            "signed-out token is dead server-side"
        );
        app.stop().await;
    }
);

both_backends!(
    a_resident_cannot_reach_another_residents_account,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel_account = account_id(&app, "77010012").await;
        let sosed_account = account_id(&app, "77010013").await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;

        let own = app
            .call(
                &sosed,
                path::<MyAccount>(),
                &[("account_id", &sosed_account.to_string())],
            )
            .await;
        assert_eq!(own.status(), StatusCode::OK);
        let (status, error) = error_of(
            app.call(
                &sosed,
                path::<MyAccount>(),
                &[("account_id", &zhitel_account.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, error),
            (StatusCode::FORBIDDEN, AppError::Forbidden)
        );
        let page = sosed
            .get(format!("{}/cabinet/account/{zhitel_account}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);
        let html = page.text().await.unwrap();
        assert!(html.contains("Нет доступа") && !html.contains("77010012"));
        // and no staff function either
        for staff_only in [
            path::<SearchRegister>(),
            path::<ListUsers>(),
            path::<PendingLinks>(),
            path::<ListHouses>(),
        ] {
            let response = app
                .call(&sosed, staff_only, &[("query", ""), ("page", "1")])
                .await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{staff_only}");
        }
        let (status, _) = error_of(
            app.call(
                &sosed,
                path::<LoadApartmentCard>(),
                &[("apartment_id", "1")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let staff_page = sosed
            .get(format!("{}/staff", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(staff_page.status(), StatusCode::FORBIDDEN);
        app.stop().await;
    }
);

both_backends!(
    each_role_reaches_only_its_cabinet,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        for (login, title, resident_cabinet) in [
            (
                logins::ACCOUNTANT,
                "Кабинет бухгалтера",
                StatusCode::FORBIDDEN,
            ),
            (
                logins::DISPATCHER,
                "Кабинет диспетчера",
                StatusCode::FORBIDDEN,
            ),
            // the chair has every permission (a chair is usually an owner too)
            (logins::CHAIR, "Кабинет председателя", StatusCode::OK),
        ] {
            let client = app.signed_in(login).await;
            let root = client.get(format!("{}/", app.base)).send().await.unwrap();
            assert_eq!(root.headers()["location"], "/staff", "{login}");
            let html = client
                .get(format!("{}/staff", app.base))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(html.contains(title), "{login} sees {title}");
            let cabinet = client
                .get(format!("{}/cabinet", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(
                cabinet.status(),
                resident_cabinet,
                "{login} and the resident cabinet"
            );
        }
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let users = app
            .call(&accountant, path::<ListUsers>(), &[("query", "")])
            .await;
        assert_eq!(users.status(), StatusCode::FORBIDDEN);
        let search = app
            .call(
                &accountant,
                path::<SearchRegister>(),
                &[("query", "кузнецова"), ("page", "1")],
            )
            .await;
        assert_eq!(search.status(), StatusCode::OK);
        let edit = app
            .call(
                &accountant,
                path::<UpdateApartment>(),
                &[
                    ("apartment_id", "1"),
                    ("entrance", "1"),
                    ("floor", "1"),
                    ("area", "50"),
                ],
            )
            .await;
        assert_eq!(edit.status(), StatusCode::FORBIDDEN);
        let open = app
            .call(
                &accountant,
                path::<OpenAccount>(),
                &[
                    ("apartment_id", "1"),
                    ("number", "0100000009"),
                    ("opened_on", "2026-01-01"),
                ],
            )
            .await;
        assert_eq!(
            open.status(),
            StatusCode::FORBIDDEN,
            "only the council edits the register"
        );

        let chair = app.signed_in(logins::CHAIR).await;
        let bad_area = app
            .call(
                &chair,
                path::<UpdateApartment>(),
                &[
                    ("apartment_id", "1"),
                    ("entrance", "1"),
                    ("floor", "1"),
                    ("area", "сорок"),
                ],
            )
            .await;
        let (status, error) = error_of(bad_area).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("Площадь"), "{error}");
        app.stop().await;
    }
);

both_backends!(
    state_changes_from_other_sites_are_refused,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let bare = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let form = [("login", logins::RESIDENT), ("password", PASSWORD)];
        let no_origin = bare
            .post(format!("{}{}", app.base, sign_in_path()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);
        let evil = bare
            .post(format!("{}{}", app.base, sign_in_path()))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(evil.status(), StatusCode::FORBIDDEN);
        assert!(evil.headers().get("set-cookie").is_none());
        app.stop().await;
    }
);

both_backends!(
    sign_in_attempts_are_limited,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let client = app.client();
        for _ in 0..5 {
            let (status, error) = error_of(
                app.call(
                    &client,
                    sign_in_path(),
                    &[("login", logins::NEIGHBOUR), ("password", "wrong-password")],
                )
                .await,
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(error.to_string(), "Неверный логин или пароль.");
        }
        let (status, error) = error_of(
            app.call(
                &client,
                sign_in_path(),
                &[("login", logins::NEIGHBOUR), ("password", PASSWORD)],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(matches!(error, AppError::RateLimited { .. }));
        // another login from the same place still works
        let ok = app
            .call(
                &client,
                sign_in_path(),
                &[("login", logins::RESIDENT), ("password", PASSWORD)],
            )
            .await;
        assert!(ok.status().is_success());
        // an unknown login gets the same answer as a wrong password
        let (_, unknown) = error_of(
            app.call(
                &app.client(),
                sign_in_path(),
                &[("login", "nobody@example.ru"), ("password", PASSWORD)],
            )
            .await,
        )
        .await;
        assert_eq!(unknown.to_string(), "Неверный логин или пароль.");
        app.stop().await;
    }
);

both_backends!(
    an_invite_goes_from_printed_code_to_linked_account,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let chair = app.signed_in(logins::CHAIR).await;
        let houses = app.store.houses().await.unwrap();
        let house = houses
            .iter()
            .find(|h| h.address.contains("Ключевая"))
            .unwrap();
        let response = app
            .call(
                &chair,
                path::<IssueHouseInvites>(),
                &[("house_id", &house.id.to_string())],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let cards: Vec<InviteCard> = response.json().await.unwrap();
        assert_eq!(cards.len() as i64, house.apartments);
        let card = cards.iter().find(|c| c.apartment_number == "7").unwrap();
        assert_eq!(
            card.join_url,
            format!("http://klyuch.test/join/{}", card.code)
        );
        assert!(card.qr_svg.contains("<svg"));

        let newcomer = app.client();
        let typed = card.code.to_lowercase().replace('-', " ");
        let info = app
            .call(&newcomer, path::<LookUpInvite>(), &[("code", &typed)])
            .await;
        assert_eq!(
            info.status(),
            StatusCode::OK,
            "codes are read as people type them"
        );
        let page = newcomer
            .get(format!("{}/join/{}", app.base, card.code))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text(&page).contains("Квартира 7"), "{page}");
        let join = app
            .call(
                &newcomer,
                path::<JoinWithInvite>(),
                &[
                    ("code", &card.code),
                    ("full_name", "Белова Анна Сергеевна"),
                    ("login", "8 (912) 000-11-22"),
                    ("password", "belova-2026!"),
                    ("repeat", "belova-2026!"),
                    ("relation", "tenant"),
                ],
            )
            .await;
        assert!(join.status().is_success(), "{}", join.status());
        let home = newcomer
            .get(format!("{}/cabinet", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Ждут подтверждения") && !home.contains("77030007"),
            "pending: no data yet"
        );

        // the code is spent
        let (status, _) = error_of(
            app.call(
                &app.client(),
                path::<LookUpInvite>(),
                &[("code", &card.code)],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        let pending: Vec<app::housing::types::PendingLink> = app
            .call(&chair, path::<PendingLinks>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let link = pending
            .iter()
            .find(|p| p.full_name == "Белова Анна Сергеевна")
            .unwrap();
        let chair_id = app
            .store
            .credentials(logins::CHAIR)
            .await
            .unwrap()
            .unwrap()
            .id;
        let views: i64 = app::with_db!(&app.store.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1 AND action = 'view' AND entity = 'pending_links'")
            .bind(chair_id)
            .fetch_one(pool)
            .await
    })
    .unwrap();
        assert_eq!(views, 1, "who saw personal data is audited (152-ФЗ)");
        let decided = app
            .call(
                &chair,
                path::<DecideLink>(),
                &[
                    ("residency_id", &link.residency_id.to_string()),
                    ("approve", "true"),
                ],
            )
            .await;
        assert_eq!(decided.status(), StatusCode::OK);
        let home = newcomer
            .get(format!("{}/cabinet", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("77030007"), "linked after approval");

        // she signs in later by phone
        let later = app.client();
        let ok = app
            .call(
                &later,
                sign_in_path(),
                &[("login", "+7 912 000 11 22"), ("password", "belova-2026!")],
            )
            .await;
        assert!(ok.status().is_success());
        app.stop().await;
    }
);

both_backends!(
    roles_are_changed_only_within_the_actors_powers,
    |backend: Backend| async move {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let chair = app.signed_in(logins::CHAIR).await;
        let added = app
            .call(
                &chair,
                path::<AddStaffUser>(),
                &[
                    ("full_name", "Сидоров Пётр"),
                    ("login", "sovet@demo.klyuch.ru"),
                    ("role", "council"),
                    ("password", "council-pass-1"),
                ],
            )
            .await;
        assert_eq!(added.status(), StatusCode::OK);
        let council = app.client();
        app.call(
            &council,
            sign_in_path(),
            &[
                ("login", "sovet@demo.klyuch.ru"),
                ("password", "council-pass-1"),
            ],
        )
        .await;
        let dispatcher_id = app
            .store
            .credentials(logins::DISPATCHER)
            .await
            .unwrap()
            .unwrap()
            .id;
        let chair_id = app
            .store
            .credentials(logins::CHAIR)
            .await
            .unwrap()
            .unwrap()
            .id;
        // council may not make a chair or touch the chair
        let up = app
            .call(
                &council,
                path::<SetUserRole>(),
                &[("user_id", &dispatcher_id.to_string()), ("role", "chair")],
            )
            .await;
        assert_eq!(up.status(), StatusCode::FORBIDDEN);
        let down = app
            .call(
                &council,
                path::<SetUserRole>(),
                &[("user_id", &chair_id.to_string()), ("role", "resident")],
            )
            .await;
        assert_eq!(down.status(), StatusCode::FORBIDDEN);
        let ok = app
            .call(
                &council,
                path::<SetUserRole>(),
                &[
                    ("user_id", &dispatcher_id.to_string()),
                    ("role", "accountant"),
                ],
            )
            .await;
        assert_eq!(ok.status(), StatusCode::OK);
        let own = app
            .call(
                &chair,
                path::<SetUserRole>(),
                &[("user_id", &chair_id.to_string()), ("role", "council")],
            )
            .await;
        assert_eq!(own.status(), StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
);

both_backends!(
    announcements_news_and_notifications_respect_roles_and_audiences,
    |backend: Backend| async move {
        use app::news::api::*;
        use app::news::types::AudienceOption;
        use app::notify::api::*;
        use app::notify::types::{HeaderNotices, MailboxItem, NotificationItem};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let chair = app.signed_in(logins::CHAIR).await;

        let options: Vec<AudienceOption> = app
            .call(&dispatcher, path::<AudienceOptions>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let house3 = options
            .iter()
            .find(|o| o.label == "г. Москва, ул. Серебряная, д. 3")
            .unwrap()
            .value
            .clone();
        let until = app::clock::local_input(chrono::Utc::now() + chrono::Duration::hours(5));
        let mut form = [
            ("title", "Прорыв трубы"),
            ("body", "Стояк ХВС перекрыт до 18:00."),
            ("audience", house3.as_str()),
            ("critical", "on"),
            ("expires_at", ""),
        ];
        for (who, client) in [("resident", &zhitel), ("accountant", &accountant)] {
            let refused = app.call(client, path::<PostAnnouncement>(), &form).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
        }
        // the dispatcher chooses when it ends: never a silent default
        let refused = app
            .call(&dispatcher, path::<PostAnnouncement>(), &form)
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("до какого времени"));
        form[4].1 = until.as_str();
        let posted = app
            .call(&dispatcher, path::<PostAnnouncement>(), &form)
            .await;
        assert_eq!(posted.status(), StatusCode::OK);

        // the banner is in the page as the server renders it, only for the audience
        let page = |client: &reqwest::Client| {
            let request = client.get(format!("{}/cabinet", app.base));
            async move { text(&request.send().await.unwrap().text().await.unwrap()) }
        };
        assert!(page(&zhitel).await.contains("Прорыв трубы"));
        assert!(!page(&sosed).await.contains("Прорыв трубы"));

        // a second critical one: the newest is shown in full, the other folds into one line
        let second = [
            ("title", "Отключение света"),
            ("body", "Подъезд 1, с 10:00 до 12:00."),
            ("audience", house3.as_str()),
            ("critical", "on"),
            ("expires_at", until.as_str()),
        ];
        let posted = app
            .call(&dispatcher, path::<PostAnnouncement>(), &second)
            .await;
        assert_eq!(posted.status(), StatusCode::OK);
        let header: HeaderNotices = app
            .call(&zhitel, path::<LoadHeaderNotices>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let titles: Vec<&str> = header.banners.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, ["Отключение света", "Прорыв трубы"]);
        let shown = page(&zhitel).await;
        assert!(shown.contains("Ещё 1 важное объявление"), "{shown}");
        // zhitel collapses the newest one he has read; the neighbour cannot touch it
        let newest = &header.banners[0];
        let id = newest.id.to_string();
        let collapse = [("id", id.as_str()), ("version", newest.version.as_str())];
        let refused = app.call(&sosed, path::<CollapseBanner>(), &collapse).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let stale = [("id", id.as_str()), ("version", "0000000000000000")];
        let refused = app.call(&zhitel, path::<CollapseBanner>(), &stale).await;
        assert_eq!(
            refused.status(),
            StatusCode::NOT_FOUND,
            "a changed banner is not collapsed"
        );
        let collapsed = app.call(&zhitel, path::<CollapseBanner>(), &collapse).await;
        assert_eq!(collapsed.status(), StatusCode::OK);
        let shown = page(&zhitel).await;
        assert!(!shown.contains("Отключение света") && shown.contains("Прорыв трубы"));
        assert!(
            !shown.contains("важное объявление"),
            "one banner left: no fold line"
        );

        // the worker of the running server fans it out to the bell
        let mut mine: Vec<NotificationItem> = Vec::new();
        for _ in 0..100 {
            mine = app
                .call(&zhitel, path::<MyNotifications>(), &[])
                .await
                .json()
                .await
                .unwrap();
            if mine.iter().any(|n| n.title == "Срочно: Прорыв трубы") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let burst = mine
            .iter()
            .find(|n| n.title == "Срочно: Прорыв трубы")
            .expect("the critical notice reached the resident");
        assert!(burst.critical && !burst.is_read);
        let theirs: Vec<NotificationItem> = app
            .call(&sosed, path::<MyNotifications>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.iter().all(|n| n.title != "Срочно: Прорыв трубы"));
        // a neighbour cannot mark someone else's notification read
        let id = burst.id.to_string();
        app.call(&sosed, path::<MarkNotificationsRead>(), &[("id", &id)])
            .await;
        let again: Vec<NotificationItem> = app
            .call(&zhitel, path::<MyNotifications>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(!again.iter().find(|n| n.id == burst.id).unwrap().is_read);

        // the dev mailbox shows the e-mail to the council only
        let refused = app.call(&dispatcher, path::<LoadDevMailbox>(), &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let mut mailbox: Vec<MailboxItem> = Vec::new();
        for _ in 0..100 {
            mailbox = app
                .call(&chair, path::<LoadDevMailbox>(), &[])
                .await
                .json()
                .await
                .unwrap();
            if mailbox
                .iter()
                .any(|m| m.channel == "SMS" && m.body.starts_with("Срочно: Прорыв трубы."))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            mailbox
                .iter()
                .any(|m| m.subject == "Срочно: Прорыв трубы" && m.recipient == logins::RESIDENT),
            "{mailbox:?}"
        );
        assert!(
            mailbox
                .iter()
                .any(|m| m.channel == "SMS" && m.body.starts_with("Срочно: Прорыв трубы.")),
            "critical goes by SMS to a resident with a phone"
        );

        // templates: staff only, and placeholders are checked
        let resident_templates = app.call(&zhitel, path::<LoadTemplates>(), &[]).await;
        assert_eq!(resident_templates.status(), StatusCode::FORBIDDEN);
        let (status, error) = error_of(
            app.call(
                &dispatcher,
                path::<SaveTemplate>(),
                &[
                    ("kind", "announcement"),
                    ("title", "{title}"),
                    ("body", "{adres}"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error
                .to_string()
                .contains("неизвестная подстановка {adres}"),
            "{error}"
        );

        // news for house 3 is invisible to a resident of house 1, even by id
        let news_id: i64 = app
            .call(
                &dispatcher,
                path::<SaveNews>(),
                &[
                    ("title", "Парковка у дома 3"),
                    ("body", "Разметка обновлена."),
                    ("audience", house3.as_str()),
                    ("publish_at", ""),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        let id = news_id.to_string();
        let hidden = app
            .call(&sosed, path::<LoadNewsItem>(), &[("id", &id)])
            .await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        let shown = app
            .call(&zhitel, path::<LoadNewsItem>(), &[("id", &id)])
            .await;
        assert_eq!(shown.status(), StatusCode::OK);

        // a push subscription must look like one
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<PushSubscribe>(),
                &[
                    ("endpoint", "http://evil.example/x"),
                    ("p256dh", "x"),
                    ("auth", "y"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
);

both_backends!(
    news_pictures_are_checked_cleaned_and_served,
    |backend: Backend| async move {
        use app::news::api::SaveNews;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let news_id: i64 = app
            .call(
                &dispatcher,
                path::<SaveNews>(),
                &[
                    ("title", "Новая площадка"),
                    ("body", "Смотрите фото."),
                    ("audience", "all"),
                    ("publish_at", ""),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        let mut png = Vec::new();
        image::RgbImage::from_pixel(64, 48, image::Rgb([0, 128, 96]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let upload = |client: &reqwest::Client, bytes: Vec<u8>, name: &'static str| {
            let form = reqwest::multipart::Form::new()
                .text("news_id", news_id.to_string())
                .part(
                    "image",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
            client
                .post(format!("{}/staff/news/image", app.base))
                .multipart(form)
                .send()
        };
        let refused = upload(&zhitel, png.clone(), "a.png").await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let fake = upload(&dispatcher, b"<svg onload=alert(1)>".to_vec(), "a.png")
            .await
            .unwrap();
        assert_eq!(fake.headers()["location"], "/staff/news?upload=not_image");
        let ok = upload(&dispatcher, png, "photo.png").await.unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        assert_eq!(ok.headers()["location"], "/staff/news?upload=ok");

        let item: app::news::types::NewsItem = app
            .call(
                &zhitel,
                path::<app::news::api::LoadNewsItem>(),
                &[("id", &news_id.to_string())],
            )
            .await
            .json()
            .await
            .unwrap();
        let src = item.image.expect("the picture is on the news item");
        assert!(
            src.starts_with("/files/news/") && src.ends_with(".jpg"),
            "{src}"
        );
        let picture = zhitel
            .get(format!("{}{src}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(picture.status(), StatusCode::OK);
        assert_eq!(picture.headers()["content-type"], "image/jpeg");
        let bytes = picture.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xFF\xD8\xFF");

        // deleting the news removes the file
        let deleted = app
            .call(
                &dispatcher,
                path::<app::news::api::DeleteNews>(),
                &[("id", &news_id.to_string())],
            )
            .await;
        assert_eq!(deleted.status(), StatusCode::OK);
        let gone = zhitel
            .get(format!("{}{src}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }
);

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

both_backends!(
    charges_bills_and_the_turnover_sheet_only_for_those_allowed,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::types::{AccountStatement, AccrualPage};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let flat_account = |flat: &'static str| {
            let store = app.store.clone();
            async move {
                app::with_db!(&store.db, |pool| sqlx::query_scalar::<_, i64>(
                    "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
                     JOIN houses h ON h.id = a.house_id
                     WHERE h.address LIKE '%Серебряная, д. 1%' AND a.number = $1"
                )
                .bind(flat)
                .fetch_one(pool)
                .await)
                .unwrap()
            }
        };
        let (mine, theirs) = (flat_account("12").await, flat_account("13").await);
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;

        // the resident's own statement and bill
        let statement: AccountStatement = app
            .call(
                &zhitel,
                path::<LoadAccountStatement>(),
                &[("account_id", &mine.to_string())],
            )
            .await
            .json()
            .await
            .unwrap();
        let period = statement.months[0].period.to_string();
        let bill = zhitel
            .get(format!(
                "{}/cabinet/bill?account={mine}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(bill.status(), StatusCode::OK);
        assert_eq!(bill.headers()["content-type"], "application/pdf");
        assert!(bill.bytes().await.unwrap().starts_with(b"%PDF"));
        // … but never the neighbour's
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<LoadAccountStatement>(),
                &[("account_id", &theirs.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let other = zhitel
            .get(format!(
                "{}/cabinet/bill?account={theirs}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let month_without = zhitel
            .get(format!(
                "{}/cabinet/bill?account={mine}&period=2019-01",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(month_without.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            month_without
                .text()
                .await
                .unwrap()
                .contains("начислений нет")
        );

        // the accrual page, runs and the turnover sheet: the accountant, not residents or the dispatcher
        let house = app.store.houses().await.unwrap()[0].id.to_string();
        let page: AccrualPage = app
            .call(
                &accountant,
                path::<LoadAccrualPage>(),
                &[("house_id", &house), ("period", &period)],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            page.run.map(|r| r.status),
            Some(app::billing::types::RunStatus::Posted)
        );
        assert!(page.totals.iter().any(|t| t.current.0 > 0));
        for client in [&zhitel, &dispatcher] {
            let (status, _) = error_of(
                app.call(
                    client,
                    path::<StartAccrualRun>(),
                    &[("house_id", &house), ("period", &period)],
                )
                .await,
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let sheet = client
                .get(format!(
                    "{}/staff/billing/turnover?house={house}&period={period}",
                    app.base
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(sheet.status(), StatusCode::FORBIDDEN);
        }
        let (status, error) = error_of(
            app.call(
                &accountant,
                path::<StartAccrualRun>(),
                &[("house_id", &house), ("period", &period)],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "posted: {error}");
        let sheet = accountant
            .get(format!(
                "{}/staff/billing/turnover?house={house}&period={period}",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(sheet.status(), StatusCode::OK);
        let bytes = sheet.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader;
        let range = workbook.worksheet_range("ОСВ").unwrap();
        assert!(range.height() > 50, "a row per account");
        // the next period runs as a job and the page shows its progress
        let next = statement.months[0].period.plus(1).to_string();
        let run: i64 = app
            .call(
                &accountant,
                path::<StartAccrualRun>(),
                &[("house_id", &house), ("period", &next)],
            )
            .await
            .json()
            .await
            .unwrap();
        let mut status = None;
        for _ in 0..100 {
            let view: app::billing::types::RunView = app
                .call(
                    &accountant,
                    path::<LoadAccrualRun>(),
                    &[("run_id", &run.to_string())],
                )
                .await
                .json()
                .await
                .unwrap();
            if !view.status.in_progress() {
                status = Some(view);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let view = status.expect("the worker computed the run");
        assert_eq!(view.status, app::billing::types::RunStatus::Draft);
        assert_eq!(view.done, view.total);
        app.stop().await;
    }
);

both_backends!(
    house_bills_and_imports_are_the_accountants,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::types::{BatchStatus, BatchView};
        use app::sheet::ImportReport;
        use base64::Engine;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let house = app.store.houses().await.unwrap()[0].id.to_string();
        let period: String = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT MAX(period) FROM accrual_runs WHERE status = 'posted'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();

        // the accountant makes the house's bills as a job and downloads the ZIP
        let form = [("house_id", house.as_str()), ("period", period.as_str())];
        let (status, _) = error_of(app.call(&zhitel, path::<StartBillBatch>(), &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let batch: i64 = app
            .call(&accountant, path::<StartBillBatch>(), &form)
            .await
            .json()
            .await
            .unwrap();
        let mut done = None;
        for _ in 0..300 {
            let list: Vec<BatchView> = app
                .call(
                    &accountant,
                    path::<LoadBillBatches>(),
                    &[("house_id", &house)],
                )
                .await
                .json()
                .await
                .unwrap();
            let b = list.into_iter().find(|b| b.id == batch).unwrap();
            if !b.status.in_progress() {
                done = Some(b);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let done = done.expect("the worker made the bills");
        assert_eq!(done.status, BatchStatus::Done, "{:?}", done.error);
        assert_eq!(done.notified, 0, "not asked to e-mail");
        let url = format!("{}/staff/billing/bills?batch={batch}", app.base);
        assert_eq!(
            zhitel.get(&url).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let zip = accountant.get(&url).send().await.unwrap();
        assert_eq!(zip.status(), StatusCode::OK);
        let bytes = zip.bytes().await.unwrap();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(archive.len() as i64, done.total);
        // the ZIP is not reachable as a plain file
        let under_files = app
            .client()
            .get(format!("{}/files/bills/", app.base))
            .send()
            .await
            .unwrap();
        assert_ne!(under_files.status(), StatusCode::OK);

        // the import: only the accountant; a bad row is reported by line and nothing is saved
        let content = |text: &str| {
            format!(
                "data:text/csv;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(text)
            )
        };
        let file = content(
            "лицевой счёт;квартира;подъезд;этаж;площадь;открыт\nН-1;501;1;1;40;01.01.2020\nН-2;;1;1;;01.01.2020\n",
        );
        let form = [
            ("house_id", house.as_str()),
            ("what", "accounts"),
            ("content", file.as_str()),
            ("commit", "1"),
        ];
        let (status, _) = error_of(app.call(&zhitel, path::<ImportBilling>(), &form).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let report: ImportReport = app
            .call(&accountant, path::<ImportBilling>(), &form)
            .await
            .json()
            .await
            .unwrap();
        assert!(!report.saved);
        assert_eq!(report.errors.len(), 1);
        assert!(
            report.errors[0].starts_with("Строка 3: не указана квартира"),
            "{:?}",
            report.errors
        );

        // the sample files the page links to are valid for the import's preview
        let sample = accountant
            .get(format!("{}/staff/billing/sample?name=accounts", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(sample.status(), StatusCode::OK);
        let sample = content(&sample.text().await.unwrap());
        let report: ImportReport = app
            .call(
                &accountant,
                path::<ImportBilling>(),
                &[
                    ("house_id", house.as_str()),
                    ("what", "accounts"),
                    ("content", sample.as_str()),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(
            report.errors.is_empty() && !report.saved,
            "{:?}",
            report.errors
        );
        assert_eq!(report.rows, 5);
        app.stop().await;
    }
);

both_backends!(
    bank_statements_and_exports_are_the_accountants,
    |backend: Backend| async move {
        use app::payments::api::*;
        use app::payments::types::BankPage;
        use app::sheet::ImportReport;
        use base64::Engine;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let sample = include_bytes!("../../../docs/samples/bank-statement-cp1251.txt");
        let content = format!(
            "data:text/plain;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(sample)
        );
        let form = [("content", content.as_str()), ("commit", "1")];
        for (path, form) in [
            (path::<ImportBankStatement>(), &form[..]),
            (path::<LoadBankPage>(), &[][..]),
            (
                path::<AssignBankPayment>(),
                &[("payment_id", "1"), ("account_number", "1")][..],
            ),
            (
                path::<DismissBankPayment>(),
                &[("payment_id", "1"), ("note", "не житель")][..],
            ),
        ] {
            let (status, _) = error_of(app.call(&zhitel, path, form).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        // the sample's accounts are not in the demo: both incoming payments wait in the queue
        let report: ImportReport = app
            .call(&accountant, path::<ImportBankStatement>(), &form)
            .await
            .json()
            .await
            .unwrap();
        assert!(report.saved, "{report:?}");
        let page: BankPage = app
            .call(&accountant, path::<LoadBankPage>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let sample: Vec<_> = page
            .queue
            .iter()
            .filter(|q| q.on.format("%Y").to_string() == "2022")
            .collect();
        assert_eq!(sample.len(), 2);
        let id = sample[0].id.to_string();
        let (status, error) = error_of(
            app.call(
                &accountant,
                path::<AssignBankPayment>(),
                &[("payment_id", &id), ("account_number", "нет-такого")],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("не найден"), "{error}");

        let house = app.store.houses().await.unwrap()[0].id;
        let url = |format: &str| {
            format!(
                "{}/staff/payments/export?house={house}&period=2026-10&format={format}",
                app.base
            )
        };
        assert_eq!(
            zhitel.get(url("csv")).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let file = accountant.get(url("1c")).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(
            file.headers()[reqwest::header::CONTENT_TYPE],
            "text/plain; charset=windows-1251"
        );
        let bytes = file.bytes().await.unwrap();
        let text = encoding_rs::WINDOWS_1251.decode(&bytes).0;
        assert!(app::payments::rules::parse_statement(&text).is_ok());
        for format in ["xlsx", "csv"] {
            assert_eq!(
                accountant.get(url(format)).send().await.unwrap().status(),
                StatusCode::OK
            );
        }
        let bad = accountant.get(url("pdf")).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("Формат выгрузки"));
        app.stop().await;
    }
);

both_backends!(
    a_resident_pays_by_card_in_the_sandbox_bank,
    |backend: Backend| async move {
        use app::payments::api::*;
        use app::payments::types::{OnlinePaymentView, OnlineStatus};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let account: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT c.id FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             JOIN houses h ON h.id = a.house_id
             WHERE h.address LIKE '%Серебряная, д. 1%' AND a.number = '12'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        let balance = |app: &TestApp| {
            let store = app.store.clone();
            async move { store.balances(&[account]).await.unwrap()[&account] }
        };
        let before = balance(&app).await;
        let account_text = account.to_string();
        let form = |amount: &'static str| {
            vec![
                ("parts[0][account_id]", account_text.clone()),
                ("parts[0][amount]", amount.to_string()),
                ("parts[0][period]", String::new()),
            ]
        };
        let pay = |client: &reqwest::Client, amount: &'static str| {
            let form = form(amount);
            let client = client.clone();
            let url = format!("{}{}", app.base, path::<StartPayment>());
            async move { client.post(url).form(&form).send().await.unwrap() }
        };
        // another resident cannot pay into zhitel's account (nor see his payments)
        let (status, _) = error_of(pay(&sosed, "100").await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, error) = error_of(pay(&zhitel, "сто").await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("в рублях"), "{error}");

        // zhitel pays 1 500 ₽: off to the bank's page
        let started = pay(&zhitel, "1 500,00").await;
        let bank_path = sandbox_path(started).await;
        let page = zhitel
            .get(format!("{}{bank_path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("500,00"));
        let paid = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4242 4242 4242 4242"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        assert!(paid.status().is_redirection());
        let back = paid.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        let id: i64 = back.rsplit('/').next().unwrap().parse().unwrap();
        // the bank's signed notifications arrive, the worker credits: once
        let mut view: Option<OnlinePaymentView> = None;
        for _ in 0..100 {
            let v: OnlinePaymentView = app
                .call(
                    &zhitel,
                    path::<LoadOnlinePayment>(),
                    &[("id", &id.to_string())],
                )
                .await
                .json()
                .await
                .unwrap();
            if v.parts.iter().all(|p| p.credited) && v.status == OnlineStatus::Confirmed {
                view = Some(v);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let view = view.expect("credited");
        assert_eq!(view.amount, app::billing::types::Money(150_000));
        assert!(view.provider_id.is_some());
        assert!(
            !view.parts[0].spread.is_empty(),
            "the split by services is shown"
        );
        assert_eq!(
            view.parts[0]
                .spread
                .iter()
                .map(|(_, m)| *m)
                .sum::<app::billing::types::Money>(),
            view.amount
        );
        assert_eq!(
            balance(&app).await,
            before - app::billing::types::Money(150_000)
        );
        // the notifications were kept, both applied
        let kept: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM payment_notifications WHERE outcome LIKE 'applied:%'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(kept, 2);
        // the payer is told through the notification path
        let told: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND (payload LIKE '%PaymentReceived%' OR payload LIKE '%payment_received%')"
        )
        .bind("notify.fanout")
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(told, 1);

        // the confirmation: zhitel's PDF; not for the neighbour
        let pdf_url = format!("{}/cabinet/payment-pdf?id={id}", app.base);
        let pdf = zhitel.get(&pdf_url).send().await.unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
        assert_eq!(
            sosed.get(&pdf_url).send().await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        let (status, _) = error_of(
            app.call(
                &sosed,
                path::<LoadOnlinePayment>(),
                &[("id", &id.to_string())],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let history: Vec<OnlinePaymentView> = app
            .call(
                &zhitel,
                path::<LoadMyPayments>(),
                &[("status", "confirmed")],
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(history.len(), 1);
        let theirs: Vec<OnlinePaymentView> = app
            .call(&sosed, path::<LoadMyPayments>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.is_empty());
        // the accountant sees everyone's card payments; a resident does not
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let all: Vec<OnlinePaymentView> = app
            .call(
                &accountant,
                path::<LoadCardPayments>(),
                &[("status", "confirmed")],
            )
            .await
            .json()
            .await
            .unwrap();
        assert!(all.iter().any(|p| p.id == id), "{all:?}");
        let (status, _) = error_of(app.call(&zhitel, path::<LoadCardPayments>(), &[]).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // a forged notification is refused; a declined card credits nothing
        let forged = app
            .client()
            .post(format!("{}/hooks/acquiring", app.base))
            .body(r#"{"TerminalKey":"KlyuchSandbox","OrderId":"x","Status":"CONFIRMED","Amount":1,"Token":"00"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let started = pay(&zhitel, "10").await;
        let bank_path = sandbox_path(started).await;
        zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4000 0000 0000 0002"),
                ("expiry", "12/30"),
                ("cvc", "123"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        let mut declined = None;
        for _ in 0..100 {
            let list: Vec<OnlinePaymentView> = app
                .call(&zhitel, path::<LoadMyPayments>(), &[("status", "rejected")])
                .await
                .json()
                .await
                .unwrap();
            if let Some(p) = list.into_iter().next() {
                declined = Some(p);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            declined
                .expect("declined")
                .parts
                .iter()
                .all(|p| !p.credited)
        );
        assert_eq!(
            balance(&app).await,
            before - app::billing::types::Money(150_000)
        );

        // the card page checks the card as a bank would and takes nothing it refuses
        let started = pay(&zhitel, "10").await;
        let bank_path = sandbox_path(started).await;
        let refused = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[
                ("card", "4242 4242 4242 4241"),
                ("expiry", "01/20"),
                ("cvc", "1"),
                ("action", "pay"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::OK, "the form again");
        let page = refused.text().await.unwrap();
        for message in [
            "В номере карты ошибка",
            "Срок действия карты истёк",
            "CVC — 3 цифры",
        ] {
            assert!(page.contains(message), "{message}: {page}");
        }
        assert!(
            page.contains("4242 4242 4242 4241"),
            "the number stays typed"
        );
        // the payer cancels at the bank: «отменён плательщиком», not a decline
        let cancelled = zhitel
            .post(format!("{}{bank_path}", app.base))
            .form(&[("action", "cancel")])
            .send()
            .await
            .unwrap();
        assert!(cancelled.status().is_redirection());
        let mut cancel = None;
        for _ in 0..100 {
            let list: Vec<OnlinePaymentView> = app
                .call(
                    &zhitel,
                    path::<LoadMyPayments>(),
                    &[("status", "cancelled")],
                )
                .await
                .json()
                .await
                .unwrap();
            if let Some(p) = list.into_iter().next() {
                cancel = Some(p);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let cancel = cancel.expect("cancelled");
        assert_eq!(cancel.status.label(), "отменён плательщиком");
        assert!(
            cancel
                .status
                .advice()
                .unwrap()
                .starts_with("Вы отменили оплату")
        );
        assert!(cancel.parts.iter().all(|p| !p.credited));
        app.stop().await;
    }
);

both_backends!(
    oversized_requests_are_refused_with_413_in_russian,
    |backend: Backend| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let big = vec![b'a'; 30 * 1024 * 1024];
        // a 30 MB form to a server function: 413 and the error the page shows
        let response = zhitel
            .post(format!("{}/api/load_faq", app.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let error: AppError = response.json().await.unwrap();
        assert!(error.to_string().contains("не больше 7 МБ"), "{error}");
        // a bank notification, an upload chunk and a news picture have their own limits
        for (method, path, size) in [
            (reqwest::Method::POST, "/hooks/acquiring", 100 * 1024),
            (
                reqwest::Method::PUT,
                "/uploads/unknown-token?offset=0",
                3 * 1024 * 1024,
            ),
            (reqwest::Method::POST, "/staff/news/image", 9 * 1024 * 1024),
        ] {
            let response = zhitel
                .request(method, format!("{}{path}", app.base))
                .body(big[..size].to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            let text = response.text().await.unwrap();
            assert!(text.starts_with("Слишком большой запрос"), "{path}: {text}");
        }
        // a server function's body without a length is read up to the limit, then refused
        let address = app.base.trim_start_matches("http://").to_string();
        let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
        let head = format!(
            "POST /api/load_faq HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
            app.base
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..8 {
            socket
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await
                .unwrap();
            socket.write_all(&chunk).await.unwrap();
            socket.write_all(b"\r\n").await.unwrap();
        }
        socket.write_all(b"0\r\n\r\n").await.unwrap();
        let mut answer = vec![0u8; 512];
        let n = socket.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        // a normal request still works
        let faq = app
            .call(&zhitel, path::<app::news::api::LoadFaq>(), &[("query", "")])
            .await;
        assert_eq!(faq.status(), StatusCode::OK);
        app.stop().await;
    }
);

both_backends!(
    the_payee_is_the_organisation_set_by_the_chair,
    |backend: Backend| async move {
        use app::billing::api::*;
        use app::billing::rules::Payee;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let anonymous = app.client();
        let name: Option<String> = app
            .call(&anonymous, path::<LoadOrganisationName>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some(server::demo::ASSOCIATION));
        let login_page = anonymous
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(text(&login_page).contains(server::demo::ASSOCIATION));
        let renamed = Payee {
            name: "ТСЖ «Серебряный ключ-2»".into(),
            ..app.store.payee().await.unwrap().unwrap()
        };
        let form = [
            ("payee[name]", renamed.name.as_str()),
            ("payee[inn]", renamed.inn.as_str()),
            ("payee[kpp]", renamed.kpp.as_str()),
            ("payee[account]", renamed.account.as_str()),
            ("payee[bank_name]", renamed.bank_name.as_str()),
            ("payee[bic]", renamed.bic.as_str()),
            ("payee[corr_account]", renamed.corr_account.as_str()),
        ];
        // only the chair: not the accountant, the council or a resident
        for login in [logins::ACCOUNTANT, logins::RESIDENT, logins::DISPATCHER] {
            let client = app.signed_in(login).await;
            let (status, _) =
                error_of(app.call(&client, path::<SetOrganisation>(), &form).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
            let (status, _) =
                error_of(app.call(&client, path::<LoadOrganisation>(), &[]).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        // the production calendar is the accountant's: a resident or the dispatcher may not
        let day = [("day", "2026-08-17"), ("kind", "off"), ("note", "проверка")];
        for login in [logins::RESIDENT, logins::DISPATCHER] {
            let client = app.signed_in(login).await;
            let (status, _) =
                error_of(app.call(&client, path::<SetCalendarDay>(), &day).await).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        }
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let set = app.call(&accountant, path::<SetCalendarDay>(), &day).await;
        assert_eq!(set.status(), StatusCode::OK);
        let july = app::billing::types::Period::parse("2026-07").unwrap();
        assert_eq!(
            app.store.due_date(july).await.unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 8, 18).unwrap()
        );
        let chair = app.signed_in(logins::CHAIR).await;
        let mut bad = form;
        bad[3].1 = "123";
        let (status, error) =
            error_of(app.call(&chair, path::<SetOrganisation>(), &bad).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        let saved = app.call(&chair, path::<SetOrganisation>(), &form).await;
        assert_eq!(saved.status(), StatusCode::OK);
        // audited, and every document follows at once: the bill's QR and the 1С export
        let audit = "SELECT COUNT(*) FROM audit_log
                     WHERE action = 'set_payee' AND entity = 'organisation'";
        let audited: i64 = app::with_db!(&app.store.db, |pool| sqlx::query_scalar(audit)
            .fetch_one(pool)
            .await)
        .unwrap();
        assert!(audited >= 2, "the demo's and the chair's");
        let zhitel_account = account_id(&app, "77010012").await;
        let period = app::billing::types::Period::of(app::clock::today()).plus(-1);
        let bill = app.store.bill_data(zhitel_account, period).await.unwrap();
        assert!(bill.qr_payload().contains("Name=ТСЖ «Серебряный ключ-2»|"));
        let house = app.store.houses().await.unwrap()[0].id;
        let export = accountant
            .get(format!(
                "{}/staff/payments/export?house={house}&period={period}&format=1c",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        let bytes = export.bytes().await.unwrap();
        let text = encoding_rs::WINDOWS_1251.decode(&bytes).0;
        assert!(text.contains("ТСЖ «Серебряный ключ-2»"), "{text}");
        app.stop().await;
    }
);
