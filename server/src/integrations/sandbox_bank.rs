//! The embedded sandbox bank: a stand-in acquirer that speaks T-Bank API v2 (`Init`,
//! `GetState`, signed notifications answered `OK`) and shows the payer a card page, so the
//! whole payment flow works on a laptop with no bank account. Test cards:
//! `4242 4242 4242 4242` pays, `4000 0000 0000 0002` is declined, `4000 0000 0000 3220` asks
//! for a 3-DS code (`1234` passes). Its payments live in memory: a restart forgets them, and
//! the app's expiry job then closes what was left open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Map, Value, json};

use app::billing::types::Money;
use app::payments::rules::tbank_token;

/// The sandbox's terminal.
pub const TERMINAL_KEY: &str = "KlyuchSandbox";

#[derive(Debug, Clone)]
struct SandboxPayment {
    payment_id: i64,
    order_id: String,
    amount: i64,
    description: String,
    notification_url: String,
    success_url: String,
    fail_url: String,
    status: &'static str,
    /// The order asked for a fiscal receipt (54-ФЗ).
    receipt: bool,
}

#[derive(Clone)]
pub struct SandboxBank {
    payments: Arc<Mutex<HashMap<i64, SandboxPayment>>>,
    password: String,
    /// Where payers' browsers reach the bank's pages.
    public_url: String,
    http: reqwest::Client,
}

impl SandboxBank {
    pub fn new(password: &str, public_url: &str) -> SandboxBank {
        SandboxBank {
            payments: Arc::default(),
            password: password.into(),
            public_url: public_url.trim_end_matches('/').into(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// `/sandbox-bank/…`
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/sandbox-bank/v2/Init", post(init))
            .route("/sandbox-bank/v2/GetState", post(get_state))
            .route("/sandbox-bank/pay/{id}", get(card_page).post(pay))
            .route("/sandbox-bank/3ds/{id}", post(three_ds))
            .route("/sandbox-bank/receipt/{id}", get(receipt_page))
            .with_state(self)
    }

    fn payment(&self, id: i64) -> Option<SandboxPayment> {
        self.payments.lock().ok()?.get(&id).cloned()
    }

    fn set_status(&self, id: i64, status: &'static str) {
        if let Ok(mut all) = self.payments.lock()
            && let Some(p) = all.get_mut(&id)
        {
            p.status = status;
        }
    }

    fn signed(&self, mut fields: Map<String, Value>) -> Map<String, Value> {
        fields.insert("TerminalKey".into(), Value::String(TERMINAL_KEY.into()));
        let token = tbank_token(&fields, &self.password);
        fields.insert("Token".into(), Value::String(token));
        fields
    }

    /// Sends the notifications of these statuses one after another, as the real bank does:
    /// each until the app answers `OK` (a few tries with growing pauses).
    fn notify(&self, p: &SandboxPayment, statuses: &'static [&'static str]) {
        let bank = self.clone();
        let p = p.clone();
        tokio::spawn(async move {
            let receipt = (p.receipt && statuses.contains(&"CONFIRMED")).then_some("RECEIPT");
            for status in statuses.iter().copied().chain(receipt) {
                let mut fields = json!({
                    "OrderId": p.order_id,
                    "Success": status != "REJECTED",
                    "Status": status,
                    "PaymentId": p.payment_id,
                    "ErrorCode": if status == "REJECTED" { "1051" } else { "0" },
                    "Amount": p.amount,
                    "CardId": 1,
                    "Pan": "424242******4242",
                    "ExpDate": "1230",
                });
                if status == "RECEIPT" {
                    fields["Url"] = json!(format!(
                        "{}/sandbox-bank/receipt/{}",
                        bank.public_url, p.payment_id
                    ));
                }
                let body = bank.signed(fields.as_object().cloned().unwrap_or_default());
                for attempt in 0..5u32 {
                    let accepted =
                        match bank.http.post(&p.notification_url).json(&body).send().await {
                            Ok(r) => r.text().await.is_ok_and(|t| t.trim() == "OK"),
                            Err(_) => false,
                        };
                    if accepted {
                        break;
                    }
                    tracing::warn!(order = %p.order_id, status, attempt,
                        "sandbox bank: notification not accepted, will retry");
                    tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
                }
            }
        });
    }
}

fn refusal(code: &str, message: &str) -> Json<Value> {
    Json(
        json!({ "Success": false, "ErrorCode": code, "Message": message, "TerminalKey": TERMINAL_KEY }),
    )
}

/// Checks the request's terminal and Token like T-Bank does.
fn trusted(bank: &SandboxBank, body: &Map<String, Value>) -> bool {
    body.get("TerminalKey") == Some(&Value::String(TERMINAL_KEY.into()))
        && body.get("Token") == Some(&Value::String(tbank_token(body, &bank.password)))
}

async fn init(
    State(bank): State<SandboxBank>,
    Json(body): Json<Map<String, Value>>,
) -> Json<Value> {
    if !trusted(&bank, &body) {
        return refusal("204", "Неверный токен");
    }
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let Some(amount) = body
        .get("Amount")
        .and_then(Value::as_i64)
        .filter(|a| *a > 0)
    else {
        return refusal("9999", "Неверная сумма");
    };
    let order_id = text("OrderId");
    let Ok(mut all) = bank.payments.lock() else {
        return refusal("9999", "Банк недоступен");
    };
    if all.values().any(|p| p.order_id == order_id) {
        return refusal("8", "Заказ с таким OrderId уже есть");
    }
    let payment_id = 1_000_000 + all.len() as i64 + 1;
    all.insert(
        payment_id,
        SandboxPayment {
            payment_id,
            order_id: order_id.clone(),
            amount,
            description: text("Description"),
            notification_url: text("NotificationURL"),
            success_url: text("SuccessURL"),
            fail_url: text("FailURL"),
            status: "NEW",
            receipt: body.get("Receipt").is_some_and(Value::is_object),
        },
    );
    Json(json!({
        "Success": true,
        "ErrorCode": "0",
        "TerminalKey": TERMINAL_KEY,
        "Status": "NEW",
        "PaymentId": payment_id.to_string(),
        "OrderId": order_id,
        "Amount": amount,
        "PaymentURL": format!("{}/sandbox-bank/pay/{payment_id}", bank.public_url),
    }))
}

async fn get_state(
    State(bank): State<SandboxBank>,
    Json(body): Json<Map<String, Value>>,
) -> Json<Value> {
    if !trusted(&bank, &body) {
        return refusal("204", "Неверный токен");
    }
    let id = body
        .get("PaymentId")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    match id.and_then(|id| bank.payment(id)) {
        None => refusal("7", "Платёж не найден"),
        Some(p) => Json(json!({
            "Success": true,
            "ErrorCode": "0",
            "TerminalKey": TERMINAL_KEY,
            "Status": p.status,
            "PaymentId": p.payment_id.to_string(),
            "OrderId": p.order_id,
            "Amount": p.amount,
        })),
    }
}

/// The bank's page: what is paid, the card, and the test cards.
fn page(title: &str, body: &str) -> Response {
    Html(format!(
        r#"<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;background:#eef2f7;margin:0;padding:24px 16px;color:#0f172a}}
main{{max-width:420px;margin:0 auto;background:#fff;border-radius:16px;padding:20px;box-shadow:0 2px 10px #0001}}
h1{{font-size:20px;margin:0 0 4px}} .sum{{font-size:28px;font-weight:700;margin:12px 0}}
label{{display:block;font-size:14px;margin-top:12px}} input{{width:100%;box-sizing:border-box;font-size:18px;padding:12px;border:1px solid #cbd5e1;border-radius:10px;margin-top:4px}}
button{{width:100%;font-size:18px;padding:14px;border:0;border-radius:10px;background:#1d4ed8;color:#fff;margin-top:16px}}
button.second{{background:#e2e8f0;color:#0f172a}} .row{{display:flex;gap:12px}} .row label{{flex:1}}
.error{{background:#fef2f2;color:#991b1b;border-radius:10px;padding:10px 10px 10px 28px;font-size:14px}} .hint{{font-size:13px;color:#475569;margin-top:16px}} .badge{{font-size:12px;color:#b45309}}
</style></head><body><main><p class="badge">ПЕСОЧНИЦА — деньги не списываются</p>{body}</main></body></html>"#
    ))
    .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn card_page(State(bank): State<SandboxBank>, Path(id): Path<i64>) -> Response {
    let Some(p) = bank.payment(id) else {
        return (StatusCode::NOT_FOUND, "Платёж не найден").into_response();
    };
    if p.status != "NEW" {
        return page("Платёж", "<h1>Этот платёж уже обработан</h1>");
    }
    card_form(&p, &CardForm::default(), &[])
}

/// The card form, filled with what the payer typed (never the CVC) and the problems found.
fn card_form(p: &SandboxPayment, typed: &CardForm, problems: &[&str]) -> Response {
    let value = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let problems: String = problems
        .iter()
        .map(|m| format!("<li>{}</li>", escape(m)))
        .collect();
    let alert = if problems.is_empty() {
        String::new()
    } else {
        format!(r#"<ul class="error" role="alert">{problems}</ul>"#)
    };
    page(
        "Оплата картой",
        &format!(
            r#"<h1>Оплата картой</h1><p>{}</p><p class="sum">{}</p>{alert}
<form method="post" novalidate>
<label>Номер карты<input name="card" inputmode="numeric" autocomplete="cc-number" placeholder="0000 0000 0000 0000" value="{}" required></label>
<div class="row"><label>Срок действия<input name="expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="ММ/ГГ" value="{}" required></label>
<label>CVC<input name="cvc" type="password" inputmode="numeric" autocomplete="cc-csc" maxlength="4" placeholder="123" required></label></div>
<label>Имя владельца (необязательно)<input name="holder" autocomplete="cc-name" placeholder="IVAN IVANOV" value="{}"></label>
<button type="submit" name="action" value="pay">Оплатить</button>
<button type="submit" name="action" value="cancel" class="second">Отменить</button></form>
<p class="hint">Тестовые карты (срок — любой будущий, CVC — любые 3 цифры): 4242 4242 4242 4242 — оплата проходит; 4000 0000 0000 0002 — банк отказывает; 4000 0000 0000 3220 — нужен код 3-D Secure (1234).</p>"#,
            escape(&p.description),
            Money(p.amount).label(),
            value(&typed.card),
            value(&typed.expiry),
            value(&typed.holder),
        ),
    )
}

#[derive(serde::Deserialize, Default)]
struct CardForm {
    card: Option<String>,
    expiry: Option<String>,
    cvc: Option<String>,
    holder: Option<String>,
    #[serde(default)]
    action: String,
}

/// Whether a card number's check digit is right (the Luhn algorithm).
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks what the payer typed as a bank would: the number (13–19 digits, Luhn), the expiry
/// (`ММ/ГГ`, not before this month) and the CVC (3 or 4 digits). Returns the card's digits or
/// every problem found.
fn check_card(
    card: &str,
    expiry: &str,
    cvc: &str,
    today: chrono::NaiveDate,
) -> Result<String, Vec<&'static str>> {
    use chrono::Datelike;
    let mut problems = Vec::new();
    let digits: String = card
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() {
        problems.push("Введите номер карты.");
    } else if !digits.bytes().all(|b| b.is_ascii_digit()) || !(13..=19).contains(&digits.len()) {
        problems.push("Номер карты — от 13 до 19 цифр.");
    } else if !luhn(&digits) {
        problems.push("В номере карты ошибка — проверьте цифры.");
    }
    let parts: Vec<&str> = expiry
        .trim()
        .split(['/', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let month_year = match parts.as_slice() {
        [m, y] => m.parse::<u32>().ok().zip(y.parse::<i32>().ok()),
        [my] if my.len() == 4 => my[..2].parse::<u32>().ok().zip(my[2..].parse::<i32>().ok()),
        _ => None,
    }
    .filter(|(m, y)| (1..=12).contains(m) && (0..=99).contains(y));
    match month_year {
        None => problems.push("Срок действия — месяц и год, как на карте: ММ/ГГ."),
        Some((m, y)) if (2000 + y, m) < (today.year(), today.month()) => {
            problems.push("Срок действия карты истёк.")
        }
        Some(_) => {}
    }
    let cvc = cvc.trim();
    if !(cvc.len() == 3 || cvc.len() == 4) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        problems.push("CVC — 3 цифры на обороте карты.");
    }
    if problems.is_empty() {
        Ok(digits)
    } else {
        Err(problems)
    }
}

async fn pay(
    State(bank): State<SandboxBank>,
    Path(id): Path<i64>,
    Form(form): Form<CardForm>,
) -> Response {
    let Some(p) = bank.payment(id).filter(|p| p.status == "NEW") else {
        return page("Платёж", "<h1>Этот платёж уже обработан</h1>");
    };
    if form.action == "cancel" {
        bank.set_status(id, "CANCELED");
        bank.notify(&p, &["CANCELED"]);
        return Redirect::to(&p.fail_url).into_response();
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let card = match check_card(
        &text(&form.card),
        &text(&form.expiry),
        &text(&form.cvc),
        app::clock::local(chrono::Utc::now()).date(),
    ) {
        Ok(card) => card,
        Err(problems) => return card_form(&p, &form, &problems),
    };
    match card.as_str() {
        "4000000000000002" => {
            bank.set_status(id, "REJECTED");
            bank.notify(&p, &["REJECTED"]);
            Redirect::to(&p.fail_url).into_response()
        }
        "4000000000003220" => {
            bank.set_status(id, "3DS_CHECKING");
            page(
                "3-D Secure",
                &format!(
                    r#"<h1>Подтвердите оплату</h1><p>Введите код из СМС (в песочнице — 1234).</p><p class="sum">{}</p>
<form method="post" action="/sandbox-bank/3ds/{id}"><label>Код<input name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
<button type="submit">Подтвердить</button></form>"#,
                    Money(p.amount).label()
                ),
            )
        }
        _ => {
            bank.set_status(id, "CONFIRMED");
            bank.notify(&p, &["AUTHORIZED", "CONFIRMED"]);
            Redirect::to(&p.success_url).into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct CodeForm {
    code: String,
}

async fn three_ds(
    State(bank): State<SandboxBank>,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Response {
    let Some(p) = bank.payment(id).filter(|p| p.status == "3DS_CHECKING") else {
        return page("Платёж", "<h1>Этот платёж уже обработан</h1>");
    };
    if form.code.trim() == "1234" {
        bank.set_status(id, "CONFIRMED");
        bank.notify(&p, &["AUTHORIZED", "CONFIRMED"]);
        Redirect::to(&p.success_url).into_response()
    } else {
        bank.set_status(id, "REJECTED");
        bank.notify(&p, &["REJECTED"]);
        Redirect::to(&p.fail_url).into_response()
    }
}

/// The fiscal receipt the sandbox "issues" (a real bank links the OFD's receipt).
async fn receipt_page(State(bank): State<SandboxBank>, Path(id): Path<i64>) -> Response {
    match bank
        .payment(id)
        .filter(|p| p.receipt && p.status == "CONFIRMED")
    {
        None => (StatusCode::NOT_FOUND, "Чек не найден").into_response(),
        Some(p) => page(
            "Кассовый чек",
            &format!(
                "<h1>Кассовый чек (образец)</h1><p>Приход. {}</p><p class=\"sum\">{}</p><p class=\"hint\">Заказ {}. В песочнице чек не передаётся в ФНС.</p>",
                escape(&p.description),
                Money(p.amount).label(),
                escape(&p.order_id)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_test_cards_pass_luhn_and_a_changed_digit_does_not() {
        for card in ["4242424242424242", "4000000000000002", "4000000000003220"] {
            assert!(luhn(card), "{card}");
        }
        assert!(!luhn("4242424242424241"));
    }

    #[test]
    fn a_card_is_checked_like_a_bank_would() {
        let today = day(2026, 12, 6);
        assert_eq!(
            check_card("4242 4242 4242 4242", "12/26", "123", today),
            Ok("4242424242424242".into())
        );
        assert_eq!(
            check_card("4242-4242-4242-4242", "0130", "1234", today).map(|_| ()),
            Ok(())
        );
        let problems = |card, expiry, cvc| check_card(card, expiry, cvc, today).unwrap_err();
        assert_eq!(
            problems("4242 4242 4242 4241", "12/30", "123"),
            ["В номере карты ошибка — проверьте цифры."]
        );
        assert_eq!(
            problems("4242", "12/30", "123"),
            ["Номер карты — от 13 до 19 цифр."]
        );
        assert_eq!(
            problems("4242 4242 4242 4242", "11/26", "123"),
            ["Срок действия карты истёк."]
        );
        assert_eq!(
            problems("4242 4242 4242 4242", "13/30", "123"),
            ["Срок действия — месяц и год, как на карте: ММ/ГГ."]
        );
        assert_eq!(
            problems("4242 4242 4242 4242", "12/30", "12"),
            ["CVC — 3 цифры на обороте карты."]
        );
        assert_eq!(problems("", "", "").len(), 3);
    }
}
