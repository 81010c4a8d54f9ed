/**
 * The bot scopes manifest.yml asks for, read at run time so the doctor compares the token with the
 * manifest the operator pasted, not with a copy that could drift from it.
 * @see https://docs.slack.dev/reference/app-manifest (oauth_config.scopes.bot)
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * manifest.yml in the package root: the nearest folder above this module holding both package.json
 * and manifest.yml, so it is found from src/ (tsx) as from a build below dist/.
 */
export function manifestPath(from: string = import.meta.url): string | undefined {
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'manifest.yml'))) return join(dir, 'manifest.yml');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The manifest's bot scopes; rejects with a message naming the file when it is missing or has none. */
export async function manifestBotScopes(path: string | undefined = manifestPath()): Promise<readonly string[]> {
  if (path === undefined) throw new Error('manifest.yml was not found in the package root');
  const manifest = parse(await readFile(path, 'utf8')) as { oauth_config?: { scopes?: { bot?: unknown } } } | null;
  const scopes = manifest?.oauth_config?.scopes?.bot;
  if (!Array.isArray(scopes) || !scopes.every((scope): scope is string => typeof scope === 'string')) {
    throw new Error(`${path} has no oauth_config.scopes.bot list`);
  }
  return scopes;
}
