//! Inline SVG icons (no icon font: they render the same on every phone).

use leptos::prelude::*;

const ICON: &str = "h-5 w-5";

#[component]
pub fn KeyIcon(#[prop(default = ICON)] class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=class
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <circle cx="8" cy="12" r="4" />
            <path d="M12 12h9M17 12v3M20 12v2" />
        </svg>
    }
}

#[component]
pub fn HomeIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <path d="M3 11l9-7 9 7" />
            <path d="M5 10v10h5v-6h4v6h5V10" />
        </svg>
    }
}

/// A meter dial (readings).
#[component]
pub fn MeterIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <circle cx="12" cy="13" r="8" />
            <path d="M12 13l4-4M8 5.5 7 4M16 5.5 17 4" />
        </svg>
    }
}

#[component]
pub fn UserIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <circle cx="12" cy="8" r="4" />
            <path d="M4 21c0-4 4-6 8-6s8 2 8 6" />
        </svg>
    }
}

#[component]
pub fn BellIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z" />
            <path d="M10 20a2 2 0 0 0 4 0" />
        </svg>
    }
}

#[component]
pub fn NewsIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <rect x="4" y="4" width="16" height="16" rx="2" />
            <path d="M8 9h8M8 13h8M8 17h5" />
        </svg>
    }
}

#[component]
pub fn HelpIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <circle cx="12" cy="12" r="9" />
            <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14" />
            <path d="M12 17.5v.01" />
        </svg>
    }
}

/// A wrench (АДС tickets).
#[component]
pub fn WrenchIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <path d="M14.7 6.3a4 4 0 0 0 5 5L21 13l-8 8-2.5-2.5 6.2-6.2a4 4 0 0 1-5-5z" />
            <path d="M9 15l-5 5" />
        </svg>
    }
}

/// A camera (adding photos to a ticket).
#[component]
pub fn CameraIcon() -> impl IntoView {
    view! {
        <svg
            class=ICON
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            aria-hidden="true"
        >
            <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
            <circle cx="12" cy="13" r="3.5" />
        </svg>
    }
}
