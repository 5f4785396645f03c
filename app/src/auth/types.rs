//! Types of the auth area, shared by the server and the browser.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What a user is in the organisation. A chair (председатель) can do everything a council member
    /// can, and is the only one who grants council roles.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Role {
        Resident = "resident",
        Accountant = "accountant",
        Dispatcher = "dispatcher",
        Council = "council",
        Chair = "chair",
        /// A contractor's worker (исполнитель): sees only the АДС tickets assigned to them.
        Executor = "executor",
        /// The guard at the gate (охрана): checks passes, records entries and exits.
        Guard = "guard",
    }
}

impl Role {
    pub fn is_staff(self) -> bool {
        self != Role::Resident
    }
}

/// Something a role may do. Ownership (which accounts a resident reaches) is checked on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// The resident cabinet: own apartments and accounts.
    OwnCabinet,
    /// Browse and search the housing register.
    ViewRegister,
    /// Edit the register: apartments, residents, move-ins and move-outs.
    EditRegister,
    /// Users and their roles.
    ManageUsers,
    /// Generate and print invite codes, approve residents who joined with one.
    ManageInvites,
    /// Grant or take away council and chair roles.
    GrantCouncil,
    /// One's own notifications: the bell, the list, channel preferences, push on this device.
    OwnNotifications,
    /// Write news and announcements, edit the FAQ, see delivery reports.
    Publish,
    /// See and edit the texts of notifications.
    EditTemplates,
    /// The dev mailbox: what would have been sent without SMTP or an SMS gateway.
    ViewDevMailbox,
    /// Enter readings for residents (by phone), review flagged ones, correct with a reason.
    EnterReadings,
    /// Meters: add, replace, take off, import; the houses' readings windows.
    ManageMeters,
    /// Close a period's readings (they become final for billing).
    ClosePeriods,
    /// Services and tariffs, accrual runs and posting, the turnover sheet, house bills.
    ManageBilling,
    /// The staff cabinet itself (every role but residents).
    StaffCabinet,
    /// The АДС board: every ticket, statuses, assignment, contractors, categories and their SLA,
    /// tickets taken by phone.
    ManageTickets,
    /// An executor's own work: the tickets assigned to them or their contractor.
    WorkTickets,
    /// The council's reports (АДС: per category, within SLA, per contractor).
    ViewReports,
    /// The organisation's details — the payee on every bill (the chair only).
    ManageOrganisation,
    /// The guard's post: check a pass by its QR, code or plate, record entries and exits.
    GuardPost,
    /// The passes desk: a house's passes of a day, the log of entries and exits and its export,
    /// the cars inside.
    ManagePasses,
    /// The receivables and the work with debtors.
    ManageDebts,
}

/// The signed-in user as pages and server functions see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub full_name: String,
    pub role: Role,
    /// The e-mail or phone they sign in with, for the profile page.
    pub login: String,
}

/// A row of the users page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub created_at: String,
}

/// One printable invite card (the code is shown once, when generated; only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCard {
    pub address: String,
    pub apartment_number: String,
    pub entrance: Option<i64>,
    pub owner_name: Option<String>,
    pub code: String,
    pub join_url: String,
    /// The join URL as a QR code, an SVG document rendered on the server.
    pub qr_svg: String,
    pub expires_on: String,
}

/// What `/join/<code>` shows before the resident registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub address: String,
    pub apartment_number: String,
    /// Set when the code was issued to a named owner: joining links at once, no approval.
    pub owner_name: Option<String>,
    pub expires_on: String,
}
