#include "options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rl {

static const char kUsage[] =
    "usage: rtmp-load --url rtmp://HOST:PORT/APP/STREAM [options]\n"
    "  --players N            RTMP players (or HTTP-FLV players with --http-flv)\n"
    "  --publish-file F.flv   publish F in a loop, paced by its timestamps, on every stream\n"
    "  --streams M            streams STREAM_0..STREAM_{M-1} (STREAM itself when M is 1); players round-robin\n"
    "  --http-flv PORT        players GET http://HOST:PORT/APP/STREAM.flv\n"
    "  --duration S           run S seconds then exit (default 30)\n"
    "  --ramp N/MS            open N connections every MS milliseconds (default 200/100)\n"
    "  --player-delay S       start players S seconds after the publishers are live (default 1)\n"
    "  --expect-kbps K        expected media bitrate per player (default: what the publisher sent)\n"
    "  --window S             receive-rate window in seconds (default 10, max 30)\n"
    "  --ok-ratio R           a player keeps up if it got >= R of the expected bytes (default 0.95)\n"
    "  --latency              match each video message to its send time (publisher in this process)\n"
    "  --latency-warmup S     ignore latency samples in the first S seconds of play (default 3)\n"
    "  --batch-ms MS          minimum event-loop period: fewer, larger reads (default 50, 0 with --latency)\n"
    "  --no-ack               never send Acknowledgement (to test a server's flow control)\n"
    "  --setup-timeout S      fail a connection not playing/publishing after S seconds (default 15)\n"
    "Prints one JSON object of aggregate stats per second and a final {\"summary\":true,...} line.\n";

std::string Options::url() const {
  return "rtmp://" + host + ":" + std::to_string(port) + "/" + app + "/" + stream;
}

std::string Options::stream_name(int index) const {
  return streams == 1 ? stream : stream + "_" + std::to_string(index);
}

static bool parse_url(const char* url, Options& o) {
  const char* p = strstr(url, "://");
  if (!p || strncmp(url, "rtmp", 4) != 0) return false;
  p += 3;
  const char* slash = strchr(p, '/');
  if (!slash) return false;
  std::string hostport(p, size_t(slash - p));
  size_t colon = hostport.find(':');
  o.host = hostport.substr(0, colon);
  if (colon != std::string::npos) {
    int port = atoi(hostport.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return false;
    o.port = uint16_t(port);
  }
  std::string path(slash + 1);
  size_t last = path.rfind('/');
  if (last == std::string::npos || last == 0 || last + 1 >= path.size()) return false;
  o.app = path.substr(0, last);
  o.stream = path.substr(last + 1);
  return !o.host.empty();
}

bool parse_options(int argc, char** argv, Options& o, int& exit_code) {
  exit_code = 2;
  bool have_url = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&](const char*& out) {
      if (i + 1 >= argc) {
        fprintf(stderr, "rtmp-load: %s needs a value\n", a.c_str());
        return false;
      }
      out = argv[++i];
      return true;
    };
    const char* v = nullptr;
    if (a == "--help" || a == "-h") {
      fputs(kUsage, stdout);
      exit_code = 0;
      return false;
    } else if (a == "--latency") {
      o.latency = true;
    } else if (a == "--no-ack") {
      o.send_acks = false;
    } else if (!value(v)) {
      return false;
    } else if (a == "--url") {
      if (!parse_url(v, o)) {
        fprintf(stderr, "rtmp-load: bad url %s (want rtmp://HOST:PORT/APP/STREAM)\n", v);
        return false;
      }
      have_url = true;
    } else if (a == "--players") {
      o.players = atoi(v);
    } else if (a == "--streams") {
      o.streams = atoi(v);
    } else if (a == "--publish-file") {
      o.publish_file = v;
    } else if (a == "--http-flv") {
      o.http_flv_port = uint16_t(atoi(v));
    } else if (a == "--duration") {
      o.duration_s = atof(v);
    } else if (a == "--ramp") {
      if (sscanf(v, "%d/%d", &o.ramp_batch, &o.ramp_interval_ms) != 2) o.ramp_batch = 0;
    } else if (a == "--player-delay") {
      o.player_delay_s = atof(v);
    } else if (a == "--expect-kbps") {
      o.expect_kbps = atof(v);
    } else if (a == "--window") {
      o.window_s = atoi(v);
    } else if (a == "--ok-ratio") {
      o.ok_ratio = atof(v);
    } else if (a == "--latency-warmup") {
      o.latency_warmup_s = atof(v);
    } else if (a == "--batch-ms") {
      o.batch_ms = atoi(v);
    } else if (a == "--setup-timeout") {
      o.setup_timeout_s = atof(v);
    } else {
      fprintf(stderr, "rtmp-load: unknown option %s\n%s", a.c_str(), kUsage);
      return false;
    }
  }
  const char* bad = nullptr;
  if (!have_url) bad = "--url is required";
  else if (o.players < 0 || o.players > 200000) bad = "--players must be 0..200000";
  else if (o.streams < 1 || o.streams > 10000) bad = "--streams must be 1..10000";
  else if (o.duration_s <= 0 || o.duration_s > 86400) bad = "--duration must be > 0";
  else if (o.ramp_batch < 1 || o.ramp_interval_ms < 1) bad = "--ramp wants N/MS with N, MS >= 1";
  else if (o.window_s < 1 || o.window_s > kMaxWindow) bad = "--window must be 1..30";
  else if (o.ok_ratio <= 0 || o.ok_ratio > 1) bad = "--ok-ratio must be in (0, 1]";
  else if (o.players == 0 && o.publish_file.empty()) bad = "nothing to do: give --players and/or --publish-file";
  else if (o.latency && o.publish_file.empty()) bad = "--latency needs --publish-file";
  else if (o.players > 0 && o.publish_file.empty() && o.expect_kbps <= 0)
    bad = "players of an outside publisher need --expect-kbps to judge their receive rate";
  else if (o.setup_timeout_s <= 0) bad = "--setup-timeout must be > 0";
  if (bad) {
    fprintf(stderr, "rtmp-load: %s\n%s", bad, kUsage);
    return false;
  }
  if (o.batch_ms < 0) o.batch_ms = o.latency ? 0 : 50;
  exit_code = 0;
  return true;
}

}  // namespace rl
