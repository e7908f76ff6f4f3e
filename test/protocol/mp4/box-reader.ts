/** A minimal ISO-BMFF box walker for checking what the muxer wrote (tests only). */

export interface Box {
  type: string;
  start: number;
  size: number;
  headerSize: number;
  /** Payload after the header (and after version/flags for full boxes: read them yourself). */
  body: Buffer;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf']);

export function readBoxes(buf: Buffer, start = 0, end = buf.length): Box[] {
  const boxes: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let headerSize = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < headerSize || at + size > end) throw new Error(`box ${type} at ${at}: bad size ${size}`);
    boxes.push({ type, start: at, size, headerSize, body: buf.subarray(at + headerSize, at + size) });
    at += size;
  }
  if (at !== end) throw new Error(`${end - at} trailing bytes after the last box`);
  return boxes;
}

export function children(box: Box): Box[] {
  if (!CONTAINERS.has(box.type)) throw new Error(`${box.type} is not a container`);
  return readBoxes(box.body);
}

/** Every box at a path like "moov/trak/mdia/minf/stbl/stsz". */
export function findAll(boxes: Box[], path: string): Box[] {
  const [head, ...rest] = path.split('/');
  const here = boxes.filter((b) => b.type === head);
  if (rest.length === 0) return here;
  return here.flatMap((b) => findAll(children(b), rest.join('/')));
}

export function find(boxes: Box[], path: string): Box {
  const found = findAll(boxes, path);
  if (found.length === 0) throw new Error(`no box at ${path}`);
  return found[0]!;
}
