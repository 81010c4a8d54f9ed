/**
 * The service as the production image runs it, without Docker: `buildLikeDocker` runs the
 * Dockerfile's build stage (its COPY and RUN steps, in order) in a temporary directory standing for
 * /app, assembles the runtime stage's /app from what that stage copies, and returns the runtime
 * stage's ENV, CMD and HEALTHCHECK. `startService` runs a command there as a child process (as
 * tests/e2e/crash.test.ts does with the sources) and collects its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyLikeDocker, copyOf, envOf, execForm, healthcheckOf, instructions, readDockerfile } from '../support/dockerfile.ts';
import { eventually } from './harness.ts';

/** The image's WORKDIR, in both stages. */
export const IMAGE_WORKDIR = '/app';

/** What `docker build` would have produced, laid out on this machine. */
export interface LocalImage {
  /** Temporary directory holding build/ and app/; remove it when done. */
  readonly root: string;
  /** The runtime stage's /app. */
  readonly appDir: string;
  /** The build stage's RUN commands, as run. */
  readonly buildCommands: readonly string[];
  /** The runtime stage's ENV. */
  readonly env: Readonly<Record<string, string>>;
  readonly cmd: readonly string[];
  readonly healthcheck: readonly string[];
}

/** Runs the Dockerfile's build stage and assembles its runtime stage's /app (see the file comment). */
export async function buildLikeDocker(projectRoot: string, log: (line: string) => void): Promise<LocalImage> {
  const stages = readDockerfile(projectRoot);
  const build = stages.find((stage) => stage.name === 'build');
  const runtime = stages.at(-1);
  if (!build || !runtime || runtime === build) throw new Error('the Dockerfile needs a stage named build and a runtime stage after it');
  const root = mkdtempSync(path.join(tmpdir(), 'threadline-image-'));
  const buildDir = path.join(root, 'build');
  const appDir = path.join(root, 'app');
  mkdirSync(buildDir);
  mkdirSync(appDir);

  const buildCommands: string[] = [];
  for (const { keyword, args } of build.instructions) {
    if (keyword === 'WORKDIR') {
      if (args !== IMAGE_WORKDIR) throw new Error(`the build stage's WORKDIR is ${args}, not ${IMAGE_WORKDIR}`);
    } else if (keyword === 'COPY') {
      const copy = copyOf(args);
      if (copy.from) throw new Error(`the build stage copies from ${copy.from}`);
      copyLikeDocker(copy, projectRoot, IMAGE_WORKDIR, buildDir);
    } else if (keyword === 'RUN') {
      buildCommands.push(args);
      const startedAt = Date.now();
      await run(args, buildDir, log);
      log(`[${args}] took ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    } else {
      throw new Error(`buildLikeDocker does not know ${keyword} in the build stage`);
    }
  }

  const env: Record<string, string> = {};
  for (const { keyword, args } of runtime.instructions) {
    if (keyword === 'WORKDIR' && args !== IMAGE_WORKDIR) throw new Error(`the runtime stage's WORKDIR is ${args}, not ${IMAGE_WORKDIR}`);
    if (keyword === 'ENV') Object.assign(env, envOf(args));
    if (keyword === 'COPY') {
      const copy = copyOf(args);
      if (copy.from !== 'build') throw new Error(`the runtime stage copies ${args} from outside the build stage`);
      copyLikeDocker(copy, buildDir, IMAGE_WORKDIR, appDir);
    }
  }
  const [cmd] = instructions(runtime, 'CMD');
  const [healthcheck] = instructions(runtime, 'HEALTHCHECK');
  if (!cmd || !healthcheck) throw new Error('the runtime stage needs a CMD and a HEALTHCHECK');
  return { root, appDir, buildCommands, env, cmd: execForm(cmd.args), healthcheck: healthcheckOf(healthcheck.args).command };
}

/** npm settings a command may inherit; npm's other npm_* variables (under `npm test`) name this project. */
const NPM_SETTINGS = ['npm_config_cache', 'npm_config_registry', 'npm_config_nodedir'];

/** The environment the service gets: PATH and HOME (npm needs them), npm's settings, and what is given. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const passed = ['PATH', 'HOME', 'TMPDIR', ...NPM_SETTINGS];
  return { ...Object.fromEntries(passed.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : []))), ...extra };
}

/**
 * The environment of a build step: this machine's (its network and CA settings reach the registry
 * as a `docker build` would), without the test run's own variables. Under `npm test` npm exports
 * npm_config_local_prefix and friends, which would point a nested npm at this project.
 */
function buildEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      if (value === undefined) return false;
      if (/^npm_/i.test(name)) return NPM_SETTINGS.includes(name);
      return !/^(VITEST|NODE_ENV$|NODE_OPTIONS$|INIT_CWD$)/.test(name);
    }),
  );
}

/** Runs `command` with sh in `cwd`; rejects with its output when it fails. */
function run(command: string, cwd: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: buildEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) =>
        lines.push(
          ...String(chunk)
            .split('\n')
            .filter((l) => l.trim()),
        ),
      );
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const line of lines) log(`[${command}] ${line}`);
      if (code === 0) resolve();
      else reject(new Error(`\`${command}\` failed (${signal ?? `exit code ${code}`}):\n${lines.slice(-30).join('\n')}`));
    });
  });
}

/** A running child process and what it wrote, one entry per line. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves when the process exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `command args` in `cwd` and resolves once GET /healthz on `port` answers 200 (the
 * process's own output goes to `output`, prefixed with `label`).
 */
export async function startService(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; port: number; label: string; output: string[] },
): Promise<ServiceProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      const lines = String(chunk)
        .split('\n')
        .filter((line) => line.trim() !== '');
      output.push(...lines);
      options.output.push(...lines.map((line) => `[${options.label}] ${line}`));
    });
  }
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await eventually(async () => {
    if (gone) throw new Error(`${options.label} exited during start-up (code ${child.exitCode})`);
    return (await send(options.port, 'GET', '/healthz')).status === 200;
  }, 30_000);
  return { child, output, exited };
}

/** One HTTP request on a fresh connection (no keep-alive socket may outlive a stopped service). */
export function send(
  port: number,
  method: string,
  urlPath: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.on('error', () => undefined);
        res.resume();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A port that was free a moment ago (the child must be told its port; it cannot report PORT=0's). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound again, as the service binds it (all addresses). */
export function canListenOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Whether a process with this id still exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pino log lines (parsed) among a process's output. */
export function logEntries(output: readonly string[]): Record<string, unknown>[] {
  return output.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
