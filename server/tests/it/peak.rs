//! Peak load against real PostgreSQL: per-minute roll-ups kept at ingest (a duplicate never counts twice, retention
//! takes them with their month), a storm of `api_limit` as one notice with its count, the "login failures spiking"
//! warning and its resolution, and over HTTP the report of a simulator flow with a scripted peak, step 5 of the
//! board turning red, the tenant page's card, the CSV, the user look-up's "blocked by a limit" and bad ranges.

use app::accounts::Role;
use app::ids::TenantId;
use app::tenants::{Environment, Region};
use chrono::{DateTime, DurationRound, TimeDelta, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use server::logs::jobs::RetentionJob;
use server::logs::model::{Event, Source};
use server::logs::parse::{self, Limits};
use server::logs::service;
use server::peak::PeakOptions;
use server::peak::spikes;
use sqlx::PgPool;

use crate::harness::{self, TestApp, text_of};

const DOMAIN: &str = "acme-prod.us.auth0.com";

async fn tenant(pool: &PgPool, name: &str) -> TenantId {
    TenantId(harness::insert_tenant(pool, name, Region::Us, Environment::Production).await)
}

/// Events as Auth0 sends them, read by the logs area's parser.
fn events(lines: &[Value]) -> Vec<Event> {
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (events, rejected) = parse::body(body.join("\n").as_bytes(), Limits::default()).expect("parsed");
    assert!(rejected.is_empty(), "{rejected:?}");
    events
}

fn event(id: String, at: DateTime<Utc>, kind: &str) -> Value {
    serde_json::json!({
        "log_id": id, "date": at.to_rfc3339(), "type": kind, "ip": "203.0.113.9", "client_id": "c1",
        "client_name": "Storefront", "user_id": "auth0|u1", "user_name": "ann@example.com",
        "details": {"limit": {"bucket": "per_ip_per_client_id", "global": true, "size": 300},
                    "request": {"method": "post", "path": "/oauth/token"}}
    })
}

async fn store(pool: &PgPool, t: TenantId, source: Source, events: &[Event]) {
    for batch in events.chunks(100) {
        service::store(pool, t, source, batch, &[], None, Utc::now()).await.expect("stored");
    }
}

/// (minute, events) of the roll-ups, and the same counted from the stored events. The every-tenant sums must be
/// the tenants' counts added up, code by code too.
async fn minutes_both_ways(pool: &PgPool) -> (Vec<(DateTime<Utc>, i64)>, Vec<(DateTime<Utc>, i64)>) {
    let sums: Vec<(DateTime<Utc>, i64, i64)> = sqlx::query_as(
        "SELECT minute, a.login_failed::bigint, (SELECT sum(login_failed) FROM logs_minutes m WHERE m.minute = a.minute)
         FROM logs_minutes_all a WHERE a.total > 0 ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("sums");
    assert!(sums.iter().all(|(_, all, each)| all == each), "{sums:?}");
    let codes: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(sum(events), 0)::bigint FROM logs_minute_codes_all),
                (SELECT COALESCE(sum(events), 0)::bigint FROM logs_minute_codes)",
    )
    .fetch_one(pool)
    .await
    .expect("codes");
    assert_eq!(codes.0, codes.1);
    let all: Result<Vec<(DateTime<Utc>, i64)>, _> =
        sqlx::query_as("SELECT minute, total::bigint FROM logs_minutes_all WHERE total > 0 ORDER BY 1")
            .fetch_all(pool)
            .await;
    let rolled = sqlx::query_as("SELECT minute, sum(total)::bigint FROM logs_minutes GROUP BY 1 ORDER BY 1")
        .fetch_all(pool)
        .await;
    let rolled: Vec<(DateTime<Utc>, i64)> = rolled.expect("roll-ups");
    assert_eq!(all.expect("sums"), rolled, "every minute's sum over tenants");
    let counted = sqlx::query_as("SELECT date_trunc('minute', date), count(*) FROM logs_events GROUP BY 1 ORDER BY 1")
        .fetch_all(pool)
        .await;
    (rolled, counted.expect("events"))
}

#[sqlx::test(migrations = "../migrations")]
async fn roll_ups_count_each_new_event_once_whatever_the_way_in(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("date");
    let flow = events(&server::simulator::logs::flow(DOMAIN, start, 400));
    store(&pool, t, Source::Stream, &flow[..250]).await;
    store(&pool, t, Source::Import, &flow[150..]).await;
    store(&pool, t, Source::Pull, &flow).await;
    let (rolled, counted) = minutes_both_ways(&pool).await;
    assert_eq!(counted.iter().map(|(_, n)| n).sum::<i64>(), 400);
    assert_eq!(rolled, counted, "every minute counts its events once, however often they arrived");
    let limits: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(events)::bigint FROM logs_minute_codes WHERE code = 'api_limit'),
                (SELECT count(*) FROM logs_events WHERE type_code = 'api_limit')",
    )
    .fetch_one(&pool)
    .await
    .expect("limits");
    assert!(limits.0 > 0);
    assert_eq!(limits.0, limits.1, "the api_limit events are counted by code too");
    let logins: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(login_failed)::bigint FROM logs_minutes),
                (SELECT count(*) FROM logs_events WHERE type_code IN ('f', 'fp', 'fu'))",
    )
    .fetch_one(&pool)
    .await
    .expect("logins");
    assert_eq!(logins.0, logins.1, "failed sign-ins are f, fp and fu in this flow");

    // Events stored before roll-ups existed are counted once by the retention job, and only once.
    sqlx::query("DELETE FROM logs_minutes").execute(&pool).await.expect("emptied");
    sqlx::query("DELETE FROM logs_minute_codes").execute(&pool).await.expect("emptied");
    let job = RetentionJob { pool: pool.clone(), default_days: 3650 };
    assert!(job.step(Utc::now()).await.expect("retention").rebuilt > 0);
    assert_eq!(job.step(Utc::now()).await.expect("retention").rebuilt, 0);
    let (rolled, counted) = minutes_both_ways(&pool).await;
    assert_eq!(rolled, counted);
    let limits: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT sum(events)::bigint FROM logs_limit_minutes WHERE what = 'per_ip_per_client_id'
                                                                    AND endpoint = 'POST /oauth/token'),
                (SELECT count(*) FROM logs_events WHERE type_code = 'api_limit')",
    )
    .fetch_one(&pool)
    .await
    .expect("limits");
    assert_eq!(limits.0, limits.1, "the limits by what they fired on are rebuilt too");
}

#[sqlx::test(migrations = "../migrations")]
async fn retention_takes_a_months_roll_ups_with_its_partition(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let november = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).single().expect("date");
    let january = Utc.with_ymd_and_hms(2027, 1, 10, 8, 0, 0).single().expect("date");
    store(&pool, t, Source::Import, &events(&server::simulator::logs::flow(DOMAIN, november, 50))).await;
    store(&pool, t, Source::Import, &events(&server::simulator::logs::flow("other", january, 20))).await;
    // A second tenant keeps its events 2 days: its January events are past that, the first tenant's are not.
    let short = tenant(&pool, "acme-dev").await;
    store(&pool, short, Source::Import, &events(&server::simulator::logs::flow("dev", january, 30))).await;
    server::logs::repo::set_retention(&mut pool.acquire().await.expect("conn"), short, Some(2)).await.expect("set");
    let job = RetentionJob { pool: pool.clone(), default_days: 30 };
    let done = job.step(Utc.with_ymd_and_hms(2027, 1, 20, 0, 0, 0).single().expect("date")).await.expect("retention");
    assert_eq!(done.dropped, ["logs_events_2026_11"]);
    assert_eq!(done.deleted, 30, "acme-dev's January events are past its 2 days");
    let (rolled, counted) = minutes_both_ways(&pool).await;
    assert_eq!(counted.iter().map(|(_, n)| n).sum::<i64>(), 20, "acme-prod's January is kept");
    assert_eq!(rolled, counted, "November's roll-ups went with its partition, acme-dev's with its events");
    // The run measured what each tenant's events take: acme-prod all of the table, acme-dev nothing now.
    let kept: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT t.name, p.kept_events, p.kept_bytes FROM logs_progress p JOIN tenants t ON t.id = p.tenant_id ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("kept");
    assert_eq!((kept[0].0.as_str(), kept[0].1, kept[0].2), ("acme-dev", 0, 0));
    assert_eq!((kept[1].0.as_str(), kept[1].1), ("acme-prod", 20));
    assert!(kept[1].2 > 8192, "acme-prod's share is the whole table: {} bytes", kept[1].2);
    let port = server::logs::port::PgLogs { pool: pool.clone(), retention_days: 30, public_url: None };
    let page = app::logs::LogsPort::search(&port, Default::default()).await.expect("search");
    let prod = page.progress.iter().find(|p| p.tenant_name == "acme-prod").expect("acme-prod");
    assert_eq!(prod.storage.map(|s| s.0), Some(20), "the logs page's Per tenant table shows it");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_storm_of_a_thousand_api_limits_in_ten_minutes_is_one_notice_with_its_count(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let hour = Utc::now().duration_trunc(TimeDelta::hours(1)).expect("hour") - TimeDelta::hours(1);
    let storm: Vec<Value> = (0..1000)
        .map(|i| {
            event(format!("9{i:055}"), hour + TimeDelta::minutes(5) + TimeDelta::milliseconds(i * 600), "api_limit")
        })
        .collect();
    store(&pool, t, Source::Stream, &events(&storm)).await;
    // A redelivery of the same storm counts nothing more.
    store(&pool, t, Source::Stream, &events(&storm[..300])).await;
    let notices: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, title, severity FROM notifications WHERE origin LIKE 'logs:limit:%'")
            .fetch_all(&pool)
            .await
            .expect("notices");
    assert_eq!(notices.len(), 1, "{notices:?}");
    let (id, title, severity) = &notices[0];
    assert!(title.starts_with("acme-prod: rate limit reached (api_limit, 1000 events in the hour"), "{title}");
    assert_eq!(severity, "critical");
    let updates: Vec<String> =
        sqlx::query_scalar("SELECT text FROM notifications_updates WHERE notification_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(&pool)
            .await
            .expect("updates");
    // Batches of 100: the first brings the count to 100, the tenth to 1000 — each power of ten reached is told once.
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(updates[0].contains("100 or more api_limit events"), "{}", updates[0]);
    assert!(updates[1].contains("1000 or more api_limit events"), "{}", updates[1]);
}

#[sqlx::test(migrations = "../migrations")]
async fn login_failures_far_above_the_usual_rate_are_a_warning_that_resolves(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let now = Utc::now().duration_trunc(TimeDelta::minutes(1)).expect("minute");
    // Usually: a failed sign-in every ten minutes over the day before. Lately: 30 a minute for five minutes.
    let mut lines: Vec<Value> =
        (0..144).map(|i| event(format!("8{i:055}"), now - TimeDelta::minutes(10 * i + 10), "fp")).collect();
    lines.extend((0..150).map(|i| event(format!("7{i:055}"), now - TimeDelta::seconds(300 - 2 * i), "fp")));
    store(&pool, t, Source::Stream, &events(&lines)).await;
    let options = PeakOptions::default();
    let first = spikes::watch(&pool, &options, now).await.expect("watched");
    assert_eq!(first.started, [t]);
    assert!(spikes::watch(&pool, &options, now).await.expect("watched").started.is_empty(), "told once");
    let open: (String, String) =
        sqlx::query_as("SELECT title, severity FROM notifications WHERE kind = 'login_failures_spiking'")
            .fetch_one(&pool)
            .await
            .expect("notice");
    assert_eq!(open, ("acme-prod: login failures spiking".to_string(), "warning".to_string()));
    let later = spikes::watch(&pool, &options, now + TimeDelta::minutes(10)).await.expect("watched");
    assert_eq!(later.ended, [t], "the rate fell back");
    let texts: Vec<String> = sqlx::query_scalar("SELECT text FROM notifications_updates ORDER BY at, id")
        .fetch_all(&pool)
        .await
        .expect("updates");
    assert!(texts.last().is_some_and(|t| t.starts_with("Resolved:")), "{texts:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_report_names_the_peak_minute_its_limits_and_client_and_step_five_turns_red(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    // On a whole minute, so the flow's minutes are the same every run.
    let start = (Utc::now() - TimeDelta::minutes(70)).duration_trunc(TimeDelta::minutes(1)).expect("minute");
    let flow = server::simulator::logs::flow(DOMAIN, start, 200);
    store(&pool, t, Source::Stream, &events(&flow)).await;
    let at = |e: &Value| DateTime::parse_from_rfc3339(e["date"].as_str().expect("date")).expect("date").to_utc();
    let limits: Vec<&Value> = flow.iter().filter(|e| e["type"] == "api_limit").collect();
    let clients: Vec<&str> = limits.iter().filter_map(|e| e["client_name"].as_str()).collect();
    // The busiest minute of the flow, counted here, and one with limits in it (the scripted peak).
    let mut per_minute: std::collections::BTreeMap<DateTime<Utc>, usize> = Default::default();
    for e in &flow {
        *per_minute.entry(at(e).duration_trunc(TimeDelta::minutes(1)).expect("minute")).or_default() += 1;
    }
    let most = per_minute.values().max().copied().expect("events");
    let busiest = per_minute.iter().find(|(_, n)| **n == most).map(|(m, _)| *m).expect("busiest");
    assert!(limits.iter().any(|e| at(e) >= busiest && at(e) < busiest + TimeDelta::minutes(1)), "the peak has limits");
    let minute = busiest.format("%Y-%m-%d %H:%M").to_string();
    let limit_at = busiest;

    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let report = helpdesk.page(&format!("/logs/peak?tenant={t}&range=hour")).await;
    assert_eq!(report.status, StatusCode::OK);
    let peaks = report.html.split("data-testid=\"peak-minutes\"").nth(1).expect("the peak minutes");
    let first = peaks.split("data-testid=\"peak-minute\"").nth(1).expect("a peak minute");
    assert!(first.contains(&minute), "the busiest minute is {minute}: {}", text_of(first));
    let fired = text_of(report.html.split("data-testid=\"peak-limits\"").nth(1).expect("the limits"));
    assert!(
        fired.contains("api_limit") && fired.contains("per_ip_per_client_id") && fired.contains("POST /oauth/token"),
        "{fired}"
    );
    assert!(clients.iter().any(|c| fired.contains(c)), "the client behind them: {fired}");
    let ips: Vec<&str> = limits.iter().filter_map(|e| e["ip"].as_str()).collect();
    assert!(!ips.is_empty() && ips.iter().all(|ip| fired.contains(ip)), "the IPs they fired on: {ips:?} in {fired}");
    assert!(report.html.contains("data-testid=\"limit-mark\""), "the chart marks the limits");

    let board = helpdesk.page(&format!("/?tenant={DOMAIN}")).await;
    let step = board.html.split("data-testid=\"step-5\"").nth(1).expect("step 5");
    assert!(step.starts_with(" data-state=\"major_outage\""), "{}", &step[..200.min(step.len())]);
    let step = text_of(&step[..step.find("</li>").unwrap_or(step.len())]);
    assert!(step.contains(" in the last hour (api_limit") && step.contains("rate-limit or block event"), "{step}");

    let csv = helpdesk.get(&format!("/logs/peak/export.csv?tenant={t}&range=hour")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.expect("csv");
    assert_eq!(csv.lines().count(), 61, "a header and every minute of the hour");
    let line =
        csv.lines().find(|l| l.starts_with(&limit_at.format("%Y-%m-%dT%H:%MZ").to_string())).expect("the minute");
    assert_ne!(line.split(',').nth(4), Some("0"), "{line}");

    let developer = app.signed_in(Role::Developer).await;
    let card = developer.page(&format!("/tenants/{t}")).await;
    let card = text_of(card.html.split("data-testid=\"tenant-peak\"").nth(1).expect("the card"));
    assert!(card.contains(&format!("api_limit ×{}", limits.len())), "{card}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_blocked_user_is_told_and_bad_ranges_say_what_to_write(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let at = Utc::now() - TimeDelta::minutes(5);
    store(&pool, t, Source::Stream, &events(&[event("6".repeat(56), at, "limit_wc"), event("5".repeat(56), at, "fp")]))
        .await;
    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    let user = helpdesk.page("/logs/user?user=ann%40example.com").await;
    let told = text_of(user.html.split("data-testid=\"user-blocked\"").nth(1).expect("blocked"));
    assert!(told.contains("Blocked by a limit once: most recently"), "{told}");
    assert!(told.contains("(limit_wc) in acme-prod, from 203.0.113.9"), "{told}");

    let bad = helpdesk.page("/logs/peak?range=year").await;
    assert!(text_of(&bad.html).contains("Range: \"year\" is not one of hour, day, week, 30d or custom"));
    let csv = helpdesk.get("/logs/peak/export.csv?range=custom&from=2026-12-02&to=2026-12-01").await;
    assert_eq!(csv.status(), StatusCode::BAD_REQUEST);
    assert_eq!(csv.text().await.expect("text"), "From must be before To.");
    let unknown = helpdesk.page("/logs/peak?tenant=not-an-id").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
