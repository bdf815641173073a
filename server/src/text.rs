//! Text from outside: the error every reader of an outside body returns, and the helpers that turn markup and
//! driver messages into one readable line. Imports no area.

/// The largest body read from a source or feed.
pub const MAX_BODY: usize = 5 * 1024 * 1024;

/// Error text on one line (drivers sometimes include newlines).
pub fn one_line(error: &dyn std::fmt::Display) -> String {
    error.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML fragment: tags dropped (each counts as a space), whitespace collapsed.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the answer is {size} bytes, over the {MAX_BODY}-byte limit; is this the right URL?")]
    Oversized { size: usize },
    #[error("the answer is {got}, not {expected}; check the URL and the source type")]
    WrongContentType { got: String, expected: &'static str },
    #[error("the answer is not valid {format}: {reason}")]
    Malformed { format: &'static str, reason: String },
}
