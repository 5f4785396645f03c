//! Inline SVG icons (no icon font: they render the same on every phone).

use leptos::prelude::*;

const ICON: &str = "h-5 w-5";

#[component]
pub fn KeyIcon(#[prop(default = ICON)] class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
            <circle cx="8" cy="12" r="4"/>
            <path d="M12 12h9M17 12v3M20 12v2"/>
        </svg>
    }
}

#[component]
pub fn HomeIcon() -> impl IntoView {
    view! {
        <svg class=ICON viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
            <path d="M3 11l9-7 9 7"/>
            <path d="M5 10v10h5v-6h4v6h5V10"/>
        </svg>
    }
}

#[component]
pub fn UserIcon() -> impl IntoView {
    view! {
        <svg class=ICON viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
            <circle cx="12" cy="8" r="4"/>
            <path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>
        </svg>
    }
}
