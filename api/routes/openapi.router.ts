import { dirname, join } from 'node:path';
import { Router } from 'express';
import { docsCsp } from '../middleware/docs-csp';
import { openApiDocument } from '../openapi/document';
import { ASSETS } from '../ui/assets-dir';

// The files of swagger-ui-dist the page loads, from node_modules: nothing comes from a CDN.
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'];

// No inline script or style: the initializer is api/ui/assets/api-docs.js.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>WCAG scanner API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/api-docs.js"></script>
</body>
</html>
`;

/**
 * GET /api/openapi.json and the reference page GET /api/docs (README "API"). Open, without a key: the contract is
 * public (the README documents the same), and a browser opening the page cannot send a Bearer header; trying an
 * operation from the page sends the key typed into "Authorize". Mounted before the API router, so neither the key
 * nor the API's rate limits apply: both answers are static and built once.
 */
export function openApiRouter(): Router {
  const router = Router();
  const swaggerUi = dirname(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'));

  router.get('/api/openapi.json', (_req, res) => {
    res.type('application/json').send(openApiDocument().json);
  });

  router.get('/api/docs', docsCsp, (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/api/docs/api-docs.js', docsCsp, (_req, res) => {
    res.type('application/javascript').sendFile(join(ASSETS, 'api-docs.js'));
  });
  for (const file of SWAGGER_UI_FILES) {
    router.get(`/api/docs/${file}`, docsCsp, (_req, res) => {
      res.sendFile(join(swaggerUi, file));
    });
  }
  return router;
}
