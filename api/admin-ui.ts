import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { ServiceUnavailableError } from './errors';

/**
 * The admin single-page app (ui/, built by `npm run build:ui` into dist/ui), served under /admin.
 * Hashed assets are cached for a year; index.html is revalidated so a new build shows at once.
 * The bundle has no inline script or style, so it runs under the API's strict CSP.
 */
export function defaultAdminUiDirs(): string[] {
  return [
    process.env.ADMIN_UI_DIR,
    // tsx runs api/*.ts (../dist/ui); the compiled API runs from dist/api (../ui).
    path.resolve(__dirname, '..', 'dist', 'ui'),
    path.resolve(__dirname, '..', 'ui'),
  ].filter((d): d is string => !!d);
}

export function adminUiDir(candidates = defaultAdminUiDirs()): string | null {
  return candidates.find((d) => existsSync(path.join(d, 'index.html'))) ?? null;
}

export function adminUi(opts: { dirs?: string[] } = {}): Router {
  const router = Router();
  const handlers = new Map<string, express.RequestHandler>();
  router.use((req, res, next) => {
    // Looked up per request: `npm run dev` builds the bundle while the API is already up.
    const dir = adminUiDir(opts.dirs);
    if (!dir) {
      return next(
        new ServiceUnavailableError('the admin UI is not built: run `npm run build:ui` (or `npm run build`)'),
      );
    }
    let serve = handlers.get(dir);
    if (!serve) {
      serve = express.static(dir, {
        index: 'index.html',
        setHeaders: (res, file) => {
          res.setHeader(
            'Cache-Control',
            file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
      handlers.set(dir, serve);
    }
    serve(req, res, next);
  });
  return router;
}
