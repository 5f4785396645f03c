//! Ключ — the Leptos application, compiled twice: with `ssr` for the server and `hydrate` for the
//! browser. One folder per business area, each with the same shape (see docs/ARCHITECTURE.md).

#![recursion_limit = "256"]

pub mod auth;
pub mod billing;
pub mod clock;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod housing;
pub mod money;
pub mod news;
pub mod notify;
pub mod numbers;
pub mod payments;
pub mod period;
pub mod readings;
pub mod sheet;
#[cfg(test)]
mod test_rng;
mod text_enum;
pub mod tickets;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
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
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
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
            <Routes fallback=ui::NotFound>
                <Route path=path!("/") view=ui::Home ssr=SsrMode::Async />
                <Route path=path!("/login") view=auth::pages::SignInPage ssr=SsrMode::Async />
                <Route path=path!("/join") view=auth::pages::JoinByCode ssr=SsrMode::Async />
                <Route path=path!("/join/:code") view=auth::pages::JoinPage ssr=SsrMode::Async />
                <ParentRoute path=path!("/cabinet") view=ui::ResidentLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=housing::pages::MyHomePage />
                    <Route path=path!("account/:id") view=housing::pages::MyAccountPage />
                    <Route path=path!("profile") view=auth::pages::ProfilePage />
                    <Route path=path!("news") view=news::pages::NewsPage />
                    <Route path=path!("news/:id") view=news::pages::NewsItemPage />
                    <Route path=path!("faq") view=news::pages::FaqPage />
                    <Route path=path!("notifications") view=notify::pages::NotificationsPage />
                    <Route
                        path=path!("notifications/settings")
                        view=notify::pages::PreferencesPage
                    />
                    <Route path=path!("readings") view=readings::pages::ReadingsPage />
                    <Route
                        path=path!("readings/meter/:id")
                        view=readings::pages::MeterHistoryPage
                    />
                    <Route path=path!("pay") view=payments::pages::PayPage />
                    <Route path=path!("payment/:id") view=payments::pages::PaymentPage />
                    <Route path=path!("payments") view=payments::pages::MyPaymentsPage />
                    <Route path=path!("tickets") view=tickets::pages::MyTicketsPage />
                    <Route path=path!("tickets/new") view=tickets::pages::NewTicketPage />
                    <Route path=path!("tickets/:id") view=tickets::pages::MyTicketPage />
                    <Route path=path!("passes/new") view=ui::ComingSoon />
                </ParentRoute>
                <ParentRoute path=path!("/staff") view=ui::StaffLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=housing::pages::RegisterPage />
                    <Route path=path!("apartment/:id") view=housing::pages::ApartmentPage />
                    <Route path=path!("account/:id") view=billing::pages::StaffAccountPage />
                    <Route path=path!("approvals") view=housing::pages::ApprovalsPage />
                    <Route path=path!("users") view=auth::pages::UsersPage />
                    <Route path=path!("invites") view=auth::pages::InvitesPage />
                    <Route path=path!("profile") view=auth::pages::ProfilePage />
                    <Route path=path!("announcements") view=news::pages::AnnouncementsPage />
                    <Route path=path!("news") view=news::pages::StaffNewsPage />
                    <Route path=path!("faq") view=news::pages::StaffFaqPage />
                    <Route path=path!("readings") view=readings::pages::StaffReadingsPage />
                    <Route path=path!("billing") view=billing::pages::BillingPage />
                    <Route path=path!("billing/import") view=billing::pages::BillingImportPage />
                    <Route path=path!("billing/rules") view=billing::pages::RulesPage />
                    <Route path=path!("tariffs") view=billing::pages::TariffsPage />
                    <Route path=path!("organisation") view=billing::pages::OrganisationPage />
                    <Route path=path!("payments") view=payments::pages::PaymentsPage />
                    <Route path=path!("readings/import") view=readings::pages::ImportPage />
                    <Route path=path!("meter/:id") view=readings::pages::MeterHistoryPage />
                    <Route path=path!("tickets") view=tickets::pages::BoardPage />
                    <Route path=path!("tickets/new") view=tickets::pages::CallPage />
                    <Route path=path!("tickets/categories") view=tickets::pages::CategoriesPage />
                    <Route path=path!("tickets/:id") view=tickets::pages::StaffTicketPage />
                    <Route path=path!("contractors") view=tickets::pages::ContractorsPage />
                    <Route path=path!("work") view=tickets::pages::WorkPage />
                    <Route path=path!("reports/tickets") view=tickets::pages::TicketReportPage />
                    <Route path=path!("templates") view=notify::pages::TemplatesPage />
                    <Route path=path!("mailbox") view=notify::pages::MailboxPage />
                    <Route path=path!("notifications") view=notify::pages::NotificationsPage />
                    <Route
                        path=path!("notifications/settings")
                        view=notify::pages::PreferencesPage
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
