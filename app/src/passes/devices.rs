//! A gate's devices over HTTP: the barrier controller's relay command ("open") — and the one way
//! a decision to let a car in becomes an open barrier with its answer recorded — and the
//! camera's still picture, fetched by the server so the camera's credentials stay there.

use std::time::Duration;

use chrono::Utc;

use crate::db::Store;

/// How long a barrier controller has to answer: a car is waiting.
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(3);

/// A gate's "open" command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay {
    /// Absolute, or `/…` on this server (the demo's stand-in barrier).
    pub url: String,
    /// `GET`, `POST` or `PUT`.
    pub method: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("relay method {0} is not GET, POST or PUT")]
    Method(String),
    #[error("relay request failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("device answered {0}")]
    Status(reqwest::StatusCode),
    #[error("camera picture is not a JPEG under 2 MB")]
    NotAPicture,
}

/// Talks to the gates' devices; shared by the camera webhook, the guard's "let in" and the
/// guard's camera picture.
#[derive(Debug, Clone)]
pub struct GateDevices {
    http: reqwest::Client,
    /// This server as it reaches itself, for `/…` relay addresses.
    own_base: String,
}

impl GateDevices {
    pub fn new(own_base: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder().timeout(RELAY_TIMEOUT).build()?,
            own_base: own_base.trim_end_matches('/').to_string(),
        })
    }

    /// `/…` is on this server.
    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.own_base)
        } else {
            url.to_string()
        }
    }

    /// Sends the command; any 2xx answer means the barrier opened.
    pub async fn send(&self, relay: &Relay) -> Result<(), DeviceError> {
        let method = match relay.method.as_str() {
            "GET" => reqwest::Method::GET,
            "POST" => reqwest::Method::POST,
            "PUT" => reqwest::Method::PUT,
            other => return Err(DeviceError::Method(other.to_string())),
        };
        let answer = self
            .http
            .request(method, self.absolute(&relay.url))
            .send()
            .await?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(DeviceError::Status(answer.status()))
        }
    }

    /// The camera's current still picture (JPEG).
    pub async fn picture(&self, url: &str) -> Result<Vec<u8>, DeviceError> {
        let answer = self.http.get(self.absolute(url)).send().await?;
        if !answer.status().is_success() {
            return Err(DeviceError::Status(answer.status()));
        }
        let bytes = answer.bytes().await?;
        super::camera::snapshot(bytes.to_vec()).ok_or(DeviceError::NotAPicture)
    }

    /// Opens the gate of plate event `event_id` and records what the controller answered —
    /// after returning: the car (and the camera waiting for its answer) need not wait for that
    /// write. Returns whether it opened; a failure is logged for staff and shown on the guard's
    /// screen.
    pub async fn open_for(&self, store: &Store, event_id: i64, relay: &Relay) -> bool {
        let opened = match self.send(relay).await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(event_id, error = %e, "barrier did not open");
                false
            }
        };
        let (store, at) = (store.clone(), Utc::now());
        tokio::spawn(async move {
            if let Err(e) = store.barrier_answered(event_id, opened, at).await {
                tracing::error!(event_id, error = ?e, "barrier answer not recorded");
            }
        });
        opened
    }
}
