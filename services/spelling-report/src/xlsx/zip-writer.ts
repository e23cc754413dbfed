import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Zip 2.0: deflate, no zip64 (the report's files are far below 4 GB and 65,535 entries). */
const VERSION = 20;
const UTF8_NAMES = 0x0800;
const DEFLATED = 8;
const MAX_32 = 0xffffffff;

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  packedSize: number;
  offset: number;
}

/** MS-DOS time and date fields of a zip entry (2-second resolution), in UTC. */
function dosTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/**
 * Writes a zip of whole files to a stream: each file is deflated on libuv's threads as soon as it is
 * added (off the JavaScript thread, which goes on building the next one) and written in the order
 * added, with its sizes and CRC in its header (no data descriptors). Node's zlib does the work that
 * archiver's JavaScript streams and CRC did for exceljs.
 */
export class ZipWriter {
  private readonly written: Written[] = [];
  private offset = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly stamp: { time: number; date: number };

  constructor(
    private readonly out: Writable,
    modified: Date,
    private readonly level: number,
  ) {
    this.stamp = dosTime(modified);
  }

  /** Queues a file; resolves once it is written (a failure also surfaces from finish()). */
  add(name: string, content: string): Promise<void> {
    const data = Buffer.from(content, 'utf8');
    const packed = deflate(data, { level: this.level });
    packed.catch(() => undefined);
    this.queue = this.queue.then(async () => this.writeFile(Buffer.from(name, 'utf8'), data, await packed));
    this.queue.catch(() => undefined);
    return this.queue;
  }

  /** Writes the central directory once every file is out. */
  async finish(): Promise<void> {
    await this.queue;
    const start = this.offset;
    for (const file of this.written) await this.write(this.centralHeader(file), file.name);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL, 0);
    end.writeUInt16LE(this.written.length, 8);
    end.writeUInt16LE(this.written.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
  }

  private async writeFile(name: Buffer, data: Buffer, packed: Buffer): Promise<void> {
    if (data.length > MAX_32 || this.offset > MAX_32 || this.written.length >= 0xffff) throw new Error('zip too large for zip 2.0');
    const file: Written = { name, crc: crc32(data), size: data.length, packedSize: packed.length, offset: this.offset };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    this.writeCommon(header, 6, file);
    header.writeUInt16LE(name.length, 26);
    this.written.push(file);
    await this.write(header, name, packed);
  }

  private centralHeader(file: Written): Buffer {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(VERSION, 6);
    this.writeCommon(header, 8, file);
    header.writeUInt16LE(file.name.length, 28);
    header.writeUInt32LE(file.offset, 42);
    return header;
  }

  /** Flags, method, time, date, CRC and sizes: the same fields in both headers. */
  private writeCommon(header: Buffer, at: number, file: Written): void {
    header.writeUInt16LE(UTF8_NAMES, at);
    header.writeUInt16LE(DEFLATED, at + 2);
    header.writeUInt16LE(this.stamp.time, at + 4);
    header.writeUInt16LE(this.stamp.date, at + 6);
    header.writeUInt32LE(file.crc, at + 8);
    header.writeUInt32LE(file.packedSize, at + 12);
    header.writeUInt32LE(file.size, at + 16);
  }

  private async write(...chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      this.offset += chunk.length;
      // Back-pressure: the upload takes the bytes no faster than S3 does.
      if (!this.out.write(chunk)) await once(this.out, 'drain');
    }
  }
}
