// rtmp-load: a single-threaded epoll RTMP/HTTP-FLV load generator for
// benchmarking live servers. See bench/README.md.
#include "loadgen.h"
#include "options.h"

int main(int argc, char** argv) {
  rl::Options o;
  int code = 0;
  if (!rl::parse_options(argc, argv, o, code)) return code;
  rl::LoadGen g(o);
  return g.run();
}
