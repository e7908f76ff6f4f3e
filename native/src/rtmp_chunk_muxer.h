// RTMP 1.0 chunk stream muxer: encodes one message into chunks.
//
// The first chunk is ALWAYS fmt 0 (absolute timestamp, full header), never fmt 1/2 relative
// to the previous message on the chunk stream. That makes every encoded message
// self-contained: the fan-out can encode a message once and send the same bytes to every
// player, and a player can join or drop at any message boundary without its chunk stream
// state going out of step. Continuation chunks are fmt 3; a timestamp >= 0xFFFFFF goes in
// the extended field of the fmt 0 header and is repeated in every fmt 3 continuation chunk,
// as FFmpeg, SRS and Flash expect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tsrs {

struct ChunkMessageHeader {
  uint32_t csid = 0;  // 2..65599
  uint8_t type_id = 0;
  uint32_t timestamp = 0;  // absolute, mod 2^32
  uint32_t stream_id = 0;
};

constexpr uint32_t kRtmpMaxPayloadSize = 0xFFFFFF;          // 3-byte length field
constexpr uint32_t kRtmpMaxOutChunkSize = 0x7FFFFFFF;       // Set Chunk Size's top bit is reserved

// Whether the message can be encoded: csid in 2..65599, payload <= 0xFFFFFF bytes, chunk
// size in 1..0x7FFFFFFF.
bool chunk_message_encodable(uint32_t csid, size_t payload_size, uint32_t chunk_size);

// Bytes the encoded message takes, or 0 when it is not encodable.
size_t chunk_message_encoded_size(uint32_t csid, uint32_t timestamp, size_t payload_size, uint32_t chunk_size);

// Encodes into out[0..capacity). Returns the bytes written, or 0 when the message is not
// encodable or capacity is smaller than chunk_message_encoded_size().
size_t encode_chunk_message_into(const ChunkMessageHeader& header, const uint8_t* payload, size_t payload_size,
                                 uint32_t chunk_size, uint8_t* out, size_t capacity);

// Encodes into a new vector; empty when the message is not encodable.
std::vector<uint8_t> encode_chunk_message(const ChunkMessageHeader& header, const uint8_t* payload,
                                          size_t payload_size, uint32_t chunk_size);

}  // namespace tsrs
