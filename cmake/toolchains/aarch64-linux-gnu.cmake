# Cross-build the native core for ARMv8-A 64-bit (Raspberry Pi 3/4/5 on a 64-bit OS, Rockchip, Allwinner H5+, Jetson).
# Debian: apt-get install g++-aarch64-linux-gnu qemu-user-static
#   cmake -S . -B build/cross-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(TSRS_CROSS_TRIPLET aarch64-linux-gnu)
set(TSRS_QEMU_ARCH aarch64)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include("${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake")
