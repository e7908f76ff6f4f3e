#!/usr/bin/env bash
# Runs Debian's Node for a foreign architecture under qemu-user, from the sysroot
# node-sysroot.sh unpacks (built on first use):
#   scripts/cross/qemu-node.sh arm64 -e "console.log(process.arch)"
#   scripts/cross/qemu-node.sh armhf app.js
# qemu comes from Debian's qemu-user-static (qemu-<arch>-static) or qemu-user (qemu-<arch>).
# qemu-user does not follow execve into other foreign binaries: child_process.spawn of
# process.execPath fails inside; run everything in one process.
set -euo pipefail
arch=${1:?usage: qemu-node.sh <debian-arch> [node args...]}
shift

case "$arch" in
  arm64) qemu_arch=aarch64 ;;
  armhf|armel) qemu_arch=arm ;;
  amd64) qemu_arch=x86_64 ;;
  i386) qemu_arch=i386 ;;
  ppc64el) qemu_arch=ppc64le ;;
  *) qemu_arch=$arch ;;
esac

qemu=$(command -v "qemu-$qemu_arch-static" || command -v "qemu-$qemu_arch" || true)
[ -n "$qemu" ] || { echo "qemu-node: qemu-$qemu_arch not found (apt-get install qemu-user-static)" >&2; exit 127; }

root=$(bash "$(dirname "$0")/node-sysroot.sh" "$arch")
exec "$qemu" -L "$root" "$root/usr/bin/node" "$@"
