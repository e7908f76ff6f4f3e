# Cross-build the native core for ARMv7-A hard-float (Raspberry Pi 2+ on a 32-bit OS, BeagleBone, i.MX6, most 32-bit Cortex-A boards).
# Debian: apt-get install g++-arm-linux-gnueabihf qemu-user-static
#   cmake -S . -B build/cross-arm -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake
set(TSRS_CROSS_TRIPLET arm-linux-gnueabihf)
set(TSRS_QEMU_ARCH arm)
set(CMAKE_SYSTEM_PROCESSOR arm)
include("${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake")
