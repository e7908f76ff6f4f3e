#include "rtmp_chunk_demuxer.h"

#include <algorithm>
#include <cstring>

#include "byte_reader.h"

namespace tsrs {

namespace {

// Message header size by fmt: full, same stream, same stream and length, nothing.
constexpr size_t kMessageHeaderSize[4] = {11, 7, 3, 0};

std::string csid_text(uint32_t csid) { return "chunk stream " + std::to_string(csid); }

bool is_protocol_control(uint8_t type) { return type >= kRtmpSetChunkSize && type <= kRtmpSetPeerBandwidth; }

}  // namespace

// What one chunk header says, before it is applied to its chunk stream.
struct ChunkDemuxer::ParsedHeader {
  uint8_t fmt = 0;
  uint32_t csid = 0;
  uint32_t timestamp_field = 0;  // the 3-byte field (fmt 0..2)
  uint32_t length = 0;           // fmt 0..1
  uint8_t type_id = 0;           // fmt 0..1
  uint32_t stream_id = 0;        // fmt 0
  bool has_extended = false;     // 4 extended timestamp bytes were consumed
  uint32_t extended = 0;
  size_t size = 0;  // header bytes consumed
};

ChunkDemuxer::ChunkDemuxer(ChunkDemuxerOptions options) : options_(options) {}

const char* ChunkDemuxer::feed(const uint8_t* data, size_t size, const Sink& sink) {
  if (error_code_) return chunk_error::kAfterError;
  bytes_received_ += size;
  consume(data, size, sink);
  return error_code_;
}

bool ChunkDemuxer::fail(const char* code, std::string detail) {
  error_code_ = code;
  error_detail_ = std::move(detail);
  current_ = nullptr;
  return false;
}

ChunkDemuxer::ChunkStream* ChunkDemuxer::find_stream(uint32_t csid) {
  if (csid < kDirectStreams) return direct_[csid];
  auto it = streams_.find(csid);
  return it == streams_.end() ? nullptr : &it->second;
}

bool ChunkDemuxer::consume(const uint8_t* data, size_t size, const Sink& sink) {
  size_t pos = 0;
  while (pos < size) {
    if (current_) {
      size_t n = std::min(chunk_left_, size - pos);
      current_->payload.insert(current_->payload.end(), data + pos, data + pos + n);
      pos += n;
      chunk_left_ -= n;
      if (chunk_left_ == 0) {
        ChunkStream* cs = current_;
        current_ = nullptr;
        if (cs->payload.size() == cs->length && !complete_message(*cs, current_csid_, sink)) return false;
      }
      continue;
    }

    ParsedHeader h;
    if (header_len_ == 0) {
      // Fast path: the whole header is in this read, parse it in place.
      HeaderResult r = parse_header(data + pos, size - pos, h);
      if (r == HeaderResult::kError) return false;
      if (r == HeaderResult::kComplete) {
        pos += h.size;
        if (!start_chunk(h, sink)) return false;
        continue;
      }
      size_t n = std::min(size - pos, sizeof(header_));
      std::memcpy(header_, data + pos, n);
      header_len_ = n;
      pos += n;
      continue;
    }

    // Slow path: a header split across reads, completed in header_.
    size_t old_len = header_len_;
    size_t take = std::min(sizeof(header_) - old_len, size - pos);
    std::memcpy(header_ + old_len, data + pos, take);
    HeaderResult r = parse_header(header_, old_len + take, h);
    if (r == HeaderResult::kError) return false;
    if (r == HeaderResult::kNeedMore) {
      header_len_ = old_len + take;
      pos += take;
      continue;
    }
    header_len_ = 0;
    if (h.size >= old_len) {
      pos += h.size - old_len;
      if (!start_chunk(h, sink)) return false;
      continue;
    }
    // The 4 bytes peeked for a repeated extended timestamp were payload, and some of them
    // came from an earlier read: hand those back to the parser (at most 3 bytes, so this
    // cannot recurse further).
    uint8_t replay[sizeof(header_)];
    size_t replay_len = old_len - h.size;
    std::memcpy(replay, header_ + h.size, replay_len);
    if (!start_chunk(h, sink)) return false;
    if (!consume(replay, replay_len, sink)) return false;
  }
  return true;
}

ChunkDemuxer::HeaderResult ChunkDemuxer::parse_header(const uint8_t* p, size_t n, ParsedHeader& h) {
  if (n < 1) return HeaderResult::kNeedMore;
  h.fmt = p[0] >> 6;
  size_t pos;
  switch (p[0] & 0x3f) {
    case 0:  // 2-byte form: 64..319
      if (n < 2) return HeaderResult::kNeedMore;
      h.csid = 64 + p[1];
      pos = 2;
      break;
    case 1:  // 3-byte form: 64..65599, little-endian
      if (n < 3) return HeaderResult::kNeedMore;
      h.csid = 64 + p[1] + (uint32_t(p[2]) << 8);
      pos = 3;
      break;
    default:
      h.csid = p[0] & 0x3f;
      pos = 1;
  }

  const ChunkStream* cs = find_stream(h.csid);
  if (!cs && h.fmt >= 2) {
    fail(chunk_error::kChunkStartInvalid,
         csid_text(h.csid) + ": first chunk has fmt " + std::to_string(h.fmt) + ", expected 0 or 1");
    return HeaderResult::kError;
  }

  if (n < pos + kMessageHeaderSize[h.fmt]) return HeaderResult::kNeedMore;
  const uint8_t* m = p + pos;
  if (h.fmt <= 2) h.timestamp_field = read_u24be(m);
  if (h.fmt <= 1) {
    h.length = read_u24be(m + 3);
    h.type_id = m[6];
  }
  if (h.fmt == 0) h.stream_id = read_u32le(m + 7);
  pos += kMessageHeaderSize[h.fmt];

  if (h.fmt <= 2) {
    if (h.timestamp_field == kRtmpExtendedTimestampMarker) {
      if (n < pos + 4) return HeaderResult::kNeedMore;
      h.has_extended = true;
      h.extended = read_u32be(p + pos);
      pos += 4;
    }
  } else if (cs->extended) {
    if (n < pos + 4) return HeaderResult::kNeedMore;
    uint32_t value = read_u32be(p + pos);
    // Starting a message, the 4 bytes are its delta. Continuing one, they are present only
    // if the sender repeats them; otherwise they are the chunk's first payload bytes.
    if (!cs->in_progress || value == cs->extended_value) {
      h.has_extended = true;
      h.extended = value;
      pos += 4;
    }
  }
  h.size = pos;
  return HeaderResult::kComplete;
}

bool ChunkDemuxer::start_chunk(const ParsedHeader& h, const Sink& sink) {
  ChunkStream* cs = find_stream(h.csid);
  if (!cs) {
    if (streams_.size() >= options_.max_chunk_streams) {
      return fail(chunk_error::kTooManyChunkStreams,
                  csid_text(h.csid) + " would exceed the limit of " + std::to_string(options_.max_chunk_streams));
    }
    cs = &streams_[h.csid];  // fmt 0 or 1 here; parse_header rejected 2 and 3
    if (h.csid < kDirectStreams) direct_[h.csid] = cs;
  }

  if (cs->in_progress) {
    if (h.fmt == 0) {
      return fail(chunk_error::kChunkStartInvalid,
                  csid_text(h.csid) + ": fmt 0 chunk while a message is in progress");
    }
    if (h.fmt == 1 && h.length != cs->length) {
      return fail(chunk_error::kMessageLengthChanged, csid_text(h.csid) + ": message length changed from " +
                                                          std::to_string(cs->length) + " to " +
                                                          std::to_string(h.length) + " mid-message");
    }
    // fmt 1/2 restating the header, or fmt 3: both just continue the message.
  } else {
    uint32_t field = h.has_extended ? h.extended : h.timestamp_field;
    if (h.fmt <= 2) {
      cs->extended = h.timestamp_field == kRtmpExtendedTimestampMarker;
      cs->extended_value = h.extended;
    }
    switch (h.fmt) {
      case 0:
        cs->timestamp = field;
        cs->delta = field;
        cs->length = h.length;
        cs->type_id = h.type_id;
        cs->stream_id = h.stream_id;
        break;
      case 1:
        cs->length = h.length;
        cs->type_id = h.type_id;
        [[fallthrough]];
      case 2:
        cs->delta = field;
        cs->timestamp += field;
        break;
      default:
        if (h.has_extended) cs->delta = cs->extended_value = h.extended;
        cs->timestamp += cs->delta;
    }
    if (cs->length > options_.max_message_size) {
      return fail(chunk_error::kMessageTooLarge, csid_text(h.csid) + ": message of " + std::to_string(cs->length) +
                                                     " bytes exceeds the limit of " +
                                                     std::to_string(options_.max_message_size));
    }
    cs->in_progress = true;
    cs->payload.clear();
    // Reserve only what a few chunks will fill: a header alone must not claim its whole
    // announced length (64 chunk streams x 8 MiB per connection), the vector grows as bytes come.
    if (cs->payload.capacity() < cs->length) cs->payload.reserve(std::min<size_t>(cs->length, 64 * 1024));
    if (cs->length == 0) return complete_message(*cs, h.csid, sink);
  }

  current_ = cs;
  current_csid_ = h.csid;
  chunk_left_ = std::min<size_t>(in_chunk_size_, cs->length - cs->payload.size());
  return true;
}

bool ChunkDemuxer::complete_message(ChunkStream& cs, uint32_t csid, const Sink& sink) {
  ChunkMessage msg;
  msg.csid = csid;
  msg.type_id = cs.type_id;
  msg.timestamp = cs.timestamp;
  msg.stream_id = cs.stream_id;
  msg.payload.swap(cs.payload);
  cs.in_progress = false;

  if ((msg.type_id == kRtmpSetChunkSize || msg.type_id == kRtmpAbort) && !apply_control(msg)) return false;
  if (msg.type_id == kRtmpAggregate && options_.split_aggregate) return split_aggregate(std::move(msg), sink);
  sink(std::move(msg));
  // The sink left the payload (it copied it): keep its buffer for the next message (the
  // swap above left cs.payload empty and unallocated).
  if (msg.payload.capacity() > 0 && msg.payload.capacity() <= kReusedPayloadCapacity) {
    msg.payload.clear();
    cs.payload.swap(msg.payload);
  }
  return true;
}

bool ChunkDemuxer::apply_control(const ChunkMessage& msg) {
  if (msg.type_id == kRtmpSetChunkSize) {
    if (msg.payload.size() < 4) {
      return fail(chunk_error::kChunkSizeInvalid,
                  "Set Chunk Size with a " + std::to_string(msg.payload.size()) + "-byte payload");
    }
    uint32_t size = read_u32be(msg.payload.data());
    // The top bit is reserved zero; SRS caps the size at 65536.
    if (size == 0 || size > kRtmpMaxChunkSize) {
      return fail(chunk_error::kChunkSizeInvalid, "Set Chunk Size " + std::to_string(size) + " outside 1.." +
                                                      std::to_string(kRtmpMaxChunkSize));
    }
    in_chunk_size_ = size;
    return true;
  }
  // Abort: a short payload names no chunk stream and aborts nothing.
  if (msg.payload.size() < 4) return true;
  if (ChunkStream* target = find_stream(read_u32be(msg.payload.data()))) {
    if (target->in_progress) {
      target->in_progress = false;
      std::vector<uint8_t>().swap(target->payload);  // release, not just clear
    }
  }
  return true;
}

bool ChunkDemuxer::split_aggregate(ChunkMessage&& msg, const Sink& sink) {
  // Sub tags are FLV tags: type 1, size 3, timestamp 3 + high byte 1, stream id 3, data,
  // back pointer 4. Validate them all before delivering any, so a bad aggregate is
  // rejected whole.
  struct Sub {
    uint8_t type;
    uint32_t timestamp;
    const uint8_t* data;
    uint32_t size;
  };
  std::vector<Sub> subs;
  ByteReader r(msg.payload.data(), msg.payload.size());
  while (r.remaining() > 0) {
    Sub sub;
    sub.type = r.u8();
    sub.size = r.u24be();
    sub.timestamp = r.u24be();
    sub.timestamp |= uint32_t(r.u8()) << 24;
    r.u24be();  // FLV stream id, always 0
    sub.data = r.take(sub.size);
    r.take(4);  // back pointer; not checked, encoders disagree on it
    if (r.overflow()) {
      return fail(chunk_error::kAggregateInvalid, csid_text(msg.csid) + ": aggregate sub tag " +
                                                      std::to_string(subs.size()) + " truncated");
    }
    if (is_protocol_control(sub.type) || sub.type == kRtmpAggregate) {
      return fail(chunk_error::kAggregateInvalid, csid_text(msg.csid) + ": aggregate carries a type " +
                                                      std::to_string(sub.type) + " message");
    }
    subs.push_back(sub);
  }

  // Rebase: the first sub tag takes the aggregate's timestamp, later ones keep their offset.
  uint32_t offset = subs.empty() ? 0 : msg.timestamp - subs.front().timestamp;
  for (const Sub& sub : subs) {
    ChunkMessage out;
    out.csid = msg.csid;
    out.type_id = sub.type;
    out.timestamp = sub.timestamp + offset;
    out.stream_id = msg.stream_id;
    out.payload.assign(sub.data, sub.data + sub.size);
    sink(std::move(out));
  }
  return true;
}

}  // namespace tsrs
