//! The notification path end to end on SQLite and PostgreSQL: notices written with the change
//! that causes them, fanned out by audience and preferences, delivered by the worker through
//! each real adapter to a local stand-in that speaks the provider's protocol.

use std::sync::Arc;

use chrono::{Duration, Timelike, Utc};

use crate::common::push_service::PushService;
use crate::common::sms_ru::{REFUSED_NUMBER, SmsRu};
use crate::common::smtp::SmtpServer;
use crate::common::{Backend, TestApp, demo_store, error_of, path, register_store, text};
use app::clock;
use app::clock::today;
use app::db::Store;
use app::news::rules::AudienceChoice;
use app::news::store::announcement_source;
use app::news::types::{NewAnnouncement, NewsDraft};
use app::notify::rules::QuietHours;
use app::notify::types::{Channel, NoticeKind};
use reqwest::StatusCode;
use server::demo::logins;
use server::integrations::email::EmailSender;
use server::integrations::push::{PushSender, Vapid};
use server::integrations::sms::SmsSender;
use server::worker::{Senders, Worker};

const PUBLIC_URL: &str = "http://klyuch.test";

pub(crate) async fn user_id(store: &Store, login: &str) -> i64 {
    store
        .credentials(login)
        .await
        .unwrap()
        .expect("demo user")
        .id
}

async fn house(store: &Store, address_part: &str) -> i64 {
    store
        .houses()
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.address.contains(address_part))
        .expect("demo house")
        .id
}

pub(crate) async fn senders(
    store: &Store,
    smtp: Option<&SmtpServer>,
    sms: Option<&SmsRu>,
) -> Senders {
    let email = EmailSender::new(
        store.clone(),
        smtp.map(|s| s.url("mailer", "secret")).as_deref(),
        "Ключ <noreply@klyuch.test>",
        PUBLIC_URL,
    )
    .expect("email sender");
    let sms = match sms {
        Some(fake) => SmsSender::SmsRu {
            http: reqwest::Client::new(),
            base_url: fake.base_url.clone(),
            api_id: fake.api_id.clone(),
            from: Some("KLYUCH".into()),
        },
        None => SmsSender::DevMailbox(store.clone()),
    };
    let vapid = Vapid::load_or_create(store, "mailto:admin@klyuch.test".into())
        .await
        .expect("vapid keys");
    Senders {
        email,
        sms,
        push: PushSender {
            vapid,
            http: reqwest::Client::new(),
        },
        acquiring: server::integrations::acquiring::from_settings(
            &server::config::Settings::from_lookup(|_| None).expect("settings"),
            "http://127.0.0.1:9",
        ),
        storage: server::integrations::storage::Storage::local(
            std::env::temp_dir().join("klyuch-notify-files"),
        ),
    }
}

/// The whole demo (for the bills of its posted month) with its own announcements delivered and
/// their traces cleared, so the test sees only what it sends.
pub(crate) async fn quiet_demo(backend: Backend) -> Option<(crate::common::TestDb, Store)> {
    let (db, store) = demo_store(backend).await?;
    let worker = Worker::new(
        store.clone(),
        senders(&store, None, None).await,
        "demo".into(),
    );
    drain(&[worker]).await;
    for table in [
        "dev_mailbox",
        "delivery_attempts",
        "deliveries",
        "notifications",
        "jobs",
    ] {
        app::with_db!(&store.db, |pool| sqlx::query(&format!(
            "DELETE FROM {table}"
        ))
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }
    Some((db, store))
}

/// Runs the workers (concurrently) until none finds a due job.
pub(crate) async fn drain(workers: &[Arc<Worker>]) {
    loop {
        let runs = workers.iter().map(|w| tokio::spawn(w.clone().tick()));
        let mut ran = 0;
        for run in runs {
            ran += run.await.expect("worker tick");
        }
        if ran == 0 {
            break;
        }
    }
}

/// Makes every waiting job due now (instead of waiting out the backoff in a test).
async fn make_due(store: &Store) {
    app::with_db!(&store.db, |pool| sqlx::query(
        "UPDATE jobs SET run_at = $1 WHERE status = 'queued'"
    )
    .bind(Utc::now() - Duration::seconds(1))
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

async fn set_phone(store: &Store, user: i64, phone: &str) {
    app::with_db!(&store.db, |pool| sqlx::query(
        "UPDATE users SET phone = $1 WHERE id = $2"
    )
    .bind(phone)
    .bind(user)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

/// (status, attempts, last detail) of the deliveries caused by `source` on `channel`.
async fn deliveries(store: &Store, source: &str, channel: Channel) -> Vec<(String, i64, String)> {
    app::with_db!(&store.db, |pool| sqlx::query_as(
        "SELECT d.status, d.attempts,
                COALESCE((SELECT detail FROM delivery_attempts a WHERE a.delivery_id = d.id
                          ORDER BY a.id DESC LIMIT 1), '')
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE n.source = $1 AND d.channel = $2 ORDER BY d.id"
    )
    .bind(source)
    .bind(channel.as_str())
    .fetch_all(pool)
    .await)
    .unwrap()
}

async fn announce(
    store: &Store,
    choice: AudienceChoice,
    title: &str,
    critical: bool,
) -> (i64, String) {
    let actor = user_id(store, logins::DISPATCHER).await;
    let id = store
        .create_announcement(
            actor,
            choice,
            &NewAnnouncement {
                title: title.into(),
                body: "Горячей воды не будет с 10:00 до 14:00.".into(),
                critical,
                expires_at: Utc::now() + Duration::hours(6),
            },
        )
        .await
        .expect("announcement");
    (id, announcement_source(id))
}

both_backends!(
    email_goes_through_a_real_smtp_server,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let smtp = SmtpServer::start("mailer", "secret").await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, Some(&smtp), None).await,
            "w1".into(),
        );
        let house1 = house(&store, "Серебряная, д. 1").await;
        let (_, source) = announce(
            &store,
            AudienceChoice::House(house1),
            "Отключение воды",
            false,
        )
        .await;
        drain(&[worker]).await;

        let mut messages = smtp.messages();
        messages.sort_by(|a, b| a.to.cmp(&b.to));
        let recipients: Vec<_> = messages.iter().map(|m| m.to.clone()).collect();
        assert_eq!(
            recipients,
            vec![
                vec![logins::NEIGHBOUR.to_string()],
                vec![logins::RESIDENT.to_string()]
            ]
        );
        let mail = &messages[0];
        assert_eq!(mail.from, "noreply@klyuch.test");
        assert_eq!(mail.auth.as_deref(), Some("mailer:secret"));
        let parsed = mail_parser::MessageParser::default()
            .parse(mail.data.as_bytes())
            .expect("a MIME message");
        assert_eq!(parsed.subject(), Some("Отключение воды"));
        let body = parsed.body_text(0).expect("a text body");
        assert!(
            body.contains("Горячей воды не будет с 10:00 до 14:00."),
            "{body}"
        );
        assert!(
            body.contains("Подробнее: http://klyuch.test/cabinet/news"),
            "{body}"
        );

        let report = store.delivery_report(&source).await.unwrap();
        assert_eq!((report.recipients, report.read), (2, 0));
        let email = report
            .channels
            .iter()
            .find(|(c, _)| *c == Channel::Email)
            .unwrap()
            .1;
        assert_eq!((email.sent, email.queued, email.failed), (2, 0, 0));
        // the in-app copy: the bell of each recipient
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let header = store
            .header_notices(zhitel, Utc::now(), today())
            .await
            .unwrap();
        assert_eq!(header.unread, 1);
        assert!(
            header.banners.is_empty(),
            "a normal announcement is not a banner"
        );
        assert_eq!(store.pending_jobs().await.unwrap(), 0);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    failed_sends_are_retried_with_backoff_and_refusals_are_final,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let smtp = SmtpServer::start("mailer", "secret").await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, Some(&smtp), None).await,
            "w1".into(),
        );
        let house2 = house(&store, "Серебряная, д. 3").await;

        smtp.script.lock().unwrap().push_back(451);
        let (_, source) = announce(&store, AudienceChoice::House(house2), "Первое", false).await;
        drain(std::slice::from_ref(&worker)).await;
        let first = deliveries(&store, &source, Channel::Email).await;
        assert_eq!(first.len(), 1, "only zhitel lives in house 2 with a login");
        assert_eq!((first[0].0.as_str(), first[0].1), ("queued", 1));
        assert!(first[0].2.contains("451"), "{first:?}");
        assert_eq!(smtp.messages().len(), 0);
        drain(std::slice::from_ref(&worker)).await;
        assert_eq!(smtp.messages().len(), 0, "the retry waits for its backoff");

        make_due(&store).await;
        drain(std::slice::from_ref(&worker)).await;
        let retried = deliveries(&store, &source, Channel::Email).await;
        assert_eq!((retried[0].0.as_str(), retried[0].1), ("sent", 2));
        assert_eq!(smtp.messages().len(), 1);

        smtp.script.lock().unwrap().push_back(550);
        let (_, refused) = announce(&store, AudienceChoice::House(house2), "Второе", false).await;
        drain(std::slice::from_ref(&worker)).await;
        make_due(&store).await;
        drain(&[worker]).await;
        let last = deliveries(&store, &refused, Channel::Email).await;
        assert_eq!(
            (last[0].0.as_str(), last[0].1),
            ("failed", 1),
            "550 is not retried"
        );
        assert_eq!(smtp.messages().len(), 1);
        assert_eq!(store.pending_jobs().await.unwrap(), 0);
        // finished jobs are purged after a while; the deliveries they made stay for the reports
        let purged = store
            .purge_finished_jobs(Utc::now() + Duration::seconds(1))
            .await
            .unwrap();
        assert!(purged >= 4, "two fan-outs and two deliveries: {purged}");
        assert_eq!(deliveries(&store, &source, Channel::Email).await.len(), 1);
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    sms_goes_through_the_sms_ru_protocol,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let fake = SmsRu::start("test-api-id").await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, Some(&fake)).await,
            "w1".into(),
        );
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let sosed = user_id(&store, logins::NEIGHBOUR).await;
        set_phone(&store, zhitel, "+79160000012").await;
        set_phone(&store, sosed, &format!("+{REFUSED_NUMBER}")).await;
        fake.unavailable
            .lock()
            .unwrap()
            .insert("79160000012".into(), 1);

        let house1 = house(&store, "Серебряная, д. 1").await;
        let (_, source) = announce(
            &store,
            AudienceChoice::House(house1),
            "Авария на вводе",
            true,
        )
        .await;
        drain(std::slice::from_ref(&worker)).await;
        let mut sms = deliveries(&store, &source, Channel::Sms).await;
        sms.sort();
        assert_eq!(sms.len(), 2);
        assert_eq!((sms[0].0.as_str(), sms[0].1), ("failed", 1));
        assert!(sms[0].2.contains("207"), "{sms:?}");
        assert_eq!((sms[1].0.as_str(), sms[1].1), ("queued", 1));
        assert!(sms[1].2.contains("220"), "{sms:?}");

        make_due(&store).await;
        drain(&[worker]).await;
        let sent = fake.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to, "79160000012");
        assert_eq!(sent[0].from.as_deref(), Some("KLYUCH"));
        assert_eq!(
            sent[0].msg,
            "Срочно: Авария на вводе. Горячей воды не будет с 10:00 до 14:00."
        );
        let after: Vec<_> = deliveries(&store, &source, Channel::Sms).await;
        let ok = after.iter().find(|d| d.0 == "sent").expect("a sent sms");
        assert!(ok.2.starts_with("000000-"), "the SMS.ru id is kept: {ok:?}");
        assert!(fake.malformed.lock().unwrap().is_empty());
        store.db.close().await;
        db.drop().await;
    }
);

#[tokio::test]
async fn sms_ru_errors_are_classified_as_documented() {
    use app::notify::store::{Outgoing, SendOutcome};
    let fake = SmsRu::start("right-key").await;
    let message = |to: &str| Outgoing {
        delivery_id: 1,
        channel: Channel::Sms,
        address: to.into(),
        title: "Т".into(),
        body: "текст".into(),
        link: None,
        critical: false,
        source: None,
        push_keys: None,
        already_sent: false,
    };
    let sender = |api_id: &str| SmsSender::SmsRu {
        http: reqwest::Client::new(),
        base_url: fake.base_url.clone(),
        api_id: api_id.into(),
        from: None,
    };
    assert!(matches!(
        sender("wrong-key").send(&message("+79160000001")).await,
        SendOutcome::Retry(d) if d.contains("200")
    ));
    assert!(matches!(
        sender("right-key").send(&message(&format!("+{REFUSED_NUMBER}"))).await,
        SendOutcome::Failed(d) if d.contains("207")
    ));
    assert!(matches!(
        sender("right-key").send(&message("+7 916 000-00-01")).await,
        SendOutcome::Sent(id) if id.starts_with("000000-")
    ));
    let unreachable = SmsSender::SmsRu {
        http: reqwest::Client::new(),
        base_url: "http://127.0.0.1:9".into(),
        api_id: "k".into(),
        from: None,
    };
    assert!(matches!(
        unreachable.send(&message("+79160000001")).await,
        SendOutcome::Retry(_)
    ));
}

both_backends!(
    web_push_is_signed_and_encrypted_for_the_push_service,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let service = PushService::start().await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let phone = service.subscribe("phone");
        let old = service.subscribe("old-laptop");
        service.gone.lock().unwrap().insert("old-laptop".into());
        for s in [&phone, &old] {
            store
                .save_push_subscription(zhitel, &s.endpoint, &s.p256dh, &s.auth)
                .await
                .unwrap();
        }
        let house2 = house(&store, "Серебряная, д. 3").await;
        let (_, source) = announce(
            &store,
            AudienceChoice::House(house2),
            "Лифт на ремонте",
            false,
        )
        .await;
        drain(&[worker]).await;

        assert!(
            service.refused.lock().unwrap().is_empty(),
            "{:?}",
            service.refused.lock().unwrap()
        );
        let received = service.received.lock().unwrap().clone();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].0, "phone");
        assert_eq!(received[0].1["title"], "Лифт на ремонте");
        assert_eq!(
            received[0].1["body"],
            "Горячей воды не будет с 10:00 до 14:00."
        );
        assert_eq!(received[0].1["url"], "/cabinet/news");
        let mut push = deliveries(&store, &source, Channel::Push).await;
        push.sort();
        assert_eq!(
            push.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(),
            ["failed", "sent"]
        );
        assert_eq!(
            store.push_subscription_count(zhitel).await.unwrap(),
            1,
            "the 410 subscription is removed"
        );
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    two_workers_never_deliver_one_message_twice,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let smtp = SmtpServer::start("mailer", "secret").await;
        // two instances: their own pools on one database, their own worker ids
        let other = db.store().await;
        let w1 = Worker::new(
            store.clone(),
            senders(&store, Some(&smtp), None).await,
            "instance-a".into(),
        );
        let w2 = Worker::new(
            other.clone(),
            senders(&other, Some(&smtp), None).await,
            "instance-b".into(),
        );
        let house2 = house(&store, "Серебряная, д. 3").await;
        const COUNT: usize = 40;
        for i in 0..COUNT {
            announce(
                &store,
                AudienceChoice::House(house2),
                &format!("Сообщение {i:02}"),
                false,
            )
            .await;
        }
        let (only_a, only_b) = ([w1.clone()], [w2.clone()]);
        tokio::join!(drain(&only_a), drain(&only_b));
        drain(&[w1, w2]).await;

        let mut subjects: Vec<String> = smtp
            .messages()
            .iter()
            .map(|m| {
                mail_parser::MessageParser::default()
                    .parse(m.data.as_bytes())
                    .and_then(|p| p.subject().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect();
        subjects.sort();
        let expected: Vec<String> = (0..COUNT).map(|i| format!("Сообщение {i:02}")).collect();
        assert_eq!(subjects, expected, "each message exactly once");
        let workers: Vec<(String, i64)> = app::with_db!(&store.db, |pool| sqlx::query_as(
            "SELECT worker, COUNT(*) FROM delivery_attempts GROUP BY worker ORDER BY worker"
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        assert_eq!(
            workers.iter().map(|w| w.1).sum::<i64>(),
            COUNT as i64,
            "{workers:?}"
        );
        other.db.close().await;
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_job_longer_than_its_lease_is_not_taken_over_while_its_worker_lives,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let smtp = SmtpServer::start("mailer", "secret").await;
        let other = db.store().await;
        let lease = Duration::milliseconds(600);
        let slow = Worker::with_lease(
            store.clone(),
            senders(&store, Some(&smtp), None).await,
            "instance-a".into(),
            lease,
        );
        let watcher = Worker::with_lease(
            other.clone(),
            senders(&other, Some(&smtp), None).await,
            "instance-b".into(),
            lease,
        );
        drain(std::slice::from_ref(&slow)).await; // nothing else is waiting
        let zhitel = user_id(&store, logins::RESIDENT).await;
        store
            .change_password(zhitel, "-", "no-session")
            .await
            .unwrap();
        // the fan-out: the e-mail's delivery job is queued
        assert_eq!(slow.clone().tick().await, 1);
        // the relay answers after 2 s; the lease is 0.6 s and renewed every 0.2 s
        *smtp.delay.lock().unwrap() = std::time::Duration::from_millis(2000);
        let before = smtp.messages().len();
        let sending = tokio::spawn(slow.clone().tick());
        // while the slow send goes on, the other instance keeps looking for work past the lease
        let mut taken = 0;
        for _ in 0..12 {
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            taken += watcher.clone().tick().await;
        }
        // the e-mail (and the SMS to the dev mailbox: zhitel has a phone)
        assert!(sending.await.unwrap() >= 1);
        drain(&[slow, watcher]).await;
        assert_eq!(taken, 0, "the running job was taken over");
        assert_eq!(smtp.messages().len(), before + 1, "the e-mail went once");
        let attempts: i64 = app::with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
             JOIN notifications n ON n.id = d.notification_id
             WHERE n.kind = 'password_changed' AND d.channel = 'email'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(attempts, 1);
        other.db.close().await;
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    preferences_and_quiet_hours_choose_channels_but_not_for_critical,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let zhitel = user_id(&store, logins::RESIDENT).await;
        set_phone(&store, zhitel, "+79160000012").await;
        store
            .save_push_subscription(zhitel, "https://push.example/x", "k", "a")
            .await
            .unwrap();
        // e-mail off, SMS on for announcements; quiet hours around now
        let now = clock::local(Utc::now());
        let minute = now.hour() * 60 + now.minute();
        let quiet = QuietHours {
            from: (minute + 1440 - 60) % 1440,
            to: (minute + 60) % 1440,
        };
        store
            .save_preferences(
                zhitel,
                &[
                    (NoticeKind::Announcement, Channel::Sms),
                    (NoticeKind::Announcement, Channel::Push),
                ],
                Some(quiet),
            )
            .await
            .unwrap();
        let prefs = store.preferences(zhitel).await.unwrap();
        let announcement = &prefs.kinds[0];
        assert_eq!(announcement.kind, NoticeKind::Announcement);
        assert_eq!(
            announcement.channels,
            vec![
                (Channel::Email, false),
                (Channel::Sms, true),
                (Channel::Push, true)
            ]
        );
        assert!(prefs.kinds[1].mandatory);

        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        let house2 = house(&store, "Серебряная, д. 3").await;
        let (_, normal) = announce(&store, AudienceChoice::House(house2), "Плановое", false).await;
        let (_, critical) = announce(&store, AudienceChoice::House(house2), "Авария", true).await;
        // only the fan-out runs now; the deliveries wait for the quiet hours to end
        let fanout_only = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w0".into(),
        );
        fanout_only.clone().tick().await;
        let report = store.delivery_report(&normal).await.unwrap();
        let count = |c: Channel| report.channels.iter().find(|(x, _)| *x == c).unwrap().1;
        assert_eq!(
            count(Channel::Email).queued + count(Channel::Email).sent,
            0,
            "e-mail is off"
        );
        assert_eq!(count(Channel::Sms).queued, 1);
        assert_eq!(count(Channel::Push).queued, 1);

        drain(&[worker]).await;
        let report = store.delivery_report(&normal).await.unwrap();
        let count = |c: Channel| report.channels.iter().find(|(x, _)| *x == c).unwrap().1;
        assert_eq!(count(Channel::Sms).sent, 0, "held by the quiet hours");
        assert_eq!(count(Channel::Sms).queued, 1);
        let critical = store.delivery_report(&critical).await.unwrap();
        for (channel, n) in critical.channels {
            assert_eq!(
                n.sent + n.failed,
                1,
                "critical goes on {channel:?} at once, whatever the settings"
            );
        }
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    audiences_reach_only_their_houses_and_entrances,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let sosed = user_id(&store, logins::NEIGHBOUR).await;
        let newcomer = user_id(&store, logins::NEWCOMER).await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        let house1 = house(&store, "Серебряная, д. 1").await;
        let house2 = house(&store, "Серебряная, д. 3").await;
        let options = store.audience_options().await.unwrap();
        let entrance = |label: &str| {
            let value = &options
                .iter()
                .find(|o| o.label == label)
                .expect(label)
                .value;
            value
                .strip_prefix("entrance:")
                .unwrap()
                .parse::<i64>()
                .unwrap()
        };
        announce(&store, AudienceChoice::House(house2), "Дом 3: вода", true).await;
        announce(
            &store,
            AudienceChoice::Entrance(entrance("г. Москва, ул. Серебряная, д. 1, подъезд 2")),
            "Подъезд 2",
            false,
        )
        .await;
        announce(
            &store,
            AudienceChoice::Entrance(entrance("г. Москва, ул. Серебряная, д. 1, подъезд 1")),
            "Подъезд 1",
            false,
        )
        .await;
        announce(&store, AudienceChoice::All, "Всем", false).await;
        drain(&[worker]).await;

        let titles = |user: i64| {
            let store = store.clone();
            async move {
                let mut t: Vec<String> = store
                    .notifications(user, 50)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|n| n.title)
                    .collect();
                t.sort();
                t
            }
        };
        assert_eq!(
            titles(zhitel).await,
            ["Всем", "Подъезд 1", "Срочно: Дом 3: вода"]
        );
        assert_eq!(
            titles(sosed).await,
            ["Всем", "Подъезд 1"],
            "house 1 does not get house 3's"
        );
        assert!(
            titles(newcomer).await.is_empty(),
            "a pending link receives nothing"
        );
        // the critical banner follows the same audience
        let banners = |user: i64| {
            let store = store.clone();
            async move {
                store
                    .header_notices(user, Utc::now(), today())
                    .await
                    .unwrap()
                    .banners
            }
        };
        assert_eq!(banners(zhitel).await.len(), 1);
        assert!(banners(sosed).await.is_empty());

        // a residency that begins next month is not in force yet: its people are not reached
        let next_month = today() + Duration::days(30);
        app::with_db!(&store.db, |pool| sqlx::query(
            "UPDATE residencies SET moved_in = $1 \
             WHERE person_id IN (SELECT id FROM people WHERE user_id = $2)"
        )
        .bind(next_month)
        .bind(sosed)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        announce(
            &store,
            AudienceChoice::Entrance(entrance("г. Москва, ул. Серебряная, д. 1, подъезд 1")),
            "Подъезд 1: лифт",
            false,
        )
        .await;
        drain(&[Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w2".into(),
        )])
        .await;
        assert!(
            titles(zhitel)
                .await
                .contains(&"Подъезд 1: лифт".to_string())
        );
        assert!(
            !titles(sosed).await.contains(&"Подъезд 1: лифт".to_string()),
            "a residency not yet begun receives nothing"
        );

        // news: targeted, scheduled, pinned
        let actor = user_id(&store, logins::DISPATCHER).await;
        let draft = |title: &str, pinned: bool, at: chrono::DateTime<Utc>| NewsDraft {
            title: title.into(),
            body: "Текст".into(),
            pinned,
            publish_at: at,
        };
        let hour_ago = Utc::now() - Duration::hours(1);
        let for_house2 = store
            .save_news(
                actor,
                None,
                AudienceChoice::House(house2),
                &draft("Двор дома 3", false, hour_ago),
            )
            .await
            .unwrap();
        store
            .save_news(
                actor,
                None,
                AudienceChoice::House(house1),
                &draft("Закреплено в доме 1", true, hour_ago - Duration::days(30)),
            )
            .await
            .unwrap();
        store
            .save_news(
                actor,
                None,
                AudienceChoice::All,
                &draft("Завтра", false, Utc::now() + Duration::days(1)),
            )
            .await
            .unwrap();
        let feed = |user: i64| {
            let store = store.clone();
            async move {
                store
                    .news_feed(user, Utc::now(), today())
                    .await
                    .unwrap()
                    .news
                    .into_iter()
                    .map(|n| n.title)
                    .collect::<Vec<_>>()
            }
        };
        let zhitel_feed = feed(zhitel).await;
        let at = |title: &str| zhitel_feed.iter().position(|t| t == title);
        assert!(
            at("Закреплено в доме 1") < at("Двор дома 3"),
            "pinned first: {zhitel_feed:?}"
        );
        assert!(at("Двор дома 3").is_some());
        assert!(
            !zhitel_feed.contains(&"Завтра".to_string()),
            "scheduled news waits"
        );
        assert!(!feed(sosed).await.contains(&"Двор дома 3".to_string()));
        assert!(matches!(
            store
                .news_item(sosed, for_house2, Utc::now(), today())
                .await,
            Err(app::error::AppError::NotFound)
        ));
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    security_messages_and_edited_templates,
    |backend: Backend| async move {
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let zhitel = user_id(&store, logins::RESIDENT).await;
        let actor = user_id(&store, logins::DISPATCHER).await;
        // switching every channel off does not silence security messages
        store.save_preferences(zhitel, &[], None).await.unwrap();
        store.change_password(zhitel, "hash", "keep").await.unwrap();
        store
            .save_template(
                actor,
                NoticeKind::Announcement,
                Some(("Объявление: {title}", "{text}\nПравление")),
            )
            .await
            .unwrap();
        let house2 = house(&store, "Серебряная, д. 3").await;
        let (_, source) = announce(&store, AudienceChoice::House(house2), "Субботник", false).await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        drain(&[worker]).await;

        let list = store.notifications(zhitel, 10).await.unwrap();
        let titles: Vec<_> = list.iter().map(|n| n.title.as_str()).collect();
        assert!(titles.contains(&"Пароль изменён"), "{titles:?}");
        assert!(titles.contains(&"Объявление: Субботник"), "{titles:?}");
        let mut mailbox: Vec<(String, String, String)> = store
            .dev_mailbox(10)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.channel, m.recipient, m.subject))
            .collect();
        mailbox.sort();
        // every channel off, yet the security message goes by e-mail and SMS (the demo phone);
        // the announcement does not
        assert_eq!(
            mailbox,
            [
                (
                    "E-mail".to_string(),
                    logins::RESIDENT.to_string(),
                    "Пароль изменён".to_string()
                ),
                ("SMS".to_string(), "+79161234512".to_string(), String::new()),
            ]
        );
        assert!(deliveries(&store, &source, Channel::Email).await.is_empty());

        // reading: one, then all; only one's own
        let sosed = user_id(&store, logins::NEIGHBOUR).await;
        store.mark_read(sosed, Some(list[0].id)).await.unwrap();
        assert_eq!(
            store
                .header_notices(zhitel, Utc::now(), today())
                .await
                .unwrap()
                .unread,
            2
        );
        store.mark_read(zhitel, Some(list[0].id)).await.unwrap();
        assert_eq!(
            store
                .header_notices(zhitel, Utc::now(), today())
                .await
                .unwrap()
                .unread,
            1
        );
        store.mark_read(zhitel, None).await.unwrap();
        assert_eq!(
            store
                .header_notices(zhitel, Utc::now(), today())
                .await
                .unwrap()
                .unread,
            0
        );
        let report = store.delivery_report(&source).await.unwrap();
        assert_eq!((report.recipients, report.read), (1, 1));
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_big_audience_is_fanned_out_in_batches_each_resident_once,
    |backend: Backend| async move {
        use app::auth::types::Role;
        use app::housing::store::{ApartmentLoad, HouseLoad, RegisterLoad, ResidentLoad, UserLoad};
        use app::housing::types::{LinkStatus, Relation};
        use app::notify::store::FANOUT_BATCH;
        let Some((db, store)) = register_store(backend).await else {
            return;
        };
        let people = FANOUT_BATCH as usize + 123;
        let since = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let residents = (0..people)
            .map(|i| ResidentLoad {
                full_name: format!("Житель Большого {i}"),
                phone: None,
                email: None,
                relation: Relation::Family,
                share: None,
                moved_in: since,
                moved_out: None,
                status: LinkStatus::Active,
                user: Some(UserLoad {
                    full_name: format!("Житель Большого {i}"),
                    email: Some(format!("big{i}@klyuch.test")),
                    phone: None,
                    password_hash: "x".into(),
                    role: Role::Resident,
                }),
            })
            .collect();
        store
            .load_register(&RegisterLoad {
                houses: vec![HouseLoad {
                    address: "г. Москва, ул. Большая, д. 1".into(),
                    entrances: 0,
                    apartments: vec![ApartmentLoad {
                        number: "1".into(),
                        entrance: None,
                        floor: None,
                        area_centi_m2: 10_000,
                        account_number: "55000001".into(),
                        opened_on: since,
                        residents,
                    }],
                }],
                staff: vec![],
            })
            .await
            .unwrap();
        let big = house(&store, "Большая").await;
        let (_, source) = announce(
            &store,
            AudienceChoice::House(big),
            "Всем в большом доме",
            false,
        )
        .await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        drain(&[worker]).await;

        let report = store.delivery_report(&source).await.unwrap();
        assert_eq!(report.recipients, people as i64);
        let email = report
            .channels
            .iter()
            .find(|(c, _)| *c == Channel::Email)
            .unwrap()
            .1;
        assert_eq!(email.sent, people as i64);
        let (distinct, claims): (i64, i64) = app::with_db!(&store.db, |pool| sqlx::query_as(
            "SELECT (SELECT COUNT(DISTINCT user_id) FROM notifications WHERE source = $1),
                (SELECT attempts FROM jobs WHERE kind = 'notify.fanout'
                 AND payload LIKE '%Всем в большом доме%')"
        )
        .bind(&source)
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(distinct, people as i64, "each resident exactly once");
        assert_eq!(claims, 2, "two batches of at most {FANOUT_BATCH}");
        store.db.close().await;
        db.drop().await;
    }
);

both_backends!(
    a_house_s_bills_are_made_as_a_job_and_e_mailed_with_the_pdf,
    |backend: Backend| async move {
        use app::billing::types::{BatchStatus, Period};
        use mail_parser::MimeHeaders;
        let Some((_db, store)) = quiet_demo(backend).await else {
            return;
        };
        let smtp = SmtpServer::start("mailer", "secret").await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, Some(&smtp), None).await,
            "w1".into(),
        );
        let house1 = house(&store, "Серебряная, д. 1").await;
        let accountant = user_id(&store, logins::ACCOUNTANT).await;
        let period: String = app::with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT MAX(period) FROM accrual_runs WHERE house_id = $1 AND status = 'posted'"
        )
        .bind(house1)
        .fetch_one(pool)
        .await)
        .unwrap();
        let period = Period::parse(&period).unwrap();
        // both backends' cases run at once in this process: a folder each
        let dir =
            std::env::temp_dir().join(format!("klyuch_bills_{}_{backend:?}", std::process::id()));
        let dir_text = dir.display().to_string();

        // only a posted period has bills
        let refused = store
            .start_bill_batch(accountant, house1, period.plus(1), true, &dir_text)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("не проведён"), "{refused}");

        let batch = store
            .start_bill_batch(accountant, house1, period, true, &dir_text)
            .await
            .unwrap();
        // a second batch of the same house waits for the first
        assert!(
            store
                .start_bill_batch(accountant, house1, period, false, &dir_text)
                .await
                .is_err()
        );
        drain(std::slice::from_ref(&worker)).await;
        let view = store
            .bill_batches(house1)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.id == batch)
            .unwrap();
        assert_eq!(view.status, BatchStatus::Done, "{:?}", view.error);
        assert_eq!(view.done, view.total);
        let accounts: i64 = app::with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT l.account_id) FROM ledger l JOIN accounts c ON c.id = l.account_id
             JOIN apartments a ON a.id = c.apartment_id WHERE a.house_id = $1 AND l.period = $2"
        )
        .bind(house1)
        .bind(period.to_string())
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(view.total, accounts);
        assert!(view.notified > 0 && view.ready);

        // the ZIP holds one PDF per account
        let (path, _) = store.bill_batch_file(batch).await.unwrap();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert_eq!(zip.len() as i64, accounts);
        let mut first = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_index(0).unwrap(), &mut first).unwrap();
        assert!(first.starts_with(b"%PDF-"));

        // zhitel's e-mail carries zhitel's bill as a PDF attachment, and only that one
        let zhitel_account: String = app::with_db!(&store.db, |pool| sqlx::query_scalar(
            "SELECT c.number FROM accounts c JOIN apartments a ON a.id = c.apartment_id
             WHERE a.house_id = $1 AND a.number = '12'"
        )
        .bind(house1)
        .fetch_one(pool)
        .await)
        .unwrap();
        let mails: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.to == vec![logins::RESIDENT.to_string()])
            .collect();
        assert_eq!(mails.len(), 1);
        let parsed = mail_parser::MessageParser::default()
            .parse(mails[0].data.as_bytes())
            .expect("a MIME message");
        assert_eq!(
            parsed.subject(),
            Some(format!("Квитанция за {}", period.label()).as_str())
        );
        assert!(parsed.body_text(0).unwrap().contains(&zhitel_account));
        let attachment = parsed.attachment(0).expect("the bill attached");
        assert_eq!(
            attachment.attachment_name(),
            Some(format!("epd-{zhitel_account}-{period}.pdf").as_str())
        );
        assert!(attachment.contents().starts_with(b"%PDF-"));
        // every message went to someone who lives in the flat whose bill it attaches
        for mail in smtp.messages() {
            let parsed = mail_parser::MessageParser::default()
                .parse(mail.data.as_bytes())
                .unwrap();
            let name = parsed
                .attachment(0)
                .unwrap()
                .attachment_name()
                .unwrap()
                .to_string();
            let lives_there: i64 = app::with_db!(&store.db, |pool| sqlx::query_scalar(
                "SELECT COUNT(*) FROM users u JOIN people p ON p.user_id = u.id
                 JOIN residencies r ON r.person_id = p.id
                 JOIN accounts c ON c.apartment_id = r.apartment_id
                 WHERE u.email = $1 AND $2 LIKE 'epd-' || c.number || '-%'"
            )
            .bind(&mail.to[0])
            .bind(&name)
            .fetch_one(pool)
            .await)
            .unwrap();
            assert!(lives_there > 0, "{} got {name}", mail.to[0]);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
);

both_backends!(
    a_job_this_version_cannot_read_fails_with_its_reason,
    |backend: Backend| async move {
        let Some(db) = crate::common::TestDb::new(backend).await else {
            return;
        };
        let store = db.store().await;
        let worker = Worker::new(
            store.clone(),
            senders(&store, None, None).await,
            "w1".into(),
        );
        // a kind a newer release wrote, and a known kind whose payload lacks its field
        for (kind, payload) in [
            ("passes.expire", r#"{"pass_id":1}"#),
            ("billing.accrual", "{}"),
        ] {
            app::with_db!(&store.db, |pool| sqlx::query(
                "INSERT INTO jobs (kind, payload, run_at, status, created_at)
                 VALUES ($1, $2, $3, 'queued', $3)"
            )
            .bind(kind)
            .bind(payload)
            .bind(Utc::now() - Duration::seconds(1))
            .execute(pool)
            .await
            .map(|_| ()))
            .unwrap();
        }
        drain(&[worker]).await;
        let ended: Vec<(String, String, Option<String>)> = app::with_db!(&store.db, |pool| {
            sqlx::query_as("SELECT kind, status, last_error FROM jobs ORDER BY kind")
                .fetch_all(pool)
                .await
        })
        .unwrap();
        assert_eq!(ended.len(), 2, "{ended:?}");
        for (kind, status, error) in &ended {
            assert_eq!(status, "failed", "{kind}: {ended:?}");
            let error = error.as_deref().unwrap_or_default();
            assert!(error.starts_with("unreadable job"), "{kind}: {error}");
        }
        assert!(
            ended[0].2.as_deref().unwrap().contains("run_id"),
            "{ended:?}"
        );
        assert!(
            ended[1].2.as_deref().unwrap().contains("passes.expire"),
            "{ended:?}"
        );
        store.db.close().await;
        db.drop().await;
    }
);

// HTTP: the real server on a random port, driven like a browser would drive it.

both_backends!(
    announcements_news_and_notifications_respect_roles_and_audiences,
    |backend: Backend| async move {
        use app::news::api::*;
        use app::news::types::AudienceOption;
        use app::notify::api::*;
        use app::notify::types::{HeaderNotices, MailboxItem, NotificationItem};
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let sosed = app.signed_in(logins::NEIGHBOUR).await;
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let accountant = app.signed_in(logins::ACCOUNTANT).await;
        let chair = app.signed_in(logins::CHAIR).await;

        let options: Vec<AudienceOption> = app
            .call(&dispatcher, path::<AudienceOptions>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let house3 = options
            .iter()
            .find(|o| o.label == "г. Москва, ул. Серебряная, д. 3")
            .unwrap()
            .value
            .clone();
        let until = app::clock::local_input(chrono::Utc::now() + chrono::Duration::hours(5));
        let mut form = [
            ("title", "Прорыв трубы"),
            ("body", "Стояк ХВС перекрыт до 18:00."),
            ("audience", house3.as_str()),
            ("critical", "on"),
            ("expires_at", ""),
        ];
        for (who, client) in [("resident", &zhitel), ("accountant", &accountant)] {
            let refused = app.call(client, path::<PostAnnouncement>(), &form).await;
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
        }
        // the dispatcher chooses when it ends: never a silent default
        let refused = app
            .call(&dispatcher, path::<PostAnnouncement>(), &form)
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains("до какого времени"));
        form[4].1 = until.as_str();
        let posted = app
            .call(&dispatcher, path::<PostAnnouncement>(), &form)
            .await;
        assert_eq!(posted.status(), StatusCode::OK);

        // the banner is in the page as the server renders it, only for the audience
        let page = |client: &reqwest::Client| {
            let request = client.get(format!("{}/cabinet", app.base));
            async move { text(&request.send().await.unwrap().text().await.unwrap()) }
        };
        assert!(page(&zhitel).await.contains("Прорыв трубы"));
        assert!(!page(&sosed).await.contains("Прорыв трубы"));

        // a second critical one: the newest is shown in full, the other folds into one line
        let second = [
            ("title", "Отключение света"),
            ("body", "Подъезд 1, с 10:00 до 12:00."),
            ("audience", house3.as_str()),
            ("critical", "on"),
            ("expires_at", until.as_str()),
        ];
        let posted = app
            .call(&dispatcher, path::<PostAnnouncement>(), &second)
            .await;
        assert_eq!(posted.status(), StatusCode::OK);
        let header: HeaderNotices = app
            .call(&zhitel, path::<LoadHeaderNotices>(), &[])
            .await
            .json()
            .await
            .unwrap();
        let titles: Vec<&str> = header.banners.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, ["Отключение света", "Прорыв трубы"]);
        let shown = page(&zhitel).await;
        assert!(shown.contains("Ещё 1 важное объявление"), "{shown}");
        // zhitel collapses the newest one he has read; the neighbour cannot touch it
        let newest = &header.banners[0];
        let id = newest.id.to_string();
        let collapse = [("id", id.as_str()), ("version", newest.version.as_str())];
        let refused = app.call(&sosed, path::<CollapseBanner>(), &collapse).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let stale = [("id", id.as_str()), ("version", "0000000000000000")];
        let refused = app.call(&zhitel, path::<CollapseBanner>(), &stale).await;
        assert_eq!(
            refused.status(),
            StatusCode::NOT_FOUND,
            "a changed banner is not collapsed"
        );
        let collapsed = app.call(&zhitel, path::<CollapseBanner>(), &collapse).await;
        assert_eq!(collapsed.status(), StatusCode::OK);
        let shown = page(&zhitel).await;
        assert!(!shown.contains("Отключение света") && shown.contains("Прорыв трубы"));
        assert!(
            !shown.contains("важное объявление"),
            "one banner left: no fold line"
        );

        // the worker of the running server fans it out to the bell
        let mut mine: Vec<NotificationItem> = Vec::new();
        for _ in 0..100 {
            mine = app
                .call(&zhitel, path::<MyNotifications>(), &[])
                .await
                .json()
                .await
                .unwrap();
            if mine.iter().any(|n| n.title == "Срочно: Прорыв трубы") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let burst = mine
            .iter()
            .find(|n| n.title == "Срочно: Прорыв трубы")
            .expect("the critical notice reached the resident");
        assert!(burst.critical && !burst.is_read);
        let theirs: Vec<NotificationItem> = app
            .call(&sosed, path::<MyNotifications>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(theirs.iter().all(|n| n.title != "Срочно: Прорыв трубы"));
        // a neighbour cannot mark someone else's notification read
        let id = burst.id.to_string();
        app.call(&sosed, path::<MarkNotificationsRead>(), &[("id", &id)])
            .await;
        let again: Vec<NotificationItem> = app
            .call(&zhitel, path::<MyNotifications>(), &[])
            .await
            .json()
            .await
            .unwrap();
        assert!(!again.iter().find(|n| n.id == burst.id).unwrap().is_read);

        // the dev mailbox shows the e-mail to the council only
        let refused = app.call(&dispatcher, path::<LoadDevMailbox>(), &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let mut mailbox: Vec<MailboxItem> = Vec::new();
        for _ in 0..100 {
            mailbox = app
                .call(&chair, path::<LoadDevMailbox>(), &[])
                .await
                .json()
                .await
                .unwrap();
            if mailbox
                .iter()
                .any(|m| m.channel == "SMS" && m.body.starts_with("Срочно: Прорыв трубы."))
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            mailbox
                .iter()
                .any(|m| m.subject == "Срочно: Прорыв трубы" && m.recipient == logins::RESIDENT),
            "{mailbox:?}"
        );
        assert!(
            mailbox
                .iter()
                .any(|m| m.channel == "SMS" && m.body.starts_with("Срочно: Прорыв трубы.")),
            "critical goes by SMS to a resident with a phone"
        );

        // templates: staff only, and placeholders are checked
        let resident_templates = app.call(&zhitel, path::<LoadTemplates>(), &[]).await;
        assert_eq!(resident_templates.status(), StatusCode::FORBIDDEN);
        let (status, error) = error_of(
            app.call(
                &dispatcher,
                path::<SaveTemplate>(),
                &[
                    ("kind", "announcement"),
                    ("title", "{title}"),
                    ("body", "{adres}"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error
                .to_string()
                .contains("неизвестная подстановка {adres}"),
            "{error}"
        );

        // news for house 3 is invisible to a resident of house 1, even by id
        let news_id: i64 = app
            .call(
                &dispatcher,
                path::<SaveNews>(),
                &[
                    ("title", "Парковка у дома 3"),
                    ("body", "Разметка обновлена."),
                    ("audience", house3.as_str()),
                    ("publish_at", ""),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        let id = news_id.to_string();
        let hidden = app
            .call(&sosed, path::<LoadNewsItem>(), &[("id", &id)])
            .await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        let shown = app
            .call(&zhitel, path::<LoadNewsItem>(), &[("id", &id)])
            .await;
        assert_eq!(shown.status(), StatusCode::OK);

        // a push subscription must look like one
        let (status, _) = error_of(
            app.call(
                &zhitel,
                path::<PushSubscribe>(),
                &[
                    ("endpoint", "http://evil.example/x"),
                    ("p256dh", "x"),
                    ("auth", "y"),
                ],
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
);

both_backends!(
    news_pictures_are_checked_cleaned_and_served,
    |backend: Backend| async move {
        use app::news::api::SaveNews;
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let dispatcher = app.signed_in(logins::DISPATCHER).await;
        let zhitel = app.signed_in(logins::RESIDENT).await;
        let news_id: i64 = app
            .call(
                &dispatcher,
                path::<SaveNews>(),
                &[
                    ("title", "Новая площадка"),
                    ("body", "Смотрите фото."),
                    ("audience", "all"),
                    ("publish_at", ""),
                ],
            )
            .await
            .json()
            .await
            .unwrap();
        let mut png = Vec::new();
        image::RgbImage::from_pixel(64, 48, image::Rgb([0, 128, 96]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let upload = |client: &reqwest::Client, bytes: Vec<u8>, name: &'static str| {
            let form = reqwest::multipart::Form::new()
                .text("news_id", news_id.to_string())
                .part(
                    "image",
                    reqwest::multipart::Part::bytes(bytes).file_name(name),
                );
            client
                .post(format!("{}/staff/news/image", app.base))
                .multipart(form)
                .send()
        };
        let refused = upload(&zhitel, png.clone(), "a.png").await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let fake = upload(&dispatcher, b"<svg onload=alert(1)>".to_vec(), "a.png")
            .await
            .unwrap();
        assert_eq!(fake.headers()["location"], "/staff/news?upload=not_image");
        let ok = upload(&dispatcher, png, "photo.png").await.unwrap();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        assert_eq!(ok.headers()["location"], "/staff/news?upload=ok");

        let item: app::news::types::NewsItem = app
            .call(
                &zhitel,
                path::<app::news::api::LoadNewsItem>(),
                &[("id", &news_id.to_string())],
            )
            .await
            .json()
            .await
            .unwrap();
        let src = item.image.expect("the picture is on the news item");
        assert!(
            src.starts_with("/files/news/") && src.ends_with(".jpg"),
            "{src}"
        );
        let picture = zhitel
            .get(format!("{}{src}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(picture.status(), StatusCode::OK);
        assert_eq!(picture.headers()["content-type"], "image/jpeg");
        let bytes = picture.bytes().await.unwrap();
        assert_eq!(&bytes[..3], b"\xFF\xD8\xFF");

        // deleting the news removes the file
        let deleted = app
            .call(
                &dispatcher,
                path::<app::news::api::DeleteNews>(),
                &[("id", &news_id.to_string())],
            )
            .await;
        assert_eq!(deleted.status(), StatusCode::OK);
        let gone = zhitel
            .get(format!("{}{src}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }
);
