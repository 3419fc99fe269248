// CPU time of the calling thread, so that a worker can say what one job cost whatever else the
// machine runs (its wall time stretches when other work shares the cores; its CPU time barely
// does). Linux only (/proc/thread-self/stat: utime and stime in clock ticks of 1/100 s; Node 20
// has no per-thread cpuUsage); undefined elsewhere.
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

export function threadCpuMs(): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}
