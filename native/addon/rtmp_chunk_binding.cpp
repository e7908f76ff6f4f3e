// N-API glue for the RTMP chunk stream codec (native/src/rtmp_chunk_{de,}muxer): the
// ChunkDemuxer class and encodeMessage(). Errors are thrown with a string `code` that the
// TypeScript facade (src/native/rtmp-chunk.ts) maps to a TsrsError.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "rtmp_chunk_demuxer.h"
#include "rtmp_chunk_muxer.h"

namespace tsrs_addon {

namespace {

constexpr const char* kInvalidArgument = "InvalidArgument";

[[noreturn]] void throw_coded(Napi::Error err, const char* code) {
  err.Value().Set("code", Napi::String::New(err.Env(), code));
  throw err;
}

// An integer argument within [min, max]; anything else is a TypeError/RangeError.
double integer_in(Napi::Env env, Napi::Value value, const std::string& name, double min, double max) {
  if (!value.IsNumber()) throw_coded(Napi::TypeError::New(env, name + " must be a number"), kInvalidArgument);
  double v = value.As<Napi::Number>().DoubleValue();
  if (!(v >= min && v <= max) || std::floor(v) != v) {
    throw_coded(Napi::RangeError::New(env, name + " must be an integer in " + std::to_string(uint64_t(min)) + ".." +
                                               std::to_string(uint64_t(max))),
                kInvalidArgument);
  }
  return v;
}

Napi::Uint8Array bytes_arg(Napi::Env env, Napi::Value value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw_coded(Napi::TypeError::New(env, std::string(name) + " must be a Buffer or Uint8Array"), kInvalidArgument);
  }
  return value.As<Napi::Uint8Array>();
}

class ChunkDemuxerWrap : public Napi::ObjectWrap<ChunkDemuxerWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "ChunkDemuxer",
                                     {
                                         InstanceMethod<&ChunkDemuxerWrap::Feed>("feed"),
                                         InstanceAccessor<&ChunkDemuxerWrap::InChunkSize>("inChunkSize"),
                                         InstanceAccessor<&ChunkDemuxerWrap::BytesReceived>("bytesReceived"),
                                     });
    exports.Set("ChunkDemuxer", cls);
  }

  explicit ChunkDemuxerWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<ChunkDemuxerWrap>(info), demuxer_(ParseOptions(info)) {}

 private:
  static tsrs::ChunkDemuxerOptions ParseOptions(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    tsrs::ChunkDemuxerOptions options;
    if (info.Length() == 0 || info[0].IsUndefined()) return options;
    if (!info[0].IsObject()) throw_coded(Napi::TypeError::New(env, "options must be an object"), kInvalidArgument);
    Napi::Object o = info[0].As<Napi::Object>();
    Napi::Value v = o.Get("maxMessageSize");
    if (!v.IsUndefined()) options.max_message_size = size_t(integer_in(env, v, "maxMessageSize", 0, 4294967295.0));
    v = o.Get("maxChunkStreams");
    if (!v.IsUndefined()) options.max_chunk_streams = size_t(integer_in(env, v, "maxChunkStreams", 1, 65598));
    v = o.Get("splitAggregate");
    if (!v.IsUndefined()) {
      if (!v.IsBoolean()) throw_coded(Napi::TypeError::New(env, "splitAggregate must be a boolean"), kInvalidArgument);
      options.split_aggregate = v.As<Napi::Boolean>().Value();
    }
    return options;
  }

  // feed(bytes, reusable?): every message the bytes complete, packed in one Buffer:
  //   u32 count, u32 offset of the headers, the payloads back to back from byte 8, padding
  //   to 4, then per message five u32 (csid, type id, timestamp, stream id, payload length),
  //   all in host byte order. One allocation per feed at most, instead of an object, five
  //   property sets and an external buffer (with its GC finalizer) per message: this runs
  //   for every message every publisher sends. Undefined when nothing completed.
  // `reusable`, a Uint8Array the caller keeps, is filled and returned when the batch fits,
  // payloads written straight into it: a fresh buffer per read is external memory that V8
  // answers with garbage collections, and a staging copy would move every byte once more.
  Napi::Value Feed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Uint8Array bytes = bytes_arg(env, info[0], "feed() argument");
    Napi::Value reusable = info.Length() > 1 ? info[1] : env.Undefined();
    Batch batch;
    if (reusable.IsTypedArray() && reusable.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
      Napi::Uint8Array target = reusable.As<Napi::Uint8Array>();
      batch.direct = target.Data();
      batch.direct_capacity = target.ElementLength();
    }
    heads_.clear();
    bodies_.clear();
    const char* code = demuxer_.feed(bytes.Data(), bytes.ElementLength(), [&batch](tsrs::ChunkMessage&& m) {
      heads_.insert(heads_.end(), {m.csid, m.type_id, m.timestamp, m.stream_id, uint32_t(m.payload.size())});
      static_assert(kHeaderWords == 5, "one header is the five words above");
      batch.append(m.payload.data(), m.payload.size());
      // m.payload is left in place: the demuxer reuses its buffer for the next message.
    });
    if (code) {
      std::string detail = code == tsrs::chunk_error::kAfterError
                               ? std::string("feed after an earlier error (") + demuxer_.error_code() + ")"
                               : demuxer_.error_detail();
      throw_coded(Napi::Error::New(env, "rtmp chunk stream: " + detail), code);
    }
    Napi::Value packed = batch.finish(env, reusable);
    // One huge message must not pin its size here for the connection's lifetime.
    if (bodies_.capacity() > kKeptBodyCapacity) std::vector<uint8_t>().swap(bodies_);
    return packed;
  }

  // One feed's payloads: written into the caller's reusable buffer while they fit (leaving
  // room for the count and header offset), else gathered in bodies_ for a fresh Buffer.
  struct Batch {
    static constexpr size_t kPrefix = 8;
    uint8_t* direct = nullptr;
    size_t direct_capacity = 0;
    size_t size = 0;  // payload bytes so far
    bool spilled = false;

    void append(const uint8_t* data, size_t n) {
      if (!spilled && direct && kPrefix + size + n <= direct_capacity) {
        if (n) std::memcpy(direct + kPrefix + size, data, n);
      } else {
        if (!spilled) {
          spilled = true;
          if (direct) bodies_.assign(direct + kPrefix, direct + kPrefix + size);
        }
        bodies_.insert(bodies_.end(), data, data + n);
      }
      size += n;
    }

    Napi::Value finish(Napi::Env env, Napi::Value reusable) {
      if (heads_.empty()) return env.Undefined();
      uint32_t count = uint32_t(heads_.size() / kHeaderWords);
      size_t heads_at = (kPrefix + size + 3) & ~size_t(3);
      size_t head_bytes = heads_.size() * 4;
      size_t total = heads_at + head_bytes;
      uint8_t* p;
      Napi::Value out;
      if (!spilled && direct && total <= direct_capacity) {
        p = direct;
        out = reusable;
      } else {
        Napi::Buffer<uint8_t> fresh = Napi::Buffer<uint8_t>::New(env, total);
        p = fresh.Data();
        out = fresh;
        if (spilled) {
          std::memcpy(p + kPrefix, bodies_.data(), size);
        } else if (direct) {
          std::memcpy(p + kPrefix, direct + kPrefix, size);  // the headers did not fit after them
        }
      }
      uint32_t heads_offset = uint32_t(heads_at);
      std::memcpy(p, &count, 4);  // host order: the facade reads it with the same endianness
      std::memcpy(p + 4, &heads_offset, 4);
      std::memset(p + kPrefix + size, 0, heads_at - kPrefix - size);
      std::memcpy(p + heads_at, heads_.data(), head_bytes);
      return out;
    }
  };

  Napi::Value InChunkSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), demuxer_.in_chunk_size());
  }

  Napi::Value BytesReceived(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(demuxer_.bytes_received()));
  }

  static constexpr size_t kKeptBodyCapacity = 1024 * 1024;
  static constexpr size_t kHeaderWords = 5;

  tsrs::ChunkDemuxer demuxer_;
  // One feed's message headers, and its payloads when they do not fit the caller's buffer;
  // shared by every demuxer of the thread (a feed finishes before the next starts), reused
  // from feed to feed.
  static thread_local std::vector<uint32_t> heads_;
  static thread_local std::vector<uint8_t> bodies_;
};

thread_local std::vector<uint32_t> ChunkDemuxerWrap::heads_;
thread_local std::vector<uint8_t> ChunkDemuxerWrap::bodies_;

// encodeMessage(csid, typeId, timestamp, streamId, payload, chunkSize): Buffer
Napi::Value EncodeMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  tsrs::ChunkMessageHeader header;
  header.csid = uint32_t(integer_in(env, info[0], "csid", tsrs::kRtmpMinChunkStreamId, tsrs::kRtmpMaxChunkStreamId));
  header.type_id = uint8_t(integer_in(env, info[1], "typeId", 0, 255));
  header.timestamp = uint32_t(integer_in(env, info[2], "timestamp", 0, 4294967295.0));
  header.stream_id = uint32_t(integer_in(env, info[3], "streamId", 0, 4294967295.0));
  Napi::Uint8Array payload = bytes_arg(env, info[4], "payload");
  uint32_t chunk_size = uint32_t(integer_in(env, info[5], "chunkSize", 1, tsrs::kRtmpMaxOutChunkSize));
  if (payload.ElementLength() > tsrs::kRtmpMaxPayloadSize) {
    throw_coded(Napi::RangeError::New(env, "payload of " + std::to_string(payload.ElementLength()) +
                                               " bytes exceeds the RTMP maximum of 16777215"),
                kInvalidArgument);
  }

  size_t size = tsrs::chunk_message_encoded_size(header.csid, header.timestamp, payload.ElementLength(), chunk_size);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, size);
  tsrs::encode_chunk_message_into(header, payload.Data(), payload.ElementLength(), chunk_size, out.Data(), size);
  return out;
}

}  // namespace

void InitChunkBindings(Napi::Env env, Napi::Object exports) {
  ChunkDemuxerWrap::Init(env, exports);
  exports.Set("encodeMessage", Napi::Function::New<EncodeMessage>(env, "encodeMessage"));
}

}  // namespace tsrs_addon
