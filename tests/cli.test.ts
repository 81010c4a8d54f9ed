/**
 * The `threadline` command as a process: dispatch, usage, exit codes. Run with tsx from an empty
 * working directory (no .env) and an environment without Threadline's variables.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'threadline-cli-'));
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(SLACK|TELEGRAM|DEFAULT_CHANNEL|STORE_URL|DATA_DIR)/.test(name)),
);

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function threadline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'src', 'cli.ts'), ...args],
      { cwd, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

describe('threadline (src/cli.ts)', () => {
  it('help lists every command and exits 0', async () => {
    const { code, stdout } = await threadline('help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: threadline \[command\]/);
    for (const command of ['start', 'doctor', 'journal', 'help']) expect(stdout).toMatch(new RegExp(`^  threadline ${command} `, 'm'));
  });

  it('an unknown command prints the usage to stderr and exits 2', async () => {
    const { code, stdout, stderr } = await threadline('docter');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Unknown command: docter\n\nUsage: threadline \[command\]/);
  });

  it('doctor runs the checks and exits 1 when one fails', async () => {
    const { code, stdout } = await threadline('doctor');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ settings: SLACK_BOT_TOKEN is required/);
    expect(stdout).toMatch(/1 of 1 checks failed/);
  });

  it('journal parked lists what was set aside in the store of DATA_DIR', async () => {
    // A new DATA_DIR holds no store yet: the command says so instead of creating an empty one.
    const { code, stdout, stderr } = await threadline('journal', 'parked');
    expect(code, stdout + stderr).toBe(1);
    expect(stdout + stderr).toMatch(
      /^No Threadline store at data\/threadline.db: run this with the DATA_DIR \(or STORE_URL\) the service uses/,
    );
  });

  it('journal without a sub-command explains its usage and exits 2', async () => {
    const { code, stdout, stderr } = await threadline('journal');
    expect(code).toBe(2);
    expect(stdout + stderr).toMatch(/^Usage: threadline journal parked .*\n +threadline journal replay <id>/);
  });

  it('no command starts the service (which stops at once naming the missing setting)', async () => {
    const { code, stderr } = await threadline();
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid configuration: SLACK_BOT_TOKEN is required/);
  });
});
