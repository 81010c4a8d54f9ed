/**
 * Reads the project's Dockerfile into its stages and instructions, so tests can run the very
 * commands it runs (no Docker engine in the test run) and check the rest of it. Handles what the
 * Dockerfile uses: comments, parser directives, `\` line continuations, `FROM … AS name`, and the
 * exec (JSON) form of CMD and HEALTHCHECK CMD.
 * @see https://docs.docker.com/reference/dockerfile/
 */
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One instruction: `keyword` upper-cased, `args` the rest of its (joined) lines. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** One `FROM` stage and the instructions under it. */
export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The stages of a Dockerfile's text, in order. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && /^\s*#/.test(line)) continue; // comments (and `# syntax=` directives)
    if (pending !== '' && /^\s*#/.test(line)) continue; // a comment inside a continuation is dropped too
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const whole = (pending + line.trim()).trim();
    pending = '';
    if (whole !== '') logical.push(whole);
  }
  if (pending.trim() !== '') logical.push(pending.trim());

  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`unreadable FROM: ${args}`);
      stages.push({ image: from[1]!, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** The arguments of an exec-form (JSON array) instruction such as `CMD ["node", "x.js"]`. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not the exec form: ${args}`);
  return parsed;
}

/** `ENV a=1 b=2` (or the legacy `ENV a 1`) as a record. */
export function envOf(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [name = '', ...rest] = args.split(/\s+/);
    return { [name]: rest.join(' ') };
  }
  return Object.fromEntries(
    [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [
      m[1]!,
      m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!,
    ]),
  );
}

/** `HEALTHCHECK --interval=30s … CMD [...]`: its options and its command. */
export function healthcheckOf(args: string): { options: Record<string, string>; command: string[] } {
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/.exec(args);
  if (!match) throw new Error(`unreadable HEALTHCHECK: ${args}`);
  const options = Object.fromEntries([...match[1]!.matchAll(/--([a-z-]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  return { options, command: execForm(match[2]!) };
}

/** The instructions of `stage` with this keyword. */
export const instructions = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);

/** A COPY: its `--from` stage (if any), sources and destination. */
export function copyOf(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  if (paths.length < 2) throw new Error(`unreadable COPY: ${args}`);
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

/**
 * Copies as `COPY` does, with the image's WORKDIR mapped to `workdir` on this machine and paths of
 * another stage's WORKDIR (`/app/...`) mapped to `fromDir`: a directory source copies its content
 * into the destination; several sources go into a destination directory.
 */
export function copyLikeDocker(
  copy: { sources: string[]; destination: string },
  sourceRoot: string,
  imageWorkdir: string,
  workdir: string,
): void {
  const onHost = (imagePath: string, root: string) => {
    if (!imagePath.startsWith('/')) return path.join(root, imagePath);
    if (imagePath !== imageWorkdir && !imagePath.startsWith(`${imageWorkdir}/`)) throw new Error(`${imagePath} is outside ${imageWorkdir}`);
    return path.join(root, path.relative(imageWorkdir, imagePath));
  };
  const destination = onHost(copy.destination, workdir);
  const intoDirectory = copy.destination.endsWith('/') || copy.sources.length > 1;
  for (const source of copy.sources) {
    const from = onHost(source, sourceRoot);
    const to = intoDirectory ? path.join(destination, path.basename(from)) : destination;
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true });
  }
}

/** The project's Dockerfile, parsed. */
export function readDockerfile(projectRoot: string): Stage[] {
  return parseDockerfile(readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8'));
}
