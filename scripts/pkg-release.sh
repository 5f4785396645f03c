#!/usr/bin/env bash
# Puts one release of `cargo leptos build --release --split --precompress` under its own URL.
#
# cargo-leptos names the main module, its js, the chunk loader, the manifest and the chunks after
# their contents, but the js, the loader and the main module name each other, so the js's name is
# computed before its contents are final: two releases can share a js name with different
# contents. /pkg is served `immutable` and cached by the service worker, so a tab opened before a
# deploy must never pair its main module with another release's loader or chunks. This step moves
# every file of the build into pkg/R/, R a hash of all of them, and adds `release: R` to hash.txt;
# the server then serves its pages with /pkg/R/ (startup.rs `leptos_options`). Nothing is
# rewritten: the files name each other relatively. cargo-leptos empties the site directory on
# every build, so each release is also kept (hard links) in target/pkg-releases/, and the previous
# one is put back next to the new one: a tab opened before this deploy keeps loading its own
# chunks until the next one. Older releases are removed.
# Usage: scripts/pkg-release.sh [site pkg dir] [hash.txt]
set -euo pipefail
shopt -s nullglob

pkg=$(realpath "${1:-target/site/pkg}")
hashes=$(realpath "${2:-target/release/hash.txt}")
archive=$(dirname "$(dirname "$pkg")")/pkg-releases
releases=$archive/order

cd "$pkg"
files=$(find . -maxdepth 1 -type f ! -name '*.br' ! -name '*.gz' -printf '%P\n' | sort)
if [ -z "$files" ]; then
  echo "pkg-release: no new build in $pkg (already done)"
  exit 0
fi
release=$(for file in $files; do echo "$file"; cat "$file"; done | md5sum | cut -c1-20)

mkdir -p "$release"
find . -maxdepth 1 -type f -exec mv -f {} "$release/" \;
sed -i '/^release:/d' "$hashes"
echo "release: $release" >>"$hashes"

# Keep this release and the one before it, in the archive and in pkg/.
mkdir -p "$archive"
touch "$releases"
{ grep -vx "$release" "$releases" || true; echo "$release"; } | tail -n 2 >"$releases.new"
mv "$releases.new" "$releases"
[ -d "$archive/$release" ] || cp -al "$release" "$archive/$release"
for dir in "$archive"/*/ */; do
  name=$(basename "$dir")
  grep -qx "$name" "$releases" || rm -rf "${dir:?}"
done
while read -r kept; do
  if [ ! -d "$kept" ] && [ -d "$archive/$kept" ]; then cp -al "$archive/$kept" "$kept"; fi
done <"$releases"

echo "pkg-release: release $release in pkg/$release ($(find "$release" -name '*.wasm' | wc -l) wasm files)"
