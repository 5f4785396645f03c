//! A local push service for tests: holds browser-side subscriptions (a P-256 key pair and an
//! auth secret each), verifies each request's VAPID JWT (RFC 8292: ES256 by the key in `k`, the
//! endpoint's origin as `aud`, expiry within 24 h, a contact in `sub`), decrypts the
//! `aes128gcm` body as a browser does (RFC 8291/8188), and answers 201 — or 410 for
//! subscriptions marked gone.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use aes_gcm::{Aes128Gcm, KeyInit, aead::Aead};
use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::post,
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use hkdf::Hkdf;
use p256::{
    PublicKey, SecretKey,
    ecdsa::{Signature, VerifyingKey, signature::Verifier},
    elliptic_curve::sec1::ToEncodedPoint,
};
use sha2::Sha256;

/// A browser's subscription as the page sends it to the server.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// Subscription id → the browser's private key and auth secret.
type BrowserKeys = Arc<Mutex<HashMap<String, (SecretKey, Vec<u8>)>>>;

#[derive(Clone, Default)]
pub struct PushService {
    pub origin: String,
    keys: BrowserKeys,
    /// Decrypted payloads per subscription id.
    pub received: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
    /// Why requests were refused (a test expects none).
    pub refused: Arc<Mutex<Vec<String>>>,
    pub gone: Arc<Mutex<HashSet<String>>>,
}

impl PushService {
    pub async fn start() -> PushService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind push stand-in");
        let service = PushService {
            origin: format!("http://{}", listener.local_addr().expect("addr")),
            ..Default::default()
        };
        let app = Router::new()
            .route("/push/{id}", post(receive))
            .with_state(service.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        service
    }

    /// A new subscription, as `PushManager.subscribe()` would make it in a browser.
    pub fn subscribe(&self, id: &str) -> Subscription {
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let auth: Vec<u8> = (0..16).map(|_| rand::random::<u8>()).collect();
        let p256dh = B64.encode(secret.public_key().to_encoded_point(false).as_bytes());
        self.keys
            .lock()
            .unwrap()
            .insert(id.into(), (secret, auth.clone()));
        Subscription {
            endpoint: format!("{}/push/{id}", self.origin),
            p256dh,
            auth: B64.encode(auth),
        }
    }

    fn verify_vapid(&self, headers: &HeaderMap) -> Result<(), String> {
        let value = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .ok_or("no Authorization")?;
        let (token, key) = value
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .ok_or("Authorization is not `vapid t=…, k=…`")?;
        let (signed, signature) = token.rsplit_once('.').ok_or("JWT has no signature")?;
        let (header, claims) = signed.split_once('.').ok_or("JWT has no claims")?;
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(header).map_err(|_| "header not base64url")?)
                .map_err(|_| "header not JSON")?;
        if header["alg"] != "ES256" {
            return Err("alg is not ES256".into());
        }
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(claims).map_err(|_| "claims not base64url")?)
                .map_err(|_| "claims not JSON")?;
        if claims["aud"] != self.origin.as_str() {
            return Err(format!("aud {} is not {}", claims["aud"], self.origin));
        }
        let now = chrono::Utc::now().timestamp();
        let exp = claims["exp"].as_i64().ok_or("no exp")?;
        if exp <= now || exp > now + 24 * 3600 {
            return Err("exp not within 24 hours".into());
        }
        let sub = claims["sub"].as_str().unwrap_or_default();
        if !(sub.starts_with("mailto:")
            || sub.starts_with("https://")
            || sub.starts_with("http://"))
        {
            return Err("sub is not a contact".into());
        }
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(key).map_err(|_| "k not base64url")?)
            .map_err(|_| "k is not a P-256 point")?;
        let signature = Signature::from_slice(
            &B64.decode(signature)
                .map_err(|_| "signature not base64url")?,
        )
        .map_err(|_| "signature is not 64 bytes")?;
        key.verify(signed.as_bytes(), &signature)
            .map_err(|_| "signature does not verify".to_string())
    }

    fn decrypt(&self, id: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        let keys = self.keys.lock().unwrap();
        let (secret, auth) = keys.get(id).ok_or("unknown subscription")?;
        if body.len() < 21 {
            return Err("body shorter than the header".into());
        }
        let salt = &body[..16];
        let id_len = body[20] as usize;
        let sender = &body[21..21 + id_len];
        let ciphertext = &body[21 + id_len..];
        let sender_key = PublicKey::from_sec1_bytes(sender).map_err(|_| "keyid is not a point")?;
        let shared = p256::ecdh::diffie_hellman(secret.to_nonzero_scalar(), sender_key.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(secret.public_key().to_encoded_point(false).as_bytes());
        info.extend_from_slice(sender);
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .map_err(|_| "hkdf")?;
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .map_err(|_| "hkdf")?;
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
            .map_err(|_| "hkdf")?;
        let mut plain = Aes128Gcm::new_from_slice(&cek)
            .map_err(|_| "key")?
            .decrypt(&nonce.into(), ciphertext)
            .map_err(|_| "does not decrypt (GCM tag)")?;
        while plain.last() == Some(&0) {
            plain.pop();
        }
        if plain.pop() != Some(2) {
            return Err("no last-record delimiter".into());
        }
        Ok(plain)
    }
}

async fn receive(
    State(service): State<PushService>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if service.gone.lock().unwrap().contains(&id) {
        return StatusCode::GONE;
    }
    let checked = service.verify_vapid(&headers).and_then(|_| {
        let encoding = headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok());
        if encoding != Some("aes128gcm") {
            return Err("Content-Encoding is not aes128gcm".into());
        }
        if headers.get("ttl").is_none() {
            return Err("no TTL".into());
        }
        service.decrypt(&id, &body)
    });
    match checked.and_then(|plain| {
        serde_json::from_slice::<serde_json::Value>(&plain)
            .map_err(|_| "payload is not JSON".into())
    }) {
        Ok(payload) => {
            service.received.lock().unwrap().push((id, payload));
            StatusCode::CREATED
        }
        Err(why) => {
            service.refused.lock().unwrap().push(why);
            StatusCode::BAD_REQUEST
        }
    }
}
