//! Notification benchmark (prints figures, asserts nothing): 100,000 notifications with an update each, read through
//! the history's own query (`PgNotifications::list`) with no filter, with filters, and with full-text search — p50
//! and p95 over 40 runs each; then outbox throughput: 10,000 deliveries of those updates to a signed webhook on the
//! local receiver, by two deliverers (as two replicas would) — deliveries/s, and how many arrived twice.
//!
//!   scripts/db start && DATABASE_URL=$(scripts/db url) cargo bench -p server --bench notifications
//!
//! Uses its own database `tenantry_bench_notifications` (recreated each run).

use std::time::{Duration, Instant};

use app::notifications::{NoticeQuery, NotificationsPort};
use server::notifications::outbox::Outbox;
use server::notifications::port::PgNotifications;

mod common;

const NOTIFICATIONS: i32 = 100_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(run());
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn run() {
    let pool = common::fresh_database("tenantry_bench_notifications").await;
    let seeded = Instant::now();
    sqlx::query(
        "INSERT INTO notifications (origin, source, kind, severity, title, body, tenants, regions, first_seen_at,
                                    updated_at, acknowledged_at, acknowledged_by)
         SELECT 'bench:' || n,
                (ARRAY['auth0_status','provider_status','console','console','security_advisory'])[n % 5 + 1],
                (ARRAY['incident','incident','synthetic_login_alert','custom_domain_tls','advisory'])[n % 5 + 1],
                (ARRAY['info','warning','critical'])[n % 3 + 1],
                (ARRAY['Elevated latency','Login failures','Certificate expiring','Delayed SMS','Token endpoint errors'])[n % 5 + 1]
                    || ' #' || n,
                'Details of notice ' || n || ' for ' || (ARRAY['login','email','sms','domain'])[n % 4 + 1],
                ARRAY['tenant-' || (n % 200)], ARRAY[(ARRAY['us','eu','au'])[n % 3 + 1]],
                now() - (n || ' minutes')::interval, now() - (n || ' minutes')::interval,
                CASE WHEN n % 4 = 0 THEN now() END, CASE WHEN n % 4 = 0 THEN 'ops@bench.test' END
         FROM generate_series(1, $1) n",
    )
    .bind(NOTIFICATIONS)
    .execute(&pool)
    .await
    .expect("notifications");
    sqlx::query(
        "INSERT INTO notifications_updates (notification_id, origin, at, kind, severity, text)
         SELECT id, 'bench-update:' || id, updated_at, 'update', severity, title FROM notifications",
    )
    .execute(&pool)
    .await
    .expect("updates");
    sqlx::query("ANALYZE").execute(&pool).await.expect("analyze");
    println!("seeded {NOTIFICATIONS} notifications with an update each in {:.1} s", seeded.elapsed().as_secs_f64());

    let options = server::notifications::NotificationsOptions::new(true, Vec::new(), chrono::TimeDelta::days(730))
        .expect("sender");
    let outbox = |worker: &str| Outbox {
        pool: pool.clone(),
        sender: options.sender.clone(),
        secrets: server::secrets::SecretBox::new([7; 32]),
        public_url: Some("https://tenantry.bench.test".into()),
        worker: worker.into(),
    };
    let port = PgNotifications { pool: pool.clone(), outbox: outbox("console"), allow_private: true };
    let text = |v: &str| Some(v.to_string());
    let cases = [
        ("newest first, no filter", NoticeQuery { page: 1, ..NoticeQuery::default() }),
        ("page 100", NoticeQuery { page: 100, ..NoticeQuery::default() }),
        (
            "open + critical",
            NoticeQuery { state: text("open"), severity: text("critical"), page: 1, ..NoticeQuery::default() },
        ),
        ("one tenant", NoticeQuery { tenant: text("tenant-42"), page: 1, ..NoticeQuery::default() }),
        ("full text \"login failures\"", NoticeQuery { q: text("login failures"), page: 1, ..NoticeQuery::default() }),
        (
            "source + dates + open",
            NoticeQuery {
                source: text("console"),
                state: text("open"),
                from: Some((chrono::Utc::now() - chrono::Duration::days(7)).format("%Y-%m-%d").to_string()),
                page: 1,
                ..NoticeQuery::default()
            },
        ),
    ];
    for (label, query) in cases {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..40 {
            let t0 = Instant::now();
            let list = port.list(query.clone()).await.expect("list");
            times.push(t0.elapsed());
            total = list.total;
        }
        times.sort();
        println!(
            "  {label:<28} {total:>6} matching: p50 {:>6.1} ms, p95 {:>6.1} ms",
            ms(&times, 0.5),
            ms(&times, 0.95)
        );
    }
    deliveries(&pool, outbox).await;
}

const DELIVERIES: i64 = 10_000;

async fn deliveries(pool: &sqlx::PgPool, outbox: impl Fn(&str) -> Outbox) {
    use app::notifications::channels::ChannelForm;
    use server::notifications::channels;
    use server::simulator::receivers::Receiver;
    let secret = "bench signing secret 0123456789";
    let receiver = Receiver::start(Some(secret)).await.expect("receiver");
    let form = ChannelForm {
        name: "bench webhook".into(),
        kind: "webhook".into(),
        url: receiver.url("/hook"),
        signing_secret: secret.into(),
        min_severity: "info".into(),
        ..ChannelForm::default()
    };
    let channel = channels::check(&form, false, &[]).expect("channel form");
    let a = outbox("bench-a");
    let mut conn = pool.acquire().await.expect("conn");
    let id = channels::insert(&mut conn, &a.secrets, &channel).await.expect("channel");
    sqlx::query(
        "INSERT INTO notifications_outbox (channel_id, notification_id, update_id, due_at, created_at)
         SELECT $1, notification_id, id, now(), now() FROM notifications_updates ORDER BY id LIMIT $2",
    )
    .bind(id)
    .bind(DELIVERIES)
    .execute(&mut *conn)
    .await
    .expect("outbox rows");
    drop(conn);
    let b = outbox("bench-b");
    let (cpu0, _) = common::usage();
    let t0 = Instant::now();
    let drain = |o: Outbox| async move {
        let mut sent = 0;
        loop {
            let done = o.deliver_due(chrono::Utc::now(), server::notifications::outbox::BATCH).await.expect("deliver");
            sent += done.sent;
            if done.attempted() == 0 {
                return sent;
            }
        }
    };
    let (sa, sb) = tokio::join!(drain(a), drain(b));
    let took = t0.elapsed().as_secs_f64();
    let (cpu1, rss) = common::usage();
    let received = receiver.received();
    let mut ids: Vec<&str> = received.iter().filter_map(|r| r.delivery.as_deref()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    let bad = received.iter().filter(|r| r.signature_ok != Some(true)).count();
    println!(
        "outbox: {} deliveries by two deliverers ({sa} + {sb}) in {took:.2} s = {:.0} deliveries/s; \
         received {before}, twice {}, bad signatures {bad}; CPU {:.1} s, peak RSS {rss:.0} MiB",
        sa + sb,
        (sa + sb) as f64 / took,
        before - ids.len(),
        cpu1 - cpu0
    );
}
