/**
 * `GET /console`: the admin web console, one page that signs in with the admin token and reads `/_shenpi/*`.
 * `GET /` leads there: a person opening the server's address finds the console.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';

const PAGE = new URL('../../console/index.html', import.meta.url);

export const consoleRoutes: FastifyPluginAsync = async (app) => {
  const page = await readFile(PAGE, 'utf8');
  app.get('/', async (_request, reply) => reply.redirect('/console'));
  app.get('/console', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      // The page talks only to this origin and embeds nothing from elsewhere.
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
      .send(page),
  );
};
