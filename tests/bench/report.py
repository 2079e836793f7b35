#!/usr/bin/python3
"""report.py RAWDIR: RESULTS.md (on stdout) from the raw numbers of `make bench`."""

import csv
import os
import statistics
import sys

raw = sys.argv[1]


def rows(name):
    path = os.path.join(raw, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def text(name):
    path = os.path.join(raw, name)
    return open(path).read().strip() if os.path.exists(path) else ""


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def verdict(ok):
    return "met" if ok else "**MISSED**"


out = []
p = out.append
meta = text("meta.txt")
p("# hotplug-online benchmarks\n")
p("Written by `make bench` (tests/bench/bench.sh); raw numbers in `tests/bench/raw/`; "
  "how they are taken, their limits and the findings at the end (tests/bench/notes.md).\n")
p("```\n" + meta + "\n" + text("vm-meta.txt") + "\n```\n")

names = {"a": "(a) kernel auto-online",
         "c": "(c) hotplug-online as installed (setup, log service)",
         "n": "(n) control: (c) without the log service",
         "u": "(u) hotplug-online, udev mode (no setup; log service)",
         "b": "(b) distro udev rule (ATTR write)",
         "e": "(e) control: (b) + RUN of a no-op", "k": "(k) control: (a) without udevd",
         "d": "(d) classic script from RUN"}
order = "acnubekd"
targets = []
ratios = []   # (what, of medians, paired)


def ms_of(r):
    return num(r["ms"])


def paired(rs, v, w):
    """Median over runs of v/w, each run's two guests side by side."""
    by = {}
    for r in rs:
        by.setdefault(r["run"], {})[r["variant"]] = ms_of(r)
    q = [x[v] / x[w] for x in by.values() if x.get(v) and x.get(w)]
    return (statistics.median(q), min(q), max(q), len(q)) if q else None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def sizes_of(rs):
    return sorted({r["size"] for r in rs}, key=lambda s: int(s.rstrip("G")))


def time_section(rs_all, title, what, kind):
    if not rs_all:
        return
    p(title + "\n")
    p(what + "\n")
    p("| size | variant | runs | median ms | min–max ms | × (a) | × (a) paired | × (b) |")
    p("|---|---|---|---|---|---|---|---|")
    for size in sizes_of(rs_all):
        rs_size = [r for r in rs_all if r["size"] == size]
        m = {v: med([ms_of(r) for r in rs_size if r["variant"] == v]) for v in order}
        for v in order:
            rs = [r for r in rs_size if r["variant"] == v]
            if not rs:
                continue
            ok = [ms_of(r) for r in rs if ms_of(r) is not None]
            failed = len(rs) - len(ok)
            ra = f"{m[v] / m['a']:.3f}" if m[v] and m.get("a") else "–"
            rb = f"{m[v] / m['b']:.2f}" if m[v] and m.get("b") else "–"
            pa = paired(rs_size, v, "a") if v != "a" else None
            ptxt = f"{pa[0]:.3f} ({pa[1]:.3f}–{pa[2]:.3f})" if pa else "–"
            span = f"{min(ok):.1f}–{max(ok):.1f}" if ok else "–"
            mtxt = f"{m[v]:.1f}" if m[v] else ("" if failed else "–")
            if failed:
                capped = [r for r in rs if ms_of(r) is None]
                mtxt += "; " if ok else ""
                mtxt += ", ".join(f"> {int(r.get('cap_s') or 0) * 1000} ({r['onlines']}/{r['blocks']} online at the cap)"
                                  for r in capped)
            p(f"| {size} ({rs[0]['blocks']} blocks) | {names[v]} | {len(rs)} | {mtxt} | {span} | {ra} | {ptxt} | {rb} |")
        for v, w in (("c", "a"), ("n", "a"), ("c", "n"), ("u", "a"), ("c", "b"), ("u", "b")):
            if m.get(v) and m.get(w):
                ratios.append((f"{kind} {size}: ({v}) / ({w})", m[v] / m[w], paired(rs_size, v, w)))
        if m.get("c") and m.get("a"):
            ca = m["c"] / m["a"]
            pr = paired(rs_size, "c", "a")
            targets.append((f"{kind} {size}: (c) ≤ 1.05 × (a)",
                            f"{ca:.3f}× (paired median {pr[0]:.3f}×, {pr[3]} runs)" if pr else f"{ca:.3f}×",
                            verdict(ca <= 1.05)))
    p("")


EXEC_TEXT = (
    "Helper execs (`sched_process_exec` of hotplug-online, all of them by the rule's "
    "`IMPORT{program}` on `add`: the 0.2.0 rule runs nothing on `online`/`offline`) before "
    "the last block's `online` uevent, competing with the onlining for the one vCPU, and "
    "after it. Helper CPU: `sched_stat_runtime` of those processes, from udevd's fork "
    "(`(spawn)`) to their exit. Life: median fork to exit of one helper process (wall). "
    "udevd CPU: the daemon, its workers, everything they spawn, inside the measured window. "
    "Log service CPU: `hotplug-online log` (started before the trace, at SCHED_IDLE) inside "
    "the window and after it, until its last line was written. Medians over runs (min–max "
    "for execs). Guest CPU times include the host's preemption of the TCG vCPU thread (no "
    "steal time under TCG) in real time; under -icount they are instructions (1 ns each).\n")


def ratio_table():
    if not ratios:
        return
    p("Ratios (medians of each variant; paired: median (min–max) of per-run ratios):\n")
    p("| ratio | of medians | paired |")
    p("|---|---|---|")
    for what, x, pr in ratios:
        p(f"| {what} | {x:.3f} | {f'{pr[0]:.3f} ({pr[1]:.3f}–{pr[2]:.3f}), {pr[3]} runs' if pr else '–'} |")
    p("")
    ratios.clear()


def exec_section(rs_all, title, kind):
    rs_all = [r for r in rs_all if r["variant"] in "acnube"]
    if not rs_all:
        return
    p(title + "\n")
    p(EXEC_TEXT)
    p("| size | variant | execs before | execs after | helper CPU before ms | helper CPU after ms "
      "| life ms | udevd CPU in window ms | log service CPU in window ms | log service CPU after ms | window ms |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes_of(rs_all):
        for v in order:
            rs = [r for r in rs_all if r["size"] == size and r["variant"] == v]
            if not rs:
                continue

            def span(key):
                xs = sorted(int(r[key]) for r in rs)
                return f"{xs[0]}" if xs[0] == xs[-1] else f"{statistics.median(xs):g} ({xs[0]}–{xs[-1]})"

            def f(x, spec=".1f"):
                return "–" if x is None else format(x, spec)
            cb = med([num(r["helper_cpu_before_ms"]) for r in rs])
            ca = med([num(r["helper_cpu_after_ms"]) for r in rs])
            life = med([num(r["helper_life_ms"]) for r in rs])
            ud = med([num(r["udev_cpu_ms"]) for r in rs])
            li = med([num(r.get("logger_cpu_ms")) for r in rs]) if v in "cu" else None
            la = med([num(r.get("logger_cpu_after_ms")) for r in rs]) if v in "cu" else None
            w = med([ms_of(r) for r in rs])
            p(f"| {size} | {names[v]} | {span('execs_before')} | {span('execs_after')} | {f(cb)} | {f(ca)} "
              f"| {f(life)} | {f(ud)} | {f(li)} | {f(la)} | {f(w)} |")
    p("")
    for size in sizes_of(rs_all):
        rs = [r for r in rs_all if r["size"] == size and r["variant"] == "c"]
        if rs:
            n = max(int(r["execs_before"]) + int(r["execs_after"]) for r in rs)
            targets.append((f"{kind} {size}: (c) helper execs = 0", f"{n} (max over {len(rs)} runs)",
                            verdict(n == 0)))


ICOUNT_TEXT = (
    "Fresh guest per run, booted with qemu's `-icount shift=0,sleep=on`: while the one vCPU "
    "runs, the guest clock advances 1 ns per instruction it executes, so the host's load does "
    "not stretch the window (time the guest spends idle still follows the host's clock). "
    "pc-dimm: first memory-block `add` uevent to last `online` uevent, from the guest kernel's "
    "own timestamps (kprobe on `dev_uevent`). virtio-mem: requested-size 0 → SIZE over QMP, "
    "from the guest's first `virtio_mem_config_changed` (kprobe) to the last `online` uevent. "
    "In each run the variants follow one another in the order of the table, one guest each. "
    "Every variant's udevd loads changed rules and warms its workers alike before the trace. "
    "Median (min–max) in ms; × (a) and × (b) are ratios of medians, × (a) paired the median "
    "(min–max) over runs of each run's own ratio.")
REAL_TEXT = ICOUNT_TEXT.replace(
    "booted with qemu's `-icount shift=0,sleep=on`: while the one vCPU "
    "runs, the guest clock advances 1 ns per instruction it executes, so the host's load does "
    "not stretch the window (time the guest spends idle still follows the host's clock)",
    "without -icount: the guest clock follows the host's, so the host's load stretches "
    "every window (see the notes)")

vmi = rows("vm-icount.csv")
vmemi = rows("vmem-icount.csv")
vm = rows("vm.csv")
vmem = rows("vmem.csv")
p("## 1. Time to usable memory under -icount (the headline)\n")
if not vmi and not vmemi:
    p("Not measured in this run.\n")
time_section(vmi, "### 1a. pc-dimm hot-add, -icount", ICOUNT_TEXT, "pc-dimm, icount")
exec_section(vmi, "#### 1a. execs and CPU", "pc-dimm, icount")
time_section(vmemi, "### 1b. virtio-mem, -icount", ICOUNT_TEXT, "virtio-mem, icount")
exec_section(vmemi, "#### 1b. execs and CPU", "virtio-mem, icount")
ratio_table()

# -- 2. the log service ---------------------------------------------------------
lg = rows("logger.csv")
if lg:
    p("## 2. The log service in the guest\n")
    p("In the first (c) guest of each pc-dimm size of a part, after the hot-add and its lines: "
      "the log service's `memoryN: online` lines in the guest's syslog (busybox syslogd, "
      "`/var/log/messages`), those of hot-added blocks and how many blocks they name, its "
      "\"kernel events were lost\" lines and its other lines; its VmRSS and VmHWM "
      "(`/proc/PID/status`) then; its voluntary and involuntary context switches over the next "
      "idle minute of the guest (nothing hot-added, the host's agent waiting in `sleep`).\n")
    p("| part | size | blocks | online lines | of hot-added blocks | blocks named | lost-events lines "
      "| other lines | VmRSS KiB | VmHWM KiB | idle s | voluntary cs | involuntary cs |")
    p("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in lg:
        p(f"| {r['part']} | {r['size']} | {r['blocks']} | {r['online_lines']} | {r['hotadded_online_lines']} "
          f"| {r['distinct_blocks']} | {r['lost_lines']} | {r['other_lines']} | {r['vmrss_kib']} "
          f"| {r['vmhwm_kib']} | {r['idle_s']} | {r['voluntary_cs']} | {r['involuntary_cs']} |")
    p("")
    for r in lg:
        ok = (r["hotadded_online_lines"] == r["blocks"] and r["distinct_blocks"] == r["blocks"]
              and r["lost_lines"] == "0")
        targets.append((f"log service, {r['part']} {r['size']}: one line per hot-added block "
                        f"({r['blocks']})", f"{r['hotadded_online_lines']} lines, {r['distinct_blocks']} "
                        f"blocks, {r['lost_lines']} lost-events lines", verdict(ok)))
        w = int(r["voluntary_cs"]) + int(r["involuntary_cs"])
        targets.append((f"log service, {r['part']} {r['size']}: wakeups in an idle minute = 0",
                        f"{w} ({r['voluntary_cs']} voluntary, {r['involuntary_cs']} involuntary, "
                        f"{r['idle_s']} s)", verdict(w == 0)))
        targets.append((f"log service, {r['part']} {r['size']}: RSS after the hot-add (no target)",
                        f"{r['vmrss_kib']} KiB (VmHWM {r['vmhwm_kib']} KiB)", "–"))
    logs = [(f, text(f)) for f in sorted(os.listdir(raw)) if f.startswith("logger-") and f.endswith(".txt")]
    if logs:
        p("Its lines, and every other hotplug-online line of the guest's log:\n")
        p("```")
        for f, t in logs:
            p(f"{f}:\n{t}")
        p("```\n")

# -- 3. real time ---------------------------------------------------------------
p("## 3. Time to usable memory in real time\n")
if not vm and not vmem:
    p("Not measured in this run (see the notes): the icount part above is the one that "
      "resolves a few percent on this shared host.\n")
time_section(vm, "### 3a. pc-dimm hot-add, real time", REAL_TEXT, "pc-dimm")
exec_section(vm, "#### 3a. execs and CPU", "pc-dimm")
time_section(vmem, "### 3b. virtio-mem, real time", REAL_TEXT, "virtio-mem")
if vmem:
    p("| size | variant | host ms to size = requested (median) |")
    p("|---|---|---|")
    for size in sizes_of(vmem):
        for v in order:
            rs = [r for r in vmem if r["size"] == size and r["variant"] == v]
            if rs:
                h = med([num(r["host_size_ms"]) for r in rs])
                p(f"| {size} | {names[v]} | {'–' if h is None else f'{h:.0f}'} |")
    p("")
exec_section(vmem, "#### 3b. execs and CPU", "virtio-mem")

ratio_table()
setup = text("setup-c.txt")
if setup:
    p("`hotplug-online setup` in the first (c) guest (the harness's init ran it at boot, as "
      "its unit does; this is the bench's second, idempotent run):\n")
    p("```\n" + setup + "\n```\n")

# -- 4. boot replay -------------------------------------------------------------
rep = [(f, text(f)) for f in sorted(os.listdir(raw)) if f.startswith("replay-")]
if rep:
    p("## 4. Boot replay\n")
    p("In the first (c) guest of a pc-dimm size after the hot-add, every block online: `udevadm "
      "trigger --action=add --subsystem-match=memory --settle`. Execs of hotplug-online "
      "counted by the kernel (`sched_process_exec` tracepoint), add uevents by the same kprobe "
      "as above. The control sets one block offline first: the replayed add runs the helper, "
      "which onlines the block (1 exec); the log service writes its offline and online lines.\n")
    p("```")
    for f, t in rep:
        p(f"{f}:\n{t}")
    p("```\n")
    for f, t in rep:
        first = t.splitlines()[0] if t else ""
        execs = first.rsplit("helper_execs=", 1)[-1] if "helper_execs=" in first else "?"
        targets.append((f"boot replay ({f[7:-4]}): 0 execs", execs, verdict(execs == "0")))

# -- 5. helper cost per event ---------------------------------------------------
hc = rows("helper.csv")
if hc:
    p("## 5. Cost per event (fake sysfs: fixture qemu-debian12-6.1-hotadd, memory32)\n")
    p("udev event: `ACTION=add DEVPATH=/devices/system/memory/memory32 hotplug-online --sysfs "
      "TREE udev`, block reset to offline before each run (udev mode: the rule runs it when "
      "auto_online_blocks is `offline`). Log service: `hotplug-online-test --sysfs TREE log` "
      "in a network namespace of its own, given memory32's `online` uevent LOG_EVENTS times "
      "by tests/test_helper/uevent-send (the test build: only it takes events from a sender "
      "other than the kernel); per event = (run with LOG_EVENTS events − run with none) / "
      "LOG_EVENTS; its CPU from /proc/PID/stat (10 ms ticks), its RSS the VmHWM after the "
      "events. A plain /proc/cmdline is bind-mounted over the host's; logging to a counted "
      "`/dev/log` sink. Instructions: callgrind (user space, exact). Wall: hyperfine median "
      "(± stddev); CPU: mean user+sys. The classic script runs in full for every event.\n")
    p("| what | instructions | syscalls | wall µs (± sd) | CPU µs | runs / events | peak RSS KiB | size B | stripped B | lines |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    for r in hc:
        i = num(r["instructions"])
        wall = "–" if r["median_us"] in ("", "NA") else f"{r['median_us']} (± {r['stddev_us']})"
        p(f"| {r['what']} | {'–' if i is None else f'{int(i):,}'} | {r['syscalls']} | {wall} "
          f"| {r['cpu_us']} | {r['runs']} | {r['peak_rss_kib']} | {r['size_bytes']} | {r['stripped_bytes'] or '–'} "
          f"| {r.get('log_lines', '–')} |")
    p("")
    m = next((r for r in hc if r["what"].startswith("musl")), None)
    if m:
        targets.append(("≤ 200 000 instructions per udev event", f"{int(m['instructions']):,}",
                        verdict(int(m["instructions"]) <= 200000)))
        targets.append(("static binary ≤ 64 KiB (stripped, as shipped)", f"{int(m['stripped_bytes']) / 1024:.1f} KiB",
                        verdict(int(m["stripped_bytes"]) <= 65536)))
        targets.append(("peak RSS < 1 MiB (udev event)", f"{m['peak_rss_kib']} KiB", verdict(int(m["peak_rss_kib"]) < 1024)))

# -- 6. sweep ---------------------------------------------------------------------
sw = rows("sweep.csv")
if sw:
    p("## 6. Sweep scaling (`hotplug-online online` over N offline blocks)\n")
    p("Generated trees (tests/bench/gen-tree.c) on tmpfs. hotplug-online: hyperfine median of 5 "
      "runs (tree reset between runs), its syslog lines counted at a socat sink. Classic script: "
      "one run with the tree bind-mounted over /sys/devices/system/memory, under `timeout`.\n")
    p("| what | blocks | instructions | instr/block | syscalls/block | wall ms (± sd) | CPU ms | µs/block (wall) | µs/block (CPU) | onlined | syslog lines |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in sw:
        n = int(r["blocks"])
        i = num(r["instructions"])
        s = num(r["syscalls"])
        w = num(r["median_us"])
        c = num(r["cpu_us"])
        capped = r.get("cap_s") and int(r["onlined"]) < n
        sd = num(r["stddev_us"])
        wtxt = f"{w / 1000:,.1f}" + (f" (± {sd / 1000:.1f})" if sd else "")
        if capped:
            wtxt += f" (capped at {r['cap_s']} s)"
        itxt = f"{int(i):,}" if i else "–"
        ipb = f"{i / n:,.0f}" if i else "–"
        spb = f"{s / n:.1f}" if s else "–"
        ctxt = f"{c / 1000:,.1f}" if c else "–"
        cpb = f"{c / n:.1f}" if c else "–"
        p(f"| {r['what']} | {n:,} | {itxt} | {ipb} | {spb} | {wtxt} | {ctxt} | {r['us_per_block']} | {cpb} "
          f"| {r['onlined']} | {r.get('log_lines', '–')} |")
    p("")
    ten = next((r for r in sw if r["what"].startswith("hotplug") and r["blocks"] == "10000"), None)
    if ten:
        w = num(ten["median_us"]) / 1000
        c = num(ten["cpu_us"]) / 1000
        targets.append(("sweep of 10 000 blocks < 50 ms", f"{w:.0f} ms wall, {c:.0f} ms CPU",
                        verdict(w < 50)))
hm = text("host-meta.txt")
if hm:
    p("```\n" + hm + "\n```\n")

p("## Targets\n")
p("| target | measured | |")
p("|---|---|---|")
for t in targets:
    p(f"| {t[0]} | {t[1]} | {t[2]} |")
p("")
notes_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
notes = open(notes_path).read().strip() if os.path.exists(notes_path) else ""
if notes:
    p(notes + "\n")
print("\n".join(out))
