/** One line of a JSON tree: a key with a value, or with an object/array that opens below it. */
export interface JsonLine {
  /** JSON pointer (RFC 6901: `~` and `/` in a key escaped), unique in the tree; the root is ''. */
  path: string;
  depth: number;
  key: string | null;
  /** The value as text: a JSON literal, or `{3 keys}` / `[2 items]` for containers. */
  text: string;
  kind: 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';
  expandable: boolean;
  expanded: boolean;
}

/** The lines of `value`'s tree, children of collapsed paths hidden. */
export function jsonLines(value: unknown, collapsed: ReadonlySet<string> = new Set()): JsonLine[] {
  const lines: JsonLine[] = [];
  const visit = (node: unknown, key: string | null, path: string, depth: number) => {
    if (node !== null && typeof node === 'object') {
      const isArray = Array.isArray(node);
      const children = isArray ? node.map((child, i) => [String(i), child] as const) : Object.entries(node);
      const expanded = !collapsed.has(path) && children.length > 0;
      const size = isArray
        ? `${children.length} item${children.length === 1 ? '' : 's'}`
        : `${children.length} key${children.length === 1 ? '' : 's'}`;
      lines.push({
        path,
        depth,
        key,
        text: isArray ? `[${size}]` : `{${size}}`,
        kind: isArray ? 'array' : 'object',
        expandable: children.length > 0,
        expanded,
      });
      if (expanded)
        for (const [childKey, child] of children)
          visit(child, childKey, `${path}/${pointerToken(childKey)}`, depth + 1);
      return;
    }
    const kind =
      node === null ? 'null' : typeof node === 'string' ? 'string' : typeof node === 'number' ? 'number' : 'boolean';
    lines.push({
      path,
      depth,
      key,
      text: JSON.stringify(node) ?? String(node),
      kind,
      expandable: false,
      expanded: false,
    });
  };
  visit(value, null, '', 0);
  return lines;
}

/** A key as a JSON pointer token: `a/b` is `a~1b`, so it names another node than `a` → `b`. */
function pointerToken(key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key;
}
