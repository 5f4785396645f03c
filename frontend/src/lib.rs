//! The hydrate entry: the browser half of the app, compiled to wasm by cargo-leptos.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
