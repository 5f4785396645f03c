//! E-mail: SMTP through lettre (STARTTLS or implicit TLS, with auth, from one URL), or the dev
//! mailbox when no SMTP server is configured.

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use app::db::Store;
use app::notify::rules::email_text;
use app::notify::store::{Outgoing, SendOutcome};
use app::notify::types::Channel;

#[derive(Debug, thiserror::Error)]
pub enum EmailConfigError {
    #[error("KLYUCH_SMTP_URL is not a valid SMTP URL: {0}")]
    Url(#[source] lettre::transport::smtp::Error),
    #[error("KLYUCH_MAIL_FROM is not an address: {0}")]
    From(#[source] lettre::address::AddressError),
}

#[derive(Clone)]
pub enum EmailSender {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
        public_url: String,
        /// To render the documents a message attaches.
        store: Store,
    },
    /// The embedded default: what would have been sent goes to the council's dev mailbox.
    DevMailbox { store: Store, public_url: String },
}

impl EmailSender {
    /// `smtp_url`: `smtp://user:pass@host:587?tls=required` (STARTTLS),
    /// `smtps://user:pass@host:465` (implicit TLS) or `smtp://host:25` (plain, local relays);
    /// `None` selects the dev mailbox.
    pub fn new(
        store: Store,
        smtp_url: Option<&str>,
        from: &str,
        public_url: &str,
    ) -> Result<Self, EmailConfigError> {
        let public_url = public_url.to_string();
        let Some(url) = smtp_url else {
            return Ok(EmailSender::DevMailbox { store, public_url });
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(EmailConfigError::Url)?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(EmailSender::Smtp {
            transport: Box::new(transport),
            from: from.parse().map_err(EmailConfigError::From)?,
            public_url,
            store,
        })
    }

    pub async fn send(&self, message: &Outgoing) -> SendOutcome {
        match self {
            EmailSender::DevMailbox { store, public_url } => {
                let mut text = email_text(&message.body, message.link.as_deref(), public_url);
                if let Some((name, pdf)) = attachment(store, message).await {
                    text.push_str(&format!("\n\nВложение: {name} ({} КБ)", pdf.len() / 1024));
                }
                crate::worker::to_dev_mailbox(
                    store,
                    Channel::Email,
                    &message.address,
                    &message.title,
                    &text,
                )
                .await
            }
            EmailSender::Smtp {
                transport,
                from,
                public_url,
                store,
            } => {
                let to: Mailbox = match message.address.parse() {
                    Ok(to) => to,
                    Err(e) => return SendOutcome::Failed(format!("bad address: {e}")),
                };
                let text = email_text(&message.body, message.link.as_deref(), public_url);
                let builder = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(message.title.clone());
                let email = match attachment(store, message).await {
                    None => builder.header(ContentType::TEXT_PLAIN).body(text),
                    Some((name, pdf)) => builder.multipart(
                        MultiPart::mixed()
                            .singlepart(SinglePart::plain(text))
                            .singlepart(Attachment::new(name).body(
                                pdf,
                                ContentType::parse("application/pdf").expect("a valid type"),
                            )),
                    ),
                };
                let email = match email {
                    Ok(e) => e,
                    Err(e) => return SendOutcome::Failed(format!("cannot build the message: {e}")),
                };
                match transport.send(email).await {
                    Ok(response) => SendOutcome::Sent(format!("smtp {}", response.code())),
                    Err(e) if e.is_permanent() => SendOutcome::Failed(format!("smtp: {e}")),
                    Err(e) => SendOutcome::Retry(format!("smtp: {e}")),
                }
            }
        }
    }
}

/// The document a message carries: a bill notice (`bill:<account>:<period>`) attaches that
/// bill's PDF, rendered when sent. A bill that cannot be made (say the payee's details were
/// removed) is left out and logged; the message still goes with its link to the cabinet.
async fn attachment(store: &Store, message: &Outgoing) -> Option<(String, Vec<u8>)> {
    let (account_id, period) = message
        .source
        .as_deref()
        .and_then(app::billing::rules::parse_bill_source)?;
    match store.bill_data(account_id, period).await {
        Ok(data) => {
            let name = data.file_name();
            let pdf = tokio::task::spawn_blocking(move || app::billing::bill::render(&data))
                .await
                .ok()?;
            Some((name, pdf))
        }
        Err(e) => {
            tracing::warn!(account_id, %period, error = %e, "bill not attached");
            None
        }
    }
}
