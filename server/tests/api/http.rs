//! HTTP cases of the platform and the auth area — request ids, sign-in and sessions, roles and
//! their cabinets, CSRF, rate limits, invites, size limits: the real server on a random port with
//! a fresh database (SQLite and PostgreSQL), driven like a browser would drive it. Each other
//! area's HTTP cases are in its own module.

use reqwest::StatusCode;

use crate::common::{Backend, PASSWORD, TestApp, account_id, error_of, path, sign_in_path, text};
use app::auth::api::*;
use app::auth::types::InviteCard;
use app::error::AppError;
use app::housing::api::*;
use server::demo::logins;

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
