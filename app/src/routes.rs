//! Pages the browser loads on demand: each is its own wasm chunk (`cargo leptos build --split`),
//! fetched when the page is first opened. The main module holds the resident's layout, shared
//! components, and the pages a resident opens most — sign-in, the start page, the account and the
//! readings: a page opened directly needs dozens of small chunks, which on a slow phone cost more
//! than compiling those pages with the main module (docs/performance.md). The staff's layout is a
//! chunk too.

use leptos::prelude::*;
use leptos_router::{Lazy, LazyRoute, lazy_route};

/// One unit struct per page, a [`LazyRoute`] whose view is split off into its own chunk, and
/// `lazy()` for the router (`view=routes::X::lazy()`: a turbofish does not survive leptosfmt).
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }

        impl $route {
            pub fn lazy() -> Lazy<Self> {
                Lazy::new()
            }
        }
    )*};
}

lazy_pages! {
    StaffArea => crate::ui::StaffLayout,
    JoinByCode => crate::auth::pages::JoinByCode,
    Join => crate::auth::pages::JoinPage,
    Profile => crate::auth::pages::ProfilePage,
    Users => crate::auth::pages::UsersPage,
    Invites => crate::auth::pages::InvitesPage,
    Register => crate::housing::pages::RegisterPage,
    Apartment => crate::housing::pages::ApartmentPage,
    Approvals => crate::housing::pages::ApprovalsPage,
    News => crate::news::pages::NewsPage,
    NewsItem => crate::news::pages::NewsItemPage,
    Faq => crate::news::pages::FaqPage,
    Announcements => crate::news::pages::AnnouncementsPage,
    StaffNews => crate::news::pages::StaffNewsPage,
    StaffFaq => crate::news::pages::StaffFaqPage,
    Notifications => crate::notify::pages::NotificationsPage,
    Preferences => crate::notify::pages::PreferencesPage,
    Templates => crate::notify::pages::TemplatesPage,
    Mailbox => crate::notify::pages::MailboxPage,
    MeterHistory => crate::readings::pages::MeterHistoryPage,
    StaffReadings => crate::readings::pages::StaffReadingsPage,
    ReadingsImport => crate::readings::pages::ImportPage,
    StaffAccount => crate::billing::pages::StaffAccountPage,
    Billing => crate::billing::pages::BillingPage,
    BillingImport => crate::billing::pages::BillingImportPage,
    BillingRules => crate::billing::pages::RulesPage,
    Tariffs => crate::billing::pages::TariffsPage,
    Organisation => crate::billing::pages::OrganisationPage,
    Pay => crate::payments::pages::PayPage,
    Payment => crate::payments::pages::PaymentPage,
    MyPayments => crate::payments::pages::MyPaymentsPage,
    Payments => crate::payments::pages::PaymentsPage,
    MyTickets => crate::tickets::pages::MyTicketsPage,
    NewTicket => crate::tickets::pages::NewTicketPage,
    MyTicket => crate::tickets::pages::MyTicketPage,
    Board => crate::tickets::pages::BoardPage,
    Call => crate::tickets::pages::CallPage,
    Categories => crate::tickets::pages::CategoriesPage,
    StaffTicket => crate::tickets::pages::StaffTicketPage,
    Contractors => crate::tickets::pages::ContractorsPage,
    Work => crate::tickets::pages::WorkPage,
    TicketReport => crate::tickets::pages::TicketReportPage,
    Passes => crate::passes::pages::PassesPage,
    NewPass => crate::passes::pages::NewPassPage,
    PublicPass => crate::passes::pages::PublicPassPage,
    Gate => crate::passes::pages::GatePage,
    PassDesk => crate::passes::pages::DeskPage,
    IssuePass => crate::passes::pages::IssuePassPage,
    Debts => crate::debts::pages::ReceivablesPage,
    Debtor => crate::debts::pages::DebtorPage,
    DebtSegments => crate::debts::pages::SegmentsPage,
    DebtScenarios => crate::debts::pages::ScenariosPage,
}

// The address the router is going to. The router loads a lazy page's chunk before it writes the
// address bar, so when the chunk fails, this (not `location.href`) is the page to load afresh.
#[cfg(feature = "hydrate")]
thread_local! {
    static DESTINATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Inside the router: keeps `DESTINATION` up to date (nothing on the server).
#[component]
pub fn RememberDestination() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            let search = location.search.get();
            let query = if search.is_empty() {
                String::new()
            } else {
                format!("?{search}")
            };
            let url = format!("{}{query}{}", location.pathname.get(), location.hash.get());
            DESTINATION.with(|destination| *destination.borrow_mut() = Some(url));
        });
    }
}

/// What the split loader panics with when a page's chunk cannot be fetched or instantiated.
#[cfg(feature = "hydrate")]
const CHUNK_LOAD_FAILED: &str = "load callback should succeed";
/// The last load for a missing chunk (ms since the epoch), so a chunk that stays missing ends in
/// the error in the console rather than in a loop of page loads.
#[cfg(feature = "hydrate")]
const RELOADED_AT: &str = "klyuch-chunk-reload";
#[cfg(feature = "hydrate")]
const RELOAD_GUARD_MS: f64 = 30_000.0;

/// The panic hook of the browser build: logs the panic; when a page's chunk failed to load (a tab
/// opened before a deploy asks for a release that is gone, or the network dropped), loads the page
/// the router was going to afresh, once: the new document pairs the current main module with its
/// own chunks.
#[cfg(feature = "hydrate")]
pub fn on_panic(info: &std::panic::PanicHookInfo) {
    console_error_panic_hook::hook(info);
    if !info
        .payload_as_str()
        .is_some_and(|message| message.contains(CHUNK_LOAD_FAILED))
    {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let now = js_sys::Date::now();
    let storage = window.session_storage().ok().flatten();
    let last = storage
        .as_ref()
        .and_then(|s| s.get_item(RELOADED_AT).ok().flatten())
        .and_then(|v| v.parse::<f64>().ok());
    if last.is_some_and(|at| now - at < RELOAD_GUARD_MS) {
        return;
    }
    if let Some(storage) = storage {
        let _ = storage.set_item(RELOADED_AT, &now.to_string());
    }
    match DESTINATION.with(|destination| destination.borrow().clone()) {
        Some(url) => {
            let _ = window.location().assign(&url);
        }
        None => {
            let _ = window.location().reload();
        }
    }
}
