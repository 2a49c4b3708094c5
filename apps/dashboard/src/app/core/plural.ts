/** `count` with the noun's form for it: `1 error`, `2 errors`, `0 errors`. */
export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
