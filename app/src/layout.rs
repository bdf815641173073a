//! The frame around every page: header, navigation, content.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::areas::Area;

/// Header with the product name and the signed-in area, the main navigation, and the page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#content">"Skip to content"</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tenantry"</span>
            </a>
            <div class="account" aria-label="Signed-in user">
                <span class="muted">"Not signed in — sign-in is not built yet"</span>
            </div>
        </header>
        <div class="frame">
            <nav class="sidebar" aria-label="Main">
                <ul>
                    {Area::ALL
                        .into_iter()
                        .map(|area| {
                            view! {
                                <li class:secondary=area == Area::System>
                                    <A href=area.path() exact=true>
                                        {area.label()}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="content" class="content">
                {children()}
            </main>
        </div>
    }
}
