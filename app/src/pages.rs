//! The parts every page is made of — the read frame (loading, error with its HTTP status), notices, the filter
//! form of a list, the empty state, the pager, the sub-navigation — and the 404 page.

use std::future::Future;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::error::AppError;

/// A failed read or form, in the words of `AppError` (what was wrong and what to do).
#[component]
pub fn Problem(error: Option<AppError>) -> impl IntoView {
    error.map(|e| view! { <Notice tone="error" testid="form-error"><p>{e.to_string()}</p></Notice> })
}

/// A notice box: `tone` is `info` (default), `ok` or `error` (read out as an alert); `testid` names it for tests.
#[component]
pub fn Notice(
    #[prop(optional)] tone: &'static str,
    #[prop(optional)] testid: &'static str,
    children: Children,
) -> impl IntoView {
    let class = match tone {
        "" | "info" => "notice".to_string(),
        tone => format!("notice {tone}"),
    };
    let role = match tone {
        "error" => Some("alert"),
        "ok" => Some("status"),
        _ => None,
    };
    view! {
        <section class=class role=role data-testid=(!testid.is_empty()).then_some(testid)>
            {children()}
        </section>
    }
}

/// The read part of a page: `loading` while `read` runs on the server, then `show(data)`, or the problem in
/// words with the page answering the error's HTTP status (404 for a missing thing, 503 when the database is busy).
/// Routes that use it render with `SsrMode::Async`, so the HTML is complete without JavaScript.
pub fn loaded<T, V>(
    loading: &'static str,
    read: impl Future<Output = Result<T, AppError>> + Send + 'static,
    show: impl FnOnce(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    V: IntoView + 'static,
{
    loaded_or(loading, read, show, |error| view! { <Problem error=Some(error) /> })
}

/// `loaded` for a page that names its subject only once read (a detail page): a failed read also gives the page
/// its title and the heading `heading`, which `show` would have given it.
pub fn loaded_titled<T, V>(
    loading: &'static str,
    heading: &'static str,
    read: impl Future<Output = Result<T, AppError>> + Send + 'static,
    show: impl FnOnce(T) -> V + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    V: IntoView + 'static,
{
    loaded_or(loading, read, show, move |error| {
        view! { <Title text=heading /> <h1>{heading}</h1> <Problem error=Some(error) /> }
    })
}

/// `loaded` with what a failed read shows instead of `show`'s part of the page: `failed(error)`.
pub fn loaded_or<T, V, F>(
    loading: &'static str,
    read: impl Future<Output = Result<T, AppError>> + Send + 'static,
    show: impl FnOnce(T) -> V + Send + 'static,
    failed: impl FnOnce(AppError) -> F + Send + 'static,
) -> impl IntoView
where
    T: Send + 'static,
    V: IntoView + 'static,
    F: IntoView + 'static,
{
    view! {
        <Suspense fallback=move || view! { <p class="muted">{loading}</p> }>
            {Suspend::new(async move {
                match read.await {
                    Ok(data) => show(data).into_any(),
                    Err(error) => {
                        answer_status(&error);
                        failed(error).into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Sets the HTTP status of the page being rendered to the one `error` calls for (for pages that read with a frame
/// of their own; `loaded` does it for the others).
pub fn answer_status(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(code)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.http_status()))
    {
        response.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// What the last post of `action`'s form failed with, if it did (a page shows it above its forms).
pub fn failure<S>(action: ServerAction<S>) -> Option<AppError>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.value().get_untracked().and_then(Result::err)
}

/// The filter form of a list page: a GET to the page itself with the given fields, then Filter and Clear.
#[component]
pub fn Filters(action: &'static str, children: Children) -> impl IntoView {
    view! {
        <form method="get" action=action class="filters card" role="search">
            {children()}
            <button type="submit" class="primary">"Filter"</button>
            <a href=action>"Clear"</a>
        </form>
    }
}

/// A drop-down of a filter form: `label`, then the field `name` offering "any" (no filter) and each (value, text)
/// of `options`, the one whose value is `current` selected.
#[component]
pub fn FilterSelect(
    label: &'static str,
    name: &'static str,
    #[prop(into)] current: String,
    options: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select name=name>
                <option value="">"any"</option>
                {options.into_iter().map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// `FilterSelect` options from (value, text) pairs of anything printable.
pub fn options<V: ToString, T: ToString>(pairs: impl IntoIterator<Item = (V, T)>) -> Vec<(String, String)> {
    pairs.into_iter().map(|(value, text)| (value.to_string(), text.to_string())).collect()
}

/// What a list shows when nothing is in it: say why, and what to do next (children may hold links).
#[component]
pub fn Empty(children: Children) -> impl IntoView {
    view! { <p class="empty">{children()}</p> }
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
