/**
 * Default limits of the contract. Each is configurable on the server; the dashboard
 * uses them only as hints (the server's answer is what counts).
 */
export const DEFAULT_LIMITS = {
  maxBodyBytes: 1024 * 1024,
  appnameMaxChars: 256,
  modeMaxChars: 256,
  jobidMaxChars: 256,
  metadataMaxKeys: 256,
  metadataKeyMaxChars: 128,
  metadataMaxBytes: 64 * 1024,
  messageMaxBytes: 64 * 1024,
  dataMaxBytes: 64 * 1024,
  // Above what a 1 MiB body can hold (524,288 one-character lines): by default the body
  // limit binds first, so a batch may exceed the log's capacity, as the contract allows.
  batchMaxEntries: 1_000_000,
  readMaxLimit: 10_000,
  offsetDefaultLimit: 100,
} as const;

/**
 * Entries a session's log holds by default (`LOG_CAPACITY`). Not one of `Limits`: the
 * capacity is the store's setting, read once into the server's config, and no client
 * checks against it.
 */
export const DEFAULT_LOG_CAPACITY = 10_000;

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };
