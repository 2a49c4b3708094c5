import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';
import { ServesPages } from '../http/pages.decorator';
import { clippedMarked } from '../common/quoted';
import { AppConfig } from '../config/app-config';
import { cachingOf, REVALIDATE } from './dashboard-caching';
import { DashboardFiles } from './dashboard-files';

/** Serves the dashboard at `/dashboard/` (deep links get index.html) and redirects `/` there. */
@ApiExcludeController()
@Public()
@ServesPages()
@Controller()
export class DashboardController {
  private readonly home: string;

  constructor(
    config: AppConfig,
    private readonly files: DashboardFiles,
  ) {
    this.home = config.under('/dashboard/');
  }

  @Get()
  root(@Req() req: Request, @Res() res: Response): void {
    res.redirect(302, this.homeWithQuery(req));
  }

  @Get(['dashboard', 'dashboard/{*path}'])
  serve(@Req() req: Request, @Res() res: Response): void {
    const path = req.path.slice(this.home.length - 1);
    if (path === '') return res.redirect(301, this.homeWithQuery(req));
    // `send` resolves `a/..` away before it looks for a ".." segment: only a leading one reached it.
    if (hasUpSegment(path)) throw notServed(path);
    // index.html by name too: else it came from disk as an asset, kept a year and without its base href.
    if (path === '/' || path === '/index.html') return this.sendIndex(res);
    // Without a build (the placeholder page) there are no files: deep links get the page, the rest 404.
    if (!this.files.built) {
      if (isDeepLink(path)) return this.sendIndex(res);
      throw noSuchFile(path);
    }
    res.sendFile(path, { root: this.files.root, dotfiles: 'deny', ...cachingOf(path) }, (error) => {
      if (!error || res.headersSent) return;
      const status = (error as { status?: number }).status;
      if (status === 404 && isDeepLink(path)) return this.sendIndex(res);
      // 403: `send` refuses a `..` segment and a dot file with a bare "Forbidden"; say which.
      if (status === 403) return req.next?.(notServed(path));
      req.next?.(status === 404 ? noSuchFile(path) : error);
    });
  }

  /**
   * The dashboard's page with the request's query kept (`?status=ended` is the app's state).
   * Only the query is carried over, never the path: the Location always starts with the
   * fixed home path, so no request can turn it into another site (`//evil.example`).
   */
  private homeWithQuery(req: Request): string {
    const at = req.originalUrl.indexOf('?');
    return at === -1 ? this.home : this.home + req.originalUrl.slice(at);
  }

  private sendIndex(res: Response): void {
    // Asked for again on each use: a page kept from before a redeploy would load the old build's files.
    res.setHeader('Cache-Control', REVALIDATE);
    res.type('html').send(this.files.indexHtml);
  }
}

/** Paths without a file extension are the app's own routes (deep links). */
function isDeepLink(path: string): boolean {
  return !/\.[^/]*$/.test(path);
}

/** Whether `path` has a `..` segment, percent-encoded or not, as `send` decodes it. */
function hasUpSegment(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // Not percent-encoded UTF-8: `send` answers it 400 itself.
  }
  return /(?:^|\/)\.\.(?:\/|$)/.test(decoded);
}

// The paths these name are cut as any value a client sent is: a path may be 16 KiB.
function notServed(path: string): NotFoundException {
  return new NotFoundException(
    `no such file: ${clippedMarked(path)} (a path with a ".." segment or naming a dot file is never served)`,
  );
}

function noSuchFile(path: string): NotFoundException {
  return new NotFoundException(`no such file: ${clippedMarked(path)}`);
}
