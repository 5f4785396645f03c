//! A local SMTP server for tests: speaks enough of RFC 5321 (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT) for a real client, keeps what it received, and
//! answers the end of DATA with scripted codes (451 to test retries, 550 for refusals).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use base64::{Engine, engine::general_purpose::STANDARD};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
    /// `user:password` the client authenticated with.
    pub auth: Option<String>,
}

#[derive(Clone, Default)]
pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Replies to the next messages' end of DATA; empty means `250`.
    pub script: Arc<Mutex<VecDeque<u16>>>,
    /// How long the server thinks before it answers the end of DATA (a slow relay).
    pub delay: Arc<Mutex<std::time::Duration>>,
}

impl SmtpServer {
    pub async fn start(user: &str, password: &str) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let server = SmtpServer {
            port: listener.local_addr().expect("addr").port(),
            ..Default::default()
        };
        let credentials = format!("{user}:{password}");
        let s = server.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let s = s.clone();
                let credentials = credentials.clone();
                tokio::spawn(async move {
                    let _ = s.session(socket, &credentials).await;
                });
            }
        });
        server
    }

    pub fn url(&self, user: &str, password: &str) -> String {
        format!("smtp://{user}:{password}@127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    async fn session(
        &self,
        socket: tokio::net::TcpStream,
        credentials: &str,
    ) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 stand-in ESMTP\r\n").await?;
        let mut auth = None;
        let mut from = String::new();
        let mut to = Vec::new();
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let line = line.trim_end().to_string();
            let upper = line.to_ascii_uppercase();
            let reply: String = if upper.starts_with("EHLO") {
                "250-stand-in\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
            } else if upper.starts_with("HELO") || upper == "NOOP" {
                "250 ok".into()
            } else if upper.starts_with("AUTH PLAIN") {
                let encoded = match line.split_whitespace().nth(2) {
                    Some(e) => e.to_string(),
                    None => {
                        write.write_all(b"334 \r\n").await?;
                        let mut l = String::new();
                        lines.read_line(&mut l).await?;
                        l.trim().to_string()
                    }
                };
                let decoded = STANDARD.decode(encoded).unwrap_or_default();
                let parts: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
                let given = match parts.as_slice() {
                    [_, user, pass] => format!(
                        "{}:{}",
                        String::from_utf8_lossy(user),
                        String::from_utf8_lossy(pass)
                    ),
                    _ => String::new(),
                };
                self.check_auth(&given, credentials, &mut auth)
            } else if upper.starts_with("AUTH LOGIN") {
                write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                let mut user = String::new();
                lines.read_line(&mut user).await?;
                write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                let mut pass = String::new();
                lines.read_line(&mut pass).await?;
                let decode = |s: &str| {
                    String::from_utf8_lossy(&STANDARD.decode(s.trim()).unwrap_or_default())
                        .to_string()
                };
                let given = format!("{}:{}", decode(&user), decode(&pass));
                self.check_auth(&given, credentials, &mut auth)
            } else if upper.starts_with("MAIL FROM:") {
                if auth.is_none() {
                    "530 5.7.0 authentication required".into()
                } else {
                    from = address(&line);
                    to.clear();
                    "250 ok".into()
                }
            } else if upper.starts_with("RCPT TO:") {
                to.push(address(&line));
                "250 ok".into()
            } else if upper == "DATA" {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                let delay = *self.delay.lock().unwrap();
                tokio::time::sleep(delay).await;
                let code = self.script.lock().unwrap().pop_front().unwrap_or(250);
                if code == 250 {
                    self.received.lock().unwrap().push(Received {
                        from: from.clone(),
                        to: to.clone(),
                        data,
                        auth: auth.clone(),
                    });
                    "250 2.0.0 queued".into()
                } else if code < 500 {
                    format!("{code} 4.3.0 try again later")
                } else {
                    format!("{code} 5.1.1 mailbox unavailable")
                }
            } else if upper == "RSET" {
                to.clear();
                "250 ok".into()
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                "502 5.5.2 not implemented".into()
            };
            write.write_all(format!("{reply}\r\n").as_bytes()).await?;
        }
    }

    fn check_auth(&self, given: &str, expected: &str, auth: &mut Option<String>) -> String {
        if given == expected {
            *auth = Some(given.to_string());
            "235 2.7.0 authenticated".into()
        } else {
            "535 5.7.8 bad credentials".into()
        }
    }
}

fn address(line: &str) -> String {
    line.split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(a, _)| a.to_string())
        .unwrap_or_default()
}
