# Shared body of the Debian cross toolchain files beside this one. A target file sets
# TSRS_CROSS_TRIPLET (the GNU triplet of Debian's g++-<triplet> package) and
# CMAKE_SYSTEM_PROCESSOR, then includes this file.
#
# The target's libc and libstdc++ live in /usr/<triplet> (Debian's *-cross packages), so
# that is both the find root and the qemu-user library prefix (-L): ctest then runs every
# test executable through qemu directly (CMAKE_CROSSCOMPILING_EMULATOR).
#
# For another board toolchain (a vendor SDK, OpenWrt, Buildroot), copy a target file and
# point TSRS_CROSS_TRIPLET / TSRS_CROSS_SYSROOT / TSRS_CROSS_QEMU at it, e.g.
#   -DTSRS_CROSS_SYSROOT=/opt/sdk/sysroot -DTSRS_CROSS_PREFIX=/opt/sdk/bin/mipsel-openwrt-linux-
if(NOT TSRS_CROSS_TRIPLET)
  message(FATAL_ERROR "TSRS_CROSS_TRIPLET must be set by the target toolchain file")
endif()

set(CMAKE_SYSTEM_NAME Linux)

# Toolchain files are re-read by try_compile projects: pass our cache settings through.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
  TSRS_CROSS_TRIPLET TSRS_CROSS_PREFIX TSRS_CROSS_SYSROOT TSRS_CROSS_QEMU)

set(TSRS_CROSS_PREFIX "${TSRS_CROSS_TRIPLET}-" CACHE STRING "compiler prefix (path and triplet)")
set(TSRS_CROSS_SYSROOT "/usr/${TSRS_CROSS_TRIPLET}" CACHE PATH "target libc/libstdc++ root")

set(CMAKE_C_COMPILER "${TSRS_CROSS_PREFIX}gcc")
set(CMAKE_CXX_COMPILER "${TSRS_CROSS_PREFIX}g++")

set(CMAKE_FIND_ROOT_PATH "${TSRS_CROSS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# qemu-user from Debian's qemu-user (qemu-<arch>) or qemu-user-static (qemu-<arch>-static).
if(NOT TSRS_CROSS_QEMU)
  find_program(TSRS_CROSS_QEMU NAMES "qemu-${TSRS_QEMU_ARCH}" "qemu-${TSRS_QEMU_ARCH}-static")
endif()
if(TSRS_CROSS_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${TSRS_CROSS_QEMU};-L;${TSRS_CROSS_SYSROOT}")
else()
  message(STATUS "qemu-${TSRS_QEMU_ARCH} not found: cross tests build but ctest cannot run them here")
endif()
