import { Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><base href="/dashboard/"><title>zen-sessions</title></head>
<body><h1>zen-sessions</h1>
<p>The dashboard has not been built. Run <code>npx nx build dashboard</code> (or <code>npm start</code>) and reload.</p>
<p>The API is at <a href="../sessions/">sessions/</a>.</p></body></html>`;

/**
 * The built dashboard on disk. index.html is read once and given a `<base href>`
 * under BASE_PATH, so one build works at any path prefix.
 */
@Injectable()
export class DashboardFiles {
  readonly root: string;
  readonly indexHtml: string;
  readonly built: boolean;

  constructor(config: AppConfig) {
    this.root = config.dashboardDir;
    const baseHref = `${config.basePath}/dashboard/`;
    let html: string | null = null;
    try {
      html = readFileSync(join(this.root, 'index.html'), 'utf8');
    } catch {
      // loadConfig refuses a DASHBOARD_DIR without index.html: this is the default, not built yet.
      new Logger('Dashboard').warn(
        `No built dashboard in ${this.root}; serving a placeholder page (build it, or set DASHBOARD_DIR to a build)`,
      );
    }
    this.built = html !== null;
    this.indexHtml = (html ?? PLACEHOLDER).replace(/<base href="[^"]*"\s*\/?>/, `<base href="${baseHref}">`);
  }
}
