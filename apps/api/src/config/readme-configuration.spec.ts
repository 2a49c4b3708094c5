import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '@zen/testing';
import { loadConfig, SETTINGS } from './load-config';

/**
 * The README's configuration table against what `loadConfig` reads: the table is what an
 * operator has, so a variable missing from it, a default that is not the code's, or a range the
 * server refuses without the table saying so, is a start-up that fails (or a setting ignored)
 * for a reason the README hides.
 */
interface Row {
  variable: string;
  default: string;
  meaning: string;
}

function readmeRows(): Row[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^\| `([A-Z_]+)` +\| (.*?) +\| (.*?) +\|$/gm)].map(
    ([, variable, byDefault, meaning]) => ({
      variable,
      default: byDefault,
      meaning,
    }),
  );
}

/** The variables `loadConfig` looks up, whatever their values. */
function variablesRead(): string[] {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  loadConfig(env);
  return [...read].sort();
}

/** The problem `loadConfig` reports for `name=value`, or '' when it takes the value. */
function refusal(name: string, value: string): string {
  try {
    loadConfig({ [name]: value });
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Ways the README may write a bound: `1048576`, `1,048,576`, `1 MiB`, `1024` as `1 KiB`. */
function spellings(bound: number): string[] {
  const ways = [String(bound), bound.toLocaleString('en-US')];
  if (bound % 1024 === 0) ways.push(`${bound / 1024} KiB`);
  if (bound % (1024 * 1024) === 0) ways.push(`${bound / (1024 * 1024)} MiB`);
  return ways;
}

describe('SETTINGS (the names misspelledSettings knows)', () => {
  it('names every variable loadConfig reads, each once, and only those', () => {
    expect([...SETTINGS].sort()).toEqual(variablesRead());
    expect(new Set(SETTINGS).size).toBe(SETTINGS.length);
  });
});

describe("the README's configuration table", () => {
  const rows = readmeRows();

  it('lists every variable the server reads, and only those', () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.map((row) => row.variable).sort()).toEqual(variablesRead());
  });

  it('gives each default as the code has it: setting a variable to its stated default changes nothing', () => {
    const defaults = loadConfig({});
    // Defaults written as a value (not "a quarter of the memory the process may use" or "(unset)"); the
    // dashboard's is a path beside the build, which the code finds from its own file.
    const stated = rows.filter((row) => /^`[^`]+`( \(off\))?$/.test(row.default) && row.variable !== 'DASHBOARD_DIR');
    expect(stated.length).toBeGreaterThan(25);
    for (const row of stated) {
      const value = /^`([^`]+)`/.exec(row.default)?.[1] as string;
      expect({ [row.variable]: loadConfig({ [row.variable]: value }) }).toEqual({ [row.variable]: defaults });
    }
  });

  it("states the range of every integer the server refuses outside one (the refusal's own numbers)", () => {
    const missing: string[] = [];
    for (const row of rows) {
      const message = refusal(row.variable, 'not-a-number');
      const range = /an integer (\d+)–(\d+)/.exec(message);
      const floor = /an integer >= (\d+)/.exec(message);
      if (range) {
        // "(10–60000)", or "0 (off) … 100–2147483647": the pair as the refusal writes it.
        const [, low, high] = range;
        const said = spellings(Number(low)).some((a) =>
          spellings(Number(high)).some((b) => row.meaning.includes(`${a}–${b}`)),
        );
        if (!said) missing.push(`${row.variable}: ${low}–${high}`);
      } else if (floor && Number(floor[1]) > 1) {
        // A floor above the obvious one (0 or 1): "at least 1 MiB".
        const said = spellings(Number(floor[1])).some((a) => row.meaning.includes(`at least ${a}`));
        if (!said) missing.push(`${row.variable}: at least ${floor[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('says what a millisecond period or timeout may go up to, no more than the server takes', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const claim = /Millisecond periods and timeouts go up to[\s\S]*?1 ms\.[^\n]*(\n[^\n]+)?/.exec(readme)?.[0] ?? '';
    const capped = rows
      .filter((row) => row.variable.endsWith('_MS'))
      .filter((row) => refusal(row.variable, '2147483647') !== '')
      .map((row) => row.variable);
    expect(capped.length).toBeGreaterThan(0);
    // The sentence once said every one goes up to 2147483647: it says "at most" and names those that stop sooner.
    expect(claim).toContain('at most 2147483647');
    for (const variable of capped)
      expect({ variable, named: claim.includes(`\`${variable}\``) }).toEqual({ variable, named: true });
  });
});

describe.each(['zen-sessions.service', 'zen-sessions@.service'])('deploy/systemd/%s', (unit) => {
  const text = readFileSync(join(REPO, 'deploy/systemd', unit), 'utf8');
  // The instance name is the port (`zen-sessions@8561`).
  const environment = Object.fromEntries(
    [...text.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [name, value.replace('%i', '8561')]),
  );

  it('sets only variables the server reads (and NODE_ENV): a misspelt one would be ignored without a word', () => {
    const read = new Set(variablesRead());
    const foreign = Object.keys(environment).filter((name) => !read.has(name) && name !== 'NODE_ENV');
    expect(Object.keys(environment).length).toBeGreaterThan(3);
    expect(foreign).toEqual([]);
  });

  it('is a configuration the server starts with', () => {
    expect(() => loadConfig(environment)).not.toThrow();
  });

  // On a loopback address the server answers only local names besides ALLOWED_HOSTS: the name
  // nginx passes as Host (`Host $host`, its server_name) must be one, or every request is a 403.
  it("answers the name the nginx examples' server_name gives", () => {
    for (const folder of ['nginx', 'scale-out']) {
      const example = readFileSync(join(REPO, 'deploy', folder, 'nginx.example.conf'), 'utf8');
      const [, serverName] = /^\s*server_name (\S+);$/m.exec(example) ?? [];
      expect(serverName).toBeDefined();
      expect(loadConfig(environment).allowedHosts).toContain(serverName);
    }
  });
});
