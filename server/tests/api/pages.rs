//! Every page of every cabinet, as its role opens it: it answers 200 and is rendered once — each
//! resource the page loads is written into it once. (A layout that builds the page inside a
//! `Suspend` renders it up to three times on the server: every server function runs three
//! times and its answer is written into the page three times.)

use std::collections::HashMap;

use reqwest::StatusCode;

use crate::common::{Backend, TestApp};
use server::demo::logins;

/// The answers a server-rendered page carries to the browser for hydration: the values of
/// `__RESOLVED_RESOURCES[n] = "…";` (each a Rust-debug-quoted string).
fn resources(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("__RESOLVED_RESOURCES[") {
        rest = &rest[at..];
        let Some(open) = rest.find("] = \"") else {
            break;
        };
        let value = &rest[open + 5..];
        let mut end = 0;
        let mut escaped = false;
        for (i, c) in value.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        found.push(value[..end].to_string());
        rest = &value[end..];
    }
    found
}

/// The first `href="{prefix}<number>"` on a page.
fn first_link(html: &str, prefix: &str) -> String {
    let needle = format!("href=\"{prefix}");
    html.match_indices(&needle)
        .find_map(|(at, _)| {
            let id: String = html[at + needle.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            (!id.is_empty()).then(|| format!("{prefix}{id}"))
        })
        .unwrap_or_else(|| panic!("a link {prefix}<id>"))
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let response = client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// Opens each path and checks no answer is written into the page twice. Answers too short to
/// tell two server functions apart (`[]`, `null`, a number) are not compared.
async fn rendered_once(app: &TestApp, login: &str, paths: &[String]) -> usize {
    let client = app.signed_in(login).await;
    let mut checked = 0;
    for path in paths {
        let html = page(&client, app, path).await;
        let found = resources(&html);
        assert!(!found.is_empty(), "{login} {path}: no resources: {html}");
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for value in found.iter().filter(|v| v.len() > 8) {
            *seen.entry(value.as_str()).or_default() += 1;
        }
        let twice: Vec<String> = seen
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(v, n)| format!("{n}× {}", v.chars().take(120).collect::<String>()))
            .collect();
        assert!(
            twice.is_empty(),
            "{login} {path}: rendered more than once:\n{}",
            twice.join("\n")
        );
        checked += 1;
    }
    checked
}

both_backends!(every_page_is_rendered_once, |backend: Backend| async move {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let paths = |all: &[&str]| all.iter().map(|p| p.to_string()).collect::<Vec<_>>();

    let zhitel = app.signed_in(logins::RESIDENT).await;
    let mut resident = paths(&[
        "/cabinet",
        "/cabinet/profile",
        "/cabinet/news",
        "/cabinet/faq",
        "/cabinet/faq?q=показания",
        "/cabinet/notifications",
        "/cabinet/notifications/settings",
        "/cabinet/readings",
        "/cabinet/pay",
        "/cabinet/payments",
        "/cabinet/tickets",
        "/cabinet/tickets/new",
        "/cabinet/passes",
        "/cabinet/passes/new",
    ]);
    for (list, prefix) in [
        ("/cabinet", "/cabinet/account/"),
        ("/cabinet/news", "/cabinet/news/"),
        ("/cabinet/readings", "/cabinet/readings/meter/"),
        ("/cabinet/tickets", "/cabinet/tickets/"),
    ] {
        resident.push(first_link(&page(&zhitel, &app, list).await, prefix));
    }
    let mut checked = rendered_once(&app, logins::RESIDENT, &resident).await;

    let accountant = app.signed_in(logins::ACCOUNTANT).await;
    let apartment = first_link(
        &page(&accountant, &app, "/staff").await,
        "/staff/apartment/",
    );
    let account = first_link(
        &page(&accountant, &app, &apartment).await,
        "/staff/account/",
    );
    let meter = first_link(
        &page(&accountant, &app, "/staff/readings").await,
        "/staff/meter/",
    );
    let debtor = first_link(
        &page(&accountant, &app, "/staff/debts").await,
        "/staff/debts/account/",
    );
    let mut books = paths(&[
        "/staff",
        "/staff/profile",
        "/staff/readings",
        "/staff/readings/import",
        "/staff/billing",
        "/staff/billing?house=1",
        "/staff/billing/import",
        "/staff/billing/rules",
        "/staff/tariffs",
        "/staff/payments",
        "/staff/debts",
        "/staff/debts?house=1",
        "/staff/debts/segments",
        "/staff/debts/scenarios",
        "/staff/notifications",
        "/staff/notifications/settings",
    ]);
    books.extend([apartment, account, meter, debtor]);
    checked += rendered_once(&app, logins::ACCOUNTANT, &books).await;

    let mut dispatch = paths(&[
        "/staff/announcements",
        "/staff/news",
        "/staff/faq",
        "/staff/tickets",
        "/staff/tickets/new",
        "/staff/tickets/categories",
        "/staff/contractors",
        "/staff/templates",
        "/staff/gate",
        "/staff/passes",
        "/staff/passes/new?flat=12",
    ]);
    let dispatcher = app.signed_in(logins::DISPATCHER).await;
    dispatch.push(first_link(
        &page(&dispatcher, &app, "/staff/tickets").await,
        "/staff/tickets/",
    ));
    checked += rendered_once(&app, logins::DISPATCHER, &dispatch).await;

    let council = paths(&[
        "/staff/approvals",
        "/staff/users",
        "/staff/invites",
        "/staff/organisation",
        "/staff/reports/tickets",
        "/staff/mailbox",
    ]);
    checked += rendered_once(&app, logins::CHAIR, &council).await;

    let work = paths(&["/staff/work", "/staff/profile"]);
    checked += rendered_once(&app, logins::EXECUTOR, &work).await;
    let gate = paths(&["/staff/gate", "/staff/profile"]);
    checked += rendered_once(&app, logins::GUARD, &gate).await;
    assert!(checked >= 55, "{checked} pages");
    app.stop().await;
});
