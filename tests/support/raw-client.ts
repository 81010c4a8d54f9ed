/**
 * A raw TCP client in a child process, for tests that send incomplete HTTP (headers that never end,
 * a body that stops). In the test process every socket passes through nock's interceptor, which
 * holds a request until it is complete, so the server would never see a partial one.
 */
import { spawn } from 'node:child_process';

/** Runs in the child: connects, writes what stdin sends (one JSON string a line), reports data and close on stdout. */
const CHILD = `
const net = require('node:net');
const readline = require('node:readline');
const socket = net.connect(Number(process.argv[1]), '127.0.0.1');
const say = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
socket.on('connect', () => say({ event: 'connect' }));
socket.on('data', (chunk) => say({ event: 'data', text: chunk.toString('latin1') }));
socket.on('error', (error) => say({ event: 'error', code: error.code }));
socket.on('close', () => { say({ event: 'close' }); process.exit(0); });
readline.createInterface({ input: process.stdin }).on('line', (line) => socket.write(JSON.parse(line)));
`;

/** One raw connection to 127.0.0.1:`port`. */
export interface RawClient {
  /** Writes `text` (latin1) on the connection. */
  write(text: string): void;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once connected. */
  readonly connected: Promise<void>;
  /** Resolves once the server (or anything) closed the connection. */
  readonly closed: Promise<void>;
  /** Ends the child, closing the connection. */
  kill(): void;
}

/** Connects to `port` and writes `first`. */
export function rawClient(port: number, first: string): RawClient {
  const child = spawn(process.execPath, ['-e', CHILD, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let received = '';
  let buffered = '';
  let onConnect: () => void = () => undefined;
  let onClose: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnect = resolve));
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  child.on('exit', () => onClose());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const event = JSON.parse(buffered.slice(0, end)) as { event: string; text?: string };
      buffered = buffered.slice(end + 1);
      if (event.event === 'connect') onConnect();
      if (event.event === 'data') received += event.text ?? '';
      if (event.event === 'close') onClose();
    }
  });
  const write = (text: string) => void child.stdin.write(`${JSON.stringify(text)}\n`);
  write(first);
  return { write, received: () => received, connected, closed, kill: () => void child.kill() };
}
