import { Injectable, Logger } from '@nestjs/common';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="/dashboard/"><title>zen-sessions</title></head>
<body><h1>zen-sessions</h1>
<p>The dashboard has not been built. Run <code>npx nx build dashboard</code> (or <code>npm start</code>) and reload.</p>
<p>The API is at <a href="../sessions/">sessions/</a>.</p></body></html>`;

/** index.html as served, and the file's size and time it was read at. */
interface Page {
  html: string;
  built: boolean;
  stamp: string;
}

/**
 * The built dashboard on disk. index.html is given a `<base href>` under BASE_PATH, so one build
 * works at any path prefix. It is read again whenever the file changed: a rebuild (`nx build
 * dashboard` beside a running server, or a build where there was none, as the placeholder page
 * asks) replaces the hashed files the page names, and a page kept from before would load files
 * that are gone. A page request costs one `stat`; they are few.
 */
@Injectable()
export class DashboardFiles {
  readonly root: string;
  private readonly index: string;
  private readonly baseHref: string;
  private page: Page;

  constructor(config: AppConfig) {
    this.root = config.dashboardDir;
    this.index = join(this.root, 'index.html');
    this.baseHref = `${config.basePath}/dashboard/`;
    this.page = this.read(this.stamp());
    if (!this.page.built) {
      // loadConfig refuses a DASHBOARD_DIR without index.html: this is the default, not built yet.
      new Logger('Dashboard').warn(
        `No built dashboard in ${this.root}; serving a placeholder page (build it, or set DASHBOARD_DIR to a build)`,
      );
    }
  }

  /** The page as the files on disk are now. */
  get indexHtml(): string {
    return this.current().html;
  }

  /** Whether there is a build to serve files from (else only the placeholder page). */
  get built(): boolean {
    return this.current().built;
  }

  private current(): Page {
    const stamp = this.stamp();
    if (stamp !== this.page.stamp) this.page = this.read(stamp);
    return this.page;
  }

  private stamp(): string {
    try {
      const { mtimeMs, size, ino } = statSync(this.index);
      return `${ino}:${mtimeMs}:${size}`;
    } catch {
      return 'none';
    }
  }

  private read(stamp: string): Page {
    let html: string | null = null;
    try {
      html = readFileSync(this.index, 'utf8');
    } catch {
      // Not built (yet), or removed mid-rebuild: the placeholder until it is there.
    }
    const withBase = (html ?? PLACEHOLDER).replace(/<base href="[^"]*"\s*\/?>/, `<base href="${this.baseHref}">`);
    return { html: withBase, built: html !== null, stamp: html === null ? 'none' : stamp };
  }
}
