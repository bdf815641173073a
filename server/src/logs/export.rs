//! Exports of a search: CSV (the columns, codes in words) or JSON Lines (each event as Auth0 sent it, which
//! `tenantry logs import` reads back). Read from the database in keyset pages and written as they come, so an
//! export of any size holds one page in memory.

use std::io;

use axum::body::Bytes;
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::model;
use super::repo::search::{self, Cursor, Filter, FoundWhole};
use crate::text::csv_field;

/// Rows read per page.
const PAGE: i64 = 1000;
/// The most events one export writes.
pub const MAX_EVENTS: u64 = 10_000_000;

/// The two export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }
}

const HEADER: &str =
    "date,tenant,log_id,type,event,category,description,user_id,user_name,client_id,client_name,ip,connection\n";

fn csv_line(out: &mut String, w: &FoundWhole) {
    let f = &w.found;
    let (name, category) = model::describe(&f.type_code);
    let date = f.date.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let values = [
        date,
        f.tenant_name.clone(),
        f.log_id.clone(),
        f.type_code.clone(),
        name,
        category,
        o(&f.description),
        o(&f.user_id),
        o(&f.user_name),
        o(&f.client_id),
        o(&f.client_name),
        o(&f.ip),
        o(&f.connection),
    ];
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, v);
    }
    out.push('\n');
}

/// Writes the events matching `filter` (newest first) to `out`, page by page; returns how many were written. Stops
/// early when the receiver is gone (the download was cancelled).
pub async fn export(
    pool: &PgPool,
    mut filter: Filter,
    format: Format,
    out: mpsc::Sender<Result<Bytes, io::Error>>,
) -> Result<u64, sqlx::Error> {
    let mut written = 0u64;
    if format == Format::Csv && out.send(Ok(Bytes::from_static(HEADER.as_bytes()))).await.is_err() {
        return Ok(0);
    }
    while written < MAX_EVENTS {
        let page = search::search_whole(&mut *pool.acquire().await?, &filter, PAGE).await?;
        let Some(last) = page.last() else { break };
        filter.after =
            Some(Cursor { date: last.found.date, tenant: last.found.tenant_id, log_id: last.found.log_id.clone() });
        let mut chunk = String::new();
        for w in &page {
            match format {
                Format::Csv => csv_line(&mut chunk, w),
                Format::JsonLines => {
                    chunk.push_str(&w.payload.to_string());
                    chunk.push('\n');
                }
            }
        }
        written += page.len() as u64;
        if out.send(Ok(Bytes::from(chunk))).await.is_err() {
            break;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        let mut out = String::new();
        crate::text::csv_field(&mut out, "a,\"b\"");
        out.push('|');
        crate::text::csv_field(&mut out, "=HYPERLINK(1)");
        assert_eq!(out, "\"a,\"\"b\"\"\"|'=HYPERLINK(1)");
    }
}
