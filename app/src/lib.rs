//! Zhuomu (啄木): the Leptos app — UI, shared types, domain rules and server
//! functions. Server-only code lives in `backend` behind the `ssr` feature.

pub mod api;
pub mod domain;
pub mod error;
pub mod models;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

pub use ui::{App, shell};

/// Entry point of the browser bundle: hydrates only the islands.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console for development; a release bundle
    // leaves the formatting code out (the first load's budget).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
