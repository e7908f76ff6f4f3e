/**
 * CRC-32/MPEG-2 (polynomial 0x04C11DB7, MSB first, no reflection, init 0xFFFFFFFF, no final
 * xor): the checksum ending every PSI section. A section whose CRC runs over its own CRC
 * field yields 0, which is how parsers check it.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

export function crc32Mpeg2(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}
