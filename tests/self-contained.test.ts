/**
 * The repository is self-contained: no tracked file points outside it (at a sibling `shared`
 * folder, which a user's clone does not have) or at a path that exists on one machine only, and
 * every relative Markdown link leads to a file of the repository. See docs/architecture.md,
 * "Testing".
 *
 * The patterns are assembled from pieces, so this file does not match them itself; the checkers
 * are tested on literal examples first, as tests/architecture.test.ts does with its rules.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Generated or data files that are not read as text. */
const SKIPPED = new Set(['package-lock.json']);
/** Top-level folders that are never part of the repository (see .gitignore); only used without git. */
const UNTRACKED_FOLDERS = new Set(['.git', 'node_modules', 'data', 'tmp']);

const DOTS = '\\.\\.';
const SEPARATOR = '[\\\\/]';
/** A sibling `shared` folder: as a path with either separator, or as path.join arguments ('..' then 'shared'). */
const SIBLING_FOLDER = [new RegExp(`${DOTS}${SEPARATOR}shared(?![\\w.-])`), new RegExp(`['"\`]${DOTS}['"\`]\\s*,\\s*['"\`]shared['"\`]`)];
/** Top folders of paths that only make sense on one machine: home and work folders, temp folders, mounts. */
const MACHINE_FOLDERS = ['work', 'tmp', 'root', 'home', 'Users', 'mnt', 'var/tmp', 'var/folders', 'private/var'];
/**
 * An absolute path into one of MACHINE_FOLDERS: `/`, the folder, `/`, not preceded by anything that
 * makes it part of a URL or a relative path (`https://example.com/tmp/x`, `src/work/x`), but
 * caught after `file://`. Also Windows user folders (a drive letter, then Users).
 */
const MACHINE_PATH = [
  new RegExp(`(?:^|[^\\w.~:/\\\\-]|file://)/(?:${MACHINE_FOLDERS.join('|')})/`),
  new RegExp(`(?:^|[^\\w])[A-Za-z]:\\\\(?:Users|Documents and Settings)\\\\`, 'i'),
];

/** What a line must not contain, with the fix to suggest. */
const RULES: readonly { readonly patterns: readonly RegExp[]; readonly says: string; readonly inGitignore: boolean }[] = [
  {
    patterns: SIBLING_FOLDER,
    inGitignore: true,
    says: 'points outside the repository (a sibling shared folder): vendor the file or point into docs/',
  },
  // .gitignore patterns with a leading slash are anchored at the repository root, not the machine's.
  {
    patterns: MACHINE_PATH,
    inGitignore: false,
    says: 'names an absolute path on one machine: use a path relative to the repository or a public URL',
  },
];

/** One problem found, as `file:line: what`. */
type Finding = string;

/** Every rule broken by `text`, one finding per line and rule. */
function referenceFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const gitignore = path.posix.basename(file) === '.gitignore';
  text.split(/\r?\n/).forEach((line, index) => {
    for (const rule of RULES) {
      if (gitignore && !rule.inGitignore) continue;
      if (rule.patterns.some((pattern) => pattern.test(line)))
        findings.push(`${file}:${index + 1} ${rule.says}: ${line.trim().slice(0, 160)}`);
    }
  });
  return findings;
}

/** Relative link targets of a Markdown text, with their line numbers; fenced code is skipped. */
function markdownLinks(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fence: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence !== undefined) return;
    const prose = line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, (code) => (/\]\(/.test(code) ? '' : code));
    const targets = [
      ...[...prose.matchAll(/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*["')])?\s*\)/g)].map((m) => m[1]),
      ...[...prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g)].map((m) => m[1]),
    ];
    for (const target of targets) {
      if (target === undefined || target.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ target, line: index + 1 });
    }
  });
  return links;
}

/** Where a relative link in `file` leads, as a repository path; undefined when it leaves the repository. */
function resolveLink(file: string, target: string): string | undefined {
  const bare = decodeURIComponent(target.replace(/[#?].*$/, ''));
  const joined = bare.startsWith('/') ? bare.slice(1) : path.posix.join(path.posix.dirname(file), bare);
  const normalized = path.posix.normalize(joined).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) return undefined;
  return normalized === '' ? '.' : normalized;
}

/** Broken relative links of one Markdown file: a target must be a tracked file or a folder holding one. */
function linkFindings(file: string, text: string, tracked: ReadonlySet<string>): Finding[] {
  const folders = new Set(
    [...tracked].flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  return markdownLinks(text).flatMap(({ target, line }) => {
    const resolved = resolveLink(file, target);
    if (resolved === undefined) return [`${file}:${line} links to ${target}, outside the repository`];
    if (resolved === '.' || tracked.has(resolved) || folders.has(resolved)) return [];
    return [`${file}:${line} links to ${target}, but ${resolved} is not a file of the repository`];
  });
}

/** The repository's files: `git ls-files`, or (in a copy without git) the tree minus ignored folders. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: projectRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\0')
      .filter((file) => file !== '');
  } catch {
    return walk('');
  }
}

/** Files under `folder` (repository-relative), leaving out what .gitignore leaves out. */
function walk(folder: string): string[] {
  return readdirSync(path.join(projectRoot, folder), { withFileTypes: true }).flatMap((entry) => {
    const file = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (folder === '' && UNTRACKED_FOLDERS.has(entry.name)) return [];
    if (entry.isDirectory()) return walk(file);
    return entry.isFile() && entry.name !== '.env' && !entry.name.endsWith('.log') ? [file] : [];
  });
}

/** The text of a repository file, or undefined for binary files (a NUL byte) and files deleted in the work tree. */
function textOf(file: string): string | undefined {
  const absolute = path.join(projectRoot, file);
  if (!existsSync(absolute)) return undefined;
  const bytes = readFileSync(absolute);
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  return bytes.toString('utf8');
}

const files = repositoryFiles();
const tracked = new Set(files);
const texts = new Map(
  files
    .filter((file) => !SKIPPED.has(path.posix.basename(file)))
    .flatMap((file) => {
      const text = textOf(file);
      return text === undefined ? [] : [[file, text] as const];
    }),
);

describe('self-contained: the repository', () => {
  it('is listed (from git, or the work tree without it)', () => {
    expect(tracked.size).toBeGreaterThan(0);
    expect(texts.has('README.md')).toBe(true);
  });

  it('has no tracked file that points at a sibling shared folder or at a machine path', () => {
    const findings = [...texts].flatMap(([file, text]) => referenceFindings(file, text));
    expect(findings).toEqual([]);
  });

  it('has no relative Markdown link to a file that does not exist', () => {
    const markdown = [...texts].filter(([file]) => file.endsWith('.md'));
    expect(markdown.map(([file]) => file)).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/architecture.md']));
    const findings = markdown.flatMap(([file, text]) => linkFindings(file, text, tracked));
    expect(findings).toEqual([]);
  });
});

describe('self-contained: the checkers themselves', () => {
  const up = '..';
  const abs = (...parts: string[]) => `/${parts.join('/')}`;

  it.each([
    `see ${up}/shared/DESIGN.md`,
    `[notes](${up}/shared/LANGUAGE.md)`,
    `path.resolve(root, '${up}', 'shared', 'data')`,
    `${up}\\shared\\data`,
    `behind each choice are in ${abs('work', 'shared', 'LANGUAGE.md')}.`,
    `--cpu-prof-dir=${abs('tmp', 'prof')}`,
    `\`${abs('home', 'someone', 'threadline')}\``,
    `(${abs('Users', 'someone', 'src')})`,
    `file://${abs('root', 'x')}`,
    `C:\\Users\\someone\\threadline`,
  ])('flags %s', (line) => {
    expect(referenceFindings('src/x.ts', line)).toHaveLength(1);
  });

  it.each([
    'https://example.com/tmp/x and https://example.com/home/',
    'http://127.0.0.1:3000/work/queue',
    `--cpu-prof-dir=tmp/prof, src/work/x.ts, ./tmp/y, ~/tmp/z`,
    `${abs('usr', 'share', 'locale')}/<locale>/LC_MESSAGES/apt.mo`,
    `DATA_DIR: '${abs('var', 'lib', 'threadline')}'`,
    `${up}/shared-things/x, ${up}/sharedfolder`,
    '#!/usr/bin/env bash',
  ])('does not flag %s', (line) => {
    expect(referenceFindings('src/x.ts', line)).toEqual([]);
  });

  it('lets .gitignore anchor patterns at the repository root, but not name a sibling shared folder', () => {
    expect(referenceFindings('.gitignore', `${abs('tmp')}/\nnode_modules/`)).toEqual([]);
    expect(referenceFindings('.gitignore', `${up}/shared/`)).toHaveLength(1);
  });

  it('finds relative links, including in reference definitions and around inline code, but not URLs, anchors or fenced code', () => {
    const text = [
      'See [`manifest.yml`](manifest.yml), [the docs](docs/a.md#part "title") and ![logo](img/l.png).',
      '[ref]: ../CONTRIBUTING.md',
      'Skip [web](https://example.com/x.md), [mail](mailto:a@example.com), [here](#anchor) and `[code](x.md)`.',
      '```md',
      '[fenced](nowhere.md)',
      '```',
    ].join('\n');
    expect(markdownLinks(text)).toEqual([
      { target: 'manifest.yml', line: 1 },
      { target: 'docs/a.md#part', line: 1 },
      { target: 'img/l.png', line: 1 },
      { target: '../CONTRIBUTING.md', line: 2 },
    ]);
  });

  it('resolves links from the linking file and reports missing targets and escapes', () => {
    const repo = new Set(['README.md', 'docs/architecture.md', 'docs/platforms/telegram.md', 'adapters/telegram/README.md']);
    expect(
      linkFindings(
        'docs/platforms/telegram.md',
        '[a](../../adapters/telegram/README.md) [b](../architecture.md#x) [c](../../adapters/)',
        repo,
      ),
    ).toEqual([]);
    expect(linkFindings('docs/architecture.md', '[d](missing.md)', repo)).toEqual([
      'docs/architecture.md:1 links to missing.md, but docs/missing.md is not a file of the repository',
    ]);
    expect(linkFindings('README.md', `[e](${up}/shared/x.md)`, repo)).toEqual([
      `README.md:1 links to ${up}/shared/x.md, outside the repository`,
    ]);
  });
});
