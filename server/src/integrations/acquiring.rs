//! The acquiring adapter: T-Bank API v2 (`Init`, `GetState`, notifications signed with the
//! Token of docs/domain.md «Card payments: the bank's protocol»). The embedded sandbox bank (`sandbox_bank.rs`) speaks the same
//! protocol, so this one adapter serves the laptop and production; only the address, the
//! terminal and its password differ.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use app::billing::types::Money;
use app::payments::acquiring::{
    Acquiring, AcquiringError, BankFuture, BankState, Order, SharedAcquiring, Started,
};
use app::payments::rules::tbank_token;

use crate::config::{AcquiringProvider, Settings};

pub struct TBank {
    provider: &'static str,
    label: &'static str,
    api_url: String,
    terminal_key: String,
    password: String,
    /// Where the bank posts its notifications (the `/hooks/acquiring` endpoint).
    notification_url: String,
    /// Orders carry the fiscal receipt (54-ФЗ).
    receipts: bool,
    http: reqwest::Client,
}

/// The provider the settings ask for. `own_base` is where this server itself listens (the
/// sandbox bank lives there, and it calls back there).
pub fn from_settings(settings: &Settings, own_base: &str) -> SharedAcquiring {
    let a = &settings.acquiring;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_default();
    Arc::new(match a.provider {
        AcquiringProvider::Sandbox => TBank {
            provider: "sandbox",
            label: "Песочница банка",
            api_url: format!("{own_base}/sandbox-bank/v2"),
            terminal_key: crate::integrations::sandbox_bank::TERMINAL_KEY.into(),
            password: a.password.clone(),
            notification_url: format!("{own_base}/hooks/acquiring"),
            receipts: a.receipts,
            http,
        },
        AcquiringProvider::TBank => TBank {
            provider: "tbank",
            label: "Т-Банк",
            api_url: a.tbank_url.trim_end_matches('/').to_string(),
            terminal_key: a.terminal_key.clone(),
            password: a.password.clone(),
            notification_url: format!(
                "{}/hooks/acquiring",
                settings.public_url.trim_end_matches('/')
            ),
            receipts: a.receipts,
            http,
        },
    })
}

impl TBank {
    /// Calls a method with the terminal and the Token added; the answer's `Success` checked.
    async fn call(
        &self,
        method: &str,
        mut body: Map<String, Value>,
    ) -> Result<Map<String, Value>, AcquiringError> {
        body.insert(
            "TerminalKey".into(),
            Value::String(self.terminal_key.clone()),
        );
        let token = tbank_token(&body, &self.password);
        body.insert("Token".into(), Value::String(token));
        let response = self
            .http
            .post(format!("{}/{method}", self.api_url))
            .json(&body)
            .send()
            .await
            .map_err(|e| AcquiringError::Unreachable(e.to_string()))?;
        let answer: Map<String, Value> = response
            .json()
            .await
            .map_err(|e| AcquiringError::BadAnswer(e.to_string()))?;
        if answer.get("Success") != Some(&Value::Bool(true)) {
            let text = |k: &str| answer.get(k).map(scalar).unwrap_or_default();
            return Err(AcquiringError::Refused {
                code: text("ErrorCode"),
                message: format!("{} {}", text("Message"), text("Details"))
                    .trim()
                    .to_string(),
            });
        }
        Ok(answer)
    }
}

/// A JSON scalar as text (`PaymentId` comes as a number or a string).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn field(answer: &Map<String, Value>, key: &str) -> Result<String, AcquiringError> {
    answer
        .get(key)
        .map(scalar)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AcquiringError::BadAnswer(format!("no {key}")))
}

impl Acquiring for TBank {
    fn provider(&self) -> &'static str {
        self.provider
    }

    fn label(&self) -> &'static str {
        self.label
    }

    fn init<'a>(&'a self, order: &'a Order) -> BankFuture<'a, Started> {
        Box::pin(async move {
            let mut body = json!({
                "Amount": order.amount.0,
                "OrderId": order.order_id,
                "Description": order.description,
                "NotificationURL": self.notification_url,
                "SuccessURL": order.success_url,
                "FailURL": order.fail_url,
            });
            if let (true, Some(email), Some(map)) =
                (self.receipts, &order.email, body.as_object_mut())
            {
                // the fiscal receipt (54-ФЗ): one line, housing services, no VAT
                map.insert(
                    "Receipt".into(),
                    json!({
                        "Email": email,
                        "Taxation": "usn_income",
                        "Items": [{
                            "Name": "Оплата жилищно-коммунальных услуг",
                            "Price": order.amount.0,
                            "Quantity": 1,
                            "Amount": order.amount.0,
                            "Tax": "none",
                            "PaymentObject": "service",
                        }],
                    }),
                );
            }
            let body = body.as_object().cloned().unwrap_or_default();
            let answer = self.call("Init", body).await?;
            Ok(Started {
                provider_id: field(&answer, "PaymentId")?,
                payment_url: field(&answer, "PaymentURL")?,
            })
        })
    }

    fn state<'a>(&'a self, provider_id: &'a str) -> BankFuture<'a, BankState> {
        Box::pin(async move {
            let body = json!({ "PaymentId": provider_id });
            let answer = self
                .call("GetState", body.as_object().cloned().unwrap_or_default())
                .await?;
            let amount = answer
                .get("Amount")
                .and_then(Value::as_i64)
                .ok_or_else(|| AcquiringError::BadAnswer("no Amount".into()))?;
            Ok(BankState {
                order_id: field(&answer, "OrderId")?,
                status: field(&answer, "Status")?,
                amount: Money(amount),
            })
        })
    }

    fn verify(&self, notification: &Map<String, Value>) -> bool {
        let Some(Value::String(token)) = notification.get("Token") else {
            return false;
        };
        let key_matches =
            notification.get("TerminalKey") == Some(&Value::String(self.terminal_key.clone()));
        let expected = tbank_token(notification, &self.password);
        // compared in full whatever the first difference, so timing tells nothing
        let same = expected.len() == token.len()
            && expected
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        key_matches && same
    }
}
