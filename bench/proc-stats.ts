/**
 * Memory and CPU time of another process, read from outside it in Linux's /proc, so that the
 * process measured is exactly what users run (`node dist/src/main.js`, nothing loaded into it):
 *
 * - RSS now and its peak (`VmRSS`, `VmHWM` of /proc/<pid>/status); the peak can be reset
 *   (`echo 5 > /proc/<pid>/clear_refs`) so that a heap snapshot taken on purpose does not count;
 * - CPU time in nanoseconds: the sum of every thread's run time (/proc/<pid>/task/<tid>/schedstat,
 *   exact to the nanosecond, which a quiet second needs: its 1 ms is a tenth of a clock tick) and,
 *   for longer stretches, user + system time of /proc/<pid>/stat (clock ticks, and it keeps the
 *   time of threads that ended).
 * @see https://man7.org/linux/man-pages/man5/proc_pid_status.5.html
 * @see https://docs.kernel.org/scheduler/sched-stats.html
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: what /proc reports times in, on every Linux architecture Node runs on

/** What one reading found. Memory in bytes, CPU in milliseconds. */
export interface ProcReading {
  readonly rss: number;
  readonly peakRss: number;
  /** Sum of the run time of the threads alive now (exact; misses threads that ended). */
  readonly threadsCpuMs: number;
  /** User + system time of the whole process, threads that ended included (10 ms steps). */
  readonly cpuMs: number;
}

/** Whether /proc can be read here (Linux). */
export function procAvailable(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/status`, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** One reading of process `pid`. */
export function readProc(pid: number): ProcReading {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  let threadsNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threadsNs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  // Fields after the command name (which may hold spaces, in parentheses): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM'), threadsCpuMs: threadsNs / 1e6, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/** Resets the process's peak RSS to its RSS now (false when the kernel does not allow it). */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Where a process's resident memory is, from /proc/<pid>/smaps, in bytes. */
export interface RssBreakdown {
  /** The C allocator's main arena (`[heap]`, grown with brk). */
  readonly mallocHeap: number;
  /** Anonymous mappings: V8's heap pages, the allocator's thread arenas and large blocks, thread stacks. */
  readonly anonymous: number;
  /** Mapped files: the node binary, shared libraries, native add-ons. */
  readonly files: number;
}

/** The RSS of process `pid` by kind of mapping. */
export function rssBreakdown(pid: number): RssBreakdown {
  let mallocHeap = 0;
  let anonymous = 0;
  let files = 0;
  let kind: 'heap' | 'anon' | 'file' = 'anon';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      const name = mapping[1] ?? '';
      kind = name === '[heap]' ? 'heap' : name === '' || name.startsWith('[') ? 'anon' : 'file';
    } else if (line.startsWith('Rss:')) {
      const bytes = Number(line.split(/\s+/)[1]) * 1024;
      if (kind === 'heap') mallocHeap += bytes;
      else if (kind === 'anon') anonymous += bytes;
      else files += bytes;
    }
  }
  return { mallocHeap, anonymous, files };
}
