import {
  BadRequestException,
  HttpException,
  Injectable,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { bodyTooLarge } from '@zen/contract';
import { parse as parseContentType } from 'content-type';
import { isAscii, isUtf8 } from 'node:buffer';
import { IncomingMessage, ServerResponse } from 'node:http';
import { bodyBuffers, parseJsonBody } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { clipped, quoted } from './quoted';
import { sendContinue } from './expect-continue';
import { RetryLaterException } from './unsent-responses';

/** A request body that passed the body checks: size, media type, UTF-8. */
export interface RequestBody {
  /** '' for an empty body. */
  mediaType: string;
  bytes: Buffer;
  /** All bytes below 0x80: decoded as ASCII by parseJsonBody (checked once, with the UTF-8 check). */
  ascii: boolean;
}

/**
 * Reads request bodies by hand, after the route has validated its id: the contract
 * answers a bad id before looking at the body, so no global body parser runs first.
 */
@Injectable()
export class RequestBodyReader {
  /**
   * Bytes of the bodies being received now, all requests together. MAX_BODY_BYTES bounds one
   * body, not their sum: 400 connections each sending a 1 MiB body but its last byte held 400 MiB
   * for up to Node's requestTimeout (300 s), and MAX_CONNECTIONS of them 10 GB.
   */
  private readonly incoming = { bytes: 0 };

  constructor(private readonly config: AppConfig) {}

  /** Bytes of the bodies being received now (see MAX_INCOMING_BODY_BYTES). */
  incomingBytes(): number {
    return this.incoming.bytes;
  }

  /**
   * Reads the body and checks its media type against `accepted`. An empty body is
   * allowed with any (or no) Content-Type when `emptyAllowed`.
   */
  read(
    req: IncomingMessage,
    accepted: readonly string[],
    emptyAllowed: boolean,
    /** A large body's memory is recycled once this response is written (see joined()). */
    res?: ServerResponse,
  ): Promise<RequestBody> {
    // One promise for the whole read, checks included (no .then layer): this runs on every log append.
    const check = (bytes: Buffer) => checkedBody(req, bytes, accepted, emptyAllowed);
    const total: IncomingTotal = { counter: this.incoming, limit: this.config.maxIncomingBodyBytes };
    return readWhole(req, this.config.limits.maxBodyBytes, total, check, res);
  }

  /** Reads a JSON body; an empty body reads as undefined. */
  async readJson(req: IncomingMessage, emptyAllowed: boolean): Promise<unknown> {
    const body = await this.read(req, ['application/json'], emptyAllowed);
    return body.bytes.length === 0 && emptyAllowed ? undefined : parseJsonBody(body.bytes, body.ascii);
  }
}

function checkedBody(
  req: IncomingMessage,
  bytes: Buffer,
  accepted: readonly string[],
  emptyAllowed: boolean,
): RequestBody {
  if (bytes.length === 0 && emptyAllowed) return { mediaType: '', bytes, ascii: true };
  const mediaType = acceptedMediaType(req.headers['content-type'], accepted);
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && coding.trim().toLowerCase() !== 'identity') {
    throw new UnsupportedMediaTypeException(
      `Content-Encoding ${clipped(coding)} is not supported; send the body uncompressed`,
    );
  }
  // A UTF-8 byte order mark says how the body is encoded; it is not part of the JSON or the first line.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const ascii = isAscii(bytes);
  if (!ascii && !isUtf8(bytes)) throw new BadRequestException('request body is not valid UTF-8');
  return { mediaType, bytes, ascii };
}

/**
 * The whole body, passed through `check`, or a 413 as soon as it is known to exceed
 * `limit` (from Content-Length before reading anything, or while a chunked body streams
 * in), or a 503 once it would take the bodies being received at once past `total.limit`
 * (MAX_INCOMING_BODY_BYTES; a body alone always gets in). Hand-written because it runs on every log append: it measured faster than
 * raw-body per request (docs/performance.md). Errors are built only when they are the
 * answer: a request emits 'close' after 'end' too, and an exception's stack trace costs
 * more than the rest of this function. On any error the rest of the body is let through,
 * so that the client can finish sending and read the answer instead of a reset.
 */
function readWhole<T>(
  req: IncomingMessage,
  limit: number,
  total: IncomingTotal,
  check: (bytes: Buffer) => T,
  res: ServerResponse | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) {
      req.resume();
      return reject(tooLarge(limit));
    }
    // A client that sent `Expect: 100-continue` sends the body only now (expect-continue.ts).
    sendContinue(req);
    const body = new IncomingBody(req, limit, total, reject);
    // A closure made here, not one IncomingBody makes and keeps: see IncomingBody.take.
    req.on('data', (chunk: Buffer) => body.take(chunk));
    req.on('end', () => {
      try {
        const bytes = body.whole(res);
        if (bytes !== null) resolve(check(bytes));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', (error) => body.refuse(() => unreadable(error)));
    // 'close' before 'end': the client went away mid-upload.
    req.on('close', () => body.refuse(aborted));
  });
}

/** The bodies being received now, all requests together, and how many bytes they may hold. */
interface IncomingTotal {
  counter: { bytes: number };
  limit: number;
}

/**
 * One body as it comes in: its chunks, counted against its own `limit` and, with the other
 * bodies being received, in `total.counter` until it is read whole or refused. Settled once:
 * whatever comes after the first answer is passed over.
 */
class IncomingBody {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly total: IncomingTotal,
    private readonly reject: (error: unknown) => void,
  ) {}

  /**
   * The 'data' handler's work, called from the closure readWhole registers. Not a class-field
   * arrow (`take = (chunk) => ...`), nor any closure the constructor stores on the instance: in V8's
   * unoptimised code, a closure stored by the function that created it kept the appends' garbage
   * alive through scavenges, V8 then allocated the append path's objects in old space for good
   * (allocation-site pretenuring), and appends ran at 0.7x, a sixth of the time in the collector.
   */
  take(chunk: Buffer): void {
    if (this.settled) return;
    const total = this.total;
    this.received += chunk.length;
    total.counter.bytes += chunk.length;
    if (this.received > this.limit) return this.refuse(() => tooLarge(this.limit));
    // A body alone always gets in, however large: only others' bodies can make it too many.
    if (total.counter.bytes > total.limit && total.counter.bytes > this.received)
      return this.refuse(() => tooMany(total.limit));
    this.chunks.push(chunk);
  }

  /** The body read whole, once it has ended; null when it was refused already. */
  whole(res: ServerResponse | undefined): Buffer | null {
    if (this.settled) return null;
    this.settled = true;
    const length = this.received;
    this.release();
    const chunks = this.chunks;
    return chunks.length === 1 ? chunks[0] : joined(chunks, length, res);
  }

  /** Answers with `error()` unless it is settled; the rest of the body is let through. */
  refuse(error: () => HttpException): void {
    if (!this.settled) {
      this.release();
      this.req.resume();
      this.reject(error());
    }
    this.settled = true;
  }

  private release(): void {
    this.total.counter.bytes -= this.received;
    this.received = 0;
  }
}

function unreadable(error: Error): HttpException {
  return new BadRequestException(`request body could not be read: ${error.message}`);
}

function aborted(): HttpException {
  return new BadRequestException('request body was aborted by the client');
}

function tooLarge(limit: number): HttpException {
  return new PayloadTooLargeException(bodyTooLarge(limit));
}

function tooMany(limit: number): HttpException {
  return new RetryLaterException(
    503,
    `the request bodies being received would pass MAX_INCOMING_BODY_BYTES (${limit}); send this one again`,
    1,
  );
}

interface MediaType {
  type: string;
  /** Lower case; undefined when not given. */
  charset: string | undefined;
}

/**
 * Content-Type headers already parsed, by their text: a client sends the same one or two
 * on every append, and parsing one costs more than the rest of the header checks.
 * Bounded: cleared when full.
 */
const knownMediaTypes = new Map<string, MediaType>();
/** A `;` with nothing but spaces before the next `;` or the end. */
const EMPTY_PARAMETERS = /;[ \t]*(?=;|$)/g;
/** The optional whitespace around a parameter's `;`: spaces or tabs (RFC 9110 §5.6.3, §8.3.1). */
const PARAMETER_SEPARATOR = /[ \t]*;[ \t]*/g;
const KNOWN_MEDIA_TYPES_MAX = 256;

function mediaTypeOf(header: string, accepted: readonly string[]): MediaType {
  const known = knownMediaTypes.get(header);
  if (known) return known;
  let parsed;
  try {
    // RFC 9110 allows empty parameters (`application/json;`) and tabs around a `;`
    // (`application/json;\tcharset=utf-8`), which the parser does not.
    parsed = parseContentType(header.replace(EMPTY_PARAMETERS, '').replace(PARAMETER_SEPARATOR, '; ').trim());
  } catch {
    throw new UnsupportedMediaTypeException(
      `Content-Type ${quoted(header)} is not valid; expected ${accepted.join(' or ')}`,
    );
  }
  const mediaType = { type: parsed.type, charset: parsed.parameters['charset']?.toLowerCase() };
  if (knownMediaTypes.size >= KNOWN_MEDIA_TYPES_MAX) knownMediaTypes.clear();
  knownMediaTypes.set(header, mediaType);
  return mediaType;
}

function acceptedMediaType(header: string | undefined, accepted: readonly string[]): string {
  if (!header) throw new UnsupportedMediaTypeException(`Content-Type is missing; expected ${accepted.join(' or ')}`);
  const { type, charset } = mediaTypeOf(header, accepted);
  if (!accepted.includes(type)) {
    throw new UnsupportedMediaTypeException(
      `Content-Type ${clipped(type)} is not supported; expected ${accepted.join(' or ')}`,
    );
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`charset ${clipped(charset)} is not supported; use utf-8`);
  }
  return type;
}

/**
 * The chunks of a body in one buffer. A large one is written into recycled memory and given
 * back once the response is written: a fresh megabyte costs ~3 ms in page faults on this
 * project's VM (memory/body-buffers.ts), more than parsing it. Safe because nothing keeps the
 * bytes past the handler: the parsers make strings of them. Without a response to wait for,
 * the body is the allocator's.
 */
function joined(chunks: Buffer[], length: number, res: ServerResponse | undefined): Buffer {
  if (!res || length < RECYCLED_FROM) return Buffer.concat(chunks, length);
  const buffer = bodyBuffers.take(length);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(buffer, at);
  res.once('finish', () => bodyBuffers.give(buffer));
  return buffer.subarray(0, length);
}

/** Smaller bodies come from the heap's free lists cheaply enough. */
const RECYCLED_FROM = 64 * 1024;
