//! Delivery: an incident followed through its lifecycle on the simulator is delivered once per update to every
//! matching channel — by two deliverers at once, through a receiver that fails three times — with a signed body;
//! Slack, Teams and email (real SMTP with STARTTLS and AUTH) get their formats; filters hold; a channel failing for
//! a day is unhealthy and on the board; retention prunes.

use app::notifications::channels::ChannelForm;
use chrono::{DateTime, Duration, Utc};
use server::notifications::channels;
use server::notifications::outbox::Outbox;
use server::secrets::SecretBox;
use server::simulator::receivers::{Receiver, SmtpLab};
use server::simulator::{LIFECYCLE, SimStatusPage, Simulator};
use server::status::jobs::StatusPollJob;
use sqlx::PgPool;
use uuid::Uuid;

use crate::notifications::collect;

const SECRET: &str = "a signing secret of 32 characters";

fn outbox(pool: &PgPool, worker: &str, roots: Vec<Vec<u8>>) -> Outbox {
    server::init_crypto();
    let options =
        server::notifications::NotificationsOptions::new(true, roots, chrono::TimeDelta::days(730)).expect("sender");
    Outbox {
        pool: pool.clone(),
        sender: options.sender,
        secrets: SecretBox::new([3; 32]),
        public_url: Some("https://tenantry.example.test".into()),
        worker: worker.into(),
    }
}

fn form(name: &str, kind: &str, url: &str) -> ChannelForm {
    ChannelForm {
        name: name.into(),
        kind: kind.into(),
        url: url.into(),
        signing_secret: SECRET.into(),
        min_severity: "info".into(),
        smtp_security: "starttls".into(),
        ..ChannelForm::default()
    }
}

async fn add_channel(pool: &PgPool, o: &Outbox, form: &ChannelForm) -> app::ids::ChannelId {
    let known: Vec<String> = sqlx::query_scalar("SELECT name FROM tenants").fetch_all(pool).await.expect("names");
    let checked = channels::check(form, false, &known).expect("a valid channel");
    channels::insert(&mut pool.acquire().await.expect("conn"), &o.secrets, &checked).await.expect("insert")
}

/// A Statuspage source on the simulator whose incident `tw-1` (impact major) is advanced one phase per call.
async fn twilio(pool: &PgPool, sim: &Simulator) -> Uuid {
    sim.set_status_page("twilio", SimStatusPage { name: "Twilio".into(), ..SimStatusPage::default() });
    crate::harness::statuspage_source(pool, sim, "twilio", "Twilio", "sms").await
}

/// Runs both deliverers at `now` until neither finds anything due.
async fn drain(a: &Outbox, b: &Outbox, now: DateTime<Utc>) {
    loop {
        let (x, y) = tokio::join!(a.deliver_due(now, 2), b.deliver_due(now, 2));
        if x.expect("a").attempted() + y.expect("b").attempted() == 0 {
            break;
        }
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn every_update_reaches_each_matching_channel_once_despite_failures_and_two_deliverers(pool: PgPool) {
    let sim = Simulator::start(0).await.expect("simulator");
    let source = twilio(&pool, &sim).await;
    let receiver = Receiver::start(Some(SECRET)).await.expect("receiver");
    let (a, b) = (outbox(&pool, "replica-a", Vec::new()), outbox(&pool, "replica-b", Vec::new()));
    add_channel(&pool, &a, &form("ops hook", "webhook", &receiver.url("/hook"))).await;
    add_channel(&pool, &a, &form("slack", "slack", &receiver.url("/slack/services/T/B/x"))).await;
    // Filtered out: only Auth0's status, and only critical.
    let auth0_only =
        ChannelForm { sources: vec!["auth0_status".into()], ..form("auth0", "webhook", &receiver.url("/other")) };
    add_channel(&pool, &a, &auth0_only).await;

    server::init_crypto();
    let job = StatusPollJob::new(pool.clone(), true).expect("poller");
    let t0 = Utc::now() - Duration::hours(2);
    receiver.fail_next(3, 503);
    for n in 0..LIFECYCLE.len() {
        let at = t0 + Duration::minutes(10 * n as i64);
        sim.advance_incident("twilio", "tw-1", at);
        job.poll(source, at).await.expect("poll");
        collect(&pool, at, 3).await.expect("collect");
        drain(&a, &b, at).await;
    }
    // The three failures wait out their backoff (30 s, 60 s, 120 s after each attempt); later they go through.
    for minutes in [1, 3, 6, 15] {
        drain(&a, &b, t0 + Duration::minutes(40 + minutes)).await;
    }
    let received = receiver.received();
    assert_eq!(receiver.attempts(), 10 + 3, "two channels × five updates, and the three refused attempts");
    let hook: Vec<_> = received.iter().filter(|r| r.path == "/hook").collect();
    let slack: Vec<_> = received.iter().filter(|r| r.path.starts_with("/slack")).collect();
    assert_eq!((hook.len(), slack.len()), (5, 5), "one delivery per update per matching channel");
    assert!(received.iter().all(|r| r.path != "/other"), "the Auth0-only channel gets no Twilio incident");
    assert!(
        hook.iter().all(|r| r.signature_ok == Some(true)),
        "every webhook body is signed with the channel's secret"
    );
    let mut ids: Vec<&str> = hook.iter().filter_map(|r| r.delivery.as_deref()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each delivery id once: nothing sent twice");
    let phases: Vec<String> = hook
        .iter()
        .map(|r| {
            let body: serde_json::Value = serde_json::from_str(&r.body).expect("JSON body");
            assert_eq!(body["notification"]["title"], "Twilio: Incident tw-1");
            body["update"]["text"].as_str().unwrap_or_default().split(':').next().unwrap_or_default().to_string()
        })
        .collect();
    let mut sorted = phases.clone();
    sorted.sort();
    let mut expected: Vec<String> = LIFECYCLE.iter().map(|p| p.to_string()).collect();
    expected.sort();
    assert_eq!(sorted, expected, "every phase delivered: {phases:?}");
    let (notifications, pending, failed_attempts): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM notifications),
                (SELECT count(*) FROM notifications_outbox WHERE state <> 'delivered'),
                (SELECT count(*) FROM notifications_deliveries WHERE NOT ok)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(
        (notifications, pending, failed_attempts),
        (1, 0, 3),
        "one notification, nothing left, three failures logged"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn slack_teams_and_email_get_their_own_formats(pool: PgPool) {
    use server::simulator::dns_tls::LabCa;
    let receiver = Receiver::start(None).await.expect("receiver");
    let ca = LabCa::new("test CA").expect("ca");
    let now = Utc::now();
    let cert = ca.issue(&["127.0.0.1"], now - Duration::days(1), now + Duration::days(30)).expect("cert");
    server::init_crypto();
    let smtp = SmtpLab::start(Some(cert), Some(("tenantry", "mail password"))).await.expect("smtp");
    let o = outbox(&pool, "w", vec![ca.der.to_vec()]);
    let slack = add_channel(&pool, &o, &form("slack", "slack", &receiver.url("/slack/services/T/B/x"))).await;
    let teams = add_channel(&pool, &o, &form("teams", "teams", &receiver.url("/teams/workflow"))).await;
    let email = ChannelForm {
        smtp_host: "127.0.0.1".into(),
        smtp_port: smtp.addr.port().to_string(),
        smtp_username: "tenantry".into(),
        smtp_password: "mail password".into(),
        mail_from: "Tenantry <tenantry@example.test>".into(),
        mail_to: "ops@example.test".into(),
        ..form("mail", "email", "")
    };
    let email = add_channel(&pool, &o, &email).await;
    for channel in [slack, teams, email] {
        let result = o.send_test(channel, now).await.expect("logged");
        assert!(result.is_ok(), "{channel}: {result:?}");
    }
    let received = receiver.received();
    let slack_body: serde_json::Value = serde_json::from_str(&received[0].body).expect("json");
    assert!(slack_body["text"].as_str().expect("text").contains("Test message for the channel slack"));
    let teams_body: serde_json::Value = serde_json::from_str(&received[1].body).expect("json");
    assert_eq!(teams_body["attachments"][0]["content"]["type"], "AdaptiveCard");
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.tls, "STARTTLS before the message");
    assert_eq!(mail.user.as_deref(), Some("tenantry"));
    assert_eq!((mail.from.as_str(), mail.to.clone()), ("tenantry@example.test", vec!["ops@example.test".to_string()]));
    assert!(mail.data.contains("Subject: [Tenantry info] Test message for the channel mail"), "{}", mail.data);
    assert!(
        mail.data.contains("Content-Type: text/plain") && mail.data.contains("Content-Type: text/html"),
        "{}",
        mail.data
    );

    // A refused message and wrong credentials say what happened.
    smtp.refuse_next(1);
    let refused = o.send_test(email, now).await.expect("logged").expect_err("refused");
    assert!(refused.message.contains("451") || refused.status == Some(451), "{refused:?}");
    assert!(refused.message.contains("try again later"), "{}", refused.message);
    let wrong = ChannelForm {
        name: "wrong password".into(),
        smtp_host: "127.0.0.1".into(),
        smtp_port: smtp.addr.port().to_string(),
        smtp_username: "tenantry".into(),
        smtp_password: "not it".into(),
        mail_from: "tenantry@example.test".into(),
        mail_to: "ops@example.test".into(),
        ..form("", "email", "")
    };
    let wrong = add_channel(&pool, &o, &wrong).await;
    let denied = o.send_test(wrong, now).await.expect("logged").expect_err("bad credentials");
    assert!(denied.message.contains("credentials"), "{}", denied.message);
    assert_eq!(smtp.mails().len(), 1, "nothing more was accepted");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_channel_failing_for_a_day_is_unhealthy_and_on_the_board(pool: PgPool) {
    use server::notifications::record::{Incoming, apply};
    let o = outbox(&pool, "w", Vec::new());
    // Nothing listens on port 9.
    let channel = add_channel(&pool, &o, &form("dead hook", "webhook", "http://127.0.0.1:9/hook/SECRET-TOKEN")).await;
    let t0 = Utc::now() - Duration::hours(30);
    let incoming = Incoming {
        origin: "test:1".into(),
        source: "console",
        kind: "monitoring_alert".into(),
        severity: "critical",
        title: "Login on acme-prod is failing".into(),
        body: String::new(),
        link: Some("/monitoring".into()),
        tenants: vec!["acme-prod".into()],
        regions: vec!["us".into()],
        at: t0,
        update_origin: "test:1:1".into(),
        text: "alert opened".into(),
    };
    apply(&mut pool.acquire().await.expect("conn"), &incoming, t0).await.expect("apply");
    let done = o.deliver_due(t0, 10).await.expect("deliver");
    assert_eq!((done.sent, done.failed), (0, 1));
    let error: String = sqlx::query_scalar("SELECT last_error FROM notifications_channels WHERE id = $1")
        .bind(channel)
        .fetch_one(&pool)
        .await
        .expect("error");
    assert!(error.starts_with("unreachable: ") && error.contains("refused"), "{error}");
    assert!(!error.contains("SECRET-TOKEN"), "webhook URLs carry tokens; errors never show them: {error}");
    use app::status::Health;
    let board = |at| server::notifications::tile::channels_tile(&pool, at);
    let early = board(t0 + Duration::hours(23)).await.expect("board").expect("a tile");
    assert_eq!(
        (early.health, early.items[0].1),
        (Some(Health::Degraded), Health::Degraded),
        "failing, not yet unhealthy"
    );
    let late = board(t0 + Duration::hours(25)).await.expect("board").expect("a tile");
    assert_eq!(late.health, Some(Health::MajorOutage));
    assert!(late.items[0].0.starts_with("dead hook: failing since"), "{:?}", late.items);
    assert!(late.summary.contains("1 of 1 delivery channels have failed for a day"), "{}", late.summary);

    // Given up after three days; pruned a week after that; the notification goes after the retention period.
    let gave_up = o.deliver_due(t0 + Duration::days(3) + Duration::minutes(1), 10).await.expect("deliver");
    assert_eq!(gave_up.expired, 1);
    use server::notifications::history::jobs::prune;
    let later = t0 + Duration::days(11);
    let pruned = prune(&pool, chrono::TimeDelta::days(730), later).await.expect("prune");
    assert_eq!((pruned.notifications, pruned.outbox), (0, 1));
    let log: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications_deliveries").fetch_one(&pool).await.expect("log");
    assert_eq!(log, 1, "the delivery log keeps the attempt");
    let gone = prune(&pool, chrono::TimeDelta::days(10), later).await.expect("prune");
    assert_eq!(gone.notifications, 1, "older than the retention period");
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications_deliveries").fetch_one(&pool).await.expect("log");
    assert_eq!(left, 0, "its deliveries went with it");
}
