//! T-Bank's acquiring protocol: how a payment's status advances, and the request signature.

use super::*;

/// The status an online payment moves to when the bank reports `reported` (T-Bank API v2's
/// names). Never backwards — a late `AUTHORIZED` after `CONFIRMED` changes nothing — and a
/// confirmation wins over anything but a refund, because the money was taken. Only a
/// confirmed payment is refunded (`REFUNDED`: the whole amount back to the card); a partial
/// refund or a reversal of a payment not yet confirmed changes nothing here and is the
/// accountant's to record.
pub fn advance(current: OnlineStatus, reported: &str) -> OnlineStatus {
    use OnlineStatus::*;
    let to = match reported {
        "CONFIRMED" => Confirmed,
        "REFUNDED" => Refunded,
        "CANCELED" => Cancelled,
        "REJECTED" | "AUTH_FAIL" => Rejected,
        "DEADLINE_EXPIRED" => Expired,
        "NEW" | "FORM_SHOWED" | "AUTHORIZING" | "3DS_CHECKING" | "3DS_CHECKED" | "AUTHORIZED"
        | "CONFIRMING" => Pending,
        _ => return current,
    };
    match (current, to) {
        (Refunded, _) => Refunded,
        (Confirmed, Refunded) => Refunded,
        (_, Refunded) => current,
        (Confirmed, _) | (_, Confirmed) => Confirmed,
        (now, _) if now.is_final() => now,
        (_, to) => to,
    }
}

/// T-Bank API v2's request and notification signature (docs/domain.md «Card payments: the bank's protocol»): the root-level scalar
/// fields except `Token`, plus `Password`, sorted by key, values concatenated, SHA-256, hex.
#[cfg(feature = "ssr")]
pub fn tbank_token(fields: &serde_json::Map<String, serde_json::Value>, password: &str) -> String {
    use serde_json::Value;
    use sha2::{Digest, Sha256};
    let mut pairs: Vec<(&str, String)> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "Token")
        .filter_map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null | Value::Array(_) | Value::Object(_) => return None,
            };
            Some((k.as_str(), text))
        })
        .collect();
    pairs.push(("Password", password.to_string()));
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let joined: String = pairs.into_iter().map(|(_, v)| v).collect();
    Sha256::digest(joined.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
