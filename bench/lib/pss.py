"""Prints "PROCS PSS_KB" for the process trees rooted at the given pids (the roots included):
the sum of Pss from /proc/PID/smaps_rollup, so pages shared by many engines count once in total.
Processes that exit while being read are skipped."""
import os
import sys

roots = {int(p) for p in sys.argv[1:]}
children = {}
for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    try:
        with open(f"/proc/{entry}/stat") as f:
            stat = f.read()
    except OSError:
        continue
    ppid = int(stat[stat.rindex(")") + 2:].split()[1])
    children.setdefault(ppid, []).append(int(entry))

todo, tree = list(roots), []
while todo:
    pid = todo.pop()
    tree.append(pid)
    todo.extend(children.get(pid, []))

procs = pss = 0
for pid in tree:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                    procs += 1
                    break
    except OSError:
        pass
print(procs, pss)
