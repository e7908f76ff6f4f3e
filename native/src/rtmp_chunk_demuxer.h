// RTMP 1.0 chunk stream demuxer: turns the bytes of one connection (after the handshake)
// into whole messages, whatever the split of the reads. Protocol control that changes how
// chunks are framed (Set Chunk Size, Abort) is applied here, because the next chunk cannot
// be parsed without it; every message is still handed to the sink so the session can log
// and acknowledge it.
//
// Interoperability choices (FFmpeg, OBS/librtmp, Flash and SRS disagree at the edges):
// - Extended timestamps: a fmt3 chunk that continues a message whose header carried an
//   extended timestamp normally repeats those 4 bytes (FFmpeg, SRS, Flash). Some librtmp
//   builds do not. The 4 bytes are taken as the repeat only when they equal the header's
//   extended value; otherwise they are left in the stream as payload, as SRS does.
//   A fmt3 chunk that STARTS a message on such a chunk stream always carries them (its delta).
// - A fmt3 chunk starting a new message after a fmt0 header adds the fmt0's timestamp field
//   as the delta, as FFmpeg and SRS do (the spec expects a fmt1/2 in between).
// - A fresh chunk stream may start with fmt1 (librtmp sends its pings that way; SRS accepts
//   it, with stream id 0 and base timestamp 0); fmt2/3 on a fresh chunk stream is an error.
// - A fmt0 chunk on a chunk stream with a partial message is an error (as in SRS). A fmt1/2
//   chunk there only restates the header: its length must not change, its type and
//   timestamp are ignored for the message in progress.
// - Aggregate sub-messages keep the aggregate's chunk stream and message stream id (the
//   sub tag's stream id is FLV's always-zero field); protocol control types (1..6) and
//   nested aggregates inside an aggregate are rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tsrs {

// RTMP message type ids the chunk layer itself cares about.
enum RtmpMessageType : uint8_t {
  kRtmpSetChunkSize = 1,
  kRtmpAbort = 2,
  kRtmpAcknowledgement = 3,
  kRtmpUserControl = 4,
  kRtmpWindowAckSize = 5,
  kRtmpSetPeerBandwidth = 6,
  kRtmpAudio = 8,
  kRtmpVideo = 9,
  kRtmpAggregate = 22,
};

constexpr uint32_t kRtmpDefaultChunkSize = 128;
constexpr uint32_t kRtmpMaxChunkSize = 65536;  // SRS's upper bound for Set Chunk Size
constexpr uint32_t kRtmpMinChunkStreamId = 2;
constexpr uint32_t kRtmpMaxChunkStreamId = 65599;  // 3-byte basic header: 64 + 0xffff
constexpr uint32_t kRtmpExtendedTimestampMarker = 0xFFFFFF;

struct ChunkMessage {
  uint32_t csid = 0;
  uint8_t type_id = 0;
  uint32_t timestamp = 0;  // absolute, mod 2^32
  uint32_t stream_id = 0;
  std::vector<uint8_t> payload;
};

struct ChunkDemuxerOptions {
  size_t max_message_size = 8 * 1024 * 1024;
  size_t max_chunk_streams = 64;
  bool split_aggregate = true;
};

// Stable string codes; JS branches on them.
namespace chunk_error {
constexpr const char* kChunkSizeInvalid = "ChunkSizeInvalid";
constexpr const char* kMessageTooLarge = "MessageTooLarge";
constexpr const char* kMessageLengthChanged = "MessageLengthChanged";
constexpr const char* kTooManyChunkStreams = "TooManyChunkStreams";
constexpr const char* kChunkStartInvalid = "ChunkStartInvalid";
constexpr const char* kAggregateInvalid = "AggregateInvalid";
constexpr const char* kAfterError = "AfterError";
}  // namespace chunk_error

class ChunkDemuxer {
 public:
  // A sink may keep the payload (move it out) or leave it: a payload left in the message is
  // reused for the next message of its chunk stream, which saves an allocation per message.
  using Sink = std::function<void(ChunkMessage&&)>;

  explicit ChunkDemuxer(ChunkDemuxerOptions options = {});

  // Consumes all of data, calling sink for each message it completes. Returns nullptr, or
  // an error code (see chunk_error) after which the demuxer refuses further input.
  const char* feed(const uint8_t* data, size_t size, const Sink& sink);

  uint32_t in_chunk_size() const { return in_chunk_size_; }
  uint64_t bytes_received() const { return bytes_received_; }
  const char* error_code() const { return error_code_; }
  // Human-readable detail of the error, e.g. which chunk stream and which values.
  const std::string& error_detail() const { return error_detail_; }

 private:
  // Per chunk stream: the last header (fmt1..3 inherit from it) and the message in progress.
  struct ChunkStream {
    uint8_t type_id = 0;
    uint32_t length = 0;
    uint32_t stream_id = 0;
    uint32_t timestamp = 0;  // of the current (or last) message
    uint32_t delta = 0;      // what a fmt3 chunk starting a new message adds
    bool extended = false;   // the last header's timestamp field was 0xFFFFFF
    uint32_t extended_value = 0;
    bool in_progress = false;
    std::vector<uint8_t> payload;  // grows as chunks come; capacity kept between messages
  };
  // Direct slots for the one-byte chunk stream ids every encoder uses (2..63), so the
  // per-chunk lookup is not a hash; map nodes never move, so the pointers stay valid.
  static constexpr uint32_t kDirectStreams = 64;
  // A payload buffer larger than this (a keyframe) is freed after its message instead of
  // reused: audio and inter frames fit, and an idle stream does not pin a keyframe's size.
  static constexpr size_t kReusedPayloadCapacity = 16 * 1024;

  struct ParsedHeader;
  enum class HeaderResult { kNeedMore, kComplete, kError };

  bool consume(const uint8_t* data, size_t size, const Sink& sink);
  // Parses one chunk header from p[0..n) without changing any chunk stream.
  HeaderResult parse_header(const uint8_t* p, size_t n, ParsedHeader& h);
  ChunkStream* find_stream(uint32_t csid);
  // Applies a parsed header: starts or continues the message of its chunk stream.
  bool start_chunk(const ParsedHeader& h, const Sink& sink);
  bool complete_message(ChunkStream& cs, uint32_t csid, const Sink& sink);
  bool apply_control(const ChunkMessage& msg);
  bool split_aggregate(ChunkMessage&& msg, const Sink& sink);
  bool fail(const char* code, std::string detail);

  ChunkDemuxerOptions options_;
  uint32_t in_chunk_size_ = kRtmpDefaultChunkSize;
  uint64_t bytes_received_ = 0;
  const char* error_code_ = nullptr;
  std::string error_detail_;

  std::unordered_map<uint32_t, ChunkStream> streams_;
  ChunkStream* direct_[kDirectStreams] = {};
  // Header bytes of the chunk being read (basic 3 + message 11 + extended 4 at most).
  uint8_t header_[18] = {};
  size_t header_len_ = 0;
  // Set once a header is parsed: payload bytes left in the current chunk.
  ChunkStream* current_ = nullptr;
  uint32_t current_csid_ = 0;
  size_t chunk_left_ = 0;
};

}  // namespace tsrs
