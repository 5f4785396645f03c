//! Billing pages: the resident's charges (inside the account page), the accountant's accrual
//! page with its progress bar, and services and tariffs.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::text as t;
use super::types::*;
use crate::readings::rules::format_value;
use crate::ui::HouseSelect;
use crate::ui::{ErrorNote, FormResult, ImportFileFields, ImportReportCard, Loading, style};

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

mod accrual;
mod rules;
mod settings;
mod statement;
pub use accrual::*;
pub use rules::*;
pub use settings::*;
pub use statement::*;
