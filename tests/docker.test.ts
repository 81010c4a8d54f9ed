/**
 * The Dockerfile, compose.yaml and the production start, checked as text (no Docker engine runs
 * here): what the issue asks of each, and that the production command is the same everywhere (the
 * Dockerfile's CMD, `npm start`, the build's output layout, the README). The Dockerfile's build
 * steps and CMD are run for real by tests/e2e/production.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyOf, envOf, execForm, healthcheckOf, instructions, readDockerfile } from './support/dockerfile.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');
const stages = readDockerfile(projectRoot);
const [build, runtime] = stages as [(typeof stages)[number], (typeof stages)[number]];
const args = (stage: typeof build, keyword: string) => instructions(stage, keyword).map((i) => i.args);
const cmd = execForm(args(runtime, 'CMD')[0]!);
const packageJson = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the production command', () => {
  it("is `node dist/src/main.js`: the compiled entry point of tsconfig.build.json, the image's CMD, and what `npm start` execs", () => {
    const config = ts.readConfigFile(path.join(projectRoot, 'tsconfig.build.json'), (file) => ts.sys.readFile(file));
    const options = config.config.compilerOptions as {
      outDir: string;
      rootDir: string;
      noEmit: boolean;
      rewriteRelativeImportExtensions: boolean;
    };
    expect(options).toMatchObject({ noEmit: false, rewriteRelativeImportExtensions: true });
    const entry = path.posix.join(options.outDir, path.posix.relative(options.rootDir, 'src/main.ts')).replace(/\.ts$/, '.js');
    expect(cmd).toEqual(['node', entry]);
    expect(entry).toBe('dist/src/main.js');
    // `exec`: npm runs the script with sh, which would otherwise keep SIGTERM from reaching node.
    expect(packageJson.scripts.start).toBe(`exec ${cmd.join(' ')}`);
    expect(read('README.md')).toContain(`\n${cmd.join(' ')}`);
  });

  it('npm ci builds it (prepare), `npm run dev` watches the sources, and tsx is a devDependency', () => {
    expect(packageJson.scripts).toMatchObject({
      build: 'tsc -p tsconfig.build.json',
      prepare: 'npm run build',
      dev: 'tsx watch src/main.ts',
    });
    expect(packageJson.devDependencies).toHaveProperty('tsx');
    expect(packageJson.dependencies).not.toHaveProperty('tsx');
    expect(read('.gitignore').split('\n')).toContain('dist/');
  });
});

describe('Dockerfile', () => {
  it('builds in one stage (npm ci, npm run build, npm prune --omit=dev) and runs on node:24-slim in another', () => {
    expect(stages).toHaveLength(2);
    expect(build).toMatchObject({ image: 'node:24-slim', name: 'build' });
    expect(runtime.image).toBe('node:24-slim');
    expect(Number(read('.nvmrc').trim())).toBe(24);
    expect(args(build, 'RUN')).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      'npm run build',
      'npm prune --omit=dev --no-audit --no-fund',
    ]);
    // The runtime stage gets only the build's output and production dependencies.
    expect(args(runtime, 'COPY').map((copy) => copyOf(copy))).toEqual([
      { from: 'build', sources: ['/app/package.json'], destination: './package.json' },
      { from: 'build', sources: ['/app/node_modules'], destination: './node_modules' },
      { from: 'build', sources: ['/app/dist'], destination: './dist' },
      { from: 'build', sources: ['/app/manifest.yml'], destination: './manifest.yml' },
    ]);
    expect(args(runtime, 'RUN')).toEqual(['mkdir -p /data && chown node:node /data']);
  });

  it('runs as the non-root node user, with DATA_DIR=/data as a volume, port 3000, and a HEALTHCHECK on /healthz done by node', () => {
    expect(args(runtime, 'USER')).toEqual(['node']);
    expect(Object.assign({}, ...args(runtime, 'ENV').map(envOf))).toMatchObject({
      DATA_DIR: '/data',
      PORT: '3000',
      NODE_ENV: 'production',
    });
    expect(args(runtime, 'VOLUME')).toEqual(['/data']);
    expect(args(runtime, 'EXPOSE')).toEqual(['3000']);
    const [healthcheck] = args(runtime, 'HEALTHCHECK').map(healthcheckOf);
    expect(healthcheck!.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheck!.command[2]).toContain('/healthz');
    expect(Object.keys(healthcheck!.options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    // The user is set before the process starts and after the files are in place.
    const order = runtime.instructions.map((i) => i.keyword);
    expect(order.indexOf('USER')).toBeGreaterThan(order.lastIndexOf('COPY'));
    expect(order.indexOf('USER')).toBeLessThan(order.indexOf('CMD'));
  });

  it('starts node itself as PID 1 (exec form, no npm, no shell) and stops it with SIGTERM', () => {
    expect(args(runtime, 'CMD')).toHaveLength(1);
    expect(args(runtime, 'CMD')[0]!.startsWith('[')).toBe(true);
    expect(cmd[0]).toBe('node');
    expect(args(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(args(runtime, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('.dockerignore keeps dependencies, build output, local data, secrets and git history out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'data', '.env', '.git']));
  });
});

interface ComposeService {
  readonly build?: string;
  readonly image?: string;
  readonly profiles?: string[];
  readonly env_file?: string;
  readonly environment?: Record<string, string>;
  readonly volumes?: string[];
  readonly ports?: string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly command?: string[];
}

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const { services } = compose;
  const instances = ['threadline', 'threadline-a', 'threadline-b'];

  it('threadline: the image built here, settings from .env, the embedded store on a named volume at /data, port 3000, no profile', () => {
    const threadline = services.threadline!;
    expect(threadline).toMatchObject({ build: '.', image: 'threadline', env_file: '.env', ports: ['3000:3000'] });
    expect(threadline.profiles).toBeUndefined();
    expect(threadline.environment).toMatchObject({ DATA_DIR: '/data' });
    expect(threadline.environment).not.toHaveProperty('STORE_URL');
    const [volume] = threadline.volumes!;
    expect(volume).toMatch(/^[a-z][a-z0-9_-]*:\/data$/);
    expect(compose.volumes).toHaveProperty(volume!.split(':')[0]!);
  });

  it('the redis profile: Redis and two instances on it, STORE_URL=redis://redis:6379, on different host ports', () => {
    expect(services.redis).toMatchObject({ profiles: ['redis'], image: 'redis:7-alpine' });
    expect(services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    const hostPorts = new Set<string>();
    for (const name of ['threadline-a', 'threadline-b']) {
      const instance = services[name]!;
      expect(instance, name).toMatchObject({
        profiles: ['redis'],
        image: 'threadline',
        env_file: '.env',
        environment: { STORE_URL: 'redis://redis:6379' },
      });
      expect(instance.depends_on).toHaveProperty('redis');
      const [hostPort, containerPort] = instance.ports![0]!.split(':');
      expect(containerPort).toBe('3000');
      hostPorts.add(hostPort!);
    }
    expect([...hostPorts, '3000']).toHaveLength(new Set([...hostPorts, '3000']).size);
    expect(Object.keys(services).sort()).toEqual([...instances, 'redis'].sort());
  });

  it("the README and compose.yaml give the same commands, naming the redis profile's services", () => {
    const profiled = Object.entries(services)
      .filter(([, service]) => service.profiles?.includes('redis'))
      .map(([name]) => name);
    const redisUp = `docker compose --profile redis up -d ${profiled.join(' ')}`;
    for (const file of ['README.md', 'compose.yaml']) {
      expect(read(file), file).toContain(redisUp);
      expect(read(file), file).toContain('docker compose up -d\n');
    }
    const readme = read('README.md');
    expect(readme).toContain('docker build -t threadline .');
    expect(readme).toMatch(/docker run [^\n]*--env-file \.env -v threadline-data:\/data -p 3000:3000 threadline\n/);
  });
});
