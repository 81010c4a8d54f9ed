/**
 * `.env.example` is what a new admin copies: it must list exactly the settings the README documents,
 * and each of them must be one the service actually reads today.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Names in `.env.example`, set (`NAME=`) or shown commented out (`# NAME=`). */
function exampleNames(): string[] {
  return [...read('.env.example').matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
}

/** Names in the first column of the README's configuration table. */
function readmeNames(): string[] {
  const section =
    read('README.md')
      .split(/^## Configuration$/m)[1]
      ?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
}

function sourceText(dir: string): string {
  return readdirSync(join(root, dir))
    .map((name) => {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) return sourceText(path);
      return name.endsWith('.ts') ? read(path) : '';
    })
    .join('\n');
}

describe('.env.example', () => {
  it('lists exactly the settings of the README configuration table', () => {
    expect(readmeNames().length).toBeGreaterThan(10);
    expect([...exampleNames()].sort()).toEqual([...readmeNames()].sort());
  });

  it('lists only settings the service reads', () => {
    const code = sourceText('src') + sourceText('adapters');
    const unread = exampleNames().filter((name) => !code.includes(`'${name}'`) && !code.includes(`.${name}`));
    expect(unread).toEqual([]);
  });

  it('leaves the values the quick start asks for ready to fill in, uncommented', () => {
    const set = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(set).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'DEFAULT_CHANNEL', 'TELEGRAM_BOT_TOKEN']));
  });
});
