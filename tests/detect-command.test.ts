/**
 * `threadline detect` as a process (src/cli.ts → src/detect-command.ts): texts from standard
 * input or arguments, one line out per text, errors on standard error, exit codes. Run with tsx
 * from an empty working directory, as tests/cli.test.ts runs the other commands.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProcessResult, runProcess } from './support/run-process.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'threadline-detect-'));

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const detect = (args: readonly string[], input?: string) => threadline(['detect', ...args], input);

function threadline(args: readonly string[], input?: string): Promise<ProcessResult> {
  return runProcess(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'src', 'cli.ts'), ...args], { cwd, input });
}

describe('threadline detect', () => {
  it('reads one text per line of standard input and prints one tag or "unsure" per text', async () => {
    const input = [
      '배송이 언제 되나요?',
      '請問這個還有貨嗎',
      'Bonjour, je voudrais annuler ma commande',
      'hello',
      '',
      '👍',
      'Вітаю, де моє замовлення?',
    ].join('\n');
    const { code, stdout, stderr } = await detect([], `${input}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(['ko', 'zh-Hant', 'fr', 'unsure', 'unsure', 'unsure', 'uk', ''].join('\n'));
  });

  it('takes the texts as arguments instead, and names an unrouted language as it is', async () => {
    const { code, stdout } = await detect(['--routed', 'en,ko', 'Bonjour, je voudrais annuler ma commande', '주문 취소해 주세요']);
    expect(code).toBe(0);
    expect(stdout).toBe('fr\nko\n');
  });

  it('lets --routed change the answer where the routes decide (Malay is id when Indonesian is routed)', async () => {
    const text = 'Saya ingin membatalkan pesanan saya';
    expect((await detect(['--routed=en,id', text])).stdout).toBe('id\n');
    expect((await detect(['--routed=en,ms', text])).stdout).toBe('ms\n');
  });

  it('accepts --database and prints the same answers for a clear text', async () => {
    const { code, stdout } = await detect(['--database', 'extrasmall', 'Hello, where is my order? It has not arrived yet']);
    expect(code).toBe(0);
    expect(stdout).toBe('en\n');
  });

  it('keeps a line for each input line, empty input giving no output', async () => {
    expect(await detect([], '')).toMatchObject({ code: 0, stdout: '' });
    const { stdout } = await detect([], 'ok\r\nDanke schön\r\n');
    expect(stdout).toBe('unsure\nde\n');
  });

  it.each([
    [['--database', 'huge', 'x'], /^Unknown database huge: use one of extrasmall, small, medium, large\n\nUsage: threadline detect/],
    [['--routed', 'en,not a tag', 'x'], /^Not a language tag: not a tag\n/],
    [['--routed'], /^--routed needs a value\n/],
    [['--loud', 'x'], /^Unknown option --loud\n/],
  ])('rejects %j on standard error with exit code 2 and nothing on standard output', async (args, message) => {
    const { code, stdout, stderr } = await detect(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('warns on standard error of a routed tag it never answers, and still answers on standard output', async () => {
    const { code, stdout, stderr } = await detect(['--routed', 'ko,jp', '안녕하세요, 배송 문의드립니다']);
    expect(code).toBe(0);
    expect(stdout).toBe('ko\n');
    expect(stderr).toContain('no text is ever detected as jp, so that route changes nothing here');
    const clean = await detect(['--routed', 'ko,ja', '안녕하세요, 배송 문의드립니다']);
    expect(clean.stderr).toBe('');
    expect((await detect(['--help'])).stdout).toMatch(/Languages it names: .*\bja\b.*\bzh-Hant\b/);
  });

  it('prints its usage for --help and is listed by threadline help', async () => {
    const help = await detect(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: threadline detect \[--routed <tags>\] \[--database <size>\] \[text …\]/);
    const list = await threadline(['help']);
    expect(list.stdout).toMatch(/^ {2}threadline detect /m);
  });
});
