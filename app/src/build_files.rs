//! The release's file names. cargo-leptos writes `hash.txt` beside the server binary (`js:`,
//! `wasm:`, `css:`, `split:` and `manifest:` content hashes) and scripts/pkg-release.sh adds
//! `release:`, the directory under `pkg/` the files were moved to. The file is read once, when
//! the server starts; without it (plain `cargo test`) the plain names are used.

use std::{collections::HashMap, sync::OnceLock};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildFiles {
    hashes: HashMap<String, String>,
}

impl BuildFiles {
    /// The `hash.txt` beside the running server, read on the first call.
    pub fn beside_server() -> &'static BuildFiles {
        static FILES: OnceLock<BuildFiles> = OnceLock::new();
        FILES.get_or_init(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
                .and_then(|path| std::fs::read_to_string(path).ok())
                .map(|text| BuildFiles::parse(&text))
                .unwrap_or_default()
        })
    }

    pub fn parse(text: &str) -> Self {
        let hashes = text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(kind, hash)| (kind.trim().to_string(), hash.trim().to_string()))
            .filter(|(_, hash)| !hash.is_empty())
            .collect();
        BuildFiles { hashes }
    }

    /// Whether the build named its files after their contents.
    pub fn hashed(&self) -> bool {
        !self.hashes.is_empty()
    }

    /// Where the browser finds the build's files: `pkg/<release>`, else `pkg`. A release that is
    /// not a plain hash is ignored, so the path cannot leave `pkg/`.
    pub fn pkg_dir(&self) -> String {
        self.hashes
            .get("release")
            .filter(|release| release.chars().all(|c| c.is_ascii_alphanumeric()))
            .map_or_else(|| "pkg".to_string(), |release| format!("pkg/{release}"))
    }

    /// `<output>.<hash>.<extension>` for the `js`, `wasm` and `css` files.
    pub fn app_file(&self, output_name: &str, kind: &str) -> String {
        match self.hashes.get(kind) {
            Some(hash) => format!("{output_name}.{hash}.{kind}"),
            None => format!("{output_name}.{kind}"),
        }
    }

    /// The split build's chunk loader (Leptos' own name for it when unhashed).
    pub fn split_loader(&self) -> String {
        self.named(
            "split",
            "__wasm_split",
            "js",
            "__wasm_split.______________________.js",
        )
    }

    /// The split build's manifest: which chunks each lazy page preloads.
    pub fn split_manifest(&self) -> String {
        self.named(
            "manifest",
            "__wasm_split_manifest",
            "json",
            "__wasm_split_manifest.json",
        )
    }

    fn named(&self, kind: &str, stem: &str, extension: &str, unhashed: &str) -> String {
        self.hashes.get(kind).map_or_else(
            || unhashed.to_string(),
            |hash| format!("{stem}.{hash}.{extension}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::BuildFiles;

    #[test]
    fn names_come_from_hash_txt() {
        let files = BuildFiles::parse(
            "js: abc\nwasm: def\ncss: 123\nsplit: s1\nmanifest: m1\nrelease: 7505d3aa900a\n",
        );
        assert!(files.hashed());
        assert_eq!(files.pkg_dir(), "pkg/7505d3aa900a");
        assert_eq!(files.app_file("klyuch", "js"), "klyuch.abc.js");
        assert_eq!(files.app_file("klyuch", "wasm"), "klyuch.def.wasm");
        assert_eq!(files.app_file("klyuch", "css"), "klyuch.123.css");
        assert_eq!(files.split_loader(), "__wasm_split.s1.js");
        assert_eq!(files.split_manifest(), "__wasm_split_manifest.m1.json");
    }

    #[test]
    fn without_hash_txt_the_plain_names_serve() {
        let files = BuildFiles::parse("");
        assert!(!files.hashed());
        assert_eq!(files.pkg_dir(), "pkg");
        assert_eq!(files.app_file("klyuch", "css"), "klyuch.css");
        assert_eq!(files.split_manifest(), "__wasm_split_manifest.json");
    }

    #[test]
    fn a_release_that_is_not_a_hash_stays_in_pkg() {
        assert_eq!(BuildFiles::parse("release: ../etc\n").pkg_dir(), "pkg");
        assert_eq!(BuildFiles::parse("js: a\nrelease:\n").pkg_dir(), "pkg");
    }
}
