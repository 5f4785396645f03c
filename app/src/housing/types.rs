//! Types of the housing register, shared by the server and the browser.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// How a person is tied to an apartment.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Relation {
        Owner = "owner",
        Tenant = "tenant",
        Family = "family",
    }
}

impl Relation {
    pub fn label(self) -> &'static str {
        match self {
            Relation::Owner => "Собственник",
            Relation::Tenant => "Наниматель",
            Relation::Family => "Член семьи",
        }
    }
}

crate::text_enum! {
    /// Whether a link between a person and an apartment is in force.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum LinkStatus {
        /// Joined with a code, waiting for staff to confirm.
        Pending = "pending",
        Active = "active",
        Rejected = "rejected",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseSummary {
    pub id: i64,
    pub address: String,
    pub entrances: i64,
    pub apartments: i64,
    pub accounts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub apartment_id: i64,
    pub address: String,
    pub number: String,
    pub entrance: Option<i64>,
    pub floor: Option<i64>,
    pub area: String,
    pub account: Option<String>,
    pub residents: i64,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPage {
    pub rows: Vec<RegisterRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: i64,
    pub number: String,
    pub opened_on: String,
    pub closed_on: Option<String>,
}

/// A person's link to an apartment, as staff see it (with history and contacts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentInfo {
    pub residency_id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: Relation,
    pub share: Option<String>,
    pub moved_in: String,
    pub moved_out: Option<String>,
    pub status: LinkStatus,
    pub has_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApartmentCard {
    pub id: i64,
    pub house_id: i64,
    pub address: String,
    pub number: String,
    pub entrance: Option<i64>,
    pub floor: Option<i64>,
    /// Area in m² as typed in forms, e.g. `54,3`.
    pub area: String,
    pub is_residential: bool,
    pub accounts: Vec<AccountInfo>,
    pub residents: Vec<ResidentInfo>,
}

/// A member of the household, as a resident sees their own apartment (no contacts of others).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMember {
    pub full_name: String,
    pub relation: Relation,
    pub share: Option<String>,
    pub since: String,
    pub is_me: bool,
}

/// One of the resident's apartments with its accounts and household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyApartment {
    pub apartment_id: i64,
    pub address: String,
    pub number: String,
    pub entrance: Option<i64>,
    pub floor: Option<i64>,
    pub area: String,
    pub relation: Relation,
    pub accounts: Vec<AccountInfo>,
    pub household: Vec<HouseholdMember>,
}

/// A link a resident asked for with a code, still waiting for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingLink {
    pub residency_id: i64,
    pub full_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: String,
    pub apartment_id: i64,
    pub apartment_number: String,
    pub relation: Relation,
    pub requested_on: String,
}

/// The resident's start page: their apartments and what is still waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyHome {
    pub apartments: Vec<MyApartment>,
    pub pending: Vec<PendingLink>,
}

/// One account as its resident sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub account: AccountInfo,
    pub apartment: MyApartment,
}
