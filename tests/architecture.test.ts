/**
 * The dependency rules of docs/architecture.md ("Dependency rules"), checked on the import lines
 * of every .ts file under src/ and adapters/.
 * Files appear during the day, so an empty or partial tree passes; the rules themselves are tested on literals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The library each platform's adapter may use, besides node: builtins. */
const PLATFORM_LIBRARIES: Record<string, readonly string[]> = {
  telegram: ['grammy', '@grammyjs/types'],
  x: ['twitter-api-v2'],
  whatsapp: ['libphonenumber-js'],
  instagram: [],
  messenger: [],
  meta: [],
  wechat: ['fast-xml-parser'],
};
/** Libraries every adapter may use: zod checks payloads against their documented shapes at the edge. */
const ADAPTER_LIBRARIES: readonly string[] = ['zod'];
/** The channels that share adapters/meta/. */
const META_CHANNELS = ['whatsapp', 'instagram', 'messenger'];
/**
 * The only src/ files an adapter may import: the seam, plus two dependency-free helpers every
 * platform needs (well-formed text cut on grapheme boundaries for its limits, and the one retry
 * policy), so that each adapter does not grow its own copy.
 */
const ADAPTER_SEAM = ['src/channel.ts', 'src/messages.ts', 'src/errors.ts', 'src/safe-text.ts', 'src/retry.ts'];
/** Libraries the engine must not know. */
const ENGINE_FORBIDDEN = ['@slack/', 'grammy', '@grammyjs/', 'twitter-api-v2'];
/** Folders the engine must not import: it reaches Slack and the platforms only through SlackPort and Channel. */
const ENGINE_FORBIDDEN_FOLDERS = ['adapters/', 'src/slack/'];
/** The only files that may read the environment: the configuration, and the process entries (the service, the `threadline` command). */
const ENV_READERS = ['src/config.ts', 'src/main.ts', 'src/cli.ts'];
/** The only files that may import the adapter registry: the composition roots of the service and of `threadline doctor`. */
const COMPOSITION_ROOTS = ['src/app.ts', 'src/doctor/checks/platforms.ts'];

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The project-relative path a relative import points at, with `.js` read as `.ts` and a folder as its index. */
function resolveTarget(file: string, specifier: string): string {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
  if (target.endsWith('.ts')) return target;
  return /\/index$/.test(target) ? `${target}.ts` : `${target}/index.ts`;
}

const matchesLibrary = (name: string, libraries: readonly string[]) =>
  libraries.some((library) => (library.endsWith('/') ? name.startsWith(library) : name === library));

function adapterRule(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  const [, folder = ''] = file.split('/');
  const isRegistry = file.split('/').length === 2; // adapters/index.ts: lists every adapter folder
  if (builtinModules.includes(specifier)) return `write 'node:${specifier}': adapters may use node: builtins`;
  if (!specifier.startsWith('.')) {
    const platform = isRegistry ? [] : (PLATFORM_LIBRARIES[folder] ?? []);
    const allowed = isRegistry ? [] : [...platform, ...ADAPTER_LIBRARIES];
    if (allowed.includes(packageName(specifier))) return undefined;
    const shared = ADAPTER_LIBRARIES.join(', ');
    const what = isRegistry
      ? 'no library'
      : platform.length > 0
        ? `its platform library (${platform.join(', ')}) and ${shared}`
        : `only ${shared}`;
    return `adapters/${isRegistry ? '' : `${folder}/`} may use ${what} besides node: builtins`;
  }
  const target = resolveTarget(file, specifier);
  if (ADAPTER_SEAM.includes(target)) return undefined;
  if (isRegistry ? target.startsWith('adapters/') : target.startsWith(`adapters/${folder}/`)) return undefined;
  if (target.startsWith('adapters/meta/') && META_CHANNELS.includes(folder)) return undefined;
  return `adapters may import only ${ADAPTER_SEAM.join(', ')}, their own folder, and adapters/meta/ (${META_CHANNELS.join(', ')} only)`;
}

function engineRule(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolveTarget(file, specifier);
    const folder = ENGINE_FORBIDDEN_FOLDERS.find((forbidden) => target.startsWith(forbidden));
    return folder === undefined ? undefined : `src/engine/ imports nothing from ${folder}: it talks to SlackPort and Channel`;
  }
  return matchesLibrary(packageName(specifier), ENGINE_FORBIDDEN)
    ? 'src/engine/ imports no @slack/*, grammy or twitter-api-v2: it talks to SlackPort and Channel'
    : undefined;
}

/** Every rule the import `specifier` in `file` (project-relative, posix) breaks. */
function importViolations(file: string, specifier: string): string[] {
  const broken: (string | undefined)[] = [];
  if (file.startsWith('adapters/')) broken.push(adapterRule(file, specifier));
  if (file.startsWith('src/engine/')) broken.push(engineRule(file, specifier));
  if (specifier.startsWith('.') && resolveTarget(file, specifier) === 'adapters/index.ts' && !COMPOSITION_ROOTS.includes(file)) {
    broken.push(`only ${COMPOSITION_ROOTS.join(' and ')} import adapters/index.ts (the composition roots)`);
  }
  return broken.filter((rule): rule is string => rule !== undefined);
}

function listTsFiles(folder: string): string[] {
  const absolute = path.join(projectRoot, folder);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.posix.join(folder, entry.split(path.sep).join('/')))
    .filter((file) => file.endsWith('.ts') && !file.includes('node_modules/'));
}

const lineOf = (source: string, offset: number) => source.slice(0, offset).split('\n').length;

/** Import, export-from, side-effect and dynamic-import specifiers, found by TypeScript's scanner (comments and strings skipped). */
function importsOf(source: string): { specifier: string; line: number }[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((ref) => ({ specifier: ref.fileName, line: lineOf(source, ref.pos) }));
}

const files = [...listTsFiles('src'), ...listTsFiles('adapters')];
const sources = new Map(files.map((file) => [file, readFileSync(path.join(projectRoot, file), 'utf8')]));

describe('architecture: dependency rules (docs/architecture.md)', () => {
  it('every import in src/ and adapters/ follows the rules', () => {
    const violations: string[] = [];
    for (const [file, source] of sources) {
      for (const { specifier, line } of importsOf(source)) {
        for (const rule of importViolations(file, specifier)) violations.push(`${file}:${line} imports '${specifier}': ${rule}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it(`only ${ENV_READERS.join(', ')} mention process.env`, () => {
    const violations: string[] = [];
    for (const [file, source] of sources) {
      if (ENV_READERS.includes(file)) continue;
      source.split('\n').forEach((text, index) => {
        if (text.includes('process.env'))
          violations.push(`${file}:${index + 1} mentions process.env: pass values down from loadConfig (config.env)`);
      });
    }
    expect(violations).toEqual([]);
  });
});

describe('architecture: the rules themselves', () => {
  it.each([
    ['adapters/telegram/send.ts', 'grammy'],
    ['adapters/telegram/parse.ts', 'grammy/types'],
    ['adapters/telegram/index.ts', 'node:crypto'],
    ['adapters/telegram/index.ts', '../../src/channel.ts'],
    ['adapters/telegram/index.ts', '../../src/messages.ts'],
    ['adapters/telegram/errors.ts', '../../src/errors.ts'],
    ['adapters/telegram/send.ts', '../../src/safe-text.ts'],
    ['adapters/telegram/index.ts', '../../src/retry.ts'],
    ['adapters/telegram/index.ts', './parse.ts'],
    ['adapters/telegram/schema.ts', 'zod'],
    ['adapters/wechat/xml.ts', 'zod'],
    ['adapters/wechat/xml.ts', 'fast-xml-parser'],
    ['adapters/whatsapp/send.ts', '../meta/graph.ts'],
    ['adapters/meta/webhook.ts', './signature.ts'],
    ['adapters/x/send.ts', 'twitter-api-v2'],
    ['adapters/index.ts', './telegram/index.ts'],
    ['adapters/index.ts', '../src/channel.ts'],
    ['src/engine/inbound.ts', './slack-port.ts'],
    ['src/engine/inbound.ts', '../errors.ts'],
    ['src/engine/inbound.ts', '../slack-port.ts'],
    ['src/engine/inbound.ts', '../messages.ts'],
    ['src/engine/inbound.ts', 'eld'],
    ['src/app.ts', '../adapters/index.ts'],
    ['src/doctor/checks/platforms.ts', '../../../adapters/index.ts'],
    ['src/slack/bolt.ts', '@slack/bolt'],
  ])('allows %s to import %s', (file, specifier) => {
    expect(importViolations(file, specifier)).toEqual([]);
  });

  it.each([
    ['adapters/telegram/send.ts', '@slack/web-api', /platform library \(grammy/],
    ['adapters/telegram/send.ts', 'keyv', /platform library/],
    ['adapters/telegram/send.ts', 'crypto', /write 'node:crypto'/],
    ['adapters/telegram/send.ts', '../../src/store/store.ts', /may import only src\/channel.ts/],
    ['adapters/telegram/send.ts', '../../src/engine/routing.ts', /may import only/],
    ['adapters/telegram/send.ts', '../whatsapp/send.ts', /their own folder/],
    ['adapters/telegram/send.ts', '../meta/graph.ts', /adapters\/meta\/ \(whatsapp, instagram, messenger only\)/],
    ['adapters/x/send.ts', 'grammy', /twitter-api-v2/],
    ['adapters/instagram/index.ts', 'twitter-api-v2', /only zod/],
    ['adapters/wechat/xml.ts', 'twitter-api-v2', /fast-xml-parser/],
    ['adapters/index.ts', 'zod', /adapters\/ may use no library/],
    ['src/engine/outbox.ts', '@slack/bolt', /no @slack/],
    ['src/engine/outbox.ts', '@slack/web-api/dist/x.js', /no @slack/],
    ['src/engine/outbox.ts', 'grammy', /grammy/],
    ['src/engine/outbox.ts', 'twitter-api-v2', /twitter-api-v2/],
    ['src/engine/outbox.ts', '../../adapters/telegram/errors.ts', /nothing from adapters/],
    ['src/engine/outbox.ts', '../slack/web-api-slack-port.ts', /nothing from src\/slack\//],
    ['src/engine/outbox.ts', '../slack/failure-text.js', /nothing from src\/slack\//],
    ['src/engine/outbox.ts', '../slack', /nothing from src\/slack\//],
    ['src/engine/sub/deep.ts', '../../slack/emoji.ts', /nothing from src\/slack\//],
    ['src/main.ts', '../adapters/index.ts', /only src\/app.ts and src\/doctor\/checks\/platforms.ts/],
    ['src/slack/bolt.ts', '../../adapters/index.js', /only src\/app.ts/],
    ['src/slack/bolt.ts', '../../adapters', /only src\/app.ts/],
    ['src/doctor/doctor.ts', '../../adapters/index.ts', /the composition roots/],
  ])('flags %s importing %s', (file, specifier, rule) => {
    const broken = importViolations(file, specifier);
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.join(' | ')).toMatch(rule);
  });

  it('finds multi-line, type-only, re-export, side-effect and dynamic imports, but not ones in comments or strings', () => {
    const source = [
      "/** import nope from 'in-a-comment'; */",
      "import type { Channel } from '../../src/channel.ts';",
      'import {',
      '  a,',
      "} from './a.ts';",
      "export * from './b.ts';",
      "import './c.ts';",
      "const d = await import('./d.ts');",
      'const s = "import x from \'in-a-string\'";',
    ].join('\n');
    expect(importsOf(source)).toEqual([
      { specifier: '../../src/channel.ts', line: 2 },
      { specifier: './a.ts', line: 5 },
      { specifier: './b.ts', line: 6 },
      { specifier: './c.ts', line: 7 },
      { specifier: './d.ts', line: 8 },
    ]);
  });
});
