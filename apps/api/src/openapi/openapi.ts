import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { HttpPipeline } from '../http/http-pipeline';
import { version } from '../version';

/** Where the docs live, under BASE_PATH: the UI and the JSON document. */
export const DOCS_PATH = 'api-docs';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('zen-sessions')
    .setDescription(
      'Sessions service of a zenserver: sessions, their capped logs, and live updates over the WebSocket at /sessions/ws ' +
        '(see the README for its messages).',
    )
    .setVersion(version)
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the UI at `<BASE_PATH>/api-docs` and the document at `<BASE_PATH>/api-docs/json`,
 * open without a token like the dashboard's files (they hold no data).
 */
export function serveOpenApi(app: INestApplication, pipeline: HttpPipeline): void {
  pipeline.addRoute({ method: 'GET', path: `${pipeline.basePath}/${DOCS_PATH}{/*file}`, access: 'public' });
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    useGlobalPrefix: true,
    jsonDocumentUrl: `${DOCS_PATH}/json`,
    yamlDocumentUrl: `${DOCS_PATH}/yaml`,
  });
}
