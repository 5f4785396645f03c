//! Web Push: VAPID (RFC 8292, ES256 JWT) and the `aes128gcm` payload encryption of RFC 8291,
//! sent to the browser's push service. The key pair is made on first start and kept in the
//! database, so subscriptions survive restarts and are shared by every instance.

use aes_gcm::{Aes128Gcm, KeyInit, aead::Aead};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use hkdf::Hkdf;
use p256::{
    PublicKey, SecretKey,
    ecdsa::{Signature, SigningKey, signature::Signer},
    elliptic_curve::sec1::ToEncodedPoint,
};
use sha2::Sha256;

use app::db::Store;
use app::error::AppError;
use app::notify::store::{Outgoing, SendOutcome, VAPID};

/// The application server's key pair.
#[derive(Clone)]
pub struct Vapid {
    secret: SecretKey,
    /// `mailto:` or `https:` contact the push service may use.
    subject: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the stored VAPID key pair is damaged")]
    BadStoredKey,
    #[error("the subscription's keys are not a P-256 point and a 16-byte secret")]
    BadSubscriptionKeys,
    #[error("the push endpoint is not a URL")]
    BadEndpoint,
    #[error("encryption failed")]
    Encrypt,
}

impl Vapid {
    /// Loads the key pair, making and storing it on first start.
    pub async fn load_or_create(store: &Store, subject: String) -> Result<Self, AppError> {
        let pair = store
            .app_secret(VAPID, || {
                let secret = SecretKey::random(&mut rand::rngs::OsRng);
                format!(
                    "{}.{}",
                    B64.encode(secret.to_bytes()),
                    B64.encode(public_bytes(&secret))
                )
            })
            .await?;
        let secret = pair
            .split_once('.')
            .and_then(|(private, _)| B64.decode(private).ok())
            .and_then(|bytes| SecretKey::from_slice(&bytes).ok())
            .ok_or_else(|| {
                tracing::error!("{}", PushError::BadStoredKey);
                AppError::Internal
            })?;
        Ok(Self { secret, subject })
    }

    /// The uncompressed public point, base64url (what the browser subscribes with).
    pub fn public_key(&self) -> String {
        B64.encode(public_bytes(&self.secret))
    }

    /// `Authorization: vapid t=<JWT>, k=<public key>` for `endpoint`, valid for 12 hours.
    pub fn authorization(&self, endpoint: &str, now: i64) -> Result<String, PushError> {
        let url = reqwest::Url::parse(endpoint).map_err(|_| PushError::BadEndpoint)?;
        let audience = url.origin().ascii_serialization();
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = B64.encode(
            serde_json::json!({ "aud": audience, "exp": now + 12 * 3600, "sub": self.subject })
                .to_string(),
        );
        let signing_input = format!("{header}.{claims}");
        let signature: Signature = SigningKey::from(&self.secret).sign(signing_input.as_bytes());
        Ok(format!(
            "vapid t={signing_input}.{}, k={}",
            B64.encode(signature.to_bytes()),
            self.public_key()
        ))
    }
}

fn public_bytes(secret: &SecretKey) -> Vec<u8> {
    secret
        .public_key()
        .to_encoded_point(false)
        .as_bytes()
        .to_vec()
}

/// The record size written in the header (the whole message is one record).
const RECORD_SIZE: u32 = 4096;

/// Encrypts `plaintext` for a subscription (`p256dh`, `auth`, base64url) with a fresh sender
/// key and salt: the body of an `aes128gcm` push message.
pub fn encrypt(plaintext: &[u8], p256dh: &str, auth: &str) -> Result<Vec<u8>, PushError> {
    let mut salt = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut salt);
    let sender = SecretKey::random(&mut rand::rngs::OsRng);
    encrypt_with(plaintext, p256dh, auth, &sender, salt)
}

/// RFC 8291 §3.4 with a given sender key and salt (the RFC's worked example is a test).
pub fn encrypt_with(
    plaintext: &[u8],
    p256dh: &str,
    auth: &str,
    sender: &SecretKey,
    salt: [u8; 16],
) -> Result<Vec<u8>, PushError> {
    let ua_public_bytes = B64
        .decode(p256dh)
        .map_err(|_| PushError::BadSubscriptionKeys)?;
    let auth = B64
        .decode(auth)
        .map_err(|_| PushError::BadSubscriptionKeys)?;
    if auth.len() != 16 {
        return Err(PushError::BadSubscriptionKeys);
    }
    let ua_public =
        PublicKey::from_sec1_bytes(&ua_public_bytes).map_err(|_| PushError::BadSubscriptionKeys)?;
    let as_public = public_bytes(sender);
    let shared = p256::ecdh::diffie_hellman(sender.to_nonzero_scalar(), ua_public.as_affine());

    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(&ua_public_bytes);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&auth), shared.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|_| PushError::Encrypt)?;

    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let mut cek = [0u8; 16];
    let mut nonce = [0u8; 12];
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|_| PushError::Encrypt)?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|_| PushError::Encrypt)?;

    // one record: the text, then the last-record delimiter 0x02, no padding
    let mut record = plaintext.to_vec();
    record.push(2);
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| PushError::Encrypt)?;
    let ciphertext = cipher
        .encrypt(&nonce.into(), record.as_slice())
        .map_err(|_| PushError::Encrypt)?;

    let mut body = Vec::with_capacity(16 + 4 + 1 + as_public.len() + ciphertext.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(as_public.len() as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&ciphertext);
    Ok(body)
}

/// Sends push messages to browsers' push services.
#[derive(Clone)]
pub struct PushSender {
    pub vapid: Vapid,
    pub http: reqwest::Client,
}

impl PushSender {
    pub async fn send(&self, message: &Outgoing) -> SendOutcome {
        let Some((p256dh, auth)) = &message.push_keys else {
            return SendOutcome::Gone("подписка удалена".into());
        };
        let payload = serde_json::json!({
            "title": message.title,
            "body": message.body,
            "url": message.link.clone().unwrap_or_else(|| "/".into()),
            "tag": format!("n{}", message.delivery_id),
        })
        .to_string();
        let prepared = encrypt(payload.as_bytes(), p256dh, auth).and_then(|body| {
            let auth = self
                .vapid
                .authorization(&message.address, chrono::Utc::now().timestamp())?;
            Ok((body, auth))
        });
        let (body, authorization) = match prepared {
            Ok(p) => p,
            Err(e) => return SendOutcome::Failed(e.to_string()),
        };
        let response = self
            .http
            .post(&message.address)
            .header("TTL", if message.critical { "3600" } else { "86400" })
            .header("Urgency", if message.critical { "high" } else { "normal" })
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await;
        match response {
            Err(e) => SendOutcome::Retry(format!("push service unreachable: {e}")),
            Ok(r) => {
                let status = r.status().as_u16();
                match status {
                    200..=202 => SendOutcome::Sent(format!("push service {status}")),
                    404 | 410 => SendOutcome::Gone(format!("subscription gone ({status})")),
                    429 | 500..=599 => SendOutcome::Retry(format!("push service {status}")),
                    _ => SendOutcome::Failed(format!("push service refused ({status})")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8291, Appendix A.
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    #[test]
    fn encryption_reproduces_the_rfc_8291_example_byte_for_byte() {
        let sender = SecretKey::from_slice(&B64.decode(AS_PRIVATE).unwrap()).unwrap();
        let salt: [u8; 16] = B64.decode(SALT).unwrap().try_into().unwrap();
        let body = encrypt_with(
            b"When I grow up, I want to be a watermelon",
            UA_PUBLIC,
            AUTH,
            &sender,
            salt,
        )
        .unwrap();
        assert_eq!(B64.encode(body), BODY);
    }

    #[test]
    fn bad_subscription_keys_are_refused_not_panicked_on() {
        assert!(matches!(
            encrypt(b"x", "not-a-key", AUTH),
            Err(PushError::BadSubscriptionKeys)
        ));
        assert!(matches!(
            encrypt(b"x", UA_PUBLIC, "c2hvcnQ"),
            Err(PushError::BadSubscriptionKeys)
        ));
    }

    #[test]
    fn vapid_token_names_the_endpoint_origin_and_is_signed_by_the_public_key() {
        use p256::ecdsa::{VerifyingKey, signature::Verifier};
        let vapid = Vapid {
            secret: SecretKey::from_slice(&B64.decode(AS_PRIVATE).unwrap()).unwrap(),
            subject: "mailto:admin@klyuch.example".into(),
        };
        let header = vapid
            .authorization("https://push.example.net:8443/send/abc?x=1", 1_000)
            .unwrap();
        let (t, k) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap();
        let (signed, signature) = t.rsplit_once('.').unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&B64.decode(signed.split_once('.').unwrap().1).unwrap())
                .unwrap();
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + 12 * 3600);
        assert_eq!(claims["sub"], "mailto:admin@klyuch.example");
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).unwrap()).unwrap();
        let signature = Signature::from_slice(&B64.decode(signature).unwrap()).unwrap();
        assert!(key.verify(signed.as_bytes(), &signature).is_ok());
    }
}
