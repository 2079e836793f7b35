#!/usr/bin/python3
"""parse-trace.py TRACE SIZE VARIANT RUN WANT BOOT CAP AOB HOST_MS: one CSV row
of vm.csv / vmem.csv (header: parse-trace.py --header) from the records of
`hpo-bench trace stop` (see guest/hpo-bench).

t0 is the first memory block `add` uevent (pc-dimm), or, where the trace has
one, the first virtio-mem config change (virtio-mem: the guest learns the new
requested-size).  The end is the last memory block `online` uevent.  Helper
execs and their CPU time are split at that end: before it they compete with
the onlining for the one vCPU, after it they only log.  CPU time is the sum
of sched_stat_runtime of the helper's processes (from the fork in udevd's
worker, comm "(spawn)", through the exec to the exit).  The log service
(`hotplug-online log`, started before the trace: a hotplug-online process
with no exec in it) has its CPU time of its own, inside the window and
after it until the trace stopped (once its last line was written); udevd's
CPU is the daemon, its workers, what they spawn, the helper, not the log
service.  Inside the window also: the kernel's workers (kworker/*: the
onlining of (a), (c), (n)) and everything else (other_cpu_ms, the three
largest in other_top: syslogd, a shell of the bench would show there)."""

import re
import statistics
import sys

HEADER = ("size,variant,run,blocks,adds,onlines,t0_s,first_add_s,last_online_s,ms,"
          "execs_before,execs_after,helper_cpu_before_ms,helper_cpu_after_ms,"
          "helper_life_ms,udev_cpu_ms,aob,host_size_ms,boot_s,cap_s,logger_cpu_ms,logger_cpu_after_ms,"
          "kworker_cpu_ms,other_cpu_ms,other_top")

if sys.argv[1:] == ["--header"]:
    print(HEADER)
    sys.exit(0)

trace, size, v, run, want, boot, cap, aob, host_ms = sys.argv[1:]
adds, onl, cfg = [], [], []
execs = {}      # pid -> exec time
exits = {}      # pid -> exit time
forks = {}      # child pid -> fork time
runs = []       # (time, pid, ns, comm)
for line in open(trace):
    f = line.split()
    if not f:
        continue
    if f[0] == "uev" and len(f) >= 4 and re.fullmatch(r"memory\d+", f[2]):
        if f[3] == "add":
            adds.append(float(f[1]))
        elif f[3] == "online":
            onl.append(float(f[1]))
    elif f[0] == "vmcfg":
        cfg.append(float(f[1]))
    elif f[0] == "exec" and len(f) >= 4:
        execs[f[2]] = float(f[1])
    elif f[0] == "exit" and len(f) >= 3:
        exits[f[2]] = float(f[1])
    elif f[0] == "fork" and len(f) >= 4:
        forks.setdefault(f[3], float(f[1]))
    elif f[0] == "run" and len(f) >= 5:
        runs.append((float(f[1]), f[2], int(f[4]), f[3]))


def fmt(x, spec=".1f"):
    return "NA" if x is None else format(x, spec)


t0 = min(cfg) if cfg else (min(adds) if adds else None)
last = max(onl) if onl else None
complete = len(onl) >= int(want) and t0 is not None and last is not None
ms = (last - t0) * 1000 if complete else None
end = last if last is not None else float("inf")
before = sum(1 for t in execs.values() if t <= end)
after = len(execs) - before
cpu_b = sum(ns for t, pid, ns, _ in runs if pid in execs and t <= end) / 1e6
cpu_a = sum(ns for t, pid, ns, _ in runs if pid in execs and t > end) / 1e6


UDEV = {"systemd-udevd", "(udev-worker)", "(spawn)", "hotplug-online"}


def logger(pid, comm):
    return comm == "hotplug-online" and pid not in execs


def udevish(pid, comm):
    return (comm in UDEV or pid in execs) and not logger(pid, comm)


inside = [(pid, ns, comm) for t, pid, ns, comm in runs if t0 is not None and t0 <= t <= end]
# udevd, its workers, every child they spawn, the helper: CPU inside the
# measured window; the log service apart.
udev = sum(ns for pid, ns, comm in inside if udevish(pid, comm)) / 1e6
kw = sum(ns for pid, ns, comm in inside if comm.startswith("kworker")) / 1e6
others = {}
for pid, ns, comm in inside:
    if not udevish(pid, comm) and not logger(pid, comm) and not comm.startswith("kworker"):
        others[comm] = others.get(comm, 0) + ns / 1e6
top = ";".join(f"{c}:{ms:.1f}" for c, ms in sorted(others.items(), key=lambda x: -x[1])[:3])
log_in = sum(ns for pid, ns, comm in inside if logger(pid, comm)) / 1e6
log_after = sum(ns for t, pid, ns, comm in runs if logger(pid, comm) and t > end) / 1e6
life = [exits[p] - forks.get(p, t) for p, t in execs.items() if p in exits]
life_ms = statistics.median(life) * 1000 if life else None
print(",".join([size, v, run, want, str(len(adds)), str(len(onl)), fmt(t0, ".6f"),
                fmt(min(adds) if adds else None, ".6f"), fmt(last, ".6f"), fmt(ms),
                str(before), str(after), f"{cpu_b:.1f}", f"{cpu_a:.1f}", fmt(life_ms, ".2f"),
                f"{udev:.1f}" if t0 is not None else "NA", aob, host_ms, boot, cap,
                f"{log_in:.1f}" if t0 is not None else "NA", f"{log_after:.1f}",
                f"{kw:.1f}", f"{sum(others.values()):.1f}", top or "-"]))
