import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The API's feature folders ("rooms", docs/architecture.md) depend on each other without a
 * loop, so each can be read and changed from the ones below it. Specs and test helpers may
 * reach anywhere; the product's own files may not close a cycle.
 */
const SRC = __dirname;

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : productFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** room → the rooms its product files import (`../<room>/…`). */
function roomGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const room of readdirSync(SRC, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    if (room.name === 'testing') continue;
    const uses = new Set<string>();
    for (const file of productFiles(join(SRC, room.name))) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '\.\.\/([\w-]+)\//g)) {
        if (target !== room.name) uses.add(target);
      }
    }
    graph.set(room.name, uses);
  }
  return graph;
}

/** A cycle of rooms as `a → b → a`, or null. */
function findCycle(graph: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (room: string): string | null => {
    if (state.get(room) === 'done') return null;
    if (state.get(room) === 'open') return [...path.slice(path.indexOf(room)), room].join(' → ');
    state.set(room, 'open');
    path.push(room);
    for (const next of graph.get(room) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(room, 'done');
    return null;
  };
  for (const room of graph.keys()) {
    const cycle = visit(room);
    if (cycle) return cycle;
  }
  return null;
}

describe('the API rooms', () => {
  it('import each other without a loop', () => {
    const graph = roomGraph();
    expect(graph.get('live')).toContain('http'); // the graph is read at all
    expect(findCycle(graph)).toBeNull();
  });

  it('would name a loop if one were made', () => {
    const graph = roomGraph();
    graph.get('metrics')?.add('live');
    expect(findCycle(graph)).toMatch(/metrics → live|live → .*metrics/);
  });
});
