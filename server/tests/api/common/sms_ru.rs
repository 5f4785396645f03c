//! A local stand-in of the SMS.ru HTTP API (`POST /sms/send`, `json=1`): checks the request as
//! sms.ru/api/send documents it and answers with the documented JSON, errors included.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::{Form, Json, Router, extract::State, routing::post};
use serde_json::{Value, json};

/// A number SMS.ru refuses (code 207: sending to it is not allowed).
pub const REFUSED_NUMBER: &str = "79990000207";

#[derive(Debug, Clone)]
pub struct SentSms {
    pub to: String,
    pub msg: String,
    pub from: Option<String>,
}

#[derive(Clone, Default)]
pub struct SmsRu {
    pub base_url: String,
    pub api_id: String,
    pub sent: Arc<Mutex<Vec<SentSms>>>,
    /// Requests refused for a reason other than the documented answers (a wrong request).
    pub malformed: Arc<Mutex<Vec<String>>>,
    /// Numbers for which the next requests get `220` (service temporarily unavailable).
    pub unavailable: Arc<Mutex<HashMap<String, u32>>>,
    refused: Arc<HashSet<String>>,
}

impl SmsRu {
    pub async fn start(api_id: &str) -> SmsRu {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sms.ru stand-in");
        let fake = SmsRu {
            base_url: format!("http://{}", listener.local_addr().expect("addr")),
            api_id: api_id.into(),
            refused: Arc::new([REFUSED_NUMBER.to_string()].into()),
            ..Default::default()
        };
        let app = Router::new()
            .route("/sms/send", post(send))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    pub fn sent(&self) -> Vec<SentSms> {
        self.sent.lock().unwrap().clone()
    }
}

fn error(code: i64, text: &str) -> Json<Value> {
    Json(json!({ "status": "ERROR", "status_code": code, "status_text": text }))
}

async fn send(State(fake): State<SmsRu>, Form(form): Form<HashMap<String, String>>) -> Json<Value> {
    if form.get("json").map(String::as_str) != Some("1") {
        fake.malformed.lock().unwrap().push("json=1 missing".into());
        return error(100, "plain text answer not supported by the stand-in");
    }
    if form.get("api_id") != Some(&fake.api_id) {
        return error(200, "Неправильный api_id");
    }
    let Some(to) = form.get("to").cloned() else {
        return error(202, "Неправильно указан получатель");
    };
    if to.len() != 11 || !to.starts_with('7') || !to.chars().all(|c| c.is_ascii_digit()) {
        fake.malformed
            .lock()
            .unwrap()
            .push(format!("bad number format {to}"));
        return error(202, "Неправильно указан получатель");
    }
    let msg = form.get("msg").cloned().unwrap_or_default();
    if msg.is_empty() {
        return error(203, "Нет текста сообщения");
    }
    {
        let mut unavailable = fake.unavailable.lock().unwrap();
        if let Some(left) = unavailable.get_mut(&to)
            && *left > 0
        {
            *left -= 1;
            return error(220, "Сервис временно недоступен, попробуйте чуть позже");
        }
    }
    let per_number = if fake.refused.contains(&to) {
        json!({ "status": "ERROR", "status_code": 207,
                "status_text": "На этот номер нельзя отправлять сообщения" })
    } else {
        let mut sent = fake.sent.lock().unwrap();
        sent.push(SentSms {
            to: to.clone(),
            msg,
            from: form.get("from").cloned(),
        });
        json!({ "status": "OK", "status_code": 100,
                "sms_id": format!("000000-{:08}", 10_000_000 + sent.len()) })
    };
    Json(json!({
        "status": "OK",
        "status_code": 100,
        "sms": { to: per_number },
        "balance": 4122.56
    }))
}
