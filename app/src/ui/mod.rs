//! Shared interface: layouts of the resident and staff cabinets, navigation, status pages and
//! small building blocks used by every area.

mod house_select;
pub mod icons;
pub mod text;

pub use house_select::HouseSelect;

use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_location;

use crate::auth::rules::landing;
use crate::auth::types::{CurrentUser, Permission, Role};
use crate::error::AppError;
use crate::notify::pages::{Banners, Bell};

/// `/`: sends a signed-in user to their cabinet and anyone else to sign in.
#[component]
pub fn Home() -> impl IntoView {
    match use_user() {
        Some(u) => view! { <Redirect path=landing(u.role) /> }.into_any(),
        None => view! { <Redirect path="/login" /> }.into_any(),
    }
}

/// Who is looking at the page, as the request's session says.
#[derive(Clone)]
struct Viewer(Option<CurrentUser>);

/// Reads the signed-in user once, at the top of the app: the server takes it from the request's
/// session (synchronously, before anything awaits) and writes it into the page, and the browser
/// reads it from there when it hydrates (Leptos' `SharedValue`). So the layouts check the role
/// without a round trip and without a `Suspend`, and build their frame and page once. It cannot
/// go stale: a change of session (sign-in, sign-out, joining by an invite) ends with a server
/// redirect, which [`full_page_redirects`] makes a whole page load.
pub fn provide_viewer() {
    let user = leptos::server::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        let user = crate::context::request_user();
        #[cfg(not(feature = "ssr"))]
        let user = None;
        user
    })
    .into_inner();
    provide_context(Viewer(user));
}

/// A server function's redirect loads the whole page instead of navigating inside the app: the
/// server functions that redirect change the session (or leave for the bank), and the new page
/// must be rendered for the new session. Call before the `<Router>`, which would otherwise set
/// its in-app navigation as the hook (the first one set wins).
pub fn full_page_redirects() {
    #[cfg(feature = "hydrate")]
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        if let Err(e) = window().location().set_href(location) {
            leptos::logging::error!("redirect to {location} failed: {e:?}");
        }
    });
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="p-4 text-slate-500" aria-busy="true">
            {text::LOADING}
        </p>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(404);
    view! { <StatusPage title=text::NOT_FOUND_TITLE body=text::NOT_FOUND_BODY /> }
}

#[component]
pub fn NoAccess() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(403);
    view! { <StatusPage title=text::NO_ACCESS_TITLE body=text::NO_ACCESS_BODY /> }
}

#[component]
fn StatusPage(title: &'static str, body: &'static str) -> impl IntoView {
    view! {
        <main class="mx-auto max-w-md p-6 text-center" data-status-page=title>
            <h1 class="mt-16 text-2xl font-semibold">{title}</h1>
            <p class="mt-3 text-slate-600">{body}</p>
            <a href="/" class="mt-6 inline-block rounded-lg bg-teal-700 px-4 py-2 text-white">
                {text::TO_MAIN}
            </a>
        </main>
    }
}

#[cfg(feature = "ssr")]
fn set_status(code: u16) {
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
}

/// Shows an error in a user's words; an expired session sends the user to sign in.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated => view! { <Redirect path="/login" /> }.into_any(),
        AppError::Forbidden => view! { <NoAccess /> }.into_any(),
        other => view! {
            <p role="alert" class="rounded-lg border border-red-200 bg-red-50 p-3 text-red-800">
                {other.to_string()}
            </p>
        }
        .into_any(),
    }
}

/// The result of a form's last submission: the error, or a success note.
#[component]
pub fn FormResult<T, V>(value: V, #[prop(optional)] success: Option<&'static str>) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(e)) => Some(
            view! {
                <p role="alert" class="mt-2 text-sm text-red-700">
                    {e.to_string()}
                </p>
            }
            .into_any(),
        ),
        Some(Ok(_)) => success.map(|s| {
            view! {
                <p role="status" class="mt-2 text-sm text-teal-700">
                    {s}
                </p>
            }
            .into_any()
        }),
        None => None,
    }
}

/// A spreadsheet field of an import form and its two buttons: check, then load. The file goes
/// as base64 in the hidden `content` field (see `public/forms.js`).
#[component]
pub fn ImportFileFields(
    /// What the file picker offers; spreadsheets unless told.
    #[prop(
        default = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    accept: &'static str,
) -> impl IntoView {
    view! {
        <label class=style::LABEL>
            {text::FILE}
            <input
                type="file"
                accept=accept
                class="mt-1 block text-sm"
                data-read-into="import-content"
                required
            />
        </label>
        <input type="hidden" id="import-content" name="content" />
        <div class="flex gap-2">
            <button class=style::BUTTON_SECONDARY type="submit">
                {text::CHECK}
            </button>
            <button class=style::BUTTON type="submit" name="commit" value="1">
                {text::LOAD}
            </button>
        </div>
    }
}

/// What an import found: rows without errors (or loaded), what the file does, each problem by
/// its line.
#[component]
pub fn ImportReportCard(report: crate::sheet::ImportReport) -> impl IntoView {
    let good = report.rows.saturating_sub(report.errors.len());
    view! {
        <section class=format!("{} mt-4 max-w-3xl", style::CARD) data-testid="import-report">
            <p class="font-medium">
                {if report.saved {
                    format!("{}: {good}", text::LOADED)
                } else {
                    format!("{}: {good} из {}", text::ROWS_OK, report.rows)
                }}
            </p>
            {(!report.errors.is_empty() && !report.saved)
                .then(|| {
                    view! { <p class="mt-1 text-sm text-slate-600">{text::NOTHING_SAVED}</p> }
                })}
            <ul class="mt-2 space-y-1 text-sm text-slate-700">
                {report.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <ul class="mt-2 list-disc pl-5 text-sm text-red-700">
                {report.errors.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// Shows `children` only to a signed-in role that has `permission`; the check is synchronous
/// (see [`provide_viewer`]), so the frame and the page are built once.
#[component]
fn RequireRole(permission: Permission, children: Children) -> impl IntoView {
    match use_user() {
        Some(u) if crate::auth::rules::role_can(u.role, permission) => children().into_any(),
        Some(_) => view! { <NoAccess /> }.into_any(),
        None => view! { <Redirect path="/login" /> }.into_any(),
    }
}

/// False in the server render and until the wasm has hydrated the page, then true. Forms whose
/// answer exists only in the page (codes shown once) stay disabled until then.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// The numeric `:id` of the current route (0 when absent or not a number, which no record has).
pub fn use_id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

/// The signed-in user of this page, if any (see [`provide_viewer`]).
pub fn use_user() -> Option<CurrentUser> {
    use_context::<Viewer>().and_then(|v| v.0)
}

const NAV_LINK: &str = "flex min-w-0 flex-1 flex-col items-center gap-0.5 px-0.5 py-2 text-[11px] md:flex-initial md:flex-row md:gap-2 md:px-3 md:text-sm md:rounded-lg";

/// Resident cabinet: a phone-first layout with the bottom navigation, the bell and the
/// critical banners.
#[component]
pub fn ResidentLayout() -> impl IntoView {
    view! {
        <RequireRole permission=Permission::OwnCabinet>
            <ResidentFrame />
        </RequireRole>
    }
}

#[component]
fn ResidentFrame() -> impl IntoView {
    crate::notify::pages::provide_notices();
    view! {
        <div class="min-h-screen pb-20 md:pb-0">
            <header class="sticky top-0 z-10 bg-teal-700 text-white shadow">
                <div class="mx-auto flex max-w-3xl items-center justify-between px-4 py-2">
                    <a
                        href="/cabinet"
                        class="flex items-center gap-2 text-lg font-semibold tracking-wide"
                    >
                        <icons::KeyIcon />
                        {text::APP_NAME}
                    </a>
                    <div class="flex items-center gap-1">
                        <nav class="hidden gap-1 md:flex" aria-label="Разделы">
                            <ResidentNav dark=true />
                        </nav>
                        <Bell href="/cabinet/notifications" class="hover:bg-teal-600" />
                    </div>
                </div>
            </header>
            <Banners />
            <main class="mx-auto max-w-3xl px-4 py-4">
                <Outlet />
            </main>
            <nav
                class="fixed inset-x-0 bottom-0 z-10 flex justify-around border-t border-slate-200 bg-white pb-[env(safe-area-inset-bottom)] md:hidden"
                aria-label="Разделы"
                data-testid="bottom-nav"
            >
                <ResidentNav dark=false />
            </nav>
        </div>
    }
}

/// The resident's sections, in the header (wide screens) or at the bottom (phones).
#[component]
fn ResidentNav(dark: bool) -> impl IntoView {
    view! {
        <NavItem
            href="/cabinet"
            icon=Icon::Home
            label=text::NAV_HOME
            exact=true
            dark=dark
            also=&["/cabinet/account"]
        />
        <NavItem
            href="/cabinet/readings"
            icon=Icon::Meter
            label=text::NAV_READINGS
            exact=false
            dark=dark
        />
        <NavItem
            href="/cabinet/tickets"
            icon=Icon::Wrench
            label=text::NAV_TICKETS_RESIDENT
            exact=false
            dark=dark
        />
        <NavItem href="/cabinet/news" icon=Icon::News label=text::NAV_NEWS exact=false dark=dark />
        <NavItem href="/cabinet/faq" icon=Icon::Help label=text::NAV_FAQ exact=false dark=dark />
        <NavItem
            href="/cabinet/profile"
            icon=Icon::User
            label=text::NAV_PROFILE
            exact=false
            dark=dark
            also=&["/cabinet/notifications"]
        />
    }
}

/// Whether a menu item is the current section: its own page (or pages under it), or one of the
/// other pages that belong to it.
fn is_active(path: &str, href: &str, exact: bool, also: &[&str]) -> bool {
    let own = if exact {
        path == href
    } else {
        path.starts_with(href)
    };
    own || also.iter().any(|prefix| path.starts_with(prefix))
}

#[derive(Clone, Copy)]
enum Icon {
    Home,
    Meter,
    Wrench,
    News,
    Help,
    User,
}

#[component]
fn NavItem(
    href: &'static str,
    icon: Icon,
    label: &'static str,
    exact: bool,
    dark: bool,
    /// Other pages that belong to this section (e.g. an account page to «Квартиры»).
    #[prop(optional)]
    also: &'static [&'static str],
) -> impl IntoView {
    let location = use_location();
    let active = move || is_active(&location.pathname.get(), href, exact, also);
    let class = move || {
        let tone = match (dark, active()) {
            (true, true) => "bg-teal-800 text-white",
            (true, false) => "text-teal-50 hover:bg-teal-600",
            (false, true) => "text-teal-700 font-semibold",
            (false, false) => "text-slate-500",
        };
        format!("{NAV_LINK} {tone}")
    };
    view! {
        <A href=href attr:class=class>
            {match icon {
                Icon::Home => view! { <icons::HomeIcon /> }.into_any(),
                Icon::Meter => view! { <icons::MeterIcon /> }.into_any(),
                Icon::Wrench => view! { <icons::WrenchIcon /> }.into_any(),
                Icon::News => view! { <icons::NewsIcon /> }.into_any(),
                Icon::Help => view! { <icons::HelpIcon /> }.into_any(),
                Icon::User => view! { <icons::UserIcon /> }.into_any(),
            }}
            <span>{label}</span>
        </A>
    }
}

/// The cabinet name staff see for their role.
pub fn cabinet_title(role: Role) -> &'static str {
    match role {
        Role::Resident => "Кабинет жителя",
        Role::Accountant => "Кабинет бухгалтера",
        Role::Dispatcher => "Кабинет диспетчера",
        Role::Council => "Кабинет совета дома",
        Role::Chair => "Кабинет председателя",
        Role::Executor => "Кабинет исполнителя",
        Role::Guard => "Пост охраны",
    }
}

/// Staff cabinets: desktop width, a side menu that follows the role.
#[component]
pub fn StaffLayout() -> impl IntoView {
    view! {
        <RequireRole permission=Permission::StaffCabinet>
            <StaffFrame />
        </RequireRole>
    }
}

#[component]
fn StaffFrame() -> impl IntoView {
    let user = use_user();
    let role = user.as_ref().map(|u| u.role).unwrap_or(Role::Accountant);
    let name = user.map(|u| u.full_name).unwrap_or_default();
    let can = move |p| crate::auth::rules::role_can(role, p);
    crate::notify::pages::provide_notices();
    view! {
        <div class="min-h-screen md:flex">
            <aside class="bg-slate-900 text-slate-100 print:hidden md:min-h-screen md:w-64 md:shrink-0">
                <div class="px-4 py-4">
                    <div class="flex items-center justify-between">
                        <a href="/staff" class="flex items-center gap-2 text-lg font-semibold">
                            <icons::KeyIcon />
                            {text::APP_NAME}
                        </a>
                        <Bell href="/staff/notifications" class="hover:bg-slate-800" />
                    </div>
                    <p class="mt-1 text-sm text-slate-300" data-testid="cabinet-title">
                        {cabinet_title(role)}
                    </p>
                    <p class="text-xs text-slate-400">{name}</p>
                </div>
                <nav
                    class="flex gap-1 overflow-x-auto px-2 pb-2 md:flex-col md:overflow-visible"
                    aria-label="Разделы"
                >
                    {can(Permission::GuardPost)
                        .then(|| {
                            view! {
                                <StaffLink href="/staff/gate" label=text::NAV_GATE exact=false />
                            }
                        })}
                    {can(Permission::ManagePasses)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/passes"
                                    label=text::NAV_PASSES
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::WorkTickets)
                        .then(|| {
                            view! {
                                <StaffLink href="/staff/work" label=text::NAV_WORK exact=false />
                            }
                        })}
                    {can(Permission::ManageTickets)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/tickets"
                                    label=text::NAV_TICKETS
                                    exact=false
                                    also=&["/staff/contractors"]
                                />
                            }
                        })}
                    {can(Permission::ViewRegister)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff"
                                    label=text::NAV_REGISTER
                                    exact=true
                                    also=&["/staff/apartment"]
                                />
                                <StaffLink
                                    href="/staff/readings"
                                    label=text::NAV_READINGS
                                    exact=false
                                    also=&["/staff/meter"]
                                />
                            }
                        })}
                    {can(Permission::ManageBilling)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/billing"
                                    label=text::NAV_BILLING
                                    exact=false
                                    also=&["/staff/tariffs"]
                                />
                                <StaffLink
                                    href="/staff/payments"
                                    label=text::NAV_PAYMENTS
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::ManageDebts)
                        .then(|| {
                            view! {
                                <StaffLink href="/staff/debts" label=text::NAV_DEBTS exact=false />
                            }
                        })}
                    {can(Permission::ManageInvites)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/approvals"
                                    label=text::NAV_APPROVALS
                                    exact=false
                                />
                                <StaffLink
                                    href="/staff/invites"
                                    label=text::NAV_INVITES
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::ManageUsers)
                        .then(|| {
                            view! {
                                <StaffLink href="/staff/users" label=text::NAV_USERS exact=false />
                            }
                        })}
                    {can(Permission::ManageOrganisation)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/organisation"
                                    label=text::NAV_ORGANISATION
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::Publish)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/announcements"
                                    label=text::NAV_ANNOUNCEMENTS
                                    exact=false
                                />
                                <StaffLink href="/staff/news" label=text::NAV_NEWS exact=false />
                                <StaffLink href="/staff/faq" label=text::NAV_FAQ exact=false />
                            }
                        })}
                    {can(Permission::EditTemplates)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/templates"
                                    label=text::NAV_TEMPLATES
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::ViewReports)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/reports/tickets"
                                    label=text::NAV_TICKET_REPORT
                                    exact=false
                                />
                            }
                        })}
                    {can(Permission::ViewDevMailbox)
                        .then(|| {
                            view! {
                                <StaffLink
                                    href="/staff/mailbox"
                                    label=text::NAV_MAILBOX
                                    exact=false
                                />
                            }
                        })}
                    <StaffLink
                        href="/staff/profile"
                        label=text::NAV_PROFILE
                        exact=false
                        also=&["/staff/notifications"]
                    />
                </nav>
            </aside>
            <div class="min-w-0 flex-1">
                <Banners />
                <main class="p-4 md:p-8">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

#[component]
fn StaffLink(
    href: &'static str,
    label: &'static str,
    exact: bool,
    #[prop(optional)] also: &'static [&'static str],
) -> impl IntoView {
    let location = use_location();
    let class = move || {
        let active = is_active(&location.pathname.get(), href, exact, also);
        format!(
            "whitespace-nowrap rounded-lg px-3 py-2 text-sm {}",
            if active {
                "bg-slate-700 text-white"
            } else {
                "text-slate-300 hover:bg-slate-800"
            }
        )
    };
    view! {
        <A href=href attr:class=class>
            {label}
        </A>
    }
}

/// Classes of the standard controls, so every form looks the same.
pub mod style {
    pub const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2.5 text-base focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30";
    pub const LABEL: &str = "block text-sm font-medium text-slate-700";
    pub const BUTTON: &str = "inline-flex items-center justify-center rounded-lg bg-teal-700 px-4 py-2.5 font-medium text-white hover:bg-teal-800 disabled:opacity-60";
    pub const BUTTON_SECONDARY: &str = "inline-flex items-center justify-center rounded-lg border border-slate-300 bg-white px-4 py-2.5 font-medium text-slate-700 hover:bg-slate-50";
    pub const CARD: &str = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";
    pub const H1: &str = "text-2xl font-semibold text-slate-900";
    pub const H2: &str = "text-lg font-semibold text-slate-900";
    pub const TABLE: &str = "min-w-full divide-y divide-slate-200 text-sm";
    pub const TH: &str = "px-3 py-2 text-left font-medium text-slate-600";
    pub const TD: &str = "px-3 py-2 align-top";
    /// A column of figures: right-aligned, digits of equal width, one line.
    pub const TD_NUMBER: &str = "px-3 py-2 align-top text-right tabular-nums whitespace-nowrap";
    pub const TH_NUMBER: &str = "px-3 py-2 text-right font-medium text-slate-600";
}
