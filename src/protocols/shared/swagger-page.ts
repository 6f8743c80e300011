import type { RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';

/**
 * A Swagger UI page for one OpenAPI document, served from the bundled swagger-ui-dist (no CDN). Each page serves
 * its own `swagger-ui-init.js` (`serveFiles`): with swagger-ui-express's shared `serve`, the document of the last
 * page set up would be shown on every page.
 */
export function swaggerPage(document: object, options: swaggerUi.SwaggerUiOptions): RequestHandler[] {
  return [...swaggerUi.serveFiles(document, options), swaggerUi.setup(document, options)];
}
