//! Payments' shared types (both targets).

use chrono::{NaiveDate, NaiveDateTime};

use crate::billing::types::Period;
use serde::{Deserialize, Serialize};

use crate::billing::types::Money;

crate::text_enum! {
    /// How a bank document was matched to an account (docs/domain.md «Bank payments»).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum MatchRule {
        /// A ГИС ЖКХ identifier (ЖКУ / ЕЛС) in the purpose.
        Gis = "gis",
        /// The document's `Код` field is the account number.
        Code = "code",
        /// `л/с 1234567` in the purpose.
        PurposeAccount = "purpose_account",
        /// Sure rules named different accounts.
        Conflict = "conflict",
        /// An account number in the purpose without its marker.
        NumberInText = "number_in_text",
        /// The payer's earlier payments went to this account.
        KnownPayer = "known_payer",
        /// The flat number in the purpose and a resident of it with the payer's surname.
        FlatAndPayer = "flat_and_payer",
        /// The payer's full name is a resident's.
        Payer = "payer",
        /// The accountant chose the account.
        Manual = "manual",
    }
}

impl MatchRule {
    pub fn label(self) -> &'static str {
        match self {
            MatchRule::Gis => "идентификатор ГИС ЖКХ в назначении",
            MatchRule::Code => "номер счёта в поле «Код»",
            MatchRule::PurposeAccount => "л/с в назначении платежа",
            MatchRule::Conflict => "в коде и назначении разные счета",
            MatchRule::NumberInText => "номер счёта в тексте назначения",
            MatchRule::KnownPayer => "этот плательщик раньше платил за этот счёт",
            MatchRule::FlatAndPayer => "квартира и фамилия плательщика",
            MatchRule::Payer => "ФИО плательщика совпадает с жителем",
            MatchRule::Manual => "выбран бухгалтером",
        }
    }
}

crate::text_enum! {
    /// Where a bank payment stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BankPaymentStatus {
        /// Credited to an account (ledger entry written).
        Posted = "posted",
        /// Waits for the accountant.
        Queued = "queued",
        /// Not a resident's payment (the accountant said why).
        Dismissed = "dismissed",
    }
}

/// The account a queued payment probably belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub account_number: String,
    pub address: String,
    pub rule: MatchRule,
    pub confidence: u8,
}

/// A bank payment waiting for the accountant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedPayment {
    pub id: i64,
    pub number: String,
    pub on: NaiveDate,
    pub amount: Money,
    pub payer: String,
    pub purpose: String,
    pub suggestion: Option<Suggestion>,
}

/// A loaded statement and what became of its incoming payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementView {
    pub id: i64,
    pub bank_account: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub loaded_on: NaiveDate,
    pub posted: i64,
    pub queued: i64,
    pub dismissed: i64,
    pub amount: Money,
}

/// The accountant's payments page: the queue and the statements loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankPage {
    pub queue: Vec<QueuedPayment>,
    pub statements: Vec<StatementView>,
    /// The month usually exported: the last one (`2026-10`).
    pub last_month: String,
}

/// One received payment of a register for accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRow {
    pub on: NaiveDate,
    pub account_number: String,
    pub address: String,
    pub payer: String,
    /// The payer's bank account and INN when the money came by a bank document.
    pub payer_account: String,
    pub payer_inn: String,
    /// The bank document's number, else the ledger entry's.
    pub document: String,
    pub amount: Money,
    /// Where the money came from: «Банк, п/п № 6032», «Импорт истории», …
    pub source: String,
}

crate::text_enum! {
    /// Where an online (card) payment stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum OnlineStatus {
        /// Created here, not yet at the bank.
        New = "new",
        /// At the bank: the resident is on its page, or it is checking the card (3-DS).
        Pending = "pending",
        /// The payer cancelled it on the bank's page.
        Cancelled = "cancelled",
        /// The bank declined it (the card, its limits, 3-D Secure).
        Rejected = "rejected",
        /// No answer in time: nobody finished it.
        Expired = "expired",
        /// The money is taken: credited to the accounts.
        Confirmed = "confirmed",
        /// The bank gave the money back to the card: the credit is reversed in the ledger.
        Refunded = "refunded",
    }
}

impl OnlineStatus {
    /// The statuses a payer or an accountant filters by (new and pending read alike).
    pub fn filters() -> impl Iterator<Item = OnlineStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| *s != OnlineStatus::New)
    }

    pub fn label(self) -> &'static str {
        match self {
            OnlineStatus::New | OnlineStatus::Pending => "ожидает оплаты",
            OnlineStatus::Cancelled => "отменён плательщиком",
            OnlineStatus::Rejected => "отклонён банком",
            OnlineStatus::Expired => "не завершён вовремя",
            OnlineStatus::Confirmed => "оплачен",
            OnlineStatus::Refunded => "возвращён на карту",
        }
    }

    /// What the payer may do now, where there is something to say.
    pub fn advice(self) -> Option<&'static str> {
        match self {
            OnlineStatus::New | OnlineStatus::Pending | OnlineStatus::Confirmed => None,
            OnlineStatus::Cancelled => Some(
                "Вы отменили оплату на странице банка — деньги не списаны. Оплатить можно снова в любой момент.",
            ),
            OnlineStatus::Rejected => Some(
                "Банк отклонил оплату — деньги не списаны. Проверьте номер, срок действия и CVC, \
                 баланс и лимиты карты или оплатите другой картой. Если отказ повторяется, \
                 позвоните в свой банк по номеру на обороте карты.",
            ),
            OnlineStatus::Expired => Some(
                "Оплата не была завершена за 30 минут — банк не сообщил, что деньги списаны. \
                 Если они всё же списались, платёж зачислится сам, как только банк подтвердит его; \
                 иначе оплатите снова.",
            ),
            OnlineStatus::Refunded => Some(
                "Банк вернул эти деньги на вашу карту (обычно за 1–5 рабочих дней), \
                 поэтому сумма снова числится на лицевом счёте.",
            ),
        }
    }

    /// Nothing more will happen to it but a late confirmation (honoured for an expired,
    /// cancelled or declined one: the money was taken) or a refund of a confirmed one.
    pub fn is_final(self) -> bool {
        !matches!(self, OnlineStatus::New | OnlineStatus::Pending)
    }
}

/// Which of a user's card payments to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFilter {
    pub status: Option<OnlineStatus>,
    pub year: Option<i32>,
}

/// One account's share of a card payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPartView {
    pub account_id: i64,
    pub account_number: String,
    pub address: String,
    /// The period the payer chose; `None`: the debt, oldest first.
    pub period: Option<Period>,
    /// The one service the payer chose (id, name); `None`: all, by their charges.
    pub service_id: Option<i64>,
    pub service: Option<String>,
    pub amount: Money,
    /// The ledger entry is written.
    pub credited: bool,
    /// How the share is spread over the services (service, amount); empty in lists.
    pub spread: Vec<(String, Money)>,
}

/// A card payment as its payer sees it (and prints as the confirmation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePaymentView {
    pub id: i64,
    pub order_id: String,
    /// The provider's name for people.
    pub provider: String,
    /// The bank's transaction id.
    pub provider_id: Option<String>,
    pub amount: Money,
    pub status: OnlineStatus,
    /// Local (Moscow) time.
    pub created_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    /// The fiscal receipt (54-ФЗ) when the bank gave one.
    pub receipt_url: Option<String>,
    /// The bank's page, while the payment can still be finished there.
    pub payment_url: Option<String>,
    pub parts: Vec<PaymentPartView>,
}

/// One of the payer's accounts on the pay page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableAccount {
    pub account_id: i64,
    pub number: String,
    pub address: String,
    /// Positive: owed.
    pub balance: Money,
    /// Billed periods the payer may name, newest first.
    pub periods: Vec<Period>,
    /// The house's services the payer may pay alone (id, name).
    pub services: Vec<(i64, String)>,
}
