import { CommandParser, defineScript } from 'redis';

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
 * Lua fragments the scripts share, each a local function; a script is the fragments it
 * uses followed by its body (see `script`).
 */
const FRAGMENTS = {
  /** The stream id of a seq: `<seq>-1` (stream ids must be above 0-0). */
  streamId: `local function streamId(seq) return string.format('%d-1', seq) end`,
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
  /** Moves `updated` to now, never backwards (a hash without `updated` is a bare log: left alone). */
  touch: `local function touch(hash, updated, now)
  if updated and tonumber(now) > tonumber(updated) then redis.call('HSET', hash, 'updated', now) end
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
 * Appends a batch to a log and trims it to capacity, bumps the counters and `updated`,
 * and publishes `appended <id> <cursor>`; refuses a missing log or an ended session.
 * KEYS: session hash, log stream. ARGV: channel, id, capacity, now, then per entry
 * time, level, message, data ('' for none).
 * Reply: {status, cursor, held, warn, error, evicted debug, info, warn, error}.
 */
export const APPEND = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: script(
    ['streamId', 'touch', 'publish'],
    `
local hash, stream = KEYS[1], KEYS[2]
local h = redis.call('HMGET', hash, 'cursor', 'held', 'warn', 'error', 'status', 'updated')
if not h[1] then return {0} end
if h[5] == 'ended' then return {2} end
local cursor, held, warn, err = tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[4])
local capacity = tonumber(ARGV[3])
local n = (#ARGV - 4) / 4
local kept = math.min(held + n, capacity)
local skipped = math.max(0, n - capacity)
local evictedHeld = held + n - kept - skipped
local evicted = {0, 0, 0, 0}
if evictedHeld > 0 then
  for _, entry in ipairs(redis.call('XRANGE', stream, '-', '+', 'COUNT', evictedHeld)) do
    local level = tonumber(entry[2][4]) + 1
    evicted[level] = evicted[level] + 1
  end
end
for i = 0, n - 1 do
  local at = 5 + i * 4
  local level = ARGV[at + 1]
  if level == '2' then warn = warn + 1 elseif level == '3' then err = err + 1 end
  if i < skipped then
    evicted[tonumber(level) + 1] = evicted[tonumber(level) + 1] + 1
  else
    local id = streamId(cursor + i)
    if ARGV[at + 3] == '' then
      redis.call('XADD', stream, id, 't', ARGV[at], 'l', level, 'm', ARGV[at + 2])
    else
      redis.call('XADD', stream, id, 't', ARGV[at], 'l', level, 'm', ARGV[at + 2], 'd', ARGV[at + 3])
    end
  end
end
cursor = cursor + n
if evictedHeld > 0 then redis.call('XTRIM', stream, 'MINID', streamId(cursor - kept)) end
redis.call('HSET', hash, 'cursor', cursor, 'held', kept, 'warn', warn, 'error', err)
touch(hash, h[6], ARGV[4])
publish('appended', string.format('%d', cursor))
return {1, cursor, kept, warn, err, evicted[1], evicted[2], evicted[3], evicted[4]}
`,
  ),
  parseCommand: keysThenArgs(2),
  transformReply: raw,
});

/**
 * Reads held entries of a log from the N-th held one, with its counters, in one snapshot
 * (a read from a seq needs no script: see RedisLogStore).
 * KEYS: session hash, log stream. ARGV: N, count ('all', or at most that many).
 * Reply: {cursor, held, entries as XRANGE answers them}, or nil for a missing log.
 */
export const READ_PAGE = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: script(
    ['streamId'],
    `
local h = redis.call('HMGET', KEYS[1], 'cursor', 'held')
if not h[1] then return false end
local cursor, held = tonumber(h[1]), tonumber(h[2])
local start = cursor - held + tonumber(ARGV[1])
if start >= cursor or ARGV[2] == '0' then return {cursor, held, {}} end
local from = streamId(start)
if ARGV[2] == 'all' then return {cursor, held, redis.call('XRANGE', KEYS[2], from, '+')} end
return {cursor, held, redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', ARGV[2])}
`,
  ),
  IS_READ_ONLY: true,
  parseCommand: keysThenArgs(2),
  transformReply: raw,
});

/**
 * Creates a session (or a bare log) unless the id is taken, and publishes `created <id>`
 * (nothing for a bare log: no session changed).
 * KEYS: session hash, log stream. ARGV: channel, id, then field/value pairs.
 * Reply: {status}.
 */
export const CREATE = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: script(
    ['publish'],
    `
if redis.call('EXISTS', KEYS[1]) == 1 then return {5} end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'cursor', 0, 'held', 0, 'warn', 0, 'error', 0, unpack(ARGV, 3))
if #ARGV > 2 then publish('created') end
return {1}
`,
  ),
  parseCommand: keysThenArgs(2),
  transformReply: raw,
});

/**
 * Changes an active session: sets fields, deletes others, moves `updated` (never
 * backwards) and bumps `version`, and publishes `updated <id>`. With an expected
 * version, refuses when another change came first (the caller merged metadata from
 * what it read, and retries).
 * KEYS: session hash. ARGV: channel, id, now, expected version ('' for any), number of
 * field/value pairs, the pairs, then fields to delete.
 * Reply: {status, the hash as HGETALL answers it}.
 */
export const UPDATE = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: script(
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
  parseCommand: keysThenArgs(1),
  transformReply: raw,
});

/**
 * Ends an active session and publishes `ended <id>`. With an idle cutoff, ends it only
 * if neither `updated` nor the replica heartbeat `beat` reached the cutoff, so that of
 * several replicas racing to expire a session exactly one does.
 * KEYS: session hash. ARGV: channel, id, reason, now, end order, idle cutoff ('' for none).
 * Reply: {status, the hash} ({3, updated} when not idle).
 */
export const END = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: script(
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
  parseCommand: keysThenArgs(1),
  transformReply: raw,
});

/**
 * A replica's heartbeat on its own server session (`beat`), which does not move
 * `updated` (nothing a client sees changes). KEYS: session hash. ARGV: now.
 * Reply: {status}: missing or ended tells the replica its session is gone.
 */
export const BEAT = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: script(
    ['activeSession'],
    `
local h, refused = activeSession(KEYS[1])
if not h then return {refused} end
redis.call('HSET', KEYS[1], 'beat', ARGV[1])
return {1}
`,
  ),
  parseCommand: keysThenArgs(1),
  transformReply: raw,
});

/**
 * Records counters given by the caller (SessionRegistry.recordAppend for an append not
 * made by this store's script), never moving them backwards, moves `updated` and
 * publishes `appended <id> <cursor>`. KEYS: session hash. ARGV: channel, id, now,
 * cursor, held, warn, error. Reply: {status}.
 */
export const RECORD = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: script(
    ['touch', 'publish'],
    `
local hash = KEYS[1]
local h = redis.call('HMGET', hash, 'status', 'cursor', 'updated')
if not h[1] then return {0} end
if tonumber(ARGV[4]) >= tonumber(h[2]) then
  redis.call('HSET', hash, 'cursor', ARGV[4], 'held', ARGV[5], 'warn', ARGV[6], 'error', ARGV[7])
end
touch(hash, h[3], ARGV[3])
publish('appended', redis.call('HGET', hash, 'cursor'))
return {1}
`,
  ),
  parseCommand: keysThenArgs(1),
  transformReply: raw,
});

export const SCRIPTS = {
  append: APPEND,
  readPage: READ_PAGE,
  create: CREATE,
  update: UPDATE,
  end: END,
  beat: BEAT,
  record: RECORD,
};
