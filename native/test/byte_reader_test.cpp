#include "byte_reader.h"
#include "check.h"

using namespace tsrs;

TEST_CASE("reads big-endian fields in wire order on any host") {
  const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  ByteReader r(data, sizeof(data));
  CHECK_EQ(r.u8(), 0x01);
  CHECK_EQ(r.u16be(), 0x0203);
  CHECK_EQ(r.u24be(), 0x040506u);
  CHECK_EQ(r.u32le(), 0x0a090807u);
  CHECK_EQ(r.remaining(), 0u);
  CHECK(!r.overflow());
}

TEST_CASE("a read past the end flags overflow and returns zero") {
  const uint8_t data[] = {0xff, 0xee};
  ByteReader r(data, sizeof(data));
  CHECK_EQ(r.u24be(), 0u);
  CHECK(r.overflow());
  CHECK(r.take(1) == nullptr);
}

TEST_CASE("writers are the inverse of readers") {
  uint8_t buf[4];
  write_u32be(buf, 0xdeadbeef);
  CHECK_EQ(read_u32be(buf), 0xdeadbeefu);
  write_u32le(buf, 0x01020304);
  CHECK_EQ(buf[0], 0x04);
  CHECK_EQ(read_u32le(buf), 0x01020304u);
  write_u24be(buf, 0xabcdef);
  CHECK_EQ(read_u24be(buf), 0xabcdefu);
  write_u16be(buf, 0x1234);
  CHECK_EQ(read_u16be(buf), 0x1234);
}

TEST_MAIN()
