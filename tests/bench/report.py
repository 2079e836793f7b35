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
p("Written by `make bench` (tests/bench/bench.sh); raw numbers in `tests/bench/raw/`.\n")
p("```\n" + meta + "\n" + text("vm-meta.txt") + "\n```\n")

# -- 1. time to usable memory --------------------------------------------
names = {"a": "(a) kernel auto-online", "c": "(c) hotplug-online, kernel fast path (setup)",
         "u": "(u) hotplug-online, udev mode (no setup)", "b": "(b) distro udev rule (ATTR write)",
         "e": "(e) control: (b) + RUN of a no-op", "k": "(k) control: (a) without udevd",
         "n": "(n) control: (c)'s rule logging nothing (no RUN, no mark, no logger)",
         "l": "(l) (c) without the resident logger (the rule's runs log, a burst's first stays)",
         "d": "(d) classic script from RUN"}
order = "aculnbekd"
targets = []
ratios = []   # (what, measured) for the headline


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


def time_section(rs_all, title, what, kind, goals=True):
    if not rs_all:
        return
    p(title + "\n")
    p(what + "\n")
    p("| size | variant | runs | median ms | min–max ms | × (a) | × (a) paired | × (b) |")
    p("|---|---|---|---|---|---|---|---|")
    sizes = sorted({r["size"] for r in rs_all}, key=lambda s: int(s.rstrip("G")))
    for size in sizes:
        rs_size = [r for r in rs_all if r["size"] == size]
        m = {}
        for v in order:
            m[v] = med([ms_of(r) for r in rs_size if r["variant"] == v])
        for v in order:
            rs = [r for r in rs_size if r["variant"] == v]
            if not rs:
                continue
            ok = [ms_of(r) for r in rs if ms_of(r) is not None]
            failed = len(rs) - len(ok)
            ra = f"{m[v] / m['a']:.2f}" if m[v] and m.get("a") else "–"
            rb = f"{m[v] / m['b']:.2f}" if m[v] and m.get("b") else "–"
            pa = paired(rs_size, v, "a") if v != "a" else None
            ptxt = f"{pa[0]:.2f} ({pa[1]:.2f}–{pa[2]:.2f})" if pa else "–"
            span = f"{min(ok):.0f}–{max(ok):.0f}" if ok else "–"
            mtxt = f"{m[v]:.0f}" if m[v] else ("" if failed else "–")
            if failed:
                capped = [r for r in rs if ms_of(r) is None]
                mtxt += "; " if ok else ""
                mtxt += ", ".join(f"> {int(r.get('cap_s') or 0) * 1000} ({r['onlines']}/{r['blocks']} online at the cap)"
                                  for r in capped)
            p(f"| {size} ({rs[0]['blocks']} blocks) | {names[v]} | {len(rs)} | {mtxt} | {span} | {ra} | {ptxt} | {rb} |")
        for v, w in (("c", "a"), ("u", "a"), ("c", "b"), ("u", "b"), ("n", "a"), ("n", "c"), ("l", "a"), ("c", "l")):
            if m.get(v) and m.get(w):
                pr = paired(rs_size, v, w)
                ratios.append((f"{kind} {size}: ({v}) / ({w})", m[v] / m[w], pr))
        if goals and m.get("c") and m.get("a"):
            ca = m["c"] / m["a"]
            pr = paired(rs_size, "c", "a")
            targets.append((f"{kind} {size}: (c) ≤ 1.05 × (a)",
                            f"{ca:.2f}× (paired median {pr[0]:.2f}×)" if pr else f"{ca:.2f}×",
                            verdict(ca <= 1.05)))
    p("")


def exec_section(rs_all, title, kind, goals=True):
    rs_all = [r for r in rs_all if r["variant"] in "acubel"]
    if not rs_all:
        return
    p(title + "\n")
    p("Helper execs (`sched_process_exec` of hotplug-online) before the last block's `online` "
      "uevent, competing with the onlining for the one vCPU, and after it (the runs that log "
      "the `online` events still queued). CPU: `sched_stat_runtime` of those processes, from "
      "udevd's fork (`(spawn)`) to their exit, split at the same instant. Life: median fork "
      "to exit of one helper process (wall, preemption included). udevd CPU: the daemon, its "
      "workers, everything they spawn, inside the measured window. Add-path execs: all "
      "execs minus one per `online` uevent, a lower bound of the execs on `add` events, which "
      "in (c) would race the kernel: exact where each `online` event was a run of its own "
      "(before the burst logger), 0 whenever the logger took over some lines (it does in (c) "
      "and (u)), so the VM suite counts (c)'s add-time runs itself (tests/vm/12x: 0); in (u) "
      "the rule runs the helper on each `add`, 64 and 256. Medians over runs "
      "(min–max for execs). Guest CPU times include the host's preemption of the TCG vCPU "
      "thread (no steal time under TCG).\n")
    p("| size | variant | execs before | execs after | add-path execs | helper CPU before ms | helper CPU after ms "
      "| CPU ms per exec | life ms | udevd CPU in window ms | window ms |")
    p("|---|---|---|---|---|---|---|---|---|---|---|")
    sizes = sorted({r["size"] for r in rs_all}, key=lambda s: int(s.rstrip("G")))
    for size in sizes:
        for v in order:
            rs = [r for r in rs_all if r["size"] == size and r["variant"] == v]
            if not rs:
                continue

            def span(key):
                xs = sorted(int(r[key]) for r in rs)
                return f"{xs[0]}" if xs[0] == xs[-1] else f"{statistics.median(xs):g} ({xs[0]}–{xs[-1]})"
            cb = med([num(r["helper_cpu_before_ms"]) for r in rs])
            ca = med([num(r["helper_cpu_after_ms"]) for r in rs])
            per = med([(num(r["helper_cpu_before_ms"]) + num(r["helper_cpu_after_ms"])) /
                       (int(r["execs_before"]) + int(r["execs_after"]))
                       for r in rs if int(r["execs_before"]) + int(r["execs_after"])])
            life = med([num(r["helper_life_ms"]) for r in rs])
            ud = med([num(r["udev_cpu_ms"]) for r in rs])
            w = med([ms_of(r) for r in rs])

            def f(x, spec=".0f"):
                return "–" if x is None else format(x, spec)
            addp = sorted(max(0, int(r["execs_before"]) + int(r["execs_after"]) -
                              (int(r["onlines"]) if v in "cul" else 0)) for r in rs)
            atxt = f"{addp[0]}" if addp[0] == addp[-1] else f"{statistics.median(addp):g} ({addp[0]}–{addp[-1]})"
            p(f"| {size} | {names[v]} | {span('execs_before')} | {span('execs_after')} | {atxt} | {f(cb)} | {f(ca)} "
              f"| {f(per, '.1f')} | {f(life, '.1f')} | {f(ud)} | {f(w)} |")
    p("")
    for size in sizes:
        rs = [r for r in rs_all if r["size"] == size and r["variant"] == "c"]
        if goals and rs:
            # Not "(c) add-path execs = 0": with the burst logger that
            # bound is 0 whatever the add path does (see the text above).
            n = max(int(r["execs_before"]) for r in rs)
            targets.append((f"{kind} {size}: (c) helper execs before the last block is online = 0",
                            f"{n} (max over {len(rs)} runs; the runs for `online` events udevd "
                            "handled before the burst logger's link was there)", verdict(n == 0)))


vm = rows("vm.csv")
time_section(vm, "## 1. Time to usable memory (guest, pc-dimm hot-add)",
             "First memory-block `add` uevent to last `online` uevent, from the guest kernel's own "
             "timestamps (kprobe on `dev_uevent`, trace clock). Fresh guest per run; in each run "
             "the variants follow one another in the order a, c, u, b (then the controls e, k and d), so a run's "
             "variants are measured side by side. Median (min–max) in ms; × (a) and × (b) are "
             "ratios of medians, × (a) paired the median (min–max) over runs of each run's own "
             "ratio.", "pc-dimm")
exec_section(vm, "## 1b. pc-dimm: helper execs and their CPU", "pc-dimm")
vmem = rows("vmem.csv")
time_section(vmem, "## 1c. virtio-mem (guest, requested-size 0 → SIZE)",
             "The guest boots with a `virtio-mem-pci` device (block-size 2 MiB, the default; "
             "Sub Block Mode with 128 MiB memory blocks) at requested-size 0, its driver loaded. "
             "QMP `qom-set requested-size` SIZE; from the guest's first "
             "`virtio_mem_config_changed` (kprobe) to the last memory block `online` uevent, "
             "guest clock. The device's `size` reached SIZE before that in every run (host "
             "clock below: qom-set to qom-get `size` = SIZE, polled every 0.1 s).", "virtio-mem")
if vmem:
    p("| size | variant | host ms to size = requested (median) |")
    p("|---|---|---|")
    for size in sorted({r["size"] for r in vmem}):
        for v in order:
            rs = [r for r in vmem if r["size"] == size and r["variant"] == v]
            if rs:
                h = med([num(r["host_size_ms"]) for r in rs])
                p(f"| {size} | {names[v]} | {'–' if h is None else f'{h:.0f}'} |")
    p("")
exec_section(vmem, "## 1d. virtio-mem: helper execs and their CPU", "virtio-mem")
nolog = rows("vm-nolog.csv")
time_section(nolog, "## 1e. What the log lines cost: (c) with the burst logger, and without its RUN",
             "A run of its own (a, c, l, n interleaved): (l) is (c) without "
             "hotplug-online-log.service (as without systemd: the rule runs the helper for each "
             "`online` event udevd handles before the first run's burst logger has made its "
             "link); (n) is (c)'s guest without the logger and with the installed rule's "
             "online/offline lines reduced to their `ACTION` match and `GOTO` (no TEST, no mark, "
             "no RUN: an /etc override of the same file), so no log lines at all: the floor of "
             "the rule. Not a candidate.", "pc-dimm, run of a/c/l/n", goals=False)
exec_section(nolog, "### 1e. execs", "pc-dimm, run of a/c/l/n", goals=False)
icount_what = ("The same guests and clock as in 1 and 1c, booted with qemu's `-icount "
               "shift=0,sleep=on`: while the one vCPU runs, the guest clock advances 1 ns per "
               "instruction it executes, so the host's load does not stretch the window (time "
               "the guest spends idle still follows the host's clock). Every variant's udevd "
               "loads changed rules and warms its workers alike before the trace (an empty "
               "`/etc/udev/rules.d/99-hpo-bench.rules`, `udevadm control --reload`, a `change` "
               "event for every memory block). Runs of one variant agree to a few tenths of a "
               "percent, so one or two runs are enough; (n) as in 1e.")
vmi = rows("vm-icount.csv")
time_section(vmi, "## 1f. Under -icount: pc-dimm", icount_what, "pc-dimm, icount")
exec_section(vmi, "### 1f. execs and CPU", "pc-dimm, icount")
vmemi = rows("vmem-icount.csv")
time_section(vmemi, "## 1g. Under -icount: virtio-mem", icount_what, "virtio-mem, icount")
exec_section(vmemi, "### 1g. execs and CPU", "virtio-mem, icount")
if ratios:
    p("### Ratios (medians of each variant; paired: median (min–max) of per-run ratios)\n")
    p("| ratio | of medians | paired |")
    p("|---|---|---|")
    for what, x, pr in ratios:
        p(f"| {what} | {x:.2f} | {f'{pr[0]:.2f} ({pr[1]:.2f}–{pr[2]:.2f}), {pr[3]} runs' if pr else '–'} |")
    p("")
setup = text("setup-c.txt")
if setup:
    p("`hotplug-online setup` in the first (c) guest:\n")
    p("```\n" + setup + "\n```\n")

# -- 4. boot replay ---------------------------------------------------------
rep = [(f, text(f)) for f in sorted(os.listdir(raw)) if f.startswith("replay-")]
if rep:
    p("## 4. Boot replay\n")
    p("In the (c) guest after the hot-add, every block online: `udevadm trigger --action=add "
      "--subsystem-match=memory --settle`. Execs of hotplug-online counted by the kernel "
      "(`sched_process_exec` tracepoint), add uevents by the same kprobe as above. The control "
      "sets one block offline first (its `offline` event's log run settles before the count): the "
      "replayed add runs the helper, which onlines the block, and the block's `online` event "
      "runs it once more for the log line, so 2 execs.\n")
    p("```")
    for f, t in rep:
        p(f"{f}:\n{t}")
    p("```\n")
    for f, t in rep:
        first = t.splitlines()[0] if t else ""
        execs = first.rsplit("helper_execs=", 1)[-1] if "helper_execs=" in first else "?"
        targets.append((f"boot replay ({f[7:-4]}): 0 execs", execs, verdict(execs == "0")))

# -- 2. helper cost per event ---------------------------------------------
hc = rows("helper.csv")
if hc:
    p("## 2. Cost per event (fake sysfs: fixture qemu-debian12-6.1-hotadd, memory32)\n")
    p("`ACTION=add DEVPATH=/devices/system/memory/memory32 hotplug-online --sysfs TREE udev`, "
      "block reset to offline before each run; the `online` event: the same with ACTION=online, "
      "the block online and auto_online_blocks `online` (the log line of a block the kernel "
      "onlined, as in (c)); logging to a counted `/dev/log` sink. The helper reads the host's "
      "own /proc/iomem (27 lines here) whatever --sysfs says. "
      "Instructions: callgrind (user space, all processes, exact). Wall: hyperfine median "
      "(± stddev); CPU: mean user+sys. The classic script runs in full for every event.\n")
    p("| what | instructions | syscalls | wall µs (± sd) | CPU µs | runs | peak RSS KiB | size B | stripped B |")
    p("|---|---|---|---|---|---|---|---|---|")
    for r in hc:
        p(f"| {r['what']} | {int(float(r['instructions'])):,} | {r['syscalls']} | {r['median_us']} (± {r['stddev_us']}) "
          f"| {r['cpu_us']} | {r['runs']} | {r['peak_rss_kib']} | {r['size_bytes']} | {r['stripped_bytes'] or '–'} |")
    p("")
    m = next((r for r in hc if r["what"].startswith("musl")), None)
    if m:
        targets.append(("≤ 200 000 instructions per event", f"{int(m['instructions']):,}",
                        verdict(int(m["instructions"]) <= 200000)))
        targets.append(("static binary ≤ 64 KiB (stripped, as shipped)", f"{int(m['stripped_bytes']) / 1024:.1f} KiB",
                        verdict(int(m["stripped_bytes"]) <= 65536)))
        targets.append(("peak RSS < 1 MiB", f"{m['peak_rss_kib']} KiB", verdict(int(m["peak_rss_kib"]) < 1024)))

# -- 3. sweep -----------------------------------------------------------------
sw = rows("sweep.csv")
if sw:
    p("## 3. Sweep scaling (`hotplug-online online` over N offline blocks)\n")
    p("Generated trees (tests/bench/gen-tree.c) on tmpfs. hotplug-online: hyperfine median of 5 "
      "runs (tree reset between runs), one syslog line per block to a socat sink. Classic script: "
      "one run with the tree bind-mounted over /sys/devices/system/memory, under `timeout`.\n")
    p("| what | blocks | instructions | instr/block | syscalls/block | wall ms (± sd) | CPU ms | µs/block (wall) | µs/block (CPU) | onlined |")
    p("|---|---|---|---|---|---|---|---|---|---|")
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
        p(f"| {r['what']} | {n:,} | {itxt} | {ipb} | {spb} | {wtxt} | {ctxt} | {r['us_per_block']} | {cpb} | {r['onlined']} |")
    p("")
    ten = next((r for r in sw if r["what"].startswith("hotplug") and r["blocks"] == "10000"), None)
    if ten:
        w = num(ten["median_us"]) / 1000
        c = num(ten["cpu_us"]) / 1000
        targets.append(("sweep of 10 000 blocks < 50 ms", f"{w:.0f} ms wall, {c:.0f} ms CPU",
                        verdict(w < 50)))

# -- 5. auto-movable per device ---------------------------------------------
am = rows("automovable.csv")
if am:
    p("## 5. auto-movable: cost per block of one memory device\n")
    p("`memory = auto-movable` decided in userspace (no kernel policy) for one ACPI memory device "
      "(all blocks share one `firmware_node`) of N blocks, generated trees (`gen-tree --device`), "
      "16 GiB of boot memory in the fake `/proc/zoneinfo`, both helpers test builds told where "
      "the fake files are. **new**: this tree (one decision per device, recorded); **old**: "
      "the commit in the header, which walked the device for every block. `sweep`: "
      "`hotplug-online online`; `dry-run`: `online --dry-run`; `udev`: one `ACTION=add ... udev` "
      "process per block, one after the other (for the old helper the first events only, each "
      "costing the same). CPU: user+sys of the helper processes alone (`wait4`), median of the "
      "runs; wall includes waiting for the CPU on this shared host.\n")
    p("```\n" + text("automovable-meta.txt") + "\n```\n")
    sizes_am = sorted({int(r["blocks"]) for r in am})
    base = {}
    p("| what | helper | blocks | events | CPU µs/block | × at " + f"{sizes_am[0]:,}" +
      " | wall µs/block | CPU vs old |")
    p("|---|---|---|---|---|---|---|---|")
    for what in ("sweep", "dry-run", "udev"):
        for helper in ("new", "old"):
            for r in (r for r in am if r["what"] == what and r["helper"] == helper):
                n = int(r["blocks"])
                if r["capped"] != "no":
                    p(f"| {what} | {helper} | {n:,} | {int(r['events']):,} | {r['capped']} per run | – | – | – |")
                    continue
                c = num(r["us_per_block_cpu"])
                base.setdefault((what, helper), c)
                o = next((o for o in am if o["what"] == what and o["helper"] == "old" and
                          o["blocks"] == r["blocks"]), None)
                vs = "–"
                if helper == "new" and o and o["capped"] == "no":
                    vs = f"{num(o['us_per_block_cpu']) / c:,.0f}× less"
                elif helper == "new" and o:   # capped: at least cap / blocks per block
                    floor = num(o["capped"].strip(">s")) * 1e6 / int(o["events"])
                    vs = f"> {floor / c:,.0f}× less"
                p(f"| {what} | {helper} | {n:,} | {int(r['events']):,} | {c:,.1f} | "
                  f"{c / base[(what, helper)]:.2f} | {num(r['us_per_block_wall']):,.1f} | {vs} |")
    p("")
    ex = rows("automovable-exact.csv")
    if ex:
        p("Exact counts, which the host's load does not change: instructions (callgrind, user "
          "space) and syscalls (strace -c) per block; `udev`: the events of the device's second, "
          "middle and last block, after its first one decided.\n")
        p("| what | helper | blocks | instructions/block | × at smallest | syscalls/block |")
        p("|---|---|---|---|---|---|")
        first = {}
        for r in sorted(ex, key=lambda r: (r["what"], r["helper"], int(r["blocks"]))):
            i = int(r["instructions_per_block"])
            first.setdefault((r["what"], r["helper"]), i)
            p(f"| {r['what']} | {r['helper']} | {int(r['blocks']):,} | {i:,} | "
              f"{i / first[(r['what'], r['helper'])]:.2f} | {r['syscalls_per_block']} |")
        p("")
    for what in ("sweep", "dry-run", "udev"):
        cs = [num(r["us_per_block_cpu"]) for r in am if r["what"] == what and r["helper"] == "new"
              and r["capped"] == "no"]
        if len(cs) == len(sizes_am) and cs:
            spread = max(cs) / min(cs)
            targets.append((f"auto-movable {what}: CPU per block flat within 1.5× at "
                            + ", ".join(f"{s:,}" for s in sizes_am) + " blocks",
                            f"{spread:.2f}×", verdict(spread <= 1.5)))
    for what in ("sweep", "udev"):
        ins = [int(r["instructions_per_block"]) for r in ex if r["what"] == what and r["helper"] == "new"]
        if len(ins) > 1:
            spread = max(ins) / min(ins)
            targets.append((f"auto-movable {what}: instructions per block flat within 1.5×",
                            f"{spread:.2f}×", verdict(spread <= 1.5)))

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
