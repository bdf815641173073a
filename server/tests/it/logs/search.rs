//! Searches with every filter, keyset pages, retention, the pages, exports and the helpdesk look-up.

use super::*;

fn event(id: &str, minute: i64, kind: &str, ip: Option<&str>, user: &str, client: &str) -> Event {
    let date = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("date") + chrono::Duration::minutes(minute);
    Event {
        log_id: id.into(),
        date,
        type_code: kind.into(),
        description: Some(format!("{kind} event {id}")),
        client_id: Some(client.into()),
        client_name: Some(format!("{client} app")),
        user_id: Some(format!("auth0|{user}")),
        user_name: Some(format!("{user}@example.com")),
        ip: ip.map(|ip| ip.parse().expect("ip")),
        connection: Some(if kind == "seccft" { "none" } else { "Username-Password-Authentication" }.into()),
        strategy: None,
        hostname: None,
        user_agent: None,
        payload: serde_json::json!({"log_id": id}),
    }
}

async fn search(port: &PgLogs, query: LogsQuery) -> Vec<String> {
    port.search(query).await.expect("searched").rows.into_iter().map(|r| r.log_id).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_filter_narrows_the_search(pool: PgPool) {
    let (a, b) = (tenant(&pool, "acme-prod").await, tenant(&pool, "acme-dev").await);
    let store = |t, events: Vec<Event>| {
        let pool = pool.clone();
        async move { service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored") }
    };
    store(
        a,
        vec![
            event("a1", 1, "s", Some("203.0.113.5"), "ann", "shop"),
            event("a2", 2, "fp", Some("203.0.113.200"), "bob", "shop"),
            event("a3", 3, "seccft", Some("198.51.100.1"), "svc", "sync"),
            event("a4", 4, "fu", Some("2001:db8::42"), "ann", "mobile"),
            event("a5", 5, "brand_new_code", None, "cid", "shop"),
        ],
    )
    .await;
    store(b, vec![event("b1", 6, "fp", Some("203.0.113.9"), "ann", "shop")]).await;
    let port = PgLogs { pool: pool.clone(), retention_days: 400, public_url: None };
    let q = |f: fn(&mut LogsQuery)| {
        let mut query = LogsQuery::default();
        f(&mut query);
        query
    };
    assert_eq!(search(&port, LogsQuery::default()).await, ["b1", "a5", "a4", "a3", "a2", "a1"], "newest first");
    let only_a = LogsQuery { tenant: Some(a.to_string()), ..Default::default() };
    assert_eq!(search(&port, only_a).await, ["a5", "a4", "a3", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.kind = Some("fp".into()))).await, ["b1", "a2"]);
    assert_eq!(search(&port, q(|q| q.kind = Some("category:login".into()))).await, ["b1", "a4", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.user = Some("auth0|ann".into()))).await, ["b1", "a4", "a1"]);
    assert_eq!(search(&port, q(|q| q.user = Some("bob@example.com".into()))).await, ["a2"]);
    assert_eq!(search(&port, q(|q| q.client = Some("sync".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.client = Some("mobile app".into()))).await, ["a4"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.5".into()))).await, ["a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.0/25".into()))).await, ["b1", "a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("203.0.113.0/24".into()))).await, ["b1", "a2", "a1"]);
    assert_eq!(search(&port, q(|q| q.ip = Some("2001:db8::/32".into()))).await, ["a4"]);
    assert_eq!(search(&port, q(|q| q.connection = Some("none".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.q = Some("SECCFT EVENT".into()))).await, ["a3"]);
    assert_eq!(search(&port, q(|q| q.q = Some("a2".into()))).await, ["a2"]);
    assert_eq!(
        search(&port, q(|q| q.q = Some("100%_".into()))).await,
        Vec::<String>::new(),
        "LIKE characters are literal"
    );
    assert_eq!(
        search(
            &port,
            q(|q| {
                q.from = Some("2026-12-01 00:02".into());
                q.to = Some("2026-12-01 00:04".into())
            })
        )
        .await,
        ["a3", "a2"],
        "from is inclusive, to exclusive, both UTC"
    );
    assert_eq!(
        search(&port, q(|q| q.to = Some("2026-12-01".into()))).await.len(),
        6,
        "a date 'to' is the end of that day"
    );
    let unknown = port.search(q(|q| q.kind = Some("brand_new_code".into()))).await.expect("searched");
    assert_eq!((unknown.rows[0].type_name.as_str(), unknown.rows[0].category.as_str()), ("unknown", "unknown"));
    for bad in [
        q(|q| q.ip = Some("203.0.113".into())),
        q(|q| q.from = Some("yesterday".into())),
        q(|q| q.after = Some("x~y".into())),
    ] {
        let error = port.search(bad.clone()).await.expect_err("refused");
        assert_eq!(error.http_status(), 400, "{bad:?}: {error}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn keyset_pages_neither_overlap_nor_skip(pool: PgPool) {
    let (a, b) = (tenant(&pool, "acme-prod").await, tenant(&pool, "acme-dev").await);
    // Same minutes in both tenants: the order has to break ties by tenant and log id.
    for t in [a, b] {
        let events: Vec<Event> = (0..60).map(|i| event(&format!("e{i:03}"), i / 3, "s", None, "ann", "shop")).collect();
        service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored");
    }
    let port = PgLogs { pool: pool.clone(), retention_days: 400, public_url: None };
    let (mut seen, mut pages, mut after) = (Vec::new(), 0, None);
    loop {
        let page = port.search(LogsQuery { after: after.clone(), ..Default::default() }).await.expect("page");
        pages += 1;
        seen.extend(page.rows.iter().map(|r| (r.date, r.tenant_id, r.log_id.clone())));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3, "50 + 50 + 20");
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(seen, sorted, "newest first, in one order across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 120, "no event twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn retention_drops_whole_months_past_the_longest_retention(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).single().expect("date");
    let mut old = event("old", 0, "s", None, "ann", "shop");
    old.date = Utc.with_ymd_and_hms(2025, 1, 10, 0, 0, 0).single().expect("date");
    let mut kept = event("kept", 0, "s", None, "ann", "shop");
    kept.date = Utc.with_ymd_and_hms(2025, 11, 10, 0, 0, 0).single().expect("date");
    service::store(&pool, t, Source::Import, &[old, kept], &[], None, now).await.expect("stored");
    let job = RetentionJob { pool: pool.clone(), default_days: 400 };
    let done = job.step(now).await.expect("retention");
    assert_eq!(done.dropped, ["logs_events_2025_01"], "{done:?}");
    let left: Vec<String> = sqlx::query_scalar("SELECT log_id FROM logs_events").fetch_all(&pool).await.expect("left");
    assert_eq!(left, ["kept"]);
    let ahead: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('logs_events_2027_03')::text").fetch_one(&pool).await.expect("regclass");
    assert_eq!(ahead.as_deref(), Some("logs_events_2027_03"), "partitions are made three months ahead");
    sqlx::query("UPDATE logs_progress SET retention_days = 30").execute(&pool).await.expect("shorter");
    let done = job.step(now).await.expect("retention");
    assert_eq!((done.dropped.len(), done.deleted), (0, 1), "a tenant's shorter retention deletes its own rows");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_pages_show_events_in_words_without_javascript(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let events = vec![
        event("900a", 1, "fp", Some("203.0.113.5"), "ann", "shop"),
        event("900b", 2, "x_new", None, "bob", "shop"),
    ];
    let bad = vec![server::logs::model::Rejected { item: "{\"log_id\":1}".into(), reason: "missing date".into() }];
    service::store(&pool, t, Source::Stream, &events, &bad, None, Utc::now()).await.expect("stored");
    let app = TestApp::spawn(pool.clone()).await;
    let developer = app.signed_in(Role::Developer).await;
    let page = developer.page("/logs?ip=203.0.113.0%2F24").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = harness::text_of(&page.html);
    assert!(text.contains("Failed Login (Incorrect Password)") && !text.contains("900b"), "{text}");
    assert!(text.contains("Times are UTC"), "the time zone is shown");
    assert!(page.html.contains(&format!("href=\"/logs/{t}/900a\"")), "a link to the event");
    let event = developer.page(&format!("/logs/{t}/900a")).await;
    assert_eq!(event.status, StatusCode::OK);
    assert!(event.html.contains("href=\"/logs?user=auth0%7Cann\""), "the user links to a search");
    assert!(event.html.contains("href=\"/logs?ip=203.0.113.5\""), "the IP links to a search");
    assert!(event.html.contains("href=\"/logs?client=shop\""), "the client links to a search");
    assert!(harness::text_of(&event.html).contains("Failed login due to invalid password"));
    let unknown = developer.page(&format!("/logs/{t}/900b")).await;
    assert!(harness::text_of(&unknown.html).contains("unknown (x_new)"), "unknown codes are shown as unknown");
    assert_eq!(developer.page(&format!("/logs/{t}/nope")).await.status, StatusCode::NOT_FOUND);
    let quarantine = developer.page("/logs/quarantine").await;
    assert!(harness::text_of(&quarantine.html).contains("missing date"));
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    assert_eq!(helpdesk.page("/logs").await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn an_empty_console_says_what_to_do_next(pool: PgPool) {
    tenant(&pool, "acme-prod").await;
    let app = TestApp::spawn(pool).await;
    let page = app.signed_in(Role::Developer).await.page("/logs").await;
    let text = harness::text_of(&page.html);
    assert!(text.contains("No events are stored yet") && text.contains("tenantry logs stream-token TENANT"), "{text}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_search_downloads_as_csv_and_json_lines(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let mut events: Vec<Event> =
        (0..1500).map(|i| event(&format!("x{i:04}"), i, "s", Some("203.0.113.5"), "ann", "shop")).collect();
    events[7].description = Some("=cmd|' /C calc'!A0, \"quoted\"".into());
    events.push(event("other", 3000, "fp", Some("198.51.100.1"), "bob", "shop"));
    service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored");
    let app = TestApp::spawn(pool.clone()).await;
    let developer = app.signed_in(Role::Developer).await;
    let csv = developer.get("/logs/export.csv?ip=203.0.113.0%2F24").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"].to_str().expect("header").contains("auth0-logs.csv"));
    let text = csv.text().await.expect("body");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1501, "a header and 1500 events over two database pages");
    assert!(lines[0].starts_with("date,tenant,log_id,type,event,category"));
    assert!(lines[1].starts_with("2026-12-02T00:59:00.000Z,acme-prod,x1499,s,Success Login,login,"), "{}", lines[1]);
    assert!(text.contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""), "quoted, and no formula");
    let jsonl = developer.get("/logs/export.jsonl?user=bob%40example.com").await.text().await.expect("body");
    assert_eq!(jsonl, "{\"log_id\":\"other\"}\n");
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    assert_eq!(helpdesk.get("/logs/export.csv").await.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_helpdesk_looks_a_user_up_failures_first_in_words(pool: PgPool) {
    let (a, b) = (tenant(&pool, "acme-prod").await, tenant(&pool, "acme-eu").await);
    let store = |t, events: Vec<Event>| {
        let pool = pool.clone();
        async move { service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored") }
    };
    store(a, vec![event("1", 1, "s", None, "ann", "shop"), event("2", 2, "fp", Some("203.0.113.5"), "ann", "shop")])
        .await;
    store(b, vec![event("3", 3, "slo", None, "ann", "shop"), event("4", 4, "s", None, "bob", "shop")]).await;
    let app = TestApp::spawn(pool.clone()).await;
    let helpdesk = app.signed_in(Role::Helpdesk).await;
    // The helpdesk finds the look-up in the navigation: its Logs entry leads there, not to the search.
    let nav = |html: &str| {
        html.split("aria-label=\"Main\"").nth(1).and_then(|n| n.split("</nav>").next()).unwrap_or_default().to_string()
    };
    let entries = nav(&helpdesk.page("/system").await.html);
    assert!(entries.contains("href=\"/logs/user\""), "{entries}");
    assert!(!entries.contains("href=\"/logs\""), "{entries}");
    let developer = nav(&app.signed_in(Role::Developer).await.page("/system").await.html);
    assert!(developer.contains("href=\"/logs\"") && !developer.contains("/logs/user"), "{developer}");
    let page = helpdesk.page("/logs/user?user=ann%40example.com").await;
    assert_eq!(page.status, StatusCode::OK);
    let items: Vec<String> = page
        .html
        .split("data-testid=\"user-event\"")
        .skip(1)
        .map(|part| harness::text_of(part.split("</li>").next().unwrap_or_default()))
        .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(
        items[0].contains("acme-prod — Failed Login (Incorrect Password): fp event 2, from 203.0.113.5, in shop app"),
        "{items:?}"
    );
    assert!(items[1].contains("acme-eu — Success Logout"), "then the rest, newest first: {items:?}");
    assert!(items[2].contains("acme-prod — Success Login"), "{items:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_run_on_across_months_and_a_log_id_finds_its_event(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let now = Utc::now();
    // 40 events this month (or just before it), 40 two months back, 40 in 2020 (the partition-less past).
    let starts = [
        now - chrono::Duration::hours(2),
        now - chrono::Duration::days(62),
        Utc.with_ymd_and_hms(2020, 1, 5, 0, 0, 0).single().expect("date"),
    ];
    let mut events = Vec::new();
    for (n, start) in starts.iter().enumerate() {
        for i in 0..40 {
            let mut e = event(&format!("{:056}", n * 100 + i), 0, "fp", Some("203.0.113.5"), "ann", "shop");
            e.date = *start + chrono::Duration::seconds(i as i64 * 90);
            events.push(e);
        }
    }
    service::store(&pool, t, Source::Import, &events, &[], None, Utc::now()).await.expect("stored");
    let port = PgLogs { pool: pool.clone(), retention_days: 4000, public_url: None };
    let mut seen: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut query = LogsQuery { kind: Some("fp".into()), ..LogsQuery::default() };
    let mut pages = 0;
    loop {
        let page = port.search(query.clone()).await.expect("searched");
        pages += 1;
        seen.extend(page.rows.iter().map(|r| (r.date, r.log_id.clone())));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 120), "50 + 50 + 20 across three months");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeat");
    let id = format!("{:056}", 107);
    let found = search(&port, LogsQuery { q: Some(id.clone()), ..LogsQuery::default() }).await;
    assert_eq!(found, [id], "a log id is looked up exactly");
}

#[sqlx::test(migrations = "../migrations")]
async fn an_admin_sets_how_long_a_tenants_events_are_kept_and_a_bad_number_says_why(pool: PgPool) {
    let t = tenant(&pool, "acme-prod").await;
    let app = TestApp::spawn(pool.clone()).await;
    let admin = app.signed_in(Role::Admin).await;
    let page = admin.page("/logs").await;
    assert!(page.html.contains("data-testid=\"retention-form\""), "admins get the form");
    let days = || async {
        let d: Option<Option<i32>> =
            sqlx::query_scalar("SELECT retention_days FROM logs_progress WHERE tenant_id = $1")
                .bind(t.0)
                .fetch_optional(&pool)
                .await
                .expect("days");
        d.flatten()
    };
    let set = admin.post_form_on("/logs", "/api/logs/retention", &[("tenant", &t.to_string()), ("days", "30")]).await;
    assert_eq!(set.status(), StatusCode::FOUND);
    assert_eq!(days().await, Some(30));
    let audit: String = sqlx::query_scalar("SELECT detail FROM accounts_audit_log WHERE action = 'logs_retention_set'")
        .fetch_one(&pool)
        .await
        .expect("audited");
    assert_eq!(audit, "30 days");

    let bad = admin.post_form_on("/logs", "/api/logs/retention", &[("tenant", &t.to_string()), ("days", "0")]).await;
    let location = bad.headers()["location"].to_str().expect("ascii").to_string();
    let text = harness::text_of(&admin.page(location.trim_start_matches(&app.origin())).await.html);
    assert!(text.contains("Days kept: \"0\" is not a whole number of days from 1 to 3650"), "{text}");
    assert_eq!(days().await, Some(30), "the earlier value stays");
    admin.post_form_on("/logs", "/api/logs/retention", &[("tenant", &t.to_string()), ("days", "")]).await;
    assert_eq!(days().await, None, "empty: the server's default");
    let developer = app.signed_in(Role::Developer).await;
    assert!(!developer.page("/logs").await.html.contains("retention-form"), "only admins see it");
}
