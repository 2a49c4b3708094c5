import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SESSIONS_WS_PATH } from '@zen/contract';
import { asyncApiDocument } from '@zen/contract/schemas';
import { Response } from 'express';
import { AccessTokens, accessOf } from '../auth/access-tokens';
import { JSON_CONTENT_TYPE } from '../common/response-body';
import { AppConfig } from '../config/app-config';
import { version } from '../version';
import { ERROR_MEANINGS, REQUEST_CONTENT } from './api-docs.decorators';
import { contractSchemas, plainSchema, schemaRef } from './contract-schemas';

/** Where the docs live, under BASE_PATH: the UI and the JSON document. */
export const DOCS_PATH = 'api-docs';

/** Where the WebSocket's AsyncAPI document is served, under BASE_PATH. */
export const ASYNCAPI_PATH = `${DOCS_PATH}/asyncapi.json`;

/** The documents served under BASE_PATH (OpenAPI as JSON and YAML, AsyncAPI): data, not pages. */
export const DOCS_DATA = [`${DOCS_PATH}/json`, `${DOCS_PATH}/yaml`, ASYNCAPI_PATH];

type Operation = Record<string, unknown> & { operationId?: string };
type PathItem = Record<string, Operation>;

/**
 * The OpenAPI 3.1 document: operations from the controllers' decorators, every schema
 * from @zen/contract/schemas with the configured limits. Checked against the running
 * server's traffic by a standard validating proxy (openapi-traffic.spec.ts).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = app.get(AppConfig);
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('zen-sessions')
    .setDescription(
      'Sessions service of a zenserver: sessions, their capped logs, and live updates over the WebSocket at ' +
        `${config.under(SESSIONS_WS_PATH)} (its messages: the AsyncAPI document at ${config.under(`/${ASYNCAPI_PATH}`)}).`,
    )
    .setVersion(version)
    // The tokens are the opaque strings of AUTH_TOKEN and AUTH_READ_TOKEN (addBearerAuth() says JWT).
    .addSecurity('bearer', {
      type: 'http',
      scheme: 'bearer',
      description:
        'With AUTH_TOKEN set, writes need it; with AUTH_READ_TOKEN set, reads need it (or AUTH_TOKEN). ' +
        'Opaque strings, not JWTs; also accepted as ?access_token=.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, builder);
  document.components = {
    ...document.components,
    schemas: Object.fromEntries(
      Object.entries(contractSchemas(config.limits)).map(([name, schema]) => [name, plainSchema(schema)]),
    ),
  };
  for (const item of Object.values(document.paths) as PathItem[]) {
    for (const operation of Object.values(item)) moveRequestContent(operation);
  }
  listingWithTrailingSlash(document, config);
  const tokens = app.get(AccessTokens);
  webSocketPath(document, config, tokens);
  securityRequirements(document, tokens);
  return document;
}

/**
 * Which operations need the bearer token on this server: a read with AUTH_READ_TOKEN set, a
 * write with either token set (the routes that may answer 401; the probes never need one).
 * Without a requirement the docs UI's "Authorize" sent the token with no request, and a
 * client generated from the document none.
 */
function securityRequirements(document: OpenAPIObject, tokens: AccessTokens): void {
  for (const item of Object.values(document.paths) as PathItem[]) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation['security'] !== undefined) continue;
      const guarded = '401' in ((operation['responses'] as object | undefined) ?? {});
      operation['security'] = guarded && tokens.required(accessOf(method.toUpperCase())) ? [{ bearer: [] }] : [];
    }
  }
}

/**
 * `/sessions/ws`, the WebSocket (API.md: "A plain HTTP request to `/sessions/ws` is answered
 * `426`", whatever its method). No controller serves it (the gateway takes the upgrade, a middleware the plain
 * request), so Nest leaves it out, and the document read it as `/sessions/{id}` with an id that
 * is a 400 and never a 426. Its messages are the AsyncAPI document's (servedAsyncApiDocument).
 */
function webSocketPath(document: OpenAPIObject, config: AppConfig, tokens: AccessTokens): void {
  // The WebSocket is a read, whatever the method of a request to its path (create-app's route).
  const security = tokens.required('read') ? [{ bearer: [] }] : [];
  const plain = plainRequestResponse();
  document.paths[`${config.basePath}/sessions/ws`] = {
    get: webSocketUpgrade(config, security, plain),
    post: notAnUpgrade('post', security, plain),
    put: notAnUpgrade('put', security, plain),
    delete: notAnUpgrade('delete', security, plain),
  } as OpenAPIObject['paths'][string];
}

type Security = { bearer: never[] }[];
type PlainRequestResponse = ReturnType<typeof plainRequestResponse>;

/** A response in the error shape. */
function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: schemaRef('ErrorResponse') } } };
}

/** The `426` to a plain HTTP request, whatever its method. */
function plainRequestResponse() {
  return {
    ...errorResponse('A plain HTTP request: connect with a WebSocket client'),
    headers: {
      Upgrade: {
        // Sent always (RFC 9110 §15.5.22), but hop-by-hop: a proxy (nginx, Prism) drops it.
        description: 'The protocol to upgrade to (hop-by-hop: not passed on by proxies)',
        required: false,
        schema: { type: 'string', const: 'websocket' },
      },
    },
  };
}

/** `GET /sessions/ws`: the upgrade that opens the WebSocket, and its refusals. */
function webSocketUpgrade(config: AppConfig, security: Security, plain: PlainRequestResponse) {
  return {
    operationId: 'LiveGateway_connect',
    summary: `Live updates over a WebSocket (messages: the AsyncAPI document at ${config.under(`/${ASYNCAPI_PATH}`)})`,
    description: 'Opened with an HTTP/1.1 upgrade (Upgrade: websocket); without one the request is answered 426.',
    tags: ['live'],
    parameters: [],
    responses: {
      '101': { description: 'Switching Protocols: the WebSocket is open' },
      '400': errorResponse(
        'A malformed upgrade: an Upgrade other than websocket, a missing or bad Sec-WebSocket-Key or -Version',
      ),
      '401': errorResponse(ERROR_MEANINGS[401]),
      '403': errorResponse(
        "A browser page of another site (its Origin is not the server's host, nor in CORS_ORIGINS), " +
          'or a host name this server does not answer to (ALLOWED_HOSTS)',
      ),
      '426': plain,
    },
    security,
  };
}

/** A plain request by any other method is the same 426 (not /sessions/{id}'s 400 for the id `ws`). */
function notAnUpgrade(method: string, security: Security, plain: PlainRequestResponse) {
  return {
    operationId: `LiveGateway_${method}`,
    summary: 'Not served: the WebSocket of live updates is opened with a GET upgrade',
    tags: ['live'],
    parameters: [],
    responses: { '401': errorResponse(ERROR_MEANINGS[401]), '426': plain },
    security,
  };
}

/** Request bodies declared with ApiInput: one schema per media type. */
function moveRequestContent(operation: Operation): void {
  const body = operation[REQUEST_CONTENT];
  if (body === undefined) return;
  delete operation[REQUEST_CONTENT];
  operation['requestBody'] = body;
}

/**
 * `GET /sessions/` is the listing's own URI (API.md): state it as a path of its own, or
 * a validator would read it as `/sessions/{id}` with an empty id.
 */
function listingWithTrailingSlash(document: OpenAPIObject, config: AppConfig): void {
  const listing = document.paths[`${config.basePath}/sessions`] as PathItem | undefined;
  if (!listing) return;
  const copy: PathItem = {};
  for (const [method, operation] of Object.entries(listing)) {
    copy[method] = { ...operation, operationId: `${operation.operationId}_trailingSlash` };
  }
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    paths[path] = item;
    if (path === `${config.basePath}/sessions`) paths[`${path}/`] = copy as OpenAPIObject['paths'][string];
  }
  document.paths = paths;
}

/**
 * The WebSocket's AsyncAPI document as this server serves it: docs/asyncapi.yaml's (both are
 * asyncApiDocument's, from the contract), with the channel at its path under BASE_PATH.
 */
export function servedAsyncApiDocument(config: AppConfig) {
  const document = asyncApiDocument(version);
  return {
    ...document,
    channels: { live: { ...document.channels.live, address: config.under(SESSIONS_WS_PATH) } },
  };
}

/**
 * Serves the UI at `<BASE_PATH>/api-docs`, the document at `<BASE_PATH>/api-docs/json` and the
 * WebSocket's AsyncAPI document at `<BASE_PATH>/api-docs/asyncapi.json` (create-app registers
 * the route with the request pipeline, as public). Without the last, the OpenAPI document named
 * a file of the repository for the WebSocket's messages, which a client of a running server has
 * no way to read.
 */
export function serveOpenApi(app: INestApplication): void {
  const config = app.get(AppConfig);
  const asyncApi = JSON.stringify(servedAsyncApiDocument(config));
  app
    .getHttpAdapter()
    .get(config.under(`/${ASYNCAPI_PATH}`), (_req: unknown, res: Response) =>
      res.type(JSON_CONTENT_TYPE).send(asyncApi),
    );
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    useGlobalPrefix: true,
    jsonDocumentUrl: `${DOCS_PATH}/json`,
    yamlDocumentUrl: `${DOCS_PATH}/yaml`,
  });
}
