//! Debts on SQLite and PostgreSQL: the receivables are the ledger — their buckets, penalties and
//! advances add up to the sum of every account's balance; a payment credited shows at once; a
//! house's figures are that house's; a debtor's card adds up to its row; over HTTP only the
//! accountant, the council and the chair see them, and a resident sees only their own overdue
//! accounts (the cabinet's banner).

use chrono::Utc;
use reqwest::StatusCode;

use crate::common::{Backend, TestApp, account_id, error_of, path, scalar, zhitel_house};
use app::billing::store::NewPayment;
use app::debts::api::{LoadDebtorCard, LoadMyOverdue, LoadReceivables};
use app::debts::types::{DebtorCard, MyOverdue, Receivables};
use app::error::AppError;
use app::money::Money;
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
