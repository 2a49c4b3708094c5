import { CommandParser, defineScript } from 'redis';
import { UPDATED_LEAD_MS } from '../session-record';

/**
 * The Lua scripts that make each check-and-change on one session atomic. Every script
 * touches only the keys of one session (one cluster hash slot) and publishes its change
 * on the feed channel itself, so no replica can change a session without telling the
 * others. Numbers travel as decimal strings; replies are flat arrays.
 */

/** Status codes the scripts answer with, first in their reply. */
export const SCRIPT_STATUS = {
  ok: 1,
  missing: 0,
  ended: 2,
  notIdle: 3,
  conflict: 4,
  exists: 5,
  full: 6,
} as const;

/** Parses the arguments as keys (the first `keyCount`) and plain arguments (the rest). */
function keysThenArgs(keyCount: number) {
  return (parser: CommandParser, ...args: string[]) => {
    for (let i = 0; i < args.length; i++) {
      if (i < keyCount) parser.pushKey(args[i]);
      else parser.push(args[i]);
    }
  };
}

const raw = (reply: unknown) => reply;

/**
 * A script whose first `keyCount` arguments are its keys and whose reply its caller reads as Redis
 * gives it. The count is given once: Redis needs it (NUMBER_OF_KEYS) to tell the keys from the other
 * arguments, and the client (parseCommand) to route them, and the two must agree.
 */
function luaScript(keyCount: number, SCRIPT: string, options: { readOnly?: true } = {}) {
  return defineScript({
    NUMBER_OF_KEYS: keyCount,
    SCRIPT,
    ...(options.readOnly && { IS_READ_ONLY: true }),
    parseCommand: keysThenArgs(keyCount),
    transformReply: raw,
  });
}

/**
 * Lua fragments the scripts share, each a local function; a script is the fragments it
 * uses followed by its body (see `script`).
 */
const FRAGMENTS = {
  /** The stream id of a seq: `<seq>-1` (stream ids must be above 0-0). */
  streamId: `local function streamId(seq) return string.format('%d-1', seq) end`,
  /** The first seq of a stream entry (its id's first part). */
  batchStart: `local function batchStart(batch) return tonumber(string.match(batch[1], '^%d+')) end`,
  /** The level digits of a stream entry: a batch's \`l\` field, or a pre-batch entry's one level. */
  batchLevels: `local function batchLevels(batch)
  local fields = batch[2]
  if fields[1] == 'l' then return fields[2] end
  return fields[4]
end`,
  /**
   * Adds the count of each level in \`digits\` to \`counts\` (indexed by level code + 1); a
   * digit is a level code, or a level code plus 4 (the first entry of a batch, in the ring).
   */
  countLevels: `local function countLevels(counts, digits)
  for level = 0, 3 do
    local _, found = string.gsub(digits, '[' .. level .. (level + 4) .. ']', '')
    counts[level + 1] = counts[level + 1] + found
  end
end`,
  /** The levels ring's digits of seqs [from, to) (fewer than \`capacity\`; one GETRANGE, or two across the end). */
  ringRange: `local function ringRange(ring, from, to, capacity)
  local at, stop = from % capacity, (to - 1) % capacity
  if to <= from then return '' end
  if at <= stop then return redis.call('GETRANGE', ring, at, stop) end
  return redis.call('GETRANGE', ring, at, capacity - 1) .. redis.call('GETRANGE', ring, 0, stop)
end`,
  /** Writes the digits of seqs from \`from\` on into the levels ring (at most \`capacity\` of them). */
  writeRing: `local function writeRing(ring, from, digits, capacity)
  local at = from % capacity
  local fits = capacity - at
  redis.call('SETRANGE', ring, at, string.sub(digits, 1, fits))
  if #digits > fits then redis.call('SETRANGE', ring, 0, string.sub(digits, fits + 1)) end
end`,
  /**
   * The named fields of an active session (its status first, then those named), or nil
   * and the status code to answer: missing (0) or ended (2).
   */
  activeSession: `local function activeSession(hash, ...)
  local h = redis.call('HMGET', hash, 'status', ...)
  if not h[1] then return nil, 0 end
  if h[1] == 'ended' then return nil, 2 end
  return h
end`,
  /**
   * Moves `updated` as `movedUpdated` does: to now, never backwards, one past where it was when
   * that is not before now, up to UPDATED_LEAD_MS ahead (a hash without `updated` is a bare log:
   * left alone).
   */
  touch: `local function touch(hash, updated, now)
  if not updated then return end
  local was, at = tonumber(updated), tonumber(now)
  if at > was then redis.call('HSET', hash, 'updated', now)
  elseif was - at < ${UPDATED_LEAD_MS} then redis.call('HSET', hash, 'updated', string.format('%d', was + 1)) end
end`,
  /** Tells every replica on the feed channel (ARGV[1]) that session ARGV[2] changed: `<kind> <id>[ <extra>]`. */
  publish: `local function publish(kind, extra)
  local text = kind .. ' ' .. ARGV[2]
  if extra then text = text .. ' ' .. extra end
  redis.call('PUBLISH', ARGV[1], text)
end`,
};

/** A script's text: the fragments it uses, then its body. */
function script(uses: (keyof typeof FRAGMENTS)[], body: string): string {
  return [...uses.map((name) => FRAGMENTS[name]), body.trim()].join('\n') + '\n';
}

/**
 * Appends a batch to a log as one stream entry (see stream-batch.ts) and trims the log
 * to capacity, bumps the counters and `updated`, and publishes `appended <id> <cursor>`;
 * refuses a missing log or an ended session. Entries beyond capacity in the batch itself
 * are counted and evicted without being stored.
 *
 * A stream entry is removed once all of its entries are evicted, so the stream may hold
 * part of a batch below the first held seq: the hash's `cursor - held` is the truth, reads
 * skip the rest, and `head` is the first seq of the oldest stream entry. The evicted
 * entries' levels (for the metrics) and where batches start (for trimming) come from the
 * levels ring, not from the stream: a string of one digit per held entry, at `seq mod
 * capacity`, the level code plus 4 on a batch's first entry. Reading them from the stream
 * would copy whole batches into Lua, messages and all, on every append that evicts. The
 * hash's `ring` says which capacity the ring was written for; a log written before the
 * ring, or under another LOG_CAPACITY, counts from the stream once and rewrites the ring.
 *
 * KEYS: session hash, log stream, levels ring. ARGV: channel, id, capacity, now, the level
 * digits of every entry, then the entries kept (the last `capacity`) as stream entries: for
 * each, how many entries it holds, the number of its other fields, and those (streamEntryArgs).
 * Reply: {status, cursor, held, warn, error, evicted debug, info, warn, error}.
 */
export const APPEND = luaScript(
  3,
  script(
    ['streamId', 'batchStart', 'batchLevels', 'countLevels', 'ringRange', 'writeRing', 'touch', 'publish'],
    `
local hash, stream, ring = KEYS[1], KEYS[2], KEYS[3]
local h = redis.call('HMGET', hash, 'cursor', 'held', 'warn', 'error', 'status', 'updated', 'ring', 'head')
if not h[1] then return {0} end
if h[5] == 'ended' then return {2} end
local cursor, held, warn, err = tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[4])
local capacity = tonumber(ARGV[3])
local levels = ARGV[5]
local n = #levels
local kept = math.min(held + n, capacity)
local skipped = math.max(0, n - capacity)
local first, newFirst = cursor - held, cursor + n - kept
-- Old entries evicted: [first, oldEnd). The new batch's stored entries start at cursor + skipped.
local oldEnd = math.min(newFirst, cursor)
local _, warns = string.gsub(levels, '2', '')
local _, errors = string.gsub(levels, '3', '')
warn, err = warn + warns, err + errors
local evicted = {0, 0, 0, 0}
if skipped > 0 then countLevels(evicted, string.sub(levels, 1, skipped)) end
-- The stream's oldest entry starts at \`head\` (a log from before \`head\` was kept holds exactly the held entries).
local oldHead = tonumber(h[8] or first)
local head = oldHead
local ringKnown = held == 0 or h[7] == ARGV[3]
if oldEnd > first and ringKnown then
  -- The evicted entries' digits, and the new first's: the last batch start among them is the new head.
  local digits = ringRange(ring, first, math.min(newFirst + 1, cursor), capacity)
  countLevels(evicted, string.sub(digits, 1, oldEnd - first))
  local at = string.find(digits, '[4-7][0-3]*$')
  if at then head = first + at - 1 end
elseif oldEnd > first then
  for _, batch in ipairs(redis.call('XRANGE', stream, '-', streamId(newFirst))) do
    local start, bl = batchStart(batch), batchLevels(batch)
    local from, to = math.max(start, first), math.min(start + #bl, oldEnd)
    if to > from then countLevels(evicted, string.sub(bl, from - start + 1, to - start)) end
    if start + #bl > newFirst then head = start end
  end
end
if held == 0 or newFirst >= cursor then head = cursor + skipped end
if held > 0 and oldEnd < cursor and not ringKnown then
  -- Rewrite the ring for the old entries still held, once.
  local parts = {}
  for _, batch in ipairs(redis.call('XRANGE', stream, streamId(head), '+')) do
    local start, bl = batchStart(batch), batchLevels(batch)
    bl = string.char(string.byte(bl, 1) + 4) .. string.sub(bl, 2)
    parts[#parts + 1] = string.sub(bl, math.max(1, newFirst - start + 1))
  end
  writeRing(ring, newFirst, table.concat(parts), capacity)
end
-- Each stream entry's level digits are its run of the batch's (the kept ones start after the skipped).
local at, seq = 6, cursor + skipped
while at <= #ARGV do
  local count, fields = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
  local digits = string.sub(levels, seq - cursor + 1, seq - cursor + count)
  redis.call('XADD', stream, streamId(seq), 'l', digits, unpack(ARGV, at + 2, at + 1 + fields))
  writeRing(ring, seq, string.char(string.byte(digits, 1) + 4) .. string.sub(digits, 2), capacity)
  seq, at = seq + count, at + 2 + fields
end
if head > oldHead then redis.call('XTRIM', stream, 'MINID', streamId(head)) end
cursor = cursor + n
redis.call('HSET', hash, 'cursor', cursor, 'held', kept, 'warn', warn, 'error', err, 'ring', ARGV[3], 'head', head)
touch(hash, h[6], ARGV[4])
publish('appended', string.format('%d', cursor))
return {1, cursor, kept, warn, err, evicted[1], evicted[2], evicted[3], evicted[4]}
`,
  ),
);

/**
 * Reads held entries of a log with its counters, in one snapshot: the batches holding
 * entries from a seq (or from the N-th held entry), enough of them for `count` entries.
 * The first batch may start below that seq: the caller skips what lies before it.
 * KEYS: session hash, log stream. ARGV: 'seq' or 'offset', the seq or N, count ('all',
 * or at least that many entries).
 * Reply: {cursor, held, batches as XRANGE answers them}, or nil for a missing log.
 */
export const READ = luaScript(
  2,
  script(
    ['streamId', 'batchStart', 'batchLevels'],
    `
local hash, stream = KEYS[1], KEYS[2]
local h = redis.call('HMGET', hash, 'cursor', 'held')
if not h[1] then return false end
local cursor, held = tonumber(h[1]), tonumber(h[2])
local start = math.max(tonumber(ARGV[2]), 0) + (ARGV[1] == 'offset' and cursor - held or 0)
start = math.max(start, cursor - held)
if start >= cursor or ARGV[3] == '0' then return {cursor, held, {}} end
local batches = redis.call('XREVRANGE', stream, streamId(start), '-', 'COUNT', 1)
local from = streamId(start)
if batches[1] then from = batches[1][1] end
if ARGV[3] == 'all' then return {cursor, held, redis.call('XRANGE', stream, from, '+')} end
local want, got, seen = tonumber(ARGV[3]), 0, 1
if batches[1] then
  seen = #batchLevels(batches[1])
  got = batchStart(batches[1]) + seen - start
end
while got < want do
  -- As many batches as the batches seen so far say the entries still wanted fill, and one more.
  local count = math.ceil((want - got) * #batches / math.max(seen, 1)) + 1
  local more = redis.call('XRANGE', stream, '(' .. from, '+', 'COUNT', count)
  if #more == 0 then break end
  for _, batch in ipairs(more) do
    if got >= want then break end
    local length = #batchLevels(batch)
    batches[#batches + 1] = batch
    got, seen, from = got + length, seen + length, batch[1]
  end
end
return {cursor, held, batches}
`,
  ),
  { readOnly: true },
);

/**
 * Creates a session (or a bare log) unless the id is taken, and publishes `created <id>`
 * (nothing for a bare log: no session changed).
 * KEYS: session hash, log stream, levels ring. ARGV: channel, id, then field/value pairs.
 * Reply: {status}.
 */
export const CREATE = luaScript(
  3,
  script(
    ['publish'],
    `
if redis.call('EXISTS', KEYS[1]) == 1 then return {5} end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'cursor', 0, 'held', 0, 'warn', 0, 'error', 0, unpack(ARGV, 3))
if #ARGV > 2 then publish('created') end
return {1}
`,
  ),
);

/**
 * Changes an active session: sets fields, deletes others, moves `updated` (never
 * backwards) and bumps `version`, and publishes `updated <id>`. With an expected
 * version, refuses when another change came first (the caller merged metadata from
 * what it read, and retries).
 * KEYS: session hash. ARGV: channel, id, now, expected version ('' for any), number of
 * field/value pairs, the pairs, then fields to delete.
 * Reply: {status, the hash as HGETALL answers it}.
 */
export const UPDATE = luaScript(
  1,
  script(
    ['activeSession', 'touch', 'publish'],
    `
local hash = KEYS[1]
local h, refused = activeSession(hash, 'version', 'updated')
if not h then return {refused} end
if ARGV[4] ~= '' and ARGV[4] ~= h[2] then return {4} end
local pairs = tonumber(ARGV[5])
if pairs > 0 then redis.call('HSET', hash, unpack(ARGV, 6, 5 + pairs * 2)) end
if #ARGV > 5 + pairs * 2 then redis.call('HDEL', hash, unpack(ARGV, 6 + pairs * 2)) end
touch(hash, h[3], ARGV[3])
redis.call('HINCRBY', hash, 'version', 1)
publish('updated')
return {1, redis.call('HGETALL', hash)}
`,
  ),
);

/**
 * Ends an active session and publishes `ended <id>`. With an idle cutoff, ends it only
 * if neither `updated` nor the replica heartbeat `beat` reached the cutoff, so that of
 * several replicas racing to expire a session exactly one does.
 * KEYS: session hash. ARGV: channel, id, reason, now, end order, idle cutoff ('' for none).
 * Reply: {status, the hash} ({3, updated} when not idle).
 */
export const END = luaScript(
  1,
  script(
    ['activeSession', 'publish'],
    `
local hash = KEYS[1]
local h, refused = activeSession(hash, 'updated', 'beat')
if refused == 2 then return {2, redis.call('HGETALL', hash)} end
if not h then return {refused} end
if ARGV[6] ~= '' then
  local last = math.max(tonumber(h[2]), tonumber(h[3] or 0))
  if last >= tonumber(ARGV[6]) then return {3, string.format('%d', last)} end
end
redis.call('HSET', hash, 'status', 'ended', 'ended', ARGV[4], 'endReason', ARGV[3], 'endOrder', ARGV[5])
publish('ended')
return {1, redis.call('HGETALL', hash)}
`,
  ),
);

/**
 * A replica's heartbeat on its own server session (`beat`), which does not move
 * `updated` (nothing a client sees changes). KEYS: session hash. ARGV: now.
 * Reply: {status}: missing or ended tells the replica its session is gone.
 */
export const BEAT = luaScript(
  1,
  script(
    ['activeSession'],
    `
local h, refused = activeSession(KEYS[1])
if not h then return {refused} end
redis.call('HSET', KEYS[1], 'beat', ARGV[1])
return {1}
`,
  ),
);

/**
 * Records counters given by the caller (SessionRegistry.recordAppend for an append not
 * made by this store's script: an empty one), never moving them backwards, moves `updated`
 * and publishes `appended <id> <cursor>`; refuses an ended session, changing nothing (the
 * caller's check that it was active may be older than an end through another replica).
 * KEYS: session hash. ARGV: channel, id, now, cursor, held, warn, error. Reply: {status}.
 */
export const RECORD = luaScript(
  1,
  script(
    ['activeSession', 'touch', 'publish'],
    `
local hash = KEYS[1]
local h, refused = activeSession(hash, 'cursor', 'updated')
if not h then return {refused} end
if tonumber(ARGV[4]) >= tonumber(h[2]) then
  redis.call('HSET', hash, 'cursor', ARGV[4], 'held', ARGV[5], 'warn', ARGV[6], 'error', ARGV[7])
end
touch(hash, h[3], ARGV[3])
publish('appended', redis.call('HGET', hash, 'cursor'))
return {1}
`,
  ),
);

/**
 * Indexes a new client session among the active ones (the idle index, which holds exactly
 * those) unless MAX_SESSIONS are there already: the count and the add in one step, so that
 * creates at once through any replicas cannot pass the limit together. Touches only that
 * index (one slot). KEYS: the idle index. ARGV: the limit, the score (`updated`), the id.
 * Reply: {1} added, {0} already indexed (the create then finds the id taken), {6, count} full.
 */
export const ADMIT = luaScript(
  1,
  `
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return {0} end
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then return {6, count} end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return {1}
`,
);

/**
 * Takes tokens from a rate-limit bucket shared by every replica (see TokenBuckets for the
 * rules): the bucket refills at the rate up to one second's worth, a take passes while it is
 * not empty and may overdraw it, a refused take changes nothing. Redis's clock times it, so
 * replicas on machines whose clocks differ share one bucket. The key lives only while the
 * bucket is below full (it expires as it refills): a full bucket is no key. KEYS: the bucket.
 * ARGV: the rate per second, the count (0: only look; below 0: give back, with '1', for a request
 * refused after its take: up to a full bucket, as a refill is), '1' to take even from an empty
 * bucket. Reply: 0 granted, else whole seconds until the bucket holds a token again (at least 1).
 */
export const TAKE = luaScript(
  1,
  `
local rate, count, force = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = rate
if bucket[1] and bucket[2] then
  tokens = math.min(rate, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) / 1000 * rate)
end
if tokens <= 0 and not force then return math.max(1, math.ceil((1 - tokens) / rate)) end
if count == 0 then return 0 end
tokens = math.min(rate, tokens - count)
if tokens >= rate then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((rate - tokens) / rate * 1000)))
return 0
`,
);

/**
 * The readiness probe: a write (a Redis refusing writes, `OOM`, `MISCONF`, `READONLY`, is not
 * ready), run as a script as the store's own calls are, then, where Redis can say (7.0 and later:
 * \`redis.acl_check_cmd\`), whether its ACL lets this user run every command the store needs on
 * keys and the channel of this prefix: a user without one (\`XADD\`, say) had the replica ready
 * while every append was refused. Checks only: no key but the probe's is touched. KEYS: the
 * probe's key. ARGV: a session's hash, log stream and levels ring, a session list, the order
 * counter, a rate-limit bucket, the feed channel. Reply: the commands refused (none: ready).
 */
export const READY = luaScript(
  1,
  `
redis.call('SET', KEYS[1], '1', 'PX', 60000)
if not redis.acl_check_cmd then return {} end
local hash, stream, ring, list, counter, bucket, channel = unpack(ARGV)
local needed = {
  {'HSET', hash, 'f', 'v'}, {'HGET', hash, 'f'}, {'HGETALL', hash}, {'HMGET', hash, 'f'},
  {'HDEL', hash, 'f'}, {'HINCRBY', hash, 'f', '1'}, {'EXISTS', hash}, {'DEL', hash},
  {'XADD', stream, '1-1', 'f', 'v'}, {'XRANGE', stream, '-', '+'}, {'XREVRANGE', stream, '+', '-'},
  {'XTRIM', stream, 'MINID', '1-1'}, {'GETRANGE', ring, '0', '0'}, {'SETRANGE', ring, '0', 'x'},
  {'ZADD', list, '1', 'm'}, {'ZCARD', list}, {'ZSCORE', list, 'm'}, {'ZRANGE', list, '0', '-1'},
  {'ZRANGEBYSCORE', list, '0', '1'}, {'ZREM', list, 'm'}, {'INCR', counter},
  {'HMGET', bucket, 'f'}, {'HSET', bucket, 'f', 'v'}, {'PEXPIRE', bucket, '1'},
  {'PUBLISH', channel, 'x'}, {'TIME'}, {'PING'}, {'MULTI'}, {'EXEC'},
  {'EVAL', 'return 1', '0'}
}
local refused, seen = {}, {}
for _, command in ipairs(needed) do
  if not seen[command[1]] and not redis.acl_check_cmd(unpack(command)) then
    refused[#refused + 1] = command[1]
    seen[command[1]] = true
  end
end
return refused
`,
);

export const SCRIPTS = {
  admit: ADMIT,
  append: APPEND,
  read: READ,
  create: CREATE,
  update: UPDATE,
  end: END,
  beat: BEAT,
  record: RECORD,
  take: TAKE,
  ready: READY,
};
