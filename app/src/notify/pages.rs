//! Pages and pieces of the notification path: the bell and critical banners of every cabinet,
//! the list, the preferences, and for staff the templates and the dev mailbox.

use leptos::prelude::*;

use super::api::*;
use super::text as t;
use super::types::*;
use crate::error::AppError;
use crate::ui::{ErrorNote, FormResult, Loading, icons, style};

/// The header's notices (bell count and banners) of the current cabinet, refreshed after the
/// user reads something and once a minute while the page is open.
#[derive(Clone, Copy)]
pub struct Notices {
    resource: Resource<Result<HeaderNotices, AppError>>,
    version: RwSignal<u32>,
}

/// Called once by each cabinet layout.
pub fn provide_notices() {
    let version = RwSignal::new(0u32);
    let resource = Resource::new(move || version.get(), |_| load_header_notices());
    provide_context(Notices { resource, version });
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || version.update(|v| *v += 1),
            std::time::Duration::from_secs(60),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}

/// Makes the bell and banners load again (after something was read).
pub fn refresh_notices() {
    if let Some(n) = use_context::<Notices>() {
        n.version.update(|v| *v += 1);
    }
}

fn current() -> Option<HeaderNotices> {
    use_context::<Notices>().and_then(|n| n.resource.get().and_then(Result::ok))
}

/// The bell with the unread count, leading to the list.
#[component]
pub fn Bell(href: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! {
        <a
            href=href
            class=format!("relative inline-flex items-center rounded-full p-2 {class}")
            aria-label=t::BELL
            data-testid="bell"
        >
            <icons::BellIcon />
            <Transition fallback=|| ()>
                {move || {
                    current()
                        .filter(|h| h.unread > 0)
                        .map(|h| {
                            view! {
                                <span
                                    data-testid="bell-count"
                                    class="absolute -right-0.5 -top-0.5 min-w-5 rounded-full bg-red-600 px-1 text-center text-xs font-semibold leading-5 text-white"
                                >
                                    {if h.unread > 99 {
                                        "99+".to_string()
                                    } else {
                                        h.unread.to_string()
                                    }}
                                </span>
                            }
                        })
                }}
            </Transition>
        </a>
    }
}

/// Critical announcements in force, on top of every page: the newest in full, the others as
/// one line «Ещё N важных объявлений» that opens (a `<details>`, so it works before the page's
/// script too). A banner the user has read can be collapsed; it stays in the notification list
/// and comes back if the announcement changes.
#[component]
pub fn Banners() -> impl IntoView {
    let collapse = ServerAction::<CollapseBanner>::new();
    Effect::new(move |_| {
        if collapse.version().get() > 0 {
            refresh_notices();
        }
    });
    let banner = move |b: Banner| {
        view! {
            <div
                role="alert"
                data-testid="critical-banner"
                class="border-b border-red-800 bg-red-600 px-4 py-3 text-white"
            >
                <div class="mx-auto flex max-w-3xl items-start gap-3">
                    <div class="min-w-0 flex-1">
                        <p class="font-semibold">{t::URGENT}": " {b.title}</p>
                        <p class="mt-0.5 whitespace-pre-line text-sm text-red-50">
                            {crate::news::rules::plain_text(&b.body)}
                        </p>
                        <p class="mt-1 text-xs text-red-100">{t::UNTIL}" " {b.until}</p>
                    </div>
                    <ActionForm action=collapse>
                        <input type="hidden" name="id" value=b.id />
                        <input type="hidden" name="version" value=b.version />
                        <button
                            type="submit"
                            data-testid="collapse-banner"
                            class="shrink-0 rounded-lg border border-red-200/60 px-2.5 py-1 text-sm hover:bg-red-700"
                        >
                            {t::COLLAPSE_BANNER}
                        </button>
                    </ActionForm>
                </div>
            </div>
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                current()
                    .map(|h| {
                        let mut banners = h.banners.into_iter();
                        let first = banners.next().map(banner);
                        let rest: Vec<Banner> = banners.collect();
                        let more = (!rest.is_empty())
                            .then(|| {
                                view! {
                                    <details
                                        class="border-b border-red-800 bg-red-700 text-white"
                                        data-testid="more-banners"
                                    >
                                        <summary class="mx-auto max-w-3xl cursor-pointer px-4 py-2 text-sm font-semibold">
                                            {t::more_banners(rest.len())}
                                        </summary>
                                        {rest.into_iter().map(banner).collect_view()}
                                    </details>
                                }
                            });
                        view! {
                            {first}
                            {more}
                        }
                    })
            }}
        </Transition>
    }
}

/// The user's notifications, newest first.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let read = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new(move || read.version().get(), |_| my_notifications());
    Effect::new(move |_| {
        if read.version().get() > 0 {
            refresh_notices();
        }
    });
    let settings = move || {
        let staff = crate::ui::use_user().is_some_and(|u| u.role.is_staff());
        if staff {
            "/staff/notifications/settings"
        } else {
            "/cabinet/notifications/settings"
        }
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-2">
            <h1 class=style::H1>{t::LIST_TITLE}</h1>
            <div class="flex gap-2">
                <ActionForm action=read>
                    <button class=style::BUTTON_SECONDARY type="submit" data-testid="read-all">
                        {t::READ_ALL}
                    </button>
                </ActionForm>
                <a class=style::BUTTON_SECONDARY href=settings()>
                    {t::SETTINGS}
                </a>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(items) if items.is_empty() => {
                        view! {
                            <p class=format!(
                                "{} mt-4 text-slate-600",
                                style::CARD,
                            )>{t::NOTHING_YET}</p>
                        }
                            .into_any()
                    }
                    Ok(items) => {
                        view! {
                            <ul class="mt-4 space-y-2">
                                {items
                                    .into_iter()
                                    .map(|n| view! { <NotificationRow n=n read=read /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotificationRow(
    n: NotificationItem,
    read: ServerAction<MarkNotificationsRead>,
) -> impl IntoView {
    let tone = match (n.critical, n.is_read) {
        (true, false) => "border-red-300 bg-red-50",
        (false, false) => "border-teal-300 bg-teal-50",
        _ => "border-slate-200 bg-white",
    };
    view! {
        <li
            class=format!("rounded-xl border p-3 shadow-sm {tone}")
            data-testid="notification"
            data-unread=(!n.is_read).to_string()
        >
            <div class="flex items-start justify-between gap-2">
                <p class="font-medium">
                    {n
                        .critical
                        .then(|| {
                            view! {
                                <span class="mr-1 rounded bg-red-600 px-1.5 text-xs text-white">
                                    {t::URGENT}
                                </span>
                            }
                        })} {n.title}
                </p>
                <span class="shrink-0 text-xs text-slate-500">{n.created_at}</span>
            </div>
            <p class="mt-1 whitespace-pre-line text-sm text-slate-700">{n.body}</p>
            <div class="mt-2 flex gap-3 text-sm">
                {n
                    .link
                    .map(|href| {
                        view! {
                            <a class="text-teal-700 underline" href=href>
                                {t::OPEN}
                            </a>
                        }
                    })}
                {(!n.is_read)
                    .then(|| {
                        view! {
                            <ActionForm action=read>
                                <input type="hidden" name="id" value=n.id />
                                <button type="submit" class="text-slate-600 underline">
                                    {t::MARK_READ}
                                </button>
                            </ActionForm>
                        }
                    })}
            </div>
        </li>
    }
}

/// Which channels for which kind, quiet hours, and push on this device.
#[component]
pub fn PreferencesPage() -> impl IntoView {
    let save = ServerAction::<SavePreferences>::new();
    let off = ServerAction::<PushUnsubscribeAll>::new();
    let prefs = Resource::new(
        move || save.version().get() + off.version().get(),
        |_| load_preferences(),
    );
    view! {
        <h1 class=style::H1>{t::SETTINGS}</h1>
        <p class="mt-1 text-sm text-slate-600">{t::SETTINGS_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match prefs.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(p) => view! { <PreferencesForm p=p save=save off=off /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PreferencesForm(
    p: Preferences,
    save: ServerAction<SavePreferences>,
    off: ServerAction<PushUnsubscribeAll>,
) -> impl IntoView {
    view! {
        <ActionForm action=save>
            <div class=format!("{} mt-4 overflow-x-auto", style::CARD)>
                <table class=style::TABLE>
                    <thead>
                        <tr>
                            <th class=style::TH></th>
                            {Channel::ALL
                                .iter()
                                .copied()
                                .map(|c| {
                                    view! {
                                        <th class=format!(
                                            "{} whitespace-nowrap text-center",
                                            style::TH,
                                        )>{c.label()}</th>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {p
                            .kinds
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <tr>
                                        <td class=style::TD>
                                            {k.label.clone()}
                                            {k
                                                .mandatory
                                                .then(|| {
                                                    view! {
                                                        <p class="text-xs text-slate-500">{t::MANDATORY}</p>
                                                    }
                                                })}
                                        </td>
                                        {k
                                            .channels
                                            .iter()
                                            .map(|(c, on)| {
                                                let name = format!(
                                                    "on[{}.{}]",
                                                    k.kind.as_str(),
                                                    c.as_str(),
                                                );
                                                view! {
                                                    <td class=format!("{} text-center", style::TD)>
                                                        <input
                                                            type="checkbox"
                                                            class="h-5 w-5 accent-teal-700"
                                                            name=name
                                                            checked=*on
                                                            disabled=k.mandatory
                                                            aria-label=format!("{} — {}", k.label, c.label())
                                                        />
                                                    </td>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
                {(!p.has_email)
                    .then(|| view! { <p class="mt-2 text-xs text-amber-700">{t::NO_EMAIL}</p> })}
                {(!p.has_phone)
                    .then(|| view! { <p class="mt-1 text-xs text-amber-700">{t::NO_PHONE}</p> })}
            </div>
            <fieldset class=format!("{} mt-4", style::CARD)>
                <legend class="sr-only">{t::QUIET_TITLE}</legend>
                <h2 class=style::H2>{t::QUIET_TITLE}</h2>
                <p class="mt-1 text-sm text-slate-600">{t::QUIET_HINT}</p>
                <div class="mt-2 flex gap-3">
                    <label class=style::LABEL>
                        {t::QUIET_FROM}
                        <input
                            class=style::INPUT
                            type="time"
                            name="quiet_from"
                            value=p.quiet_from.unwrap_or_default()
                        />
                    </label>
                    <label class=style::LABEL>
                        {t::QUIET_TO}
                        <input
                            class=style::INPUT
                            type="time"
                            name="quiet_to"
                            value=p.quiet_to.unwrap_or_default()
                        />
                    </label>
                </div>
            </fieldset>
            <button class=format!("{} mt-4", style::BUTTON) type="submit">
                {t::SAVE}
            </button>
            <FormResult value=save.value() success=t::SAVED />
        </ActionForm>
        <section class=format!("{} mt-4", style::CARD)>
            <h2 class=style::H2>{t::PUSH_TITLE}</h2>
            <p class="mt-1 text-sm text-slate-600">
                {t::PUSH_DEVICES}" " <span data-testid="push-devices">{p.push_devices}</span>
            </p>
            <p class="mt-1 text-xs text-slate-500">{t::PUSH_HINT}</p>
            <p id="push-status" class="mt-1 text-sm text-slate-700" role="status"></p>
            <div class="mt-3 flex flex-wrap gap-2">
                {p
                    .push_key
                    .map(|key| {
                        view! {
                            <button id="push-enable" type="button" class=style::BUTTON data-key=key>
                                {t::PUSH_ENABLE}
                            </button>
                        }
                    })}
                {(p.push_devices > 0)
                    .then(|| {
                        view! {
                            <ActionForm action=off>
                                <button class=style::BUTTON_SECONDARY type="submit">
                                    {t::PUSH_DISABLE_ALL}
                                </button>
                            </ActionForm>
                        }
                    })}
            </div>
        </section>
    }
}

/// Staff: the texts of every kind of notification.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let templates = Resource::new(move || save.version().get(), |_| load_templates());
    view! {
        <h1 class=style::H1>{t::TEMPLATES_TITLE}</h1>
        <p class="mt-1 text-sm text-slate-600">{t::TEMPLATES_HINT}</p>
        <FormResult value=save.value() success=t::SAVED />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match templates.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(list) => {
                        list.into_iter()
                            .map(|tpl| {
                                view! {
                                    <section
                                        class=format!("{} mt-4 max-w-3xl", style::CARD)
                                        data-testid="template"
                                    >
                                        <h2 class=style::H2>
                                            {tpl.label}
                                            {(!tpl.is_default)
                                                .then(|| {
                                                    view! {
                                                        <span class="ml-2 text-xs font-normal text-amber-700">
                                                            {t::TEMPLATE_EDITED}
                                                        </span>
                                                    }
                                                })}
                                        </h2>
                                        <p class="mt-1 text-xs text-slate-500">
                                            {tpl
                                                .placeholders
                                                .into_iter()
                                                .map(|(k, v)| format!("{{{k}}} — {v}"))
                                                .collect::<Vec<_>>()
                                                .join("; ")}
                                        </p>
                                        <ActionForm action=save>
                                            <input type="hidden" name="kind" value=tpl.kind.as_str() />
                                            <label class=format!(
                                                "{} mt-2",
                                                style::LABEL,
                                            )>
                                                {t::TEMPLATE_TITLE}
                                                <input
                                                    class=style::INPUT
                                                    name="title"
                                                    value=tpl.title
                                                    required
                                                />
                                            </label>
                                            <label class=format!(
                                                "{} mt-2",
                                                style::LABEL,
                                            )>
                                                {t::TEMPLATE_BODY}
                                                <textarea class=style::INPUT name="body" rows="3" required>
                                                    {tpl.body}
                                                </textarea>
                                            </label>
                                            <div class="mt-2 flex gap-2">
                                                <button class=style::BUTTON type="submit">
                                                    {t::SAVE}
                                                </button>
                                                {(!tpl.is_default)
                                                    .then(|| {
                                                        view! {
                                                            <button
                                                                class=style::BUTTON_SECONDARY
                                                                type="submit"
                                                                name="reset"
                                                                value="1"
                                                            >
                                                                {t::TEMPLATE_RESET}
                                                            </button>
                                                        }
                                                    })}
                                            </div>
                                        </ActionForm>
                                    </section>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Council: what would have been sent by e-mail and SMS without real gateways.
#[component]
pub fn MailboxPage() -> impl IntoView {
    let mail = Resource::new(|| (), |_| load_dev_mailbox());
    view! {
        <h1 class=style::H1>{t::MAILBOX_TITLE}</h1>
        <p class="mt-1 text-sm text-slate-600">{t::MAILBOX_HINT}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match mail.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(items) if items.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::MAILBOX_EMPTY}</p> }.into_any()
                    }
                    Ok(items) => {
                        view! {
                            <div class="mt-4 overflow-x-auto">
                                <table class=style::TABLE>
                                    <thead>
                                        <tr>
                                            <th class=style::TH>"Когда"</th>
                                            <th class=style::TH>"Канал"</th>
                                            <th class=style::TH>"Кому"</th>
                                            <th class=style::TH>"Сообщение"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {items
                                            .into_iter()
                                            .map(|m| {
                                                view! {
                                                    <tr data-testid="mailbox-row">
                                                        <td class=format!(
                                                            "{} whitespace-nowrap",
                                                            style::TD,
                                                        )>{m.at}</td>
                                                        <td class=style::TD>{m.channel}</td>
                                                        <td class=style::TD>{m.recipient}</td>
                                                        <td class=style::TD>
                                                            {(!m.subject.is_empty())
                                                                .then(|| view! { <b>{m.subject}</b> })}
                                                            <p class="whitespace-pre-line text-slate-600">{m.body}</p>
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// How a message spread: recipients, read, and per channel sent / queued / failed.
#[component]
pub fn DeliveryReportView(r: DeliveryReport) -> impl IntoView {
    view! {
        <dl
            class="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-600 sm:grid-cols-4"
            data-testid="delivery-report"
        >
            <div>
                <dt class="inline">{t::RECIPIENTS}": "</dt>
                <dd class="inline font-semibold" data-testid="report-recipients">
                    {r.recipients}
                </dd>
                <span>", "{t::READ}" "<b data-testid="report-read">{r.read}</b></span>
            </div>
            {r
                .channels
                .into_iter()
                .map(|(c, n)| {
                    view! {
                        <div>
                            <dt class="inline">{c.label()}": "</dt>
                            <dd class="inline">
                                <b>{n.sent}</b>
                                " "
                                {t::SENT}
                                {(n.queued > 0).then(|| format!(", {} {}", n.queued, t::QUEUED))}
                                {(n.failed > 0).then(|| format!(", {} {}", n.failed, t::FAILED))}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
