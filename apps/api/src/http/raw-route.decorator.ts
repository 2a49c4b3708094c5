import { SetMetadata } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';

export const RAW_ROUTE_KEY = 'zen:raw-route';

/** Path parameters of a matched route, decoded. */
export type RouteParams = Record<string, string>;

/** A handler the pipeline calls itself, with nothing of Express or Nest in between. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams) => Promise<void>;

/**
 * Marks a controller method as a raw route: the HTTP pipeline calls it directly as
 * `(req, res, params)` after its cross-cutting steps, instead of handing the request to
 * Express and Nest (measured: their per-request work costs more than a log append,
 * docs/performance.md). Declare its parameters `@Req() @Res() @Param()` so that Nest
 * would call it the same way; the route stays a Nest route for the OpenAPI document.
 */
export const RawRoute = (): MethodDecorator => SetMetadata(RAW_ROUTE_KEY, true);
