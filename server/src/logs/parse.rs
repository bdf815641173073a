//! Every shape Auth0 logs arrive in, turned into events: a log stream's body (JSON Lines, a JSON array or a single
//! object; each item either a raw Auth0 log event or a `{log_id, data}` envelope), an answer of
//! `GET /api/v2/logs` (an array of raw events) and files holding any of these.
//!
//! Reading is streaming and bounded: `Items` splits any reader into items without holding more than one item
//! (at most `Limits::max_item_bytes`); `event` reads one item. A bad item becomes a `Rejected` with a short
//! one-line reason and is kept verbatim for the quarantine; the other items are unaffected.

use std::io::{self, BufRead};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::model::{Event, Rejected};
use crate::text::{cut, one_line};

/// How much one input may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest item (one event) read; a larger one is rejected and kept cut at this size.
    pub max_item_bytes: usize,
    /// The most items one receiver batch may hold.
    pub max_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_item_bytes: 256 * 1024, max_items: 10_000 }
    }
}

/// The longest text column kept from an event (the payload keeps everything).
const MAX_FIELD: usize = 2048;
/// The longest log id accepted (Auth0's are 56 digits).
const MAX_LOG_ID: usize = 128;

/// One item of an input: its bytes, or why it could not be cut out.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece {
    Item(Vec<u8>),
    Rejected(Rejected),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing read yet, or between top-level values.
    Start,
    /// Inside a top-level array: its elements are the items.
    Array,
    /// One item per line (decided when the first item ends on its own line).
    Lines,
}

/// The items of a reader, one at a time.
pub struct Items<R> {
    reader: R,
    limits: Limits,
    mode: Mode,
    /// Decided after the first top-level item: items are lines.
    first_done: bool,
    failed: bool,
}

impl<R: BufRead> Items<R> {
    pub fn new(reader: R, limits: Limits) -> Items<R> {
        Items { reader, limits, mode: Mode::Start, first_done: false, failed: false }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self) {
        self.reader.consume(1);
    }

    /// Skips whitespace (and, inside an array, the commas between elements).
    fn skip_space(&mut self, commas: bool) -> io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b) if b.is_ascii_whitespace() || (commas && b == b',') => self.bump(),
                Some(0xEF) if !self.first_done => {
                    // A UTF-8 byte order mark before the first item.
                    let buf = self.reader.fill_buf()?;
                    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                        self.reader.consume(3);
                    } else {
                        return Ok(Some(0xEF));
                    }
                }
                other => return Ok(other),
            }
        }
    }

    /// Reads one value from its first byte: brackets and strings balanced; a bare word ends at a separator.
    /// Returns the bytes (at most the item limit), whether it was longer, whether it held a newline, and whether
    /// the input ended inside it.
    fn value(&mut self, in_array: bool) -> io::Result<(Vec<u8>, bool, bool, bool)> {
        let (mut buf, mut over, mut newline) = (Vec::new(), false, false);
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let mut started = false;
        loop {
            let Some(b) = self.peek()? else { return Ok((buf, over, newline, depth > 0 || in_string)) };
            if !in_string && depth == 0 && started {
                let ends =
                    if in_array { b == b',' || b == b']' || b.is_ascii_whitespace() } else { b.is_ascii_whitespace() };
                if ends {
                    return Ok((buf, over, newline, false));
                }
            }
            self.bump();
            started = true;
            if buf.len() < self.limits.max_item_bytes {
                buf.push(b);
            } else {
                over = true;
            }
            if b == b'\n' {
                newline = true;
            }
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                if !in_string && depth == 0 {
                    return Ok((buf, over, newline, false));
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok((buf, over, newline, false));
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether the input (at its first item) is JSON Lines, judged by its first line when the reader holds it
    /// whole: a pretty-printed value's first line opens it (`{`) or ends with `,` or `:`; any other line is an
    /// item of its own.
    fn first_line_is_a_line(&mut self) -> io::Result<bool> {
        let buf = self.reader.fill_buf()?;
        Ok(buf.iter().position(|b| *b == b'\n').is_some_and(|end| {
            let line = buf[..end].trim_ascii();
            !line.is_empty() && !matches!(line.last(), Some(b'{' | b'[' | b',' | b':'))
        }))
    }

    /// One line (without its end), cut at the item limit; `None` at the end of the input.
    fn line(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        let mut buf = Vec::new();
        let mut over = false;
        let mut any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(any.then_some((buf, over)));
            }
            any = true;
            let (take, end) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = self.limits.max_item_bytes.saturating_sub(buf.len());
            buf.extend_from_slice(&chunk[..take.min(room)]);
            over |= take > room;
            self.reader.consume(take + usize::from(end));
            if end {
                return Ok(Some((buf, over)));
            }
        }
    }

    fn piece(&self, bytes: Vec<u8>, over: bool, truncated: bool) -> Piece {
        if over {
            Piece::Rejected(rejected(&bytes, format!("the item is longer than {} bytes", self.limits.max_item_bytes)))
        } else if truncated {
            Piece::Rejected(rejected(&bytes, "the input ends inside this item".into()))
        } else {
            Piece::Item(bytes)
        }
    }

    fn next_piece(&mut self) -> io::Result<Option<Piece>> {
        loop {
            match self.mode {
                Mode::Lines => {
                    let Some((line, over)) = self.line()? else { return Ok(None) };
                    let trimmed = line.trim_ascii();
                    if trimmed.is_empty() {
                        continue;
                    }
                    return Ok(Some(self.piece(trimmed.to_vec(), over, false)));
                }
                Mode::Array => match self.skip_space(true)? {
                    None => {
                        self.mode = Mode::Start;
                        return Ok(Some(Piece::Rejected(rejected(b"", "the array is not closed".into()))));
                    }
                    Some(b']') => {
                        self.bump();
                        self.first_done = true;
                        self.mode = Mode::Start;
                    }
                    Some(_) => {
                        let (bytes, over, _, truncated) = self.value(true)?;
                        return Ok(Some(self.piece(bytes, over, truncated)));
                    }
                },
                Mode::Start => match self.skip_space(false)? {
                    None => return Ok(None),
                    Some(b'[') => {
                        self.bump();
                        self.mode = Mode::Array;
                    }
                    Some(_) if !self.first_done && self.first_line_is_a_line()? => {
                        // JSON Lines from the first line on, so a damaged first line cannot swallow the rest.
                        self.first_done = true;
                        self.mode = Mode::Lines;
                    }
                    Some(_) => {
                        let (bytes, over, newline, truncated) = self.value(false)?;
                        if !self.first_done {
                            self.first_done = true;
                            if !newline {
                                // The first item fit on its line: the input is JSON Lines from here on.
                                self.mode = Mode::Lines;
                            }
                        }
                        return Ok(Some(self.piece(bytes, over, truncated)));
                    }
                },
            }
        }
    }
}

impl<R: BufRead> Iterator for Items<R> {
    type Item = io::Result<Piece>;

    fn next(&mut self) -> Option<io::Result<Piece>> {
        if self.failed {
            return None;
        }
        match self.next_piece() {
            Ok(piece) => piece.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

fn rejected(bytes: &[u8], reason: String) -> Rejected {
    Rejected { item: String::from_utf8_lossy(bytes).into_owned(), reason }
}

/// Reads one item: a raw Auth0 log event or a `{log_id, data}` envelope around one.
pub fn event(item: &[u8]) -> Result<Event, Rejected> {
    read_event(item).map_err(|reason| rejected(item, reason))
}

/// Reads one item already parsed as JSON (an element of a `GET /api/v2/logs` answer).
pub fn event_from(value: Value) -> Result<Event, Rejected> {
    let text = value.to_string();
    read_value(value).map_err(|reason| rejected(text.as_bytes(), reason))
}

fn read_event(item: &[u8]) -> Result<Event, String> {
    let value: Value = serde_json::from_slice(item).map_err(|e| format!("not JSON: {}", cut(&one_line(&e), 160)))?;
    read_value(value)
}

fn read_value(value: Value) -> Result<Event, String> {
    let Value::Object(mut outer) = value else { return Err("not a JSON object".into()) };
    let envelope_id = match outer.get("data") {
        Some(Value::Object(_)) if !outer.contains_key("date") => Some(outer.remove("log_id")),
        Some(_) if !outer.contains_key("date") && outer.contains_key("log_id") => {
            return Err("the envelope's data is not an object".into());
        }
        _ => None,
    };
    let mut data = match envelope_id {
        Some(_) => match outer.remove("data") {
            Some(Value::Object(data)) => data,
            _ => return Err("the envelope's data is not an object".into()),
        },
        None => outer,
    };
    let inner_id = string(&data, "log_id").or_else(|| string(&data, "_id"));
    let log_id = match (envelope_id.flatten(), inner_id) {
        (Some(Value::String(outer)), Some(inner)) if outer != inner => {
            return Err(format!(
                "the envelope's log_id {:?} differs from the event's {:?}",
                cut(&outer, 64),
                cut(&inner, 64)
            ));
        }
        (Some(Value::String(outer)), _) => outer,
        (Some(_), _) => return Err("the envelope's log_id is not a string".into()),
        (None, Some(inner)) => inner,
        (None, None) => return Err("missing log_id".into()),
    };
    if log_id.is_empty() || log_id.len() > MAX_LOG_ID || !log_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("log_id {:?} is not an Auth0 log id", cut(&log_id, 64)));
    }
    let date = match data.get("date") {
        Some(Value::String(d)) => DateTime::parse_from_rfc3339(d)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| format!("date {:?} is not an RFC 3339 time", cut(d, 64)))?,
        Some(_) => return Err("date is not a string".into()),
        None => return Err("missing date".into()),
    };
    let type_code = match data.get("type") {
        Some(Value::String(t)) if !t.is_empty() && t.len() <= 64 => t.clone(),
        Some(Value::String(t)) => return Err(format!("type {:?} is not an event code", cut(t, 64))),
        _ => return Err("missing type".into()),
    };
    if !data.contains_key("log_id") {
        data.insert("log_id".into(), Value::String(log_id.clone()));
    }
    Ok(Event {
        date,
        type_code,
        description: string(&data, "description"),
        client_id: string(&data, "client_id"),
        client_name: string(&data, "client_name"),
        user_id: string(&data, "user_id"),
        user_name: string(&data, "user_name"),
        ip: string(&data, "ip").and_then(|ip| ip.parse::<IpAddr>().ok()),
        connection: string(&data, "connection"),
        strategy: string(&data, "strategy"),
        hostname: string(&data, "hostname"),
        user_agent: string(&data, "user_agent"),
        log_id,
        payload: Value::Object(data),
    })
}

/// A non-empty string field, cut at `MAX_FIELD` characters.
fn string(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(cut(s, MAX_FIELD).to_string()),
        _ => None,
    }
}

/// Splits a whole body (the receiver's) into events and rejected items; `Err` when it has more than
/// `limits.max_items` items.
pub fn body(bytes: &[u8], limits: Limits) -> Result<(Vec<Event>, Vec<Rejected>), String> {
    let (mut events, mut bad) = (Vec::new(), Vec::new());
    for piece in Items::new(bytes, limits) {
        if events.len() + bad.len() >= limits.max_items {
            return Err(format!("the batch holds more than {} items; send smaller batches", limits.max_items));
        }
        match piece.map_err(|e| one_line(&e))? {
            Piece::Item(item) => match event(&item) {
                Ok(e) => events.push(e),
                Err(r) => bad.push(r),
            },
            Piece::Rejected(r) => bad.push(r),
        }
    }
    Ok((events, bad))
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
