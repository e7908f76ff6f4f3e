// A minimal test harness for the native core: no framework to install or cross-compile.
// CHECK records a failure with file:line and goes on; main returns non-zero if any failed.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace tsrs_test {

struct Case {
  const char* name;
  std::function<void()> body;
};

inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}
inline int& failures() {
  static int count = 0;
  return count;
}

struct Register {
  Register(const char* name, std::function<void()> body) { cases().push_back({name, std::move(body)}); }
};

inline int run_all() {
  int failed_cases = 0;
  for (auto& c : cases()) {
    int before = failures();
    c.body();
    bool ok = failures() == before;
    if (!ok) failed_cases++;
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", c.name);
  }
  std::printf("%d passed, %d failed\n", int(cases().size()) - failed_cases, failed_cases);
  return failed_cases == 0 ? 0 : 1;
}

}  // namespace tsrs_test

#define TSRS_CONCAT2(a, b) a##b
#define TSRS_CONCAT(a, b) TSRS_CONCAT2(a, b)
#define TEST_CASE(name)                                                                     \
  static void TSRS_CONCAT(test_fn_, __LINE__)();                                            \
  static tsrs_test::Register TSRS_CONCAT(test_reg_, __LINE__)(name, TSRS_CONCAT(test_fn_, __LINE__)); \
  static void TSRS_CONCAT(test_fn_, __LINE__)()

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);          \
      tsrs_test::failures()++;                                                        \
    }                                                                                 \
  } while (0)

#define CHECK_EQ(a, b)                                                                          \
  do {                                                                                          \
    auto va = (a);                                                                              \
    auto vb = (b);                                                                              \
    if (!(va == vb)) {                                                                          \
      std::printf("  %s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, \
                  (long long)va, (long long)vb);                                                \
      tsrs_test::failures()++;                                                                  \
    }                                                                                           \
  } while (0)

#define TEST_MAIN() \
  int main() { return tsrs_test::run_all(); }
