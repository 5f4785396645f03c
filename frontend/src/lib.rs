//! The hydrate entry: the browser half of the app, compiled to wasm by cargo-leptos.

// Release builds keep every view's full static type (debug builds erase them with
// `--cfg erase_components`); the deepest pages need more than the default 128 levels.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
