//! The simulated identity provider's pages: the sign-in form (which lists its test users: it is a simulator), the
//! error page Auth0 shows instead of redirecting (an unknown client, a callback URL not allowed) and the signed-out
//! page.

use std::collections::HashMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::idp::{CARRIED, IdpUser};

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{{font:16px/1.5 system-ui,sans-serif;background:#eef1f5;margin:0}}\
         main{{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;\
         box-shadow:0 1px 4px #0002}}h1{{font-size:1.3rem;margin-top:0}}label{{display:block;margin-top:.8rem}}\
         input{{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}}\
         button{{margin-top:1rem;padding:.55rem 1.1rem;font:inherit;cursor:pointer}}\
         .primary{{background:#635dff;color:#fff;border:0;border-radius:4px}}\
         .error{{background:#fde8e8;border-left:4px solid #c81e1e;padding:.5rem .8rem}}\
         table{{border-collapse:collapse;width:100%;font-size:.9rem}}td,th{{text-align:left;padding:.2rem .4rem;\
         border-bottom:1px solid #ddd}}small{{color:#555}}code{{white-space:nowrap}}</style></head><body><main>{body}</main></body></html>",
        title = text(title),
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// The sign-in form, carrying the authorization request's parameters along.
pub(super) fn sign_in_page(params: &HashMap<String, String>, users: &[IdpUser], error: Option<&str>) -> Response {
    let hidden: String = CARRIED
        .iter()
        .filter_map(|name| params.get(*name).map(|value| (name, value)))
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", attr(value)))
        .collect();
    let error = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", text(e))).unwrap_or_default();
    let rows: String = users
        .iter()
        .map(|u| format!("<tr><td>{}</td><td><code>{}</code></td></tr>", text(&u.email), text(&u.password)))
        .collect();
    let listed = if rows.is_empty() {
        String::new()
    } else {
        format!(
            "<h2 style=\"font-size:1rem;margin-top:1.5rem\">Test users</h2><small>This provider is Tenantry's Auth0 \
             simulator; these are its users.</small><table><tr><th>Email</th><th>Password</th></tr>{rows}</table>"
        )
    };
    let body = format!(
        "<h1>Log in</h1><p><small>Auth0 simulator — log in to continue to the application.</small></p>{error}\
         <form method=\"post\" action=\"/u/login\">{hidden}\
         <label for=\"username\">Email address</label>\
         <input id=\"username\" name=\"username\" type=\"email\" autocomplete=\"username\" required autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <button type=\"submit\" class=\"primary\" name=\"action\" value=\"default\">Continue</button> \
         <button type=\"submit\" name=\"action\" value=\"deny\" formnovalidate>Cancel</button></form>{listed}"
    );
    let status = if error.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    page(status, "Log in | Auth0 simulator", &body)
}

/// What Auth0 shows when it cannot send the person back (the application is misconfigured).
pub(super) fn error_page(code: &str, detail: &str) -> Response {
    let body = format!(
        "<h1>Oops!, something went wrong</h1><p class=\"error\"><strong>{}</strong>: {}</p>",
        text(code),
        text(detail)
    );
    page(StatusCode::BAD_REQUEST, "Error | Auth0 simulator", &body)
}

pub(super) fn signed_out_page() -> Response {
    page(StatusCode::OK, "Signed out | Auth0 simulator", "<h1>You are signed out</h1><p>You may close this window.</p>")
}
