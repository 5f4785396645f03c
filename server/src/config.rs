//! Configuration from the environment, with defaults that run the demo on a laptop.

use std::net::SocketAddr;

use app::context::AppConfig;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not a valid {what}: {value:?}")]
    Invalid {
        name: &'static str,
        what: &'static str,
        value: String,
    },
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `KLYUCH_ADDR` (or cargo-leptos's `LEPTOS_SITE_ADDR`), default `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite:data/klyuch.db` by default, or `postgres://…`.
    pub database_url: String,
    /// `KLYUCH_DB_CONNECTIONS`: the pool's size (1–64); by default the engine's (`app::db`).
    pub db_connections: Option<u32>,
    /// `KLYUCH_PUBLIC_URL`: where residents reach the app (printed on invite cards).
    pub public_url: String,
    /// `KLYUCH_SECURE_COOKIES`: default on when the public URL is https.
    pub secure_cookies: bool,
    /// `LEPTOS_SITE_ROOT`: the built site (wasm, js, css, public files), default `target/site`.
    pub site_root: String,
    /// `KLYUCH_DEMO`: load the demo house into an empty database on start (default `true`).
    pub load_demo: bool,
    /// `KLYUCH_TRUST_PROXY`: take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// `KLYUCH_SESSION_DAYS` (30) and `KLYUCH_INVITE_DAYS` (30).
    pub session_days: i64,
    pub invite_days: i64,
    /// `KLYUCH_FILES_DIR`: uploaded pictures, default `data/files` (served under `/files/`).
    pub files_dir: String,
    /// `KLYUCH_DOCUMENTS_DIR`: documents made for staff (the house's bills), default
    /// `data/documents`; never served as is — only through routes that check access.
    pub documents_dir: String,
    pub notify: NotifySettings,
    pub acquiring: AcquiringSettings,
    /// Where ticket files are kept: `<KLYUCH_DOCUMENTS_DIR>/files` by default, or the
    /// S3-compatible bucket `KLYUCH_S3_BUCKET` (with `KLYUCH_S3_ENDPOINT`, `KLYUCH_S3_REGION`,
    /// `KLYUCH_S3_ACCESS_KEY_ID`, `KLYUCH_S3_SECRET_ACCESS_KEY`).
    pub storage: crate::integrations::storage::Storage,
}

/// Which bank takes card payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcquiringProvider {
    /// The embedded sandbox bank (`/sandbox-bank/`): the whole flow on a laptop, no money.
    Sandbox,
    /// T-Bank (Tinkoff) API v2.
    TBank,
}

/// `KLYUCH_ACQUIRING` = `sandbox` (default) or `tbank`; for T-Bank `KLYUCH_TBANK_URL` (default
/// `https://securepay.tinkoff.ru/v2`), `KLYUCH_TBANK_TERMINAL_KEY` and `KLYUCH_TBANK_PASSWORD`
/// (required); the sandbox's password `KLYUCH_SANDBOX_PASSWORD` (default `sandbox-password`).
#[derive(Debug, Clone)]
pub struct AcquiringSettings {
    pub provider: AcquiringProvider,
    /// `KLYUCH_FISCAL_RECEIPTS`: the organisation issues fiscal receipts (54-ФЗ) through the
    /// bank's cash register: each order carries the `Receipt` (default `false`).
    pub receipts: bool,
    pub tbank_url: String,
    pub terminal_key: String,
    pub password: String,
}

/// Where notifications go. Without SMTP or SMS.ru settings, e-mail and SMS land in the dev
/// mailbox (visible to the council), so the demo works on a laptop.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// `KLYUCH_SMTP_URL`: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (TLS) or `smtp://host:25` (a local relay).
    pub smtp_url: Option<String>,
    /// `KLYUCH_MAIL_FROM`, default `Ключ <noreply@localhost>`.
    pub mail_from: String,
    /// `KLYUCH_SMSRU_API_ID`: the SMS.ru key; `KLYUCH_SMSRU_URL` (default `https://sms.ru`);
    /// `KLYUCH_SMS_FROM`: an approved sender name.
    pub smsru_api_id: Option<String>,
    pub smsru_url: String,
    pub sms_from: Option<String>,
    /// `KLYUCH_VAPID_SUBJECT`: the contact push services see (`mailto:` or `https:`);
    /// default the public URL.
    pub vapid_subject: String,
    /// `KLYUCH_WORKER`: run the job worker in this process (default `true`).
    pub worker: bool,
    /// `KLYUCH_WORKER_POLL_MS`: how often an idle worker looks for due jobs (default 1000).
    pub poll_ms: u64,
    /// `KLYUCH_JOB_LEASE_SECONDS`: how soon the jobs of an instance that died are taken over
    /// (default 300; a live worker renews its jobs' leases, so long jobs are not cut short).
    pub job_lease: chrono::TimeDelta,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let addr_text = lookup("KLYUCH_ADDR")
            .or_else(|| lookup("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_text.parse().map_err(|_| ConfigError::Invalid {
            name: "KLYUCH_ADDR",
            what: "socket address",
            value: addr_text.clone(),
        })?;
        let public_url = lookup("KLYUCH_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}"));
        let secure_cookies = match lookup("KLYUCH_SECURE_COOKIES") {
            Some(v) => parse_bool("KLYUCH_SECURE_COOKIES", &v)?,
            None => public_url.starts_with("https://"),
        };
        let vapid_default = public_url.clone();
        let acquiring = acquiring_settings(&lookup)?;
        let documents_dir =
            lookup("KLYUCH_DOCUMENTS_DIR").unwrap_or_else(|| "data/documents".into());
        let storage = storage_settings(&lookup, &documents_dir)?;
        Ok(Settings {
            storage,
            acquiring,
            addr,
            database_url: lookup("DATABASE_URL").unwrap_or_else(|| "sqlite:data/klyuch.db".into()),
            db_connections: lookup("KLYUCH_DB_CONNECTIONS")
                .map(|v| {
                    v.trim()
                        .parse()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or(ConfigError::Invalid {
                            name: "KLYUCH_DB_CONNECTIONS",
                            what: "number of connections (1–64)",
                            value: v,
                        })
                })
                .transpose()?,
            public_url,
            secure_cookies,
            site_root: lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            load_demo: lookup("KLYUCH_DEMO")
                .map(|v| parse_bool("KLYUCH_DEMO", &v))
                .transpose()?
                .unwrap_or(true),
            trust_proxy: lookup("KLYUCH_TRUST_PROXY")
                .map(|v| parse_bool("KLYUCH_TRUST_PROXY", &v))
                .transpose()?
                .unwrap_or(false),
            session_days: parse_days(&lookup, "KLYUCH_SESSION_DAYS", 30)?,
            invite_days: parse_days(&lookup, "KLYUCH_INVITE_DAYS", 30)?,
            files_dir: lookup("KLYUCH_FILES_DIR").unwrap_or_else(|| "data/files".into()),
            documents_dir,
            notify: NotifySettings {
                smtp_url: lookup("KLYUCH_SMTP_URL").filter(|v| !v.trim().is_empty()),
                mail_from: lookup("KLYUCH_MAIL_FROM")
                    .unwrap_or_else(|| "Ключ <noreply@localhost>".into()),
                smsru_api_id: lookup("KLYUCH_SMSRU_API_ID").filter(|v| !v.trim().is_empty()),
                smsru_url: lookup("KLYUCH_SMSRU_URL").unwrap_or_else(|| "https://sms.ru".into()),
                sms_from: lookup("KLYUCH_SMS_FROM").filter(|v| !v.trim().is_empty()),
                vapid_subject: lookup("KLYUCH_VAPID_SUBJECT").unwrap_or(vapid_default),
                worker: lookup("KLYUCH_WORKER")
                    .map(|v| parse_bool("KLYUCH_WORKER", &v))
                    .transpose()?
                    .unwrap_or(true),
                poll_ms: match lookup("KLYUCH_WORKER_POLL_MS") {
                    None => 1000,
                    Some(v) => v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|ms| (10..=60_000).contains(ms))
                        .ok_or(ConfigError::Invalid {
                            name: "KLYUCH_WORKER_POLL_MS",
                            what: "number of milliseconds (10–60000)",
                            value: v,
                        })?,
                },
                job_lease: match lookup("KLYUCH_JOB_LEASE_SECONDS") {
                    None => crate::worker::DEFAULT_LEASE,
                    Some(v) => v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|s| (3..=3600).contains(s))
                        .map(chrono::TimeDelta::seconds)
                        .ok_or(ConfigError::Invalid {
                            name: "KLYUCH_JOB_LEASE_SECONDS",
                            what: "number of seconds (3–3600)",
                            value: v,
                        })?,
                },
            },
        })
    }

    pub fn app_config(&self) -> AppConfig {
        AppConfig {
            public_url: self.public_url.clone(),
            secure_cookies: self.secure_cookies,
            session_days: self.session_days,
            invite_days: self.invite_days,
            files_dir: self.files_dir.clone(),
            documents_dir: self.documents_dir.clone(),
        }
    }
}

/// The local folder, or the S3 bucket when `KLYUCH_S3_BUCKET` is set (then its keys are
/// required); uploads in progress stay in the local folder either way.
fn storage_settings(
    lookup: &impl Fn(&str) -> Option<String>,
    documents_dir: &str,
) -> Result<crate::integrations::storage::Storage, ConfigError> {
    use crate::integrations::storage::{S3Settings, Storage};
    let local = std::path::Path::new(documents_dir).join("files");
    let Some(bucket) = lookup("KLYUCH_S3_BUCKET").filter(|b| !b.trim().is_empty()) else {
        return Ok(Storage::local(local));
    };
    let required = |name: &'static str| {
        lookup(name)
            .filter(|v| !v.trim().is_empty())
            .ok_or(ConfigError::Invalid {
                name,
                what: "value (required with KLYUCH_S3_BUCKET)",
                value: String::new(),
            })
    };
    let s3 = S3Settings {
        endpoint: lookup("KLYUCH_S3_ENDPOINT").filter(|v| !v.trim().is_empty()),
        region: lookup("KLYUCH_S3_REGION").unwrap_or_else(|| "ru-central1".into()),
        access_key_id: required("KLYUCH_S3_ACCESS_KEY_ID")?,
        secret_access_key: required("KLYUCH_S3_SECRET_ACCESS_KEY")?,
        bucket,
    };
    Storage::s3(&s3, local).map_err(|e| ConfigError::Invalid {
        name: "KLYUCH_S3_ENDPOINT",
        what: "S3 storage setting",
        value: e.to_string(),
    })
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            name,
            what: "boolean (true/false)",
            value: value.into(),
        }),
    }
}

fn parse_days(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
) -> Result<i64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=3650).contains(d))
            .ok_or(ConfigError::Invalid {
                name,
                what: "number of days (1–3650)",
                value: v,
            }),
    }
}

fn acquiring_settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<AcquiringSettings, ConfigError> {
    let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let provider = match set("KLYUCH_ACQUIRING").as_deref().map(str::trim) {
        None | Some("sandbox") => AcquiringProvider::Sandbox,
        Some("tbank") => AcquiringProvider::TBank,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "KLYUCH_ACQUIRING",
                what: "provider (sandbox or tbank)",
                value: other.into(),
            });
        }
    };
    let required = |name: &'static str| {
        set(name).ok_or(ConfigError::Invalid {
            name,
            what: "setting, required with KLYUCH_ACQUIRING=tbank",
            value: String::new(),
        })
    };
    let receipts = set("KLYUCH_FISCAL_RECEIPTS")
        .map(|v| parse_bool("KLYUCH_FISCAL_RECEIPTS", &v))
        .transpose()?
        .unwrap_or(false);
    Ok(match provider {
        AcquiringProvider::Sandbox => AcquiringSettings {
            provider,
            receipts,
            tbank_url: String::new(),
            terminal_key: crate::integrations::sandbox_bank::TERMINAL_KEY.into(),
            password: set("KLYUCH_SANDBOX_PASSWORD").unwrap_or_else(|| "sandbox-password".into()),
        },
        AcquiringProvider::TBank => AcquiringSettings {
            provider,
            receipts,
            tbank_url: set("KLYUCH_TBANK_URL")
                .unwrap_or_else(|| "https://securepay.tinkoff.ru/v2".into()),
            terminal_key: required("KLYUCH_TBANK_TERMINAL_KEY")?,
            password: required("KLYUCH_TBANK_PASSWORD")?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_the_demo_on_sqlite() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.database_url, "sqlite:data/klyuch.db");
        assert!(s.load_demo && !s.secure_cookies && !s.trust_proxy);
        assert_eq!(s.public_url, "http://127.0.0.1:3000");
    }

    #[test]
    fn https_public_url_means_secure_cookies_and_bad_values_are_named() {
        let s = settings(&[("KLYUCH_PUBLIC_URL", "https://tsj.example.ru")]).unwrap();
        assert!(s.secure_cookies);
        let e = settings(&[("KLYUCH_DEMO", "maybe")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("KLYUCH_DEMO"), "{e}");
        assert!(settings(&[("KLYUCH_ADDR", "nowhere")]).is_err());
        assert!(settings(&[("KLYUCH_SESSION_DAYS", "0")]).is_err());
        assert_eq!(settings(&[]).unwrap().db_connections, None);
        let pool = settings(&[("KLYUCH_DB_CONNECTIONS", "4")]).unwrap();
        assert_eq!(pool.db_connections, Some(4));
        for bad in ["0", "65", "много"] {
            let e = settings(&[("KLYUCH_DB_CONNECTIONS", bad)])
                .unwrap_err()
                .to_string();
            assert!(e.contains("KLYUCH_DB_CONNECTIONS"), "{e}");
        }
        assert_eq!(settings(&[]).unwrap().notify.job_lease.num_seconds(), 300);
        let lease = settings(&[("KLYUCH_JOB_LEASE_SECONDS", "15")]).unwrap();
        assert_eq!(lease.notify.job_lease.num_seconds(), 15);
        for bad in ["1", "3601", "долго"] {
            let e = settings(&[("KLYUCH_JOB_LEASE_SECONDS", bad)])
                .unwrap_err()
                .to_string();
            assert!(e.contains("KLYUCH_JOB_LEASE_SECONDS"), "{e}");
        }
    }
}
