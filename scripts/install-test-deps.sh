#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, only when missing:
# FFmpeg (encoder and player in integration tests), cmake (native core tests),
# promtool (Prometheus metrics check), and the -dev libraries the addon links.
set -euo pipefail

need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
dpkg -s libssl-dev >/dev/null 2>&1 || need+=(libssl-dev)
# Cross compilers and qemu-user: prebuilds for arm64/armhf and the ARM/MIPS ctest runs.
for cross in g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++-mips-linux-gnu g++-mipsel-linux-gnu qemu-user-static; do
  dpkg -s "$cross" >/dev/null 2>&1 || need+=("$cross")
done
# nginx-rtmp: a real peer for forward tests (and the benchmark's reference).
dpkg -s libnginx-mod-rtmp >/dev/null 2>&1 || need+=(nginx libnginx-mod-rtmp)
# promtool validates the Prometheus exporter's output.
command -v promtool >/dev/null 2>&1 || need+=(prometheus)

if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing test dependencies: ${need[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "test dependencies present: $(ffmpeg -version | head -1)"
