# Cross-build the native core for MIPS32r2 little-endian, o32, hard-float (MT7621-class boards with a glibc userland).
# Debian: apt-get install g++-mipsel-linux-gnu qemu-user-static
#   cmake -S . -B build/cross-mipsel -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mipsel-linux-gnu.cmake
set(TSRS_CROSS_TRIPLET mipsel-linux-gnu)
set(TSRS_QEMU_ARCH mipsel)
set(CMAKE_SYSTEM_PROCESSOR mipsel)
include("${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake")
