//! Pages that belong to no single area: the "not built yet" page and the 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::areas::Area;

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
