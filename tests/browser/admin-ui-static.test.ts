import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { adminUi } from '../../api/admin-ui';
import { startServer, stopServer } from '../../api/app';
import { problemMiddleware } from '../../api/errors';
import { createLogger } from '../../lib/logger';

/** How the API serves the built admin UI, and that the build needs no 'unsafe-inline'. */

async function serve(dirs: string[]): Promise<{ server: Server; url: string }> {
  const app = express();
  app.use('/admin', adminUi({ dirs }));
  app.use(problemMiddleware(createLogger('error', 'test'), false));
  return startServer(app, 0);
}

describe('serving the admin UI', () => {
  let running: { server: Server; url: string } | null = null;
  afterEach(async () => {
    if (running) await stopServer(running.server);
    running = null;
  });

  it('answers 503 with a problem naming the build command when the bundle is missing', async () => {
    running = await serve([mkdtempSync(path.join(os.tmpdir(), 'ui-missing-'))]);
    const res = await fetch(`${running.url}/admin/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).detail).toContain('npm run build:ui');
  });

  it('serves index.html revalidated and hashed assets cached for a year', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ui-built-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    running = await serve([dir]);
    const index = await fetch(`${running.url}/admin/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('id="root"');
    const asset = await fetch(`${running.url}/admin/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${running.url}/admin/assets/nope.js`)).status).toBe(404);
  });

  const built = path.resolve(__dirname, '..', '..', 'dist', 'ui', 'index.html');
  it('the built index.html has no inline script, style or event handler', () => {
    if (!existsSync(built)) throw new Error(`the admin UI bundle is missing (${built}): run \`npm run build:ui\``);
    const html = readFileSync(built, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/admin\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
