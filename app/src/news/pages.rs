//! Pages of news, announcements and the FAQ: the resident's feed and help, and the staff's
//! publishing desk with delivery reports.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::rules::{Block, Span, parse_text};
use super::text as t;
use super::types::*;
use crate::notify::pages::DeliveryReportView;
use crate::ui::{ErrorNote, FormResult, Loading, style};

/// Staff's simple formatting, rendered as elements (never as HTML).
#[component]
pub fn FormattedText(text: String) -> impl IntoView {
    fn spans(spans: Vec<Span>) -> impl IntoView {
        spans
            .into_iter()
            .map(|s| match s {
                Span::Text(s) => view! { <span>{s}</span> }.into_any(),
                Span::Bold(s) => view! { <b>{s}</b> }.into_any(),
                Span::Link { text, url } => view! {
                    <a class="text-teal-700 underline" href=url rel="noopener noreferrer">
                        {text}
                    </a>
                }
                .into_any(),
            })
            .collect_view()
    }
    view! {
        <div class="space-y-2 text-slate-800">
            {parse_text(&text)
                .into_iter()
                .map(|b| match b {
                    Block::Paragraph(s) => {
                        view! { <p class="whitespace-pre-line">{spans(s)}</p> }.into_any()
                    }
                    Block::List(items) => {
                        view! {
                            <ul class="list-disc space-y-1 pl-5">
                                {items
                                    .into_iter()
                                    .map(|s| view! { <li>{spans(s)}</li> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The resident's news: announcements in force, then news (pinned first).
#[component]
pub fn NewsPage() -> impl IntoView {
    let feed = Resource::new(|| (), |_| load_news_feed());
    view! {
        <h1 class=style::H1>{t::NEWS_TITLE}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match feed.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(feed) => {
                        view! {
                            {(!feed.announcements.is_empty())
                                .then(|| {
                                    view! {
                                        <section class="mt-4 space-y-3" aria-label=t::ANNOUNCEMENTS>
                                            {feed
                                                .announcements
                                                .into_iter()
                                                .map(|a| view! { <AnnouncementCard a=a /> })
                                                .collect_view()}
                                        </section>
                                    }
                                })}
                            {feed
                                .news
                                .is_empty()
                                .then(|| {
                                    view! {
                                        <p class=format!(
                                            "{} mt-4 text-slate-600",
                                            style::CARD,
                                        )>{t::NO_NEWS}</p>
                                    }
                                })}
                            <ul class="mt-4 space-y-3">
                                {feed
                                    .news
                                    .into_iter()
                                    .map(|n| {
                                        view! {
                                            <li>
                                                <a
                                                    href=format!("/cabinet/news/{}", n.id)
                                                    class=format!("{} block hover:border-teal-400", style::CARD)
                                                    data-testid="news-item"
                                                >
                                                    <p class="text-xs text-slate-500">
                                                        {n
                                                            .pinned
                                                            .then(|| {
                                                                view! {
                                                                    <span class="mr-2 rounded bg-amber-100 px-1.5 text-amber-800">
                                                                        {t::PINNED}
                                                                    </span>
                                                                }
                                                            })} {n.published}" · "{n.audience}
                                                    </p>
                                                    <h2 class="mt-1 text-lg font-semibold">{n.title}</h2>
                                                    {n
                                                        .image
                                                        .map(|src| {
                                                            view! {
                                                                <img
                                                                    src=src
                                                                    alt=""
                                                                    loading="lazy"
                                                                    class="mt-2 h-40 w-full rounded-lg object-cover"
                                                                />
                                                            }
                                                        })}
                                                    <p class="mt-1 line-clamp-2 text-sm text-slate-600">
                                                        {super::rules::plain_text(&n.body)}
                                                    </p>
                                                </a>
                                            </li>
                                        }
                                    })
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
fn AnnouncementCard(a: AnnouncementItem) -> impl IntoView {
    let tone = if a.critical {
        "border-red-300 bg-red-50"
    } else {
        "border-amber-200 bg-amber-50"
    };
    view! {
        <article class=format!("rounded-xl border p-4 {tone}") data-testid="announcement">
            <p class="text-xs text-slate-600">
                {a
                    .critical
                    .then(|| {
                        view! {
                            <span class="mr-2 rounded bg-red-600 px-1.5 text-white">
                                {t::URGENT}
                            </span>
                        }
                    })} {a.created}" · "{a.audience}
            </p>
            <h2 class="mt-1 text-lg font-semibold">{a.title}</h2>
            <div class="mt-1 text-sm">
                <FormattedText text=a.body />
            </div>
            <p class="mt-2 text-xs text-slate-500">{t::VALID_UNTIL}" "{a.expires}</p>
        </article>
    }
}

#[component]
pub fn NewsItemPage() -> impl IntoView {
    let id = crate::ui::use_id_param();
    let item = Resource::new(id, load_news_item);
    view! {
        <a href="/cabinet/news" class="text-sm text-teal-700">
            {t::BACK_TO_NEWS}
        </a>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match item.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(n) => {
                        view! {
                            <article class=format!("{} mt-3", style::CARD)>
                                <p class="text-xs text-slate-500">
                                    {n.published}" · "{n.audience}
                                </p>
                                <h1 class=format!("{} mt-1", style::H1)>{n.title}</h1>
                                {n
                                    .image
                                    .map(|src| {
                                        view! {
                                            <img src=src alt="" class="mt-3 w-full rounded-lg" />
                                        }
                                    })}
                                <div class="mt-3">
                                    <FormattedText text=n.body />
                                </div>
                            </article>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Questions and answers with a search (`?q=`), for residents and staff.
#[component]
pub fn FaqPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let faq = Resource::new(q, load_faq);
    view! {
        <h1 class=style::H1>{t::FAQ_TITLE}</h1>
        <form method="get" class="mt-3 flex gap-2" role="search">
            <input
                class=style::INPUT
                type="search"
                name="q"
                value=q
                placeholder=t::FAQ_SEARCH
                aria-label=t::FAQ_SEARCH
            />
            <button class=format!("{} mt-1", style::BUTTON) type="submit">
                {t::FAQ_FIND}
            </button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match faq.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(cats) if cats.is_empty() => {
                        view! { <p class="mt-4 text-slate-600">{t::FAQ_NOTHING}</p> }.into_any()
                    }
                    Ok(cats) => {
                        cats.into_iter()
                            .map(|c| {
                                view! {
                                    <section class="mt-5">
                                        <h2 class=style::H2>{c.title}</h2>
                                        <div class="mt-2 space-y-2">
                                            {c
                                                .items
                                                .into_iter()
                                                .map(|i| {
                                                    view! {
                                                        <details class=style::CARD data-testid="faq-item">
                                                            <summary class="cursor-pointer font-medium">
                                                                {i.question}
                                                            </summary>
                                                            <div class="mt-2 text-sm">
                                                                <FormattedText text=i.answer />
                                                            </div>
                                                        </details>
                                                    }
                                                })
                                                .collect_view()}
                                        </div>
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

/// The audience `<select>` of the staff forms.
#[component]
fn AudienceSelect(
    options: Vec<AudienceOption>,
    #[prop(optional)] selected: String,
) -> impl IntoView {
    view! {
        <label class=format!(
            "{} mt-3",
            style::LABEL,
        )>
            {t::AUDIENCE} <select class=style::INPUT name="audience" required>
                {options
                    .into_iter()
                    .map(|o| {
                        let is = o.value == selected;
                        view! {
                            <option value=o.value selected=is>
                                {o.label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The title and text fields of the staff forms.
#[component]
fn PostFields(
    #[prop(optional)] title: String,
    #[prop(optional)] body: String,
    #[prop(default = "title")] title_name: &'static str,
    #[prop(default = "body")] body_name: &'static str,
    #[prop(default = t::TITLE)] title_label: &'static str,
    #[prop(default = t::TEXT)] body_label: &'static str,
) -> impl IntoView {
    view! {
        <label class=format!(
            "{} mt-3",
            style::LABEL,
        )>
            {title_label}
            <input class=style::INPUT name=title_name value=title required maxlength="150" />
        </label>
        <label class=format!(
            "{} mt-3",
            style::LABEL,
        )>
            {body_label} <textarea class=style::INPUT name=body_name rows="5" required>
                {body}
            </textarea>
            <span class="mt-1 block text-xs font-normal text-slate-500">{t::TEXT_HINT}</span>
        </label>
    }
}

/// Staff: post announcements, see how they spread, end them.
#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    let post = ServerAction::<PostAnnouncement>::new();
    let end = ServerAction::<EndAnnouncement>::new();
    let options = Resource::new(|| (), |_| audience_options());
    let list = Resource::new(
        move || post.version().get() + end.version().get(),
        |_| staff_announcements(),
    );
    view! {
        <h1 class=style::H1>{t::ANNOUNCEMENTS}</h1>
        <div class="mt-4 grid gap-6 xl:grid-cols-2">
            <section class=style::CARD>
                <h2 class=style::H2>{t::POST_ANNOUNCEMENT}</h2>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match options.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(options) => {
                                view! {
                                    <ActionForm action=post attr:data-testid="announcement-form">
                                        <PostFields />
                                        <AudienceSelect options=options />
                                        <label class="mt-3 flex items-start gap-2 text-sm">
                                            <input
                                                type="checkbox"
                                                name="critical"
                                                value="on"
                                                class="mt-0.5 h-5 w-5 accent-red-600"
                                            />
                                            <span>{t::CRITICAL}</span>
                                        </label>
                                        <label class=format!(
                                            "{} mt-3",
                                            style::LABEL,
                                        )>
                                            {t::EXPIRES}
                                            <input
                                                class=style::INPUT
                                                type="datetime-local"
                                                name="expires_at"
                                                required
                                                aria-describedby="expires-hint"
                                            />
                                        </label>
                                        <p id="expires-hint" class="mt-1 text-xs text-slate-600">
                                            {t::EXPIRES_HINT}
                                        </p>
                                        <button
                                            class=format!("{} mt-4", style::BUTTON)
                                            type="submit"
                                        >
                                            {t::PUBLISH}
                                        </button>
                                        <FormResult value=post.value() success=t::PUBLISHED />
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
            <section>
                <FormResult value=end.value() />
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match list.await {
                            Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                            Ok(items) => {
                                view! {
                                    <ul class="space-y-3">
                                        {items
                                            .into_iter()
                                            .map(|a| view! { <StaffAnnouncement a=a end=end /> })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn StaffAnnouncement(a: AnnouncementItem, end: ServerAction<EndAnnouncement>) -> impl IntoView {
    let id = a.id;
    view! {
        <li class=style::CARD data-testid="staff-announcement">
            <div class="flex items-start justify-between gap-2">
                <div>
                    <p class="text-xs text-slate-500">
                        {a
                            .critical
                            .then(|| {
                                view! {
                                    <span class="mr-2 rounded bg-red-600 px-1.5 text-white">
                                        {t::URGENT}
                                    </span>
                                }
                            })} {a.created}" · "{a.audience}" · "{a.author}
                    </p>
                    <h3 class="font-semibold">{a.title}</h3>
                    <p class="text-xs text-slate-500">{t::VALID_UNTIL}" "{a.expires}</p>
                </div>
                <ActionForm action=end>
                    <input type="hidden" name="id" value=id />
                    <button class="rounded border border-slate-300 px-2 py-1 text-xs" type="submit">
                        {t::END}
                    </button>
                </ActionForm>
            </div>
            {a.report.map(|r| view! { <DeliveryReportView r /> })}
        </li>
    }
}

/// Staff: news — write, schedule, pin, edit, delete.
#[component]
pub fn StaffNewsPage() -> impl IntoView {
    let save = ServerAction::<SaveNews>::new();
    let delete = ServerAction::<DeleteNews>::new();
    // one server function per resource (see billing's page)
    let options = Resource::new(|| (), |_| audience_options());
    let news = Resource::new(
        move || save.version().get() + delete.version().get(),
        |_| staff_news(),
    );
    let query = use_query_map();
    let upload = move || {
        query
            .read()
            .get("upload")
            .and_then(|c| t::upload_result(&c))
    };
    view! {
        <h1 class=style::H1>{t::NEWS_TITLE}</h1>
        {move || {
            upload()
                .map(|(ok, message)| {
                    view! {
                        <p
                            role="status"
                            class=if ok {
                                "mt-2 text-sm text-teal-700"
                            } else {
                                "mt-2 text-sm text-red-700"
                            }
                        >
                            {message}
                        </p>
                    }
                })
        }}
        <FormResult value=save.value() success=t::PUBLISHED />
        <FormResult value=delete.value() />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (options.await, news.await) {
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                    (Ok(options), Ok(news)) => {
                        view! {
                            <details
                                class=format!("{} mt-4 max-w-3xl", style::CARD)
                                open=news.is_empty()
                            >
                                <summary class="cursor-pointer font-semibold">
                                    {t::NEWS_ADD}
                                </summary>
                                <NewsForm options=options.clone() save=save />
                            </details>
                            <ul class="mt-4 max-w-3xl space-y-3">
                                {news
                                    .into_iter()
                                    .map(|n| {
                                        let id = n.id;
                                        let image = n.image.clone();
                                        view! {
                                            <li class=style::CARD>
                                                <p class="text-xs text-slate-500">
                                                    {n
                                                        .scheduled
                                                        .then(|| {
                                                            view! {
                                                                <span class="mr-2 rounded bg-sky-100 px-1.5 text-sky-800">
                                                                    {t::SCHEDULED}
                                                                </span>
                                                            }
                                                        })}
                                                    {n
                                                        .pinned
                                                        .then(|| {
                                                            view! {
                                                                <span class="mr-2 rounded bg-amber-100 px-1.5 text-amber-800">
                                                                    {t::PINNED}
                                                                </span>
                                                            }
                                                        })} {n.published.clone()}" · "{n.audience.clone()}
                                                </p>
                                                <h3 class="font-semibold">{n.title.clone()}</h3>
                                                <div class="mt-2 flex gap-3 text-sm">
                                                    <details>
                                                        <summary class="cursor-pointer text-teal-700">
                                                            {t::EDIT}
                                                        </summary>
                                                        <NewsForm options=options.clone() save=save item=n />
                                                        <form
                                                            method="post"
                                                            action="/staff/news/image"
                                                            enctype="multipart/form-data"
                                                            class="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-200 pt-3"
                                                        >
                                                            <input type="hidden" name="news_id" value=id />
                                                            <label class=style::LABEL>
                                                                {t::PHOTO}
                                                                <input
                                                                    type="file"
                                                                    name="image"
                                                                    accept="image/jpeg,image/png,image/webp"
                                                                    required
                                                                    class="mt-1 block text-sm"
                                                                />
                                                            </label>
                                                            <button type="submit" class=style::BUTTON_SECONDARY>
                                                                {t::UPLOAD_PHOTO}
                                                            </button>
                                                        </form>
                                                    </details>
                                                    <ActionForm action=delete>
                                                        <input type="hidden" name="id" value=id />
                                                        <button type="submit" class="text-red-700 underline">
                                                            {t::DELETE}
                                                        </button>
                                                    </ActionForm>
                                                </div>
                                                {image
                                                    .map(|src| {
                                                        view! {
                                                            <img
                                                                src=src
                                                                alt=""
                                                                class="mt-2 h-24 rounded object-cover"
                                                            />
                                                        }
                                                    })}
                                            </li>
                                        }
                                    })
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
fn NewsForm(
    options: Vec<AudienceOption>,
    save: ServerAction<SaveNews>,
    #[prop(optional)] item: Option<NewsItem>,
) -> impl IntoView {
    let id = item.as_ref().map(|n| n.id);
    let (title, body) = item
        .as_ref()
        .map(|n| (n.title.clone(), n.body.clone()))
        .unwrap_or_default();
    let audience = item
        .as_ref()
        .map_or("all".to_string(), |n| n.audience_value.clone());
    let pinned = item.as_ref().is_some_and(|n| n.pinned);
    let publish_at = item.map(|n| n.publish_at_input).unwrap_or_default();
    view! {
        <ActionForm action=save>
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            <PostFields title=title body=body />
            <AudienceSelect options=options selected=audience />
            <label class="mt-3 flex items-center gap-2 text-sm">
                <input
                    type="checkbox"
                    name="pinned"
                    value="on"
                    checked=pinned
                    class="h-5 w-5 accent-teal-700"
                />
                {t::PIN}
            </label>
            <label class=format!(
                "{} mt-3",
                style::LABEL,
            )>
                {t::PUBLISH_AT}
                <input
                    class=style::INPUT
                    type="datetime-local"
                    name="publish_at"
                    value=publish_at
                />
            </label> <button class=format!("{} mt-4", style::BUTTON) type="submit">
                {t::SAVE}
            </button>
        </ActionForm>
    }
}

/// Staff: the FAQ — sections and questions.
#[component]
pub fn StaffFaqPage() -> impl IntoView {
    let category = ServerAction::<AddFaqCategory>::new();
    let save = ServerAction::<SaveFaqItem>::new();
    let delete = ServerAction::<DeleteFaqItem>::new();
    let faq = Resource::new(
        move || category.version().get() + save.version().get() + delete.version().get(),
        |_| load_faq(String::new()),
    );
    view! {
        <h1 class=style::H1>{t::FAQ_EDIT_TITLE}</h1>
        <FormResult value=save.value() />
        <FormResult value=delete.value() />
        <ActionForm action=category>
            <div class="mt-4 flex max-w-xl gap-2">
                <input
                    class=style::INPUT
                    name="title"
                    placeholder=t::FAQ_ADD_CATEGORY
                    aria-label=t::FAQ_ADD_CATEGORY
                    required
                />
                <button
                    class=format!("{} mt-1 whitespace-nowrap", style::BUTTON_SECONDARY)
                    type="submit"
                >
                    {t::FAQ_ADD_CATEGORY}
                </button>
            </div>
            <FormResult value=category.value() />
        </ActionForm>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match faq.await {
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    Ok(cats) => {
                        let choices: Vec<(i64, String)> = cats
                            .iter()
                            .map(|c| (c.id, c.title.clone()))
                            .collect();
                        view! {
                            <details class=format!("{} mt-4 max-w-3xl", style::CARD)>
                                <summary class="cursor-pointer font-semibold">
                                    {t::FAQ_ADD_ITEM}
                                </summary>
                                <FaqForm categories=choices.clone() save=save />
                            </details>
                            {cats
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <section class="mt-5 max-w-3xl">
                                            <h2 class=style::H2>{c.title}</h2>
                                            <ul class="mt-2 space-y-2">
                                                {c
                                                    .items
                                                    .into_iter()
                                                    .map(|i| {
                                                        let id = i.id;
                                                        view! {
                                                            <li class=style::CARD>
                                                                <p class="font-medium">{i.question.clone()}</p>
                                                                <div class="mt-2 flex gap-3 text-sm">
                                                                    <details>
                                                                        <summary class="cursor-pointer text-teal-700">
                                                                            {t::EDIT}
                                                                        </summary>
                                                                        <FaqForm
                                                                            categories=choices.clone()
                                                                            save=save
                                                                            item=(c.id, i)
                                                                        />
                                                                    </details>
                                                                    <ActionForm action=delete>
                                                                        <input type="hidden" name="id" value=id />
                                                                        <button type="submit" class="text-red-700 underline">
                                                                            {t::DELETE}
                                                                        </button>
                                                                    </ActionForm>
                                                                </div>
                                                            </li>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        </section>
                                    }
                                })
                                .collect_view()}
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn FaqForm(
    categories: Vec<(i64, String)>,
    save: ServerAction<SaveFaqItem>,
    #[prop(optional)] item: Option<(i64, FaqItem)>,
) -> impl IntoView {
    let current = item.as_ref().map(|(c, _)| *c);
    let id = item.as_ref().map(|(_, i)| i.id);
    let (question, answer) = item
        .map(|(_, i)| (i.question, i.answer))
        .unwrap_or_default();
    view! {
        <ActionForm action=save>
            {id.map(|id| view! { <input type="hidden" name="id" value=id /> })}
            <label class=format!(
                "{} mt-3",
                style::LABEL,
            )>
                {t::FAQ_CATEGORY} <select class=style::INPUT name="category_id" required>
                    {categories
                        .into_iter()
                        .map(|(cid, title)| {
                            view! {
                                <option value=cid selected=current == Some(cid)>
                                    {title}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <PostFields
                title=question
                body=answer
                title_name="question"
                body_name="answer"
                title_label=t::FAQ_QUESTION
                body_label=t::FAQ_ANSWER
            /> <button class=format!("{} mt-4", style::BUTTON) type="submit">
                {t::SAVE}
            </button>
        </ActionForm>
    }
}
