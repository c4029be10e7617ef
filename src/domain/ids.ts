/**
 * Where the server's ids come from: one `Ids` per server. Unseeded, the bits are node's crypto (random and
 * unique across nodes); seeded (`--seed N`), each kind of id draws from its own sfc32 stream derived from N,
 * so that two fresh servers making the same calls at the same clock times make the same ids, and a call
 * that makes one kind of id (a log id) does not shift the others (instance codes, tokens).
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import type { IdSource } from './approval/ids.js';

/** What a seeded `Ids` is at one moment: enough to make the same ids again from there. */
export interface IdState {
  streams: Record<Stream, number[]>;
  sequence: Sequence;
}

type Stream = 'codes' | 'decimals' | 'tokens' | 'logs' | 'events';
const STREAMS: readonly Stream[] = ['codes', 'decimals', 'tokens', 'logs', 'events'];

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, 32 bits an output. */
class Sfc32 {
  constructor(private s: number[]) {}

  private next(): number {
    let [a = 0, b = 0, c = 0, d = 0] = this.s;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.s = [a, b, c, d];
    return t >>> 0;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(Math.ceil(n / 4) * 4);
    for (let i = 0; i < out.length; i += 4) out.writeUInt32BE(this.next(), i);
    return out.subarray(0, n);
  }

  get state(): number[] {
    return [...this.s];
  }
}

/** A stream's starting state: four words of SHA-256 over the seed and the stream's name. */
function streamState(seed: number, stream: Stream): number[] {
  const digest = createHash('sha256').update(`shenpi:${seed}:${stream}`).digest();
  return [0, 4, 8, 12].map((i) => digest.readUInt32BE(i) | 0);
}

/**
 * Node's crypto bits, drawn a block at a time: one call per id costs more than the rest of making it. Each
 * byte is handed out once, and copied, so a caller may change its bytes.
 */
class RandomPool {
  private block = Buffer.alloc(0);
  private offset = 0;

  constructor(private readonly size = 4096) {}

  bytes(n: number): Buffer {
    if (this.offset + n > this.block.length) {
      this.block = randomFillSync(Buffer.allocUnsafe(Math.max(this.size, n)));
      this.offset = 0;
    }
    const out = Buffer.from(this.block.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }
}

const randomPool = new RandomPool();

/** How many node numbers there are: the last three digits of a decimal id. */
export const NODE_NUMBERS = 1000;

/**
 * The sequence digits of a random id run in the residue class of its node number modulo this, so that serial
 * numbers (the millisecond and the sequence digits) of processes with node numbers below it never meet either:
 * 125 ids a millisecond per process, and the next ones carry the millisecond after.
 */
const SEQUENCE_RESIDUES = 8;

/**
 * Where decimal ids stand: the clock time last asked for, the millisecond the ids carry (a later one once it is
 * full: see `decimal`), how many carried it, and the sequence digits, which run on across milliseconds.
 */
interface Sequence {
  value: number;
  asked: number;
  millisecond: number;
  made: number;
}

const startingSequence = (): Sequence => ({ value: 0, asked: 0, millisecond: 0, made: 0 });

/** The unseeded servers of one process share one sequence, so that their decimal ids never meet. */
const processSequence = startingSequence();

export class Ids {
  private streams: Record<Stream, Sfc32> | undefined;
  private readonly sequence: Sequence;
  private node = 0;

  private constructor(readonly seed: number | undefined) {
    this.sequence = seed === undefined ? processSequence : startingSequence();
    this.reset();
  }

  /** Random ids (node's crypto), of node number 0 until `useNode`. */
  static random(): Ids {
    return new Ids(undefined);
  }

  /** Ids that repeat run to run for the same seed (a non-negative safe integer). */
  static seeded(seed: number): Ids {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`the seed must be a whole number from 0 to 2^53-1, not ${seed}`);
    return new Ids(seed);
  }

  /**
   * The node number this process's decimal ids carry (random ids only), leased from the database so that no two
   * processes writing to it hold the same (services/node-lease.ts).
   */
  useNode(node: number): void {
    if (!Number.isInteger(node) || node < 0 || node >= NODE_NUMBERS) throw new RangeError(`a node number is a whole number below ${NODE_NUMBERS}, not ${node}`);
    this.node = node;
  }

  private bytes(stream: Stream, n: number): Buffer {
    return this.streams ? this.streams[stream].bytes(n) : randomPool.bytes(n);
  }

  /** Upper-case UUID (version 4 form), the form of Feishu approval and instance codes. */
  code(): string {
    const b = this.bytes('codes', 16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const hex = b.toString('hex').toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /**
   * Decimal id strings (task, approval, event, comment, CC ids): a millisecond, three sequence digits, then the
   * node number. At most 125 carry one millisecond (seeded: 1,000; a frozen clock's too), the next ones the
   * millisecond after. Random ids never go back with a clock that steps back, so they never repeat within a
   * process; processes on one database hold different node numbers, so theirs never meet either. Seeded ids
   * follow the clock wherever it is set, so that the same calls at the same clock times make the same ids, and
   * end with three digits of the seed's stream instead: one process, where a clock set back makes a repeat
   * possible but unlikely.
   */
  decimal(now: number): string {
    const sequence = this.sequence;
    const residues = this.streams ? 1 : SEQUENCE_RESIDUES;
    const span = 1000 / residues;
    if (this.streams ? now !== sequence.asked : now > sequence.millisecond) {
      sequence.asked = now;
      sequence.millisecond = now;
      sequence.made = 0;
    } else if (sequence.made === span) {
      sequence.millisecond += 1;
      sequence.made = 0;
    }
    sequence.made += 1;
    sequence.value = (sequence.value + 1) % span;
    const digits = sequence.value * residues + (this.node % residues);
    const last = this.streams ? this.bytes('decimals', 4).readUInt32BE(0) % 1000 : this.node;
    return `${sequence.millisecond}${String(digits).padStart(3, '0')}${String(last).padStart(3, '0')}`;
  }

  /** The id source the state machine draws task, timeline and CC ids from. */
  decimals(now: number): IdSource {
    return { next: () => this.decimal(now) };
  }

  /**
   * An instance's serial number: 16 digits that sort by creation time, never repeated within a process, nor
   * between processes of node numbers 0 to 7 (SEQUENCE_RESIDUES).
   */
  serialNumber(now: number): string {
    return this.decimal(now).slice(0, 16);
  }

  /** The last second a log id was stamped with, and its stamp: every request makes one. */
  private stamped = { second: Number.NaN, stamp: '' };

  /** Feishu-like log id: UTC timestamp to the second, then 20 random upper-case hex digits. */
  logId(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.stamped.second) {
      this.stamped = { second, stamp: new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14) };
    }
    return this.stamped.stamp + this.bytes('logs', 10).toString('hex').toUpperCase();
  }

  tenantAccessToken(): string {
    return `t-${this.bytes('tokens', 24).toString('base64url')}`;
  }

  appAccessToken(): string {
    return `a-${this.bytes('tokens', 24).toString('base64url')}`;
  }

  /** A 2.0 event id: 32 hex digits. */
  eventId(): string {
    return this.bytes('events', 16).toString('hex');
  }

  /** Back to the state the server started with (seeded; random ids have no state). */
  reset(): void {
    const { seed } = this;
    if (seed === undefined) return;
    this.streams = Object.fromEntries(STREAMS.map((s) => [s, new Sfc32(streamState(seed, s))])) as Record<Stream, Sfc32>;
    Object.assign(this.sequence, startingSequence());
  }

  /** The state to come back to (seeded only). */
  state(): IdState | undefined {
    const { streams } = this;
    if (!streams) return undefined;
    return {
      streams: Object.fromEntries(STREAMS.map((s) => [s, streams[s].state])) as Record<Stream, number[]>,
      sequence: { ...this.sequence },
    };
  }

  restore(state: IdState | undefined): void {
    if (!state || !this.streams) return;
    this.streams = Object.fromEntries(STREAMS.map((s) => [s, new Sfc32([...state.streams[s]])])) as Record<Stream, Sfc32>;
    Object.assign(this.sequence, state.sequence);
  }
}

/** The admin token, when none is configured: always random, even on a seeded server (it guards /_shenpi/*). */
export const newAdminToken = (): string => randomBytes(18).toString('base64url');
