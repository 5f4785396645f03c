//! A local stand-in of S3 (path-style: `/<bucket>/<key>`): PUT, GET (with `Range`), HEAD and
//! DELETE of objects, each request checked against AWS Signature V4 as S3 documents it
//! (canonical request, string to sign, the HMAC-SHA256 key chain, the payload's SHA-256) and
//! refused with S3's XML errors (`SignatureDoesNotMatch`, `NoSuchKey`, `NoSuchBucket`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct S3 {
    pub endpoint: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret: String,
    pub region: String,
    pub objects: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    /// Requests refused for a bad signature.
    pub refused: Arc<Mutex<Vec<String>>>,
}

impl S3 {
    pub async fn start() -> S3 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the S3 stand-in");
        let fake = S3 {
            endpoint: format!("http://{}", listener.local_addr().expect("addr")),
            bucket: "klyuch-files".into(),
            access_key_id: "AKIATESTKLYUCH".into(),
            secret: "s3-stand-in-secret".into(),
            region: "ru-central1".into(),
            objects: Arc::default(),
            refused: Arc::default(),
        };
        let app = Router::new().fallback(handle).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.objects.lock().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }
}

fn error(status: StatusCode, code: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message></Error>"),
    )
        .into_response()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// URI-encodes a query component as SigV4 wants it.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether the request carries a valid AWS Signature V4 of this stand-in's key.
fn signed(
    fake: &S3,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), &'static str> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("not AWS4-HMAC-SHA256")?;
    let mut parts = BTreeMap::new();
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or("bad Authorization")?;
        parts.insert(k.to_string(), v.to_string());
    }
    let credential = parts.get("Credential").ok_or("no Credential")?;
    let signed_headers = parts.get("SignedHeaders").ok_or("no SignedHeaders")?;
    let signature = parts.get("Signature").ok_or("no Signature")?;
    let mut scope = credential.splitn(2, '/');
    let (key_id, scope) = (scope.next().unwrap_or(""), scope.next().unwrap_or(""));
    if key_id != fake.access_key_id {
        return Err("unknown access key");
    }
    let scope_parts: Vec<&str> = scope.split('/').collect();
    if scope_parts.len() != 4
        || scope_parts[1] != fake.region
        || scope_parts[2] != "s3"
        || scope_parts[3] != "aws4_request"
    {
        return Err("bad credential scope");
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or("no x-amz-date")?;
    if !amz_date.starts_with(scope_parts[0]) {
        return Err("date and scope differ");
    }
    let payload = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .ok_or("no x-amz-content-sha256")?;
    if payload != "UNSIGNED-PAYLOAD" && payload != hex::encode(Sha256::digest(body)) {
        return Err("payload hash differs");
    }
    let canonical_headers: String = signed_headers
        .split(';')
        .map(|name| {
            let value = headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .trim();
            format!("{name}:{value}\n")
        })
        .collect();
    let mut query_pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| percent_decode(s);
            (encode(&decode(k)), encode(&decode(v)))
        })
        .collect();
    query_pairs.sort();
    let canonical_query = query_pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let canonical = [
        method.as_str(),
        path,
        &canonical_query,
        &canonical_headers,
        signed_headers,
        payload,
    ]
    .join("\n");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(format!("AWS4{}", fake.secret).as_bytes(), scope_parts[0]);
    for step in [scope_parts[1], "s3", "aws4_request"] {
        key = hmac(&key, step);
    }
    if hex::encode(hmac(&key, &to_sign)) == *signature {
        Ok(())
    } else {
        Err("signature differs")
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn handle(State(fake): State<S3>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return error(StatusCode::BAD_REQUEST, "IncompleteBody");
    };
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    if let Err(why) = signed(&fake, &parts.method, &path, &query, &parts.headers, &body) {
        fake.refused
            .lock()
            .unwrap()
            .push(format!("{} {path}: {why}", parts.method));
        return error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch");
    }
    let Some(key) = path
        .strip_prefix(&format!("/{}/", fake.bucket))
        .map(percent_decode)
    else {
        return error(StatusCode::NOT_FOUND, "NoSuchBucket");
    };
    let mut objects = fake.objects.lock().unwrap();
    match parts.method {
        Method::PUT => {
            let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
            objects.insert(key, body.to_vec());
            (StatusCode::OK, [(header::ETAG, etag)]).into_response()
        }
        Method::GET | Method::HEAD => {
            let Some(object) = objects.get(&key) else {
                return error(StatusCode::NOT_FOUND, "NoSuchKey");
            };
            let size = object.len();
            let etag = format!("\"{}\"", hex::encode(&Sha256::digest(object)[..16]));
            let modified = "Tue, 01 Dec 2026 10:00:00 GMT";
            let range = parts
                .headers
                .get(header::RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.split_once('-'))
                .and_then(|(a, b)| {
                    let start: usize = a.parse().ok()?;
                    let end: usize = if b.is_empty() {
                        size - 1
                    } else {
                        b.parse::<usize>().ok()?.min(size - 1)
                    };
                    (start <= end).then_some(start..end + 1)
                });
            let (status, bytes, content_range) = match range {
                Some(r) => (
                    StatusCode::PARTIAL_CONTENT,
                    object[r.clone()].to_vec(),
                    Some(format!("bytes {}-{}/{size}", r.start, r.end - 1)),
                ),
                None => (StatusCode::OK, object.clone(), None),
            };
            let mut response = (
                status,
                [
                    (header::ETAG, etag),
                    (header::LAST_MODIFIED, modified.to_string()),
                    (header::CONTENT_LENGTH, bytes.len().to_string()),
                ],
            )
                .into_response();
            if let Some(cr) = content_range {
                response
                    .headers_mut()
                    .insert(header::CONTENT_RANGE, cr.parse().expect("header"));
            }
            if parts.method == Method::GET {
                *response.body_mut() = axum::body::Body::from(Bytes::from(bytes));
            }
            response
        }
        Method::DELETE => {
            objects.remove(&key);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
    }
}
