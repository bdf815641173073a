//! Pages that belong to no single area: the "not built yet" page and the 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::areas::Area;
use crate::error::AppError;

/// A failed read or form, in the words of `AppError` (what was wrong and what to do).
#[component]
pub fn Problem(error: Option<AppError>) -> impl IntoView {
    error.map(|e| {
        view! {
            <div class="notice error" role="alert" data-testid="form-error">
                <p>{e.to_string()}</p>
            </div>
        }
    })
}

/// An area's sub-navigation: one link per (path, label), the page at `current` marked for screen readers and styles.
pub fn subnav(area: &'static str, current: &'static str, links: Vec<(&'static str, &'static str)>) -> impl IntoView {
    view! {
        <nav class="subnav" aria-label=area>
            {links.into_iter().map(|(href, label)| view! {
                <a href=href aria-current=(href == current).then_some("page")>{label}</a>
            }).collect_view()}
        </nav>
    }
}

/// Links to the pages of a long list: "Page 2 of 7", previous and next.
#[component]
pub fn Pager(page: u32, pages: u32, link: impl Fn(u32) -> String + 'static) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"← Previous"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next →"</a> })}
            </nav>
        }
    })
}

/// A query string from pairs, percent-encoding the values: `?a=1&b=x%20y`.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect();
    if encoded.is_empty() { String::new() } else { format!("?{}", encoded.join("&")) }
}

/// The page of an area that a later issue builds. It says so plainly and shows no data.
#[component]
pub fn NotBuilt(area: Area) -> impl IntoView {
    view! {
        <Title text=area.label() />
        <h1>{area.label()}</h1>
        <p class="lead">{area.purpose()}</p>
        <section class="notice" data-testid="not-built">
            <h2>"Not built yet"</h2>
            <p>
                "This page is not built yet. It arrives with "
                {area.arrives_with().unwrap_or("a later issue")}
                ". Nothing here is live data."
            </p>
            <p>
                "What works today: the "<a href=Area::System.path()>"About / System"</a>
                " page shows this server's version, database, migrations and uptime."
            </p>
        </section>
    }
}

/// Shown for any path the console does not know. The server answers it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <h1>"Page not found"</h1>
        <p class="lead">
            "There is no page at this address. Use the navigation, or go to the "<a href="/">"Overview"</a>"."
        </p>
    }
}
