//! Types of the notification path, shared by the server and the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Where a notification can reach a user. In-app (the bell) is always on; the others follow the
    /// user's preferences and contacts.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum Channel {
        Email = "email",
        Sms = "sms",
        Push = "push",
    }
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "E-mail",
            Channel::Sms => "SMS",
            Channel::Push => "Push",
        }
    }

    /// SMS and push wake people up; quiet hours hold them back (e-mail waits in the inbox anyway).
    pub fn respects_quiet_hours(self) -> bool {
        matches!(self, Channel::Sms | Channel::Push)
    }
}

/// What a notification is about. Every area that tells people something registers its kind
/// here, with a template ([`super::rules::spec`]); the path (in-app, e-mail, SMS, push) is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// An announcement of the management (normal importance).
    Announcement,
    /// Water off, an emergency: every channel, preferences and quiet hours do not apply.
    CriticalAnnouncement,
    /// The account's password was changed (a security message, cannot be switched off).
    PasswordChanged,
    /// The readings window: opened, two days left, last day (only to those who have not handed in).
    ReadingsDue,
    /// A meter's verification (поверка) ends within a month.
    MeterVerification,
    /// The month's bill (ЕПД) is ready; the e-mail carries its PDF.
    BillReady,
    /// A card payment reached the payer's accounts.
    PaymentReceived,
    /// The bank gave a card payment back to the card: the accounts owe it again.
    PaymentRefunded,
    /// A reminder about an overdue debt, one per account (a mailing to a segment, a scenario's
    /// first step).
    DebtReminder,
    /// The second reminder: penalties run, a repayment plan is offered.
    DebtSecondReminder,
    /// A formal warning: restriction and court follow unless paid or a plan is agreed.
    DebtWarning,
    /// An АДС ticket changed (status, a comment for the resident): to the requester, or to the
    /// dispatchers when the resident reopens or comments.
    TicketUpdate,
    /// A new emergency ticket: the dispatchers at once, on every channel.
    TicketEmergency,
    /// A ticket's deadline is about to be missed, or is missed: the dispatchers.
    TicketSla,
    /// A ticket was given to an executor (or their contractor).
    TicketAssigned,
    /// The guard let in someone on the resident's pass.
    GuestArrived,
    /// A resident asks for a pass over the flat's limits: the passes desk.
    PassException,
    /// The dispatcher decided on a pass over the limits: its resident.
    PassExceptionDecided,
    /// A contractor's pass ends within a day: its resident (to extend it).
    ContractorPassEnding,
    /// The dispatcher made a pass on the resident's behalf (a phone call): the resident.
    PassIssued,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 20] = [
        NoticeKind::Announcement,
        NoticeKind::CriticalAnnouncement,
        NoticeKind::PasswordChanged,
        NoticeKind::ReadingsDue,
        NoticeKind::MeterVerification,
        NoticeKind::BillReady,
        NoticeKind::PaymentReceived,
        NoticeKind::PaymentRefunded,
        NoticeKind::DebtReminder,
        NoticeKind::DebtSecondReminder,
        NoticeKind::DebtWarning,
        NoticeKind::TicketUpdate,
        NoticeKind::TicketEmergency,
        NoticeKind::TicketSla,
        NoticeKind::TicketAssigned,
        NoticeKind::GuestArrived,
        NoticeKind::PassException,
        NoticeKind::PassExceptionDecided,
        NoticeKind::ContractorPassEnding,
        NoticeKind::PassIssued,
    ];

    pub fn as_str(self) -> &'static str {
        super::rules::spec(self).key
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

/// Who receives a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipients {
    /// One user.
    User(i64),
    /// Residents living in the audience (everyone, a house, an entrance).
    Residents(Audience),
    /// Every active user whose role has this permission (e.g. the dispatchers).
    Staff(crate::auth::types::Permission),
}

/// Which residents a message is for: everyone (no house), a house, or one entrance of a house.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audience {
    pub house_id: Option<i64>,
    pub entrance_id: Option<i64>,
}

/// A notice to send: written to the outbox inside the transaction of the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub recipients: Recipients,
    /// Values for the template's placeholders.
    pub params: BTreeMap<String, String>,
    /// Where the notification leads in the cabinet.
    pub link: Option<String>,
    /// What caused it, for reports (e.g. `announcement:12`).
    pub source: Option<String>,
    /// Only these channels, within the user's preferences (a dunning step's); none: every
    /// channel the preferences allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
}

/// A row of the bell's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub critical: bool,
    pub created_at: String,
    pub is_read: bool,
}

/// A critical announcement shown as a banner on every cabinet page until it expires or the
/// user collapses it (it comes back if the announcement changes: `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Banner {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub until: String,
    pub version: String,
}

/// What every cabinet page shows in its header.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeaderNotices {
    pub unread: i64,
    pub banners: Vec<Banner>,
}

/// One kind in the preferences page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindPrefs {
    pub kind: NoticeKind,
    pub label: String,
    /// Security and critical messages cannot be switched off.
    pub mandatory: bool,
    /// Channel → on.
    pub channels: Vec<(Channel, bool)>,
}

/// The preferences page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub kinds: Vec<KindPrefs>,
    /// Quiet hours as `HH:MM` (Moscow time), when set.
    pub quiet_from: Option<String>,
    pub quiet_to: Option<String>,
    pub has_email: bool,
    pub has_phone: bool,
    pub push_devices: i64,
    /// The VAPID public key (base64url) the browser subscribes with.
    pub push_key: Option<String>,
}

/// A template as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub kind: NoticeKind,
    pub label: String,
    pub title: String,
    pub body: String,
    /// Placeholder → what it holds.
    pub placeholders: Vec<(String, String)>,
    pub is_default: bool,
}

/// A message in the dev mailbox (what would have been sent without SMTP or an SMS gateway).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxItem {
    pub at: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// How a notification spread: per channel, and how many recipients have read it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliveryReport {
    pub recipients: i64,
    pub read: i64,
    /// Channel → (sent, queued, failed).
    pub channels: Vec<(Channel, ChannelCounts)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChannelCounts {
    pub sent: i64,
    pub queued: i64,
    pub failed: i64,
}
