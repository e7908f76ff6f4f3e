# Cross-build the native core for MIPS32r2 big-endian, o32, hard-float (Debian's baseline; many routers are soft-float musl: bring their SDK).
# Debian: apt-get install g++-mips-linux-gnu qemu-user-static
#   cmake -S . -B build/cross-mips -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mips-linux-gnu.cmake
set(TSRS_CROSS_TRIPLET mips-linux-gnu)
set(TSRS_QEMU_ARCH mips)
set(CMAKE_SYSTEM_PROCESSOR mips)
include("${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake")
