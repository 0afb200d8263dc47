#!/usr/bin/python3
# An independent reading of an SWF trace (Python's own parsing and calendar): CPU hours and
# jobs per group and UTC month, a job split pro rata over the months it ran in, counted in
# the month it ended. Prints JSON {"group|YYYY-MM": [jobs, wall_hours, cpu_hours]}.
import datetime as dt, gzip, json, sys

path = sys.argv[1]
unix_start = None
out = {}
opener = gzip.open if path.endswith(".gz") else open
def month_start(t):
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    return dt.datetime(d.year, d.month, 1, tzinfo=dt.timezone.utc)
def next_month(m):
    return dt.datetime(m.year + (m.month == 12), m.month % 12 + 1, 1, tzinfo=dt.timezone.utc)
with opener(path, "rt") as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        if line.startswith(";"):
            if line[1:].strip().startswith("UnixStartTime:"):
                unix_start = int(line.split(":", 1)[1])
            continue
        v = [float(x) for x in line.split()]
        run, procs = v[3], v[4] if v[4] >= 0 else v[7]
        if run < 0:
            continue
        start = unix_start + v[1] + max(v[2], 0)
        end = start + run
        group = str(int(v[12])) if v[12] >= 0 else ""
        def add(month, jobs, frac):
            key = group + "|" + month.strftime("%Y-%m")
            a = out.setdefault(key, [0, 0.0, 0.0])
            a[0] += jobs
            a[1] += frac * run / 3600
            a[2] += frac * run * procs / 3600
        end_month = month_start(end - 1e-6 if end > start else end)
        add(end_month, 1, 0 if end > start else 1)
        if end > start:
            m = month_start(start)
            while m.timestamp() < end:
                n = next_month(m)
                overlap = min(end, n.timestamp()) - max(start, m.timestamp())
                if overlap > 0:
                    add(m, 0, overlap / (end - start))
                m = n
json.dump(out, sys.stdout)
