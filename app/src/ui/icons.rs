//! Inline SVG icons for the tab bar (no icon font to download).

use leptos::prelude::*;

fn icon(d: &'static str) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=d fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

pub fn home() -> impl IntoView {
    icon("M3 11 12 4l9 7M5 10v10h5v-6h4v6h5V10")
}
pub fn camera() -> impl IntoView {
    icon("M4 8h3l2-3h6l2 3h3v11H4zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z")
}
pub fn heart() -> impl IntoView {
    icon("M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z")
}
pub fn coin() -> impl IntoView {
    icon("M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9 9.5h6M9 13h6M12 9.5V17M9.5 6.5 12 9.5l2.5-3")
}
pub fn person() -> impl IntoView {
    icon("M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5")
}
pub fn check() -> impl IntoView {
    icon("M4 12.5 9 17.5 20 6.5")
}
pub fn list() -> impl IntoView {
    icon("M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01")
}
pub fn clock() -> impl IntoView {
    icon("M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2")
}
pub fn mail() -> impl IntoView {
    icon("M3 6h18v12H3zM3 7l9 6 9-6")
}
