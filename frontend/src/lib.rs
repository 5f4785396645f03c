//! The hydrate entry: the browser half of the app, compiled to wasm by cargo-leptos.

// Without `--cfg erase_components` every view keeps its full static type and the deepest pages
// need more than the default 128 levels (the Makefile's builds erase them).
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    std::panic::set_hook(Box::new(app::routes::on_panic));
    leptos::mount::hydrate_lazy(app::App);
}
