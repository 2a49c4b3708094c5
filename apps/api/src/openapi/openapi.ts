import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config';
import { version } from '../version';
import { REQUEST_CONTENT } from './api-docs.decorators';
import { contractSchemas, plainSchema } from './contract-schemas';

/** Where the docs live, under BASE_PATH: the UI and the JSON document. */
export const DOCS_PATH = 'api-docs';

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
        '/sessions/ws (its messages: docs/asyncapi.yaml).',
    )
    .setVersion(version)
    .addBearerAuth()
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
  return document;
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
 * Serves the UI at `<BASE_PATH>/api-docs` and the document at `<BASE_PATH>/api-docs/json`
 * (create-app registers the route with the request pipeline, as public).
 */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    useGlobalPrefix: true,
    jsonDocumentUrl: `${DOCS_PATH}/json`,
    yamlDocumentUrl: `${DOCS_PATH}/yaml`,
  });
}
