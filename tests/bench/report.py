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
vm = rows("vm.csv")
names = {"a": "(a) kernel auto-online", "b": "(b) distro udev rule (ATTR write)",
         "c": "(c) hotplug-online .deb", "d": "(d) classic script from RUN",
         "e": "(e) control: (b) + RUN of a no-op"}
targets = []
p("## 1. Time to usable memory (guest, pc-dimm hot-add)\n")
p("First memory-block `add` uevent to last `online` uevent, from the guest kernel's own "
  "timestamps (kprobe on `dev_uevent`, trace clock). Fresh guest per run, runs interleaved "
  "a, b, c, d, a, b, ... Median (min–max) in ms; ratios are of medians. "
  "`execs`: hotplug-online execs during the burst (sched_process_exec).\n")
p("| size | variant | runs | median ms | min–max ms | × (a) | × (b) | execs |")
p("|---|---|---|---|---|---|---|---|")
sizes = sorted({r["size"] for r in vm}, key=lambda s: int(s.rstrip("G")))
med = {}
for size in sizes:
    for v in "abcde":
        rs = [r for r in vm if r["size"] == size and r["variant"] == v]
        ok = [num(r["ms"]) for r in rs if num(r["ms"]) is not None]
        med[size, v] = statistics.median(ok) if ok else None
    for v in "abcde":
        rs = [r for r in vm if r["size"] == size and r["variant"] == v]
        if not rs:
            continue
        ok = [num(r["ms"]) for r in rs if num(r["ms"]) is not None]
        m = med[size, v]
        failed = len(rs) - len(ok)
        ra = f"{m / med[size, 'a']:.2f}" if m and med[size, "a"] else "–"
        rb = f"{m / med[size, 'b']:.2f}" if m and med[size, "b"] else "–"
        execs = "/".join(sorted({r["execs"] for r in rs}))
        span = f"{min(ok):.0f}–{max(ok):.0f}" if ok else "–"
        mtxt = f"{m:.0f}" if m else ("" if failed else "–")
        if failed:
            capped = [r for r in rs if num(r["ms"]) is None]
            mtxt += "; " if ok else ""
            mtxt += ", ".join(f"> {int(r.get('cap_s') or 0) * 1000} ({r['onlines']}/{r['blocks']} online at the cap)"
                              for r in capped)
        p(f"| {size} ({rs[0]['blocks']} blocks) | {names[v]} | {len(rs)} | {mtxt} | {span} | {ra} | {rb} | {execs} |")
    if med.get((size, "c")) and med.get((size, "b")) and med.get((size, "a")):
        cb = med[size, "c"] / med[size, "b"]
        ca = med[size, "c"] / med[size, "a"]
        targets.append((f"{size}: (c) ≤ 1.10 × (b)", f"{cb:.2f}×", verdict(cb <= 1.10)))
        targets.append((f"{size}: (c) ≤ 1.25 × (a)", f"{ca:.2f}×", verdict(ca <= 1.25)))
p("")

# -- 4. boot replay ---------------------------------------------------------
rep = [(f, text(f)) for f in sorted(os.listdir(raw)) if f.startswith("replay-")]
if rep:
    p("## 4. Boot replay\n")
    p("In the (c) guest after the hot-add, every block online: `udevadm trigger --action=add "
      "--subsystem-match=memory --settle`. Execs of hotplug-online counted by the kernel "
      "(`sched_process_exec` tracepoint), add uevents by the same kprobe as above; the control "
      "sets one block offline first.\n")
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
      "block reset to offline before each run; logging to a counted `/dev/log` sink. "
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
