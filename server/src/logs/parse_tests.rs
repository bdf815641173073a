use super::*;

const SECCFT: &str = include_str!("../../fixtures/auth0/go-auth0_logs_single_GET_seccft.json");
const PAGE: &str = include_str!("../../fixtures/auth0/go-auth0_logs_GET_checkpoint_from_take2.json");

fn ids(body: &str) -> (Vec<String>, Vec<String>) {
    let (events, bad) = super::body(body.as_bytes(), Limits::default()).expect("within limits");
    (events.into_iter().map(|e| e.log_id).collect(), bad.into_iter().map(|r| r.reason).collect())
}

fn raw(id: &str) -> String {
    format!(r#"{{"log_id":"{id}","date":"2026-12-01T10:00:00.000Z","type":"s","ip":"203.0.113.9"}}"#)
}

#[test]
fn every_shape_gives_the_same_events() {
    let (a, b) = (raw("1"), raw("2"));
    let expected = (vec!["1".to_string(), "2".to_string()], Vec::<String>::new());
    assert_eq!(ids(&format!("{a}\n{b}\n")), expected, "JSON Lines");
    assert_eq!(ids(&format!("[{a}, {b}]")), expected, "array");
    assert_eq!(ids(&format!(" [\n {a},\n {b}\n]\n")), expected, "pretty array");
    let wrapped = format!(r#"{{"log_id":"1","data":{a}}}"#);
    assert_eq!(ids(&format!("{wrapped}\n{{\"log_id\":\"2\",\"data\":{b}}}")), expected, "envelopes");
    assert_eq!(ids(&a).0, vec!["1"], "single object");
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&a).expect("test input")).expect("test input");
    assert_eq!(ids(&pretty).0, vec!["1"], "pretty single object");
    assert_eq!(ids(PAGE).0.len(), 2, "GET /api/v2/logs answer");
    assert_eq!(ids(SECCFT).0.len(), 1, "GET /api/v2/logs/{{id}} answer");
}

#[test]
fn a_bad_item_is_rejected_with_a_reason_and_the_others_kept() {
    let body = format!("{}\n{{\"log_id\":\"x\",\"type\":\"s\"}}\nnot json at all\n{}\n", raw("1"), raw("2"));
    let (events, bad) = super::body(body.as_bytes(), Limits::default()).expect("test input");
    assert_eq!(events.iter().map(|e| e.log_id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].reason, "missing date");
    assert_eq!(bad[0].item, r#"{"log_id":"x","type":"s"}"#, "kept verbatim");
    assert!(bad[1].reason.starts_with("not JSON"), "{}", bad[1].reason);
    assert!(bad.iter().all(|r| !r.reason.contains('\n')));
}

#[test]
fn limits_hold() {
    let limits = Limits { max_item_bytes: 100, max_items: 3 };
    let big =
        format!(r#"{{"log_id":"1","date":"2026-12-01T10:00:00Z","type":"s","description":"{}"}}"#, "x".repeat(200));
    let (events, bad) = super::body(format!("[{big},{}]", raw("2")).as_bytes(), limits).expect("test input");
    assert_eq!((events.len(), bad.len()), (1, 1));
    assert_eq!(bad[0].reason, "the item is longer than 100 bytes");
    assert_eq!(bad[0].item.len(), 100, "cut at the limit");
    let many: String = (0..4).map(|i| raw(&i.to_string()) + "\n").collect();
    assert!(super::body(many.as_bytes(), limits).is_err());
    let (_, bad) = super::body(format!("[{}", raw("1")).as_bytes(), limits).expect("test input");
    assert_eq!(bad.last().map(|r| r.reason.as_str()), Some("the array is not closed"));
}

#[test]
fn odd_values_are_refused_in_words() {
    let reasons = |item: &str| event(item.as_bytes()).map(|_| String::new()).unwrap_or_else(|r| r.reason);
    assert_eq!(reasons("[1]"), "not a JSON object");
    assert_eq!(
        reasons(r#"{"log_id":"1","date":"yesterday","type":"s"}"#),
        r#"date "yesterday" is not an RFC 3339 time"#
    );
    assert_eq!(reasons(r#"{"log_id":"1","date":"2026-12-01T10:00:00Z"}"#), "missing type");
    assert_eq!(
        reasons(r#"{"log_id":"a b","date":"2026-12-01T10:00:00Z","type":"s"}"#),
        r#"log_id "a b" is not an Auth0 log id"#
    );
    assert_eq!(
        reasons(&format!(r#"{{"log_id":"9","data":{}}}"#, raw("1"))),
        r#"the envelope's log_id "9" differs from the event's "1""#
    );
    let unknown =
        event(r#"{"log_id":"1","date":"2026-12-01T10:00:00Z","type":"brand_new"}"#.as_bytes()).expect("test input");
    assert_eq!(unknown.type_code, "brand_new", "unknown codes are kept");
    assert_eq!(unknown.ip, None);
}

#[test]
fn a_damaged_first_line_does_not_swallow_the_lines_after_it() {
    let body = format!("{{\"log_id\":\"0\",\"date\":\"2026-12-01T1\n{}\n{}\n", raw("1"), raw("2"));
    let (ids, reasons) = ids(&body);
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].starts_with("not JSON"), "{reasons:?}");
    let pretty =
        format!("{{\n  \"log_id\": \"1\",\n  \"date\": \"2026-12-01T10:00:00Z\",\n  \"type\": \"s\"\n}}\n{}", raw("2"));
    assert_eq!(super::body(pretty.as_bytes(), Limits::default()).expect("read").0.len(), 2, "pretty, then a line");
}
