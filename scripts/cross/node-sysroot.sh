#!/usr/bin/env bash
# Unpacks Debian's Node.js for a foreign architecture (and the libraries it needs) into a
# sysroot that qemu-user runs it from:
#   scripts/cross/node-sysroot.sh arm64      -> prints build/cross-sysroot/arm64/root
#   qemu-aarch64-static -L <root> <root>/usr/bin/node app.js
# Debian architectures: arm64, armhf (also i386, ppc64el, s390x, mips64el, riscv64 on trixie).
#
# apt runs with a private state folder and architecture, so the host's dpkg is left alone:
# no root, no `dpkg --add-architecture`, nothing installed. The result is cached: a second
# call returns at once. Environment:
#   TSRS_SYSROOT_SUITE   Debian release to take Node from (default bookworm: nodejs 18)
#   TSRS_DEBIAN_MIRROR   default http://deb.debian.org/debian (and -security beside it)
set -euo pipefail
cd "$(dirname "$0")/../.."

arch=${1:?usage: node-sysroot.sh <debian-arch> [dir]}
dir=${2:-build/cross-sysroot/$arch}
suite=${TSRS_SYSROOT_SUITE:-bookworm}
mirror=${TSRS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
root=$dir/root

# One builder at a time per sysroot (parallel test files, CI steps).
exec 9>"$dir/.lock"
flock 9

if [ -f "$dir/.complete" ] && [ -x "$root/usr/bin/node" ]; then
  echo "$root"
  exit 0
fi

[ -f "$keyring" ] || { echo "node-sysroot: $keyring missing (apt-get install debian-archive-keyring)" >&2; exit 1; }
rm -rf "$root" "$dir/apt"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/apt/sources.list.d" "$dir/debs" "$root"
: >"$dir/apt/status"
cat >"$dir/apt/sources.list" <<EOF
deb [signed-by=$keyring] $mirror $suite main
deb [signed-by=$keyring] $mirror $suite-updates main
deb [signed-by=$keyring] ${mirror%/debian}/debian-security $suite-security main
EOF

apt_opts=(
  -o "Dir::State=$dir/apt" -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::State::status=$dir/apt/status"
  -o "Dir::Cache=$dir/apt/cache" -o "Dir::Etc::SourceList=$dir/apt/sources.list"
  -o "Dir::Etc::SourceParts=$dir/apt/sources.list.d"
  -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
  -o APT::Sandbox::User=root -o Debug::NoLocking=1 -o Acquire::Retries=3
)

# An index that fails to download (a mirror mid-sync, typically -security) only costs its
# newer versions; the suite's own index is enough, and a missing package fails below.
if ! apt-get -qq "${apt_opts[@]}" update >"$dir/apt/update.log" 2>&1; then
  echo "node-sysroot: apt-get update had errors (continuing with the indexes it got):" >&2
  grep '^E:' "$dir/apt/update.log" | head -3 >&2 || true
fi

# nodejs and everything it Depends on (libnode, libc, libstdc++, icu, ssl, uv, and the JS
# modules Debian unbundles from Node: acorn, cjs-module-lexer, undici...).
mapfile -t packages < <(apt-cache "${apt_opts[@]}" depends --recurse --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances nodejs | grep -v '^[ <]' | sort -u)
if [ ${#packages[@]} -eq 0 ] || ! printf '%s\n' "${packages[@]}" | grep -qx nodejs; then
  echo "node-sysroot: no nodejs for $arch in $suite (see $dir/apt/update.log)" >&2
  exit 1
fi
(cd "$dir/debs" && apt-get -qq "${apt_opts[@]}" download "${packages[@]}")
for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$root"; done
# Keep the sysroot only: the indexes and debs are ~40 MB and fetched again if needed.
rm -rf "$dir/debs" "$dir/apt/lists" "$dir/apt/cache"

touch "$dir/.complete"
echo "$root"
