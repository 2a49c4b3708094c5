/**
 * The level column's byte per slot: the level code in its low two bits, and above them what
 * a read learned of the message's bytes, so that the next read need not scan them again.
 * The bits cost no memory (the level takes a byte anyway) and nothing on append: a new
 * entry's byte is its bare level code, and a slot reused for a new entry starts over.
 */
export const LEVEL_MASK = 0b11;
/** A read has scanned the message; PLAIN says what it found. */
export const SCANNED = 0b100;
/** Nothing in the message that JSON escapes (so no line break either): its bytes are written as they are. */
export const PLAIN = 0b1000;
