#!/usr/bin/python3
"""Peers for bench-meter.sh: the same work as one pass of `aip meter sample`, done the way a
Python exporter does it (os.scandir + open().read() per file, as psutil and the Prometheus
Python exporters read cgroup and /proc files), timed in-process per pass; and the cost of
spawning `ps` or an nvidia-smi-like program once per sample.

  meter_peers.py tree DIR N          make a cgroup v2 fixture tree of N Slurm jobs
  meter_peers.py cgroup DIR PASSES   per-pass CPU of discovering and reading that tree
  meter_peers.py proc PASSES         per-pass CPU of reading /proc for AIP_JOB_ID jobs
  meter_peers.py spawn PASSES ARGV.. per-spawn CPU (child + parent) and wall of ARGV
  meter_peers.py aip PASSES ARGV..   per-pass CPU of `ARGV --follow --count K` (startup removed)
  meter_peers.py jobs N SECONDS      start N sleeping jobs, each in its own process group; prints their PIDs
"""
import json, os, resource, subprocess, sys, time

def tree(root, n):
    os.makedirs(root, exist_ok=True)
    open(f"{root}/cgroup.controllers", "w").write("cpuset cpu io memory pids\n")
    for i in range(n):
        d = f"{root}/system.slice/slurmstepd.scope/job_{100000 + i}"
        os.makedirs(f"{d}/step_batch/user/task_0", exist_ok=True)
        u = 1_000_000 * (i + 1)
        open(f"{d}/cpu.stat", "w").write(f"usage_usec {u}\nuser_usec {u // 2}\nsystem_usec {u - u // 2}\n"
                                         "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n")
        open(f"{d}/memory.current", "w").write(f"{1048576 * (i + 1)}\n")
        open(f"{d}/memory.peak", "w").write(f"{2097152 * (i + 1)}\n")
        open(f"{d}/io.stat", "w").write(f"8:0 rbytes={4096 * i} wbytes={8192 * i} rios={i} wios={i} dbytes=0 dios=0\n")
        open(f"{d}/cgroup.procs", "w").write("")

def read(path):
    with open(path) as f:
        return f.read()

def cgroup_pass(root):
    out = []
    base = f"{root}/system.slice"
    for scope in os.scandir(base):
        if not scope.is_dir() or not (scope.name == "slurmstepd.scope" or scope.name.endswith("_slurmstepd.scope")):
            continue
        for job in os.scandir(scope.path):
            if not job.is_dir() or not job.name.startswith("job_"):
                continue
            try:
                cpu = dict(l.split() for l in read(f"{job.path}/cpu.stat").splitlines())
                mem = int(read(f"{job.path}/memory.current"))
                peak = int(read(f"{job.path}/memory.peak"))
                rb = wb = 0
                for line in read(f"{job.path}/io.stat").splitlines():
                    kv = dict(x.split("=") for x in line.split()[1:])
                    rb += int(kv.get("rbytes", 0)); wb += int(kv.get("wbytes", 0))
            except FileNotFoundError:
                continue
            out.append(json.dumps({"kind": "aip.sample/v1", "job_id": job.name[4:], "cpu_s": int(cpu["usage_usec"]) / 1e6,
                                   "mem_bytes": mem, "mem_peak_bytes": peak, "io_read_bytes": rb, "io_write_bytes": wb}))
    return out

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGESIZE")

def proc_pass(pss=True):
    stats = []
    for e in os.scandir("/proc"):
        if not e.name.isdigit():
            continue
        try:
            s = read(f"/proc/{e.name}/stat")
        except (FileNotFoundError, ProcessLookupError):
            continue
        f = s[s.rindex(")") + 2:].split()
        stats.append((int(e.name), int(f[2]), int(f[11]) + int(f[12]) + int(f[13]) + int(f[14]), int(f[21])))
    jobs = {}
    for pid, pgrp, _, _ in stats:
        if pid != pgrp:
            continue
        try:
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        for v in env:
            if v.startswith(b"AIP_JOB_ID="):
                jobs[pgrp] = v[11:].decode()
    out = {}
    for pid, pgrp, ticks, rss in stats:
        if pgrp not in jobs:
            continue
        try:
            mem = (next(int(l.split()[1]) for l in read(f"/proc/{pid}/smaps_rollup").splitlines() if l.startswith("Pss:"))
                   if pss else rss * PAGE // 1024)
            io = dict(l.split(": ") for l in read(f"/proc/{pid}/io").splitlines())
        except (OSError, StopIteration):
            continue
        o = out.setdefault(jobs[pgrp], [0, 0, 0, 0])
        o[0] += ticks / TICK; o[1] += mem * 1024; o[2] += int(io["read_bytes"]); o[3] += int(io["write_bytes"])
    return [json.dumps({"job_id": k, "cpu_s": v[0], "mem_bytes": v[1]}) for k, v in out.items()]

def per_pass(fn, passes):
    fn()  # warm the dentry cache, as a running exporter has it
    t = time.process_time()
    for _ in range(passes):
        n = len(fn())
    return (time.process_time() - t) / passes, n

def child_cpu(argv):
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    return ru.ru_utime + ru.ru_stime, time.perf_counter() - t

cmd = sys.argv[1]
if cmd == "tree":
    tree(sys.argv[2], int(sys.argv[3]))
elif cmd == "cgroup":
    cpu, n = per_pass(lambda: cgroup_pass(sys.argv[2]), int(sys.argv[3]))
    print(json.dumps({"cpu_ms": cpu * 1e3, "jobs": n}))
elif cmd == "proc":
    cpu, n = per_pass(proc_pass, int(sys.argv[2]))
    print(json.dumps({"cpu_ms": cpu * 1e3, "jobs": n}))
elif cmd == "proc-rss":
    cpu, n = per_pass(lambda: proc_pass(False), int(sys.argv[2]))
    print(json.dumps({"cpu_ms": cpu * 1e3, "jobs": n}))
elif cmd == "spawn":
    passes, argv = int(sys.argv[2]), sys.argv[3:]
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = wall = 0.0
    for _ in range(passes):
        c, w = child_cpu(argv); cpu += c; wall += w
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    parent = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)
    print(json.dumps({"cpu_ms": (cpu + parent) / passes * 1e3, "wall_ms": wall / passes * 1e3}))
elif cmd == "aip":
    passes, argv = int(sys.argv[2]), sys.argv[3:]
    one, _ = child_cpu(argv + ["--follow", "--interval", "0.01s", "--count", "1"])
    many, _ = child_cpu(argv + ["--follow", "--interval", "0.01s", "--count", str(passes + 1)])
    out = subprocess.run(argv + ["--once"], capture_output=True, text=True).stdout
    print(json.dumps({"cpu_ms": (many - one) / passes * 1e3, "startup_ms": one * 1e3, "jobs": out.count("\n")}))
elif cmd == "jobs":
    n, seconds = int(sys.argv[2]), sys.argv[3]
    pids = [subprocess.Popen(["sleep", seconds], env=dict(os.environ, AIP_JOB_ID=f"bench-{i}"), process_group=0,
                             stdout=subprocess.DEVNULL).pid for i in range(n)]
    print(" ".join(map(str, pids)))
