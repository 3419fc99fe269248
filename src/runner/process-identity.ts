// Telling one process from another that later got the same PID. A PID alone is reused (after a
// reboot, or once the PID counter wraps), so a lock also records its process's start time, as the
// kernel counts it, and the machine's boot id: a lock whose PID is alive but whose start time or
// boot differs belongs to a run that is gone. Linux exposes both under /proc; elsewhere they are
// undefined and a live PID is trusted, as before.
import { readFileSync } from 'node:fs';

/** Start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), if known. */
export function processStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 of the whole line
}

/** This boot of this machine (/proc/sys/kernel/random/boot_id), if known. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
