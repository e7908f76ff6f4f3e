#!/usr/bin/env bash
# Builds the N-API addon for every Linux target users install on, into node-gyp-build's
# layout, so `npm install` on a board or server needs no compiler:
#   prebuilds/linux-x64/node.napi.glibc.node
#   prebuilds/linux-arm64/node.napi.glibc.node
#   prebuilds/linux-arm/node.napi.armv7.glibc.node
# (tags: N-API, so one file serves every Node >= 18; glibc, so musl/Alpine builds from
# source instead of failing to load; armv7, so an ARMv6 Node builds from source too.)
#
# usage: scripts/prebuild.sh [x64] [arm64] [arm]      (default: all three)
# Installs missing cross compilers with apt-get (Debian); with TSRS_NO_APT=1 it names them
# and fails instead (tests: scripts/install-test-deps.sh installs them). This is what CI runs.
#
# Each target is built by node-gyp from the same binding.gyp, in its own staging folder
# under build/prebuild/ (so the developer's build/Release is never overwritten by a
# foreign binary), with the target's Debian cross g++ and libstdc++/libgcc linked
# statically: the .node then needs only glibc (libc, libm) on the target.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# npm also runs a script named "prebuild" as the automatic pre-hook of "build" (so of
# `npm test` too), with an identical environment. Only the npm command line tells the two
# apart: skip when the nearest npm/yarn ancestor was asked for "build", not "prebuild".
invoked_as_build_hook() {
  [ "${npm_lifecycle_event:-}" = prebuild ] || return 1
  local pid=$PPID args arg i
  for i in 1 2 3 4 5 6; do
    [ -r "/proc/$pid/cmdline" ] || return 1
    # npm rewrites its title ("npm run build"), so split on spaces as well as NULs.
    read -r -a args <<<"$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    for arg in "${args[@]}"; do
      [ "$arg" = prebuild ] && return 1
      [ "$arg" = build ] && return 0
    done
    pid=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $2}')  # after "(comm) "
    [ -n "$pid" ] || return 1
    [ "$pid" -gt 1 ] || return 1
  done
  return 1
}
if invoked_as_build_hook; then
  echo "prebuild: skipped as the pre-hook of 'npm run build' (run 'npm run prebuild' for prebuilds/)"
  exit 0
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x64 arm64 arm)

# --- per-target facts -------------------------------------------------------------------
# triplet: Debian's GNU triplet (g++-<triplet>); deb_arch: Debian architecture name;
# file: node-gyp-build's file name; machine: readelf's Machine line, checked after linking.
target_facts() {
  case "$1" in
    x64) triplet=x86_64-linux-gnu deb_arch=amd64 file=node.napi.glibc.node machine='Advanced Micro Devices X86-64' ;;
    arm64) triplet=aarch64-linux-gnu deb_arch=arm64 file=node.napi.glibc.node machine='AArch64' ;;
    arm) triplet=arm-linux-gnueabihf deb_arch=armhf file=node.napi.armv7.glibc.node machine='ARM' ;;
    *) echo "prebuild: unknown target '$1' (x64, arm64, arm)" >&2; exit 2 ;;
  esac
  # Static libraries linked into the addon, per target: none yet. When DTLS/SRTP/SRT land,
  # list the target's archives here, e.g. for arm64
  #   static_libs=(/usr/lib/aarch64-linux-gnu/libsrtp2.a /usr/lib/aarch64-linux-gnu/libsrt.a)
  #   dev_packages=(libsrtp2-dev:arm64 libsrt-openssl-dev:arm64)
  # (multiarch -dev packages; ensure_packages adds the architecture to dpkg), and have
  # binding.gyp link them through a variable with an empty default:
  #   'variables': {'tsrs_static_libs%': ''}, ... 'libraries': ['<@(tsrs_static_libs)']
  # OpenSSL is not linked: the addon uses the libcrypto/libssl symbols Node exports.
  static_libs=()
  dev_packages=()
}

host_deb_arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)

compiler_package() {
  # On its own architecture Debian's native g++ provides <triplet>-g++ too.
  if [ "$deb_arch" = "$host_deb_arch" ]; then echo g++; else echo "g++-$triplet"; fi
}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs Debian packages that are missing; "name:arch" entries enable that foreign
# architecture first (the multiarch -dev packages of later targets).
ensure_packages() {
  local missing=() pkg arch
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "${TSRS_NO_APT:-}" = 1 ]; then
    echo "prebuild: missing Debian packages: ${missing[*]} (TSRS_NO_APT=1: not installing)" >&2
    exit 1
  fi
  for pkg in "${missing[@]}"; do
    [[ $pkg == *:* ]] || continue
    arch=${pkg##*:}
    if [ "$arch" != "$host_deb_arch" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
      as_root dpkg --add-architecture "$arch"
    fi
  done
  echo "prebuild: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need=()
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v readelf >/dev/null 2>&1 || need+=(binutils)
for t in "${targets[@]}"; do
  target_facts "$t"
  command -v "$triplet-g++" >/dev/null 2>&1 || need+=("$(compiler_package)")
  need+=("${dev_packages[@]}")
done
[ ${#need[@]} -eq 0 ] || ensure_packages "${need[@]}"

# --- node-gyp and headers ---------------------------------------------------------------
# npm's own node-gyp, as scripts/build-native.sh uses it.
gyp=$(node -p "require.resolve('node-gyp/bin/node-gyp.js', {paths: [process.execPath + '/../../lib/node_modules/npm']})" 2>/dev/null || true)
run_gyp() { if [ -n "$gyp" ] && [ -f "$gyp" ]; then node "$gyp" "$@"; else npx --no-install node-gyp "$@"; fi; }

# The N-API headers (js_native_api*.h, node_api*.h, uv*.h) hold no architecture-specific
# values, so the build host's Node headers serve every target. Prefer the ones installed
# next to this Node (Debian/NodeSource: /usr/include/node) over a download.
nodedir=${npm_config_nodedir:-}
if [ -z "$nodedir" ]; then
  prefix=$(node -p "require('path').resolve(process.execPath, '..', '..')")
  [ -f "$prefix/include/node/node_api.h" ] && nodedir=$prefix
fi
gyp_nodedir=()
[ -n "$nodedir" ] && gyp_nodedir=(--nodedir="$nodedir")

# --- build ------------------------------------------------------------------------------
# Only glibc libraries may be NEEDED: libstdc++/libgcc are linked in, and SRTP/SRT/OpenSSL
# must never be (static, or Node's own OpenSSL).
allowed_needed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux[-a-z0-9_.]*\.so\.[0-9])$'

build_target() {
  target_facts "$1"
  local stage="build/prebuild/linux-$1" out="prebuilds/linux-$1" started=$SECONDS
  mkdir -p "$stage"
  # node-gyp always builds into <dir>/build: stage binding.gyp next to a link to native/.
  cmp -s binding.gyp "$stage/binding.gyp" || cp binding.gyp "$stage/binding.gyp"
  ln -sfn "$root/native" "$stage/native"

  local cross_env=(
    CC="$triplet-gcc" CXX="$triplet-g++" LINK="$triplet-g++" AR="$triplet-ar"
    CC_host=gcc CXX_host=g++ LINK_host=g++
    # -s strips; --exclude-libs keeps the static libstdc++ symbols private to the addon
    # (Node's own libstdc++ never interposes on them, nor they on Node's).
    LDFLAGS="-static-libstdc++ -static-libgcc -Wl,--exclude-libs,ALL -Wl,--as-needed -s"
  )
  local gyp_defines=()
  [ ${#static_libs[@]} -eq 0 ] || gyp_defines=(-- "-Dtsrs_static_libs=${static_libs[*]}")

  echo "prebuild: linux-$1 with $triplet-g++"
  if [ ! -f "$stage/build/Makefile" ] || [ "$stage/binding.gyp" -nt "$stage/build/Makefile" ] ||
     [ native/sources.gypi -nt "$stage/build/Makefile" ] || [ "$0" -nt "$stage/build/Makefile" ]; then
    (cd "$stage" && export "${cross_env[@]}" && run_gyp configure --loglevel=warn --arch="$1" "${gyp_nodedir[@]}" "${gyp_defines[@]}")
  fi
  (cd "$stage" && export "${cross_env[@]}" && run_gyp build --loglevel=warn -j 2)

  mkdir -p "$out"
  rm -f "$out"/*.node
  cp "$stage/build/Release/tsrs.node" "$out/$file"
  check_binary "$out/$file"
  echo "prebuild: $out/$file $(stat -c %s "$out/$file") bytes, $((SECONDS - started)) s"
}

check_binary() {
  local so=$1 needed bad
  readelf -h "$so" | grep -q "Machine: *$machine" || {
    echo "prebuild: $so is not a $machine binary:" >&2; readelf -h "$so" | grep Machine >&2; exit 1
  }
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  bad=$(echo "$needed" | grep -Ev "$allowed_needed" || true)
  if [ -n "$bad" ]; then
    echo "prebuild: $so needs libraries a bare target may lack: $bad" >&2
    exit 1
  fi
}

for t in "${targets[@]}"; do build_target "$t"; done
