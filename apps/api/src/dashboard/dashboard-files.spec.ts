import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { DashboardFiles } from './dashboard-files';

describe('DashboardFiles', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'zen-dashboard-files-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const filesIn = (basePath = '') => new DashboardFiles({ dashboardDir: dir, basePath } as AppConfig);

  // The placeholder says "build it and reload": the page was read once, so a reload kept it.
  it('serves a build made after the server started, as the placeholder page asks', () => {
    const files = filesIn('/zen');
    expect([files.built, files.indexHtml]).toEqual([false, expect.stringContaining('has not been built')]);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><base href="/"><script src="main-AAAA.js"></script>');
    expect(files.built).toBe(true);
    expect(files.indexHtml).toBe('<!doctype html><base href="/zen/dashboard/"><script src="main-AAAA.js"></script>');
  });

  // A rebuild beside a running server replaces the hashed files: the old page named files that are gone.
  it('serves the page of a rebuild, not the one read at start', () => {
    writeFileSync(join(dir, 'index.html'), '<base href="/"><script src="main-AAAA.js"></script>');
    const files = filesIn();
    expect(files.indexHtml).toContain('main-AAAA.js');
    writeFileSync(join(dir, 'index.html'), '<base href="/"><script src="main-BBBBBBBB.js"></script>');
    expect(files.indexHtml).toBe('<base href="/dashboard/"><script src="main-BBBBBBBB.js"></script>');
    rmSync(join(dir, 'index.html'));
    expect([files.built, files.indexHtml]).toEqual([false, expect.stringContaining('has not been built')]);
  });
});
