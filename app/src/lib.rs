//! Ключ — the Leptos application, compiled twice: with `ssr` for the server and `hydrate` for the
//! browser. One folder per business area, each with the same shape (see docs/ARCHITECTURE.md).

#![recursion_limit = "256"]

pub mod auth;
pub mod billing;
#[cfg(feature = "ssr")]
pub mod build_files;
pub mod clock;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
pub mod debts;
#[cfg(feature = "ssr")]
pub mod download;
pub mod error;
pub mod housing;
pub mod money;
pub mod news;
pub mod notify;
pub mod numbers;
pub mod passes;
pub mod payments;
pub mod period;
#[cfg(feature = "ssr")]
pub mod qr;
pub mod readings;
pub mod routes;
pub mod sheet;
#[cfg(test)]
mod test_rng;
mod text_enum;
pub mod tickets;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The HTML document around the app (server side only).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="ru">
            <head>
                <meta charset="utf-8" />
                <meta
                    name="viewport"
                    content="width=device-width, initial-scale=1, viewport-fit=cover"
                />
                <AutoReload options=options.clone() />
                <Stylesheet options=options.clone() />
                <Hydration options />
                <leptos_meta::MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// Starts the app in the browser after the server-rendered page is on screen: the js and the wasm
/// are requested two animation frames after the first paint, not preloaded from `<head>` — so
/// nothing the page's first paint could be waiting for is in flight (Lighthouse's simulation
/// counts every request begun before the largest paint as delaying it; docs/performance.md).
/// This replaces Leptos' `HydrationScripts` (two preloads and the same call without the wait),
/// which also read `hash.txt` on every render; the split manifest it gave lazy routes is
/// provided here, read once.
#[cfg(feature = "ssr")]
#[component]
fn Hydration(options: LeptosOptions) -> impl IntoView {
    if let Some(manifest) = split_manifest(&options) {
        provide_context(manifest.clone());
    }
    let files = build_files::BuildFiles::beside_server();
    let js = files.app_file(&options.output_name, "js");
    let wasm = files.app_file(&options.output_name, "wasm");
    let pkg = format!("/{}", options.site_pkg_dir);
    let script = format!(
        "(() => {{ const start = () => import('{pkg}/{js}').then((m) => \
         m.default({{ module_or_path: '{pkg}/{wasm}' }}).then(() => m.hydrate())); \
         requestAnimationFrame(() => requestAnimationFrame(start)); }})();"
    );
    view! {
        <script type="module" nonce=leptos::nonce::use_nonce()>
            {script}
        </script>
    }
}

/// The build's stylesheet, by its hashed name.
#[cfg(feature = "ssr")]
#[component]
fn Stylesheet(options: LeptosOptions) -> impl IntoView {
    let css = build_files::BuildFiles::beside_server().app_file(&options.output_name, "css");
    view! { <link id="leptos" rel="stylesheet" href=format!("/{}/{css}", options.site_pkg_dir) /> }
}

/// The split build's manifest (which chunks each lazy page needs, so the server can preload them
/// when it renders that page), read on the first render; none without a split build.
#[cfg(feature = "ssr")]
fn split_manifest(options: &LeptosOptions) -> Option<&'static leptos::WasmSplitManifest> {
    static MANIFEST: std::sync::OnceLock<Option<leptos::WasmSplitManifest>> =
        std::sync::OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            let files = build_files::BuildFiles::beside_server();
            let path = std::path::Path::new(&*options.site_root)
                .join(&*options.site_pkg_dir)
                .join(files.split_manifest());
            let text = std::fs::read_to_string(path).ok()?;
            let preloads = serde_json::from_str(&text)
                .inspect_err(|error| tracing::error!(%error, "the split manifest is not JSON"))
                .ok()?;
            Some(leptos::WasmSplitManifest(ArcStoredValue::new((
                format!("/{}", options.site_pkg_dir),
                preloads,
                files.split_loader(),
            ))))
        })
        .as_ref()
}

/// CSP with the per-request nonce that Leptos puts on its own scripts.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'; object-src 'none'",
        &*nonce
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    ui::provide_viewer();
    ui::full_page_redirects();
    view! {
        <Title text="Ключ" />
        <Meta name="theme-color" content="#0f766e" />
        <Meta
            name="description"
            content="Кабинет жителя и сотрудников ТСЖ"
        />
        <Link rel="manifest" href="/manifest.webmanifest" />
        <Link rel="icon" href="/icons/icon-192.png" />
        <Link rel="apple-touch-icon" href="/icons/icon-192.png" />
        <script src="/sw-register.js" defer=true></script>
        <script src="/push.js" defer=true></script>
        <script src="/forms.js" defer=true></script>
        <script src="/tickets.js" defer=true></script>
        <Router>
            <routes::RememberDestination />
            <Routes fallback=ui::NotFound>
                <Route path=path!("/") view=ui::Home ssr=SsrMode::Async />
                <Route path=path!("/login") view=auth::pages::SignInPage ssr=SsrMode::Async />
                <Route path=path!("/join") view=routes::JoinByCode::lazy() ssr=SsrMode::Async />
                <Route path=path!("/join/:code") view=routes::Join::lazy() ssr=SsrMode::Async />
                <Route path=path!("/p/:token") view=routes::PublicPass::lazy() ssr=SsrMode::Async />
                <ParentRoute path=path!("/cabinet") view=ui::ResidentLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=housing::pages::MyHomePage />
                    <Route path=path!("account/:id") view=housing::pages::MyAccountPage />
                    <Route path=path!("profile") view=routes::Profile::lazy() />
                    <Route path=path!("news") view=routes::News::lazy() />
                    <Route path=path!("news/:id") view=routes::NewsItem::lazy() />
                    <Route path=path!("faq") view=routes::Faq::lazy() />
                    <Route path=path!("notifications") view=routes::Notifications::lazy() />
                    <Route path=path!("notifications/settings") view=routes::Preferences::lazy() />
                    <Route path=path!("readings") view=readings::pages::ReadingsPage />
                    <Route path=path!("readings/meter/:id") view=routes::MeterHistory::lazy() />
                    <Route path=path!("pay") view=routes::Pay::lazy() />
                    <Route path=path!("payment/:id") view=routes::Payment::lazy() />
                    <Route path=path!("payments") view=routes::MyPayments::lazy() />
                    <Route path=path!("tickets") view=routes::MyTickets::lazy() />
                    <Route path=path!("tickets/new") view=routes::NewTicket::lazy() />
                    <Route path=path!("tickets/:id") view=routes::MyTicket::lazy() />
                    <Route path=path!("passes") view=routes::Passes::lazy() />
                    <Route path=path!("passes/new") view=routes::NewPass::lazy() />
                </ParentRoute>
                <ParentRoute path=path!("/staff") view=routes::StaffArea::lazy() ssr=SsrMode::Async>
                    <Route path=path!("") view=routes::Register::lazy() />
                    <Route path=path!("apartment/:id") view=routes::Apartment::lazy() />
                    <Route path=path!("account/:id") view=routes::StaffAccount::lazy() />
                    <Route path=path!("approvals") view=routes::Approvals::lazy() />
                    <Route path=path!("users") view=routes::Users::lazy() />
                    <Route path=path!("invites") view=routes::Invites::lazy() />
                    <Route path=path!("profile") view=routes::Profile::lazy() />
                    <Route path=path!("announcements") view=routes::Announcements::lazy() />
                    <Route path=path!("news") view=routes::StaffNews::lazy() />
                    <Route path=path!("faq") view=routes::StaffFaq::lazy() />
                    <Route path=path!("readings") view=routes::StaffReadings::lazy() />
                    <Route path=path!("billing") view=routes::Billing::lazy() />
                    <Route path=path!("billing/import") view=routes::BillingImport::lazy() />
                    <Route path=path!("billing/rules") view=routes::BillingRules::lazy() />
                    <Route path=path!("tariffs") view=routes::Tariffs::lazy() />
                    <Route path=path!("organisation") view=routes::Organisation::lazy() />
                    <Route path=path!("payments") view=routes::Payments::lazy() />
                    <Route path=path!("readings/import") view=routes::ReadingsImport::lazy() />
                    <Route path=path!("meter/:id") view=routes::MeterHistory::lazy() />
                    <Route path=path!("tickets") view=routes::Board::lazy() />
                    <Route path=path!("tickets/new") view=routes::Call::lazy() />
                    <Route path=path!("tickets/categories") view=routes::Categories::lazy() />
                    <Route path=path!("tickets/:id") view=routes::StaffTicket::lazy() />
                    <Route path=path!("contractors") view=routes::Contractors::lazy() />
                    <Route path=path!("work") view=routes::Work::lazy() />
                    <Route path=path!("gate") view=routes::Gate::lazy() />
                    <Route path=path!("passes") view=routes::PassDesk::lazy() />
                    <Route path=path!("passes/new") view=routes::IssuePass::lazy() />
                    <Route path=path!("reports/tickets") view=routes::TicketReport::lazy() />
                    <Route path=path!("debts") view=routes::Debts::lazy() />
                    <Route path=path!("debts/account/:id") view=routes::Debtor::lazy() />
                    <Route path=path!("debts/segments") view=routes::DebtSegments::lazy() />
                    <Route path=path!("debts/scenarios") view=routes::DebtScenarios::lazy() />
                    <Route path=path!("templates") view=routes::Templates::lazy() />
                    <Route path=path!("mailbox") view=routes::Mailbox::lazy() />
                    <Route path=path!("notifications") view=routes::Notifications::lazy() />
                    <Route path=path!("notifications/settings") view=routes::Preferences::lazy() />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
