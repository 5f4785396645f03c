//! SMS: the SMS.ru HTTP API (`/sms/send` with `json=1`, answers and codes as documented at
//! sms.ru/api/send), or the dev mailbox when no gateway is configured.

use serde::Deserialize;

use app::db::Store;
use app::notify::rules::sms_text;
use app::notify::store::{Outgoing, SendOutcome};
use app::notify::types::Channel;

#[derive(Clone)]
pub enum SmsSender {
    SmsRu {
        http: reqwest::Client,
        /// `https://sms.ru` (a local stand-in in tests).
        base_url: String,
        api_id: String,
        /// An approved sender name, if any.
        from: Option<String>,
    },
    DevMailbox(Store),
}

/// The answer of `/sms/send?json=1`.
#[derive(Debug, Deserialize)]
struct Answer {
    status: String,
    status_code: i64,
    #[serde(default)]
    status_text: Option<String>,
    #[serde(default)]
    sms: std::collections::HashMap<String, NumberAnswer>,
}

#[derive(Debug, Deserialize)]
struct NumberAnswer {
    status: String,
    status_code: i64,
    #[serde(default)]
    sms_id: Option<String>,
    #[serde(default)]
    status_text: Option<String>,
}

/// What an SMS.ru error code means for the message: worth retrying later, or never.
fn classify(code: i64, text: Option<&str>) -> SendOutcome {
    let detail = format!("sms.ru {code}: {}", text.unwrap_or("ошибка"));
    match code {
        // 200/300/301/302 credentials or account, 201 no money, 220 service down,
        // 230–232 per-day and repeat limits: the message can still go once fixed
        200 | 201 | 220 | 230 | 231 | 232 | 300 | 301 | 302 => SendOutcome::Retry(detail),
        // 202 bad number, 203 no text, 204 sender not approved, 205 too long,
        // 207 number not allowed, 209 number in the stop list, and anything else
        _ => SendOutcome::Failed(detail),
    }
}

impl SmsSender {
    pub async fn send(&self, message: &Outgoing) -> SendOutcome {
        let text = sms_text(&message.title, &message.body);
        match self {
            SmsSender::DevMailbox(store) => {
                crate::worker::to_dev_mailbox(store, Channel::Sms, &message.address, "", &text)
                    .await
            }
            SmsSender::SmsRu {
                http,
                base_url,
                api_id,
                from,
            } => {
                // SMS.ru takes numbers as digits in international form: 79161234567
                let to: String = message
                    .address
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                let mut form = vec![
                    ("api_id", api_id.as_str()),
                    ("to", to.as_str()),
                    ("msg", text.as_str()),
                    ("json", "1"),
                ];
                if let Some(from) = from {
                    form.push(("from", from.as_str()));
                }
                let url = format!("{}/sms/send", base_url.trim_end_matches('/'));
                let response = match http.post(url).form(&form).send().await {
                    Ok(r) => r,
                    Err(e) => return SendOutcome::Retry(format!("sms.ru unreachable: {e}")),
                };
                if !response.status().is_success() {
                    return SendOutcome::Retry(format!("sms.ru http {}", response.status()));
                }
                let answer: Answer = match response.json().await {
                    Ok(a) => a,
                    Err(e) => return SendOutcome::Retry(format!("sms.ru answer unreadable: {e}")),
                };
                if answer.status != "OK" {
                    return classify(answer.status_code, answer.status_text.as_deref());
                }
                match answer.sms.get(&to) {
                    Some(n) if n.status == "OK" => {
                        SendOutcome::Sent(n.sms_id.clone().unwrap_or_else(|| "sms.ru".into()))
                    }
                    Some(n) => classify(n.status_code, n.status_text.as_deref()),
                    None => SendOutcome::Retry("sms.ru answered without this number".into()),
                }
            }
        }
    }
}
