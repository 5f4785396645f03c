//! The house picker of staff forms (billing, payments, readings share it).

use leptos::prelude::*;

use super::style;
use crate::housing::api::list_houses;
use crate::housing::text as t;

/// A house picker for staff forms: its label and a select of every house, `name` the field's
/// name, `selected` the house chosen before (the first one otherwise).
#[component]
pub fn HouseSelect(
    name: &'static str,
    #[prop(optional, into)] selected: Option<Signal<Option<i64>>>,
) -> impl IntoView {
    let houses = Resource::new(|| (), |_| list_houses());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = houses.await.unwrap_or_default();
                let chosen = selected.and_then(|s| s.get());
                view! {
                    <div class=format!("{} w-80 max-w-full", style::LABEL)>
                        <span aria-hidden="true">{t::HOUSE}</span>
                        <select name=name class=style::INPUT aria-label=t::HOUSE>
                            {list
                                .into_iter()
                                .map(|h| {
                                    view! {
                                        <option value=h.id selected=Some(h.id) == chosen>
                                            {h.address}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                }
            })}
        </Suspense>
    }
}
