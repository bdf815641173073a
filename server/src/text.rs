//! Text from outside: the error every reader of an outside body returns, and the helpers that turn markup and
//! driver messages into one readable line; and one CSV field for the exports. Imports no area.

/// The largest body read from a source or feed.
pub const MAX_BODY: usize = 5 * 1024 * 1024;

/// Appends one CSV field: quoted when it holds a separator, and a leading `=`, `+`, `-` or `@` neutralised so a
/// spreadsheet does not run it as a formula.
pub fn csv_field(out: &mut String, value: &str) {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

/// At most the first `max` characters of `text` (outside text can be any length).
pub fn cut(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(end, _)| &text[..end])
}

/// `cut`, with an ellipsis when something was cut off.
pub fn cut_marked(text: &str, max: usize) -> String {
    let kept = cut(text, max);
    if kept.len() < text.len() { format!("{kept}…") } else { kept.to_string() }
}

/// The longest line `one_line` gives.
pub const MAX_LINE: usize = 400;

/// Error text on one line: drivers and parsers include newlines, and parsers quote the bytes they choked on
/// (control characters included). Control characters become spaces, whitespace is collapsed, and the line is cut
/// at `MAX_LINE` characters.
pub fn one_line(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    let spaced: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    cut_marked(&spaced.split_whitespace().collect::<Vec<_>>().join(" "), MAX_LINE)
}

/// The text of an HTML fragment: tags dropped (each counts as a space), entities decoded (`&amp;` is `&`),
/// whitespace collapsed. A `<` that does not open a tag (`latency < 5 ms`) is kept as text.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if !in_tag && chars.peek().is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')) => {
                in_tag = true
            }
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = html_escape::decode_html_entities(&out);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the answer is {size} bytes, over the {MAX_BODY}-byte limit; is this the right URL?")]
    Oversized { size: usize },
    #[error("the answer is {got}, not {expected}; check the URL and the source type")]
    WrongContentType { got: String, expected: &'static str },
    #[error("the answer is not valid {format}: {reason}")]
    Malformed { format: &'static str, reason: String },
    #[error("the answer is {found}, not {expected}; pick the format \"{found}\" for this source, or check the URL")]
    OtherFormat { found: &'static str, expected: &'static str },
}

/// `scheme://host[:port]` of an endpoint URL, and its port (the scheme's default when none is given); `None` for
/// anything that is not an http(s) URL. Paths and query strings (which can carry tokens) are never kept.
pub fn origin_of(url: &str) -> Option<(String, u16)> {
    let u = reqwest::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?;
    let port = u.port_or_known_default()?;
    let shown = match u.port() {
        Some(p) => format!("{}://{host}:{p}", u.scheme()),
        None => format!("{}://{host}", u.scheme()),
    };
    Some((shown, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_quoting_raw_bytes_is_one_bounded_line() {
        let quoted = "expected `</entry>`, but `</entry\0\n  <entry>` was found";
        assert_eq!(one_line(&quoted), "expected `</entry>`, but `</entry <entry>` was found");
        let long = "x ".repeat(1_000);
        assert_eq!(one_line(&long).chars().count(), MAX_LINE + 1);
    }

    #[test]
    fn markup_becomes_text_and_a_lone_less_than_sign_stays() {
        assert_eq!(
            strip_tags("We&#39;re on it.<br />Errors &lt; 1 %<br/>&amp; falling"),
            "We're on it. Errors < 1 % & falling"
        );
        assert_eq!(strip_tags("latency < 5 ms, <a href=\"x\">details</a>"), "latency < 5 ms, details");
        assert_eq!(strip_tags("<p>one</p><p>two</p>"), "one two");
    }

    #[test]
    fn an_origin_keeps_only_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://logs.acme.example/auth0?token=s3cret"),
            Some(("https://logs.acme.example".into(), 443))
        );
        assert_eq!(origin_of("http://10.1.2.3:8080/in"), Some(("http://10.1.2.3:8080".into(), 8080)));
        assert_eq!(origin_of("ftp://x.example/"), None);
        assert_eq!(origin_of("not a url"), None);
    }
}
