# SPDX-License-Identifier: LGPL-2.1-or-later
"""What bench/run reads of a process from /proc: PSS, resident set, anonymous memory,
threads, wake-ups (context switches), and where the PSS is, by mapping."""

import os
import sys
import time


def rollup_kb(pid, field):
    """one field of /proc/PID/smaps_rollup, in kB: 'Pss', 'Rss' (the resident set
    itself, which unlike PSS does not shrink when other processes happen to map the
    same library pages), 'Anonymous' (heap, arenas, stacks: what malloc_trim can give
    back, unlike the clean library pages PSS also counts)"""
    with open(f'/proc/{pid}/smaps_rollup', encoding='utf-8') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    return 0


def threads(pid):
    with open(f'/proc/{pid}/status', encoding='utf-8') as f:
        for line in f:
            if line.startswith('Threads:'):
                return int(line.split()[1])
    return 0


def switches(pid):
    """context switches of all threads: each one is a wake-up"""
    total = 0
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/status', encoding='utf-8') as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def pss_by_mapping(pid):
    """{mapping's file name (or [heap], [anon], ...): PSS kB}"""
    sums = {}
    name = None
    with open(f'/proc/{pid}/smaps', encoding='utf-8') as f:
        for line in f:
            parts = line.split()
            if '-' in parts[0] and ':' not in parts[0]:
                name = os.path.basename(parts[5]) if len(parts) > 5 else '[anon]'
            elif parts[0] == 'Pss:':
                sums[name] = sums.get(name, 0) + int(parts[1])
    return sums


def pss_above(pid, ref_pid, n=6):
    """the mappings where @pid's PSS exceeds @ref_pid's most, as 'name +N kB, ...'"""
    a, b = pss_by_mapping(pid), pss_by_mapping(ref_pid)
    diff = sorted(((a.get(k, 0) - b.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
    return ', '.join(f'{k.split(".so")[0]} +{d} kB' for d, k in diff[:n] if d > 0)


def smaps_top(pid, label, n=40):
    """OTAD_BENCH_SMAPS=1: where the PSS is, by mapping (to stderr)"""
    if not os.environ.get('OTAD_BENCH_SMAPS'):
        return
    sums = {}
    name = None
    with open(f'/proc/{pid}/smaps', encoding='utf-8') as f:
        for line in f:
            parts = line.split()
            if '-' in parts[0] and len(parts) >= 5 and ':' not in parts[0]:
                name = parts[5] if len(parts) > 5 else '[anon]'
            elif parts[0] in ('Pss:', 'Rss:'):
                pss, rss = sums.get(name, (0, 0))
                sums[name] = (pss + int(parts[1]), rss) if parts[0] == 'Pss:' \
                    else (pss, rss + int(parts[1]))
    print(f'# {label}: PSS / Rss by mapping (kB)', file=sys.stderr)
    for k, v in sorted(sums.items(), key=lambda kv: -kv[1][1])[:n]:
        print(f'#   {v[0]:8d} {v[1]:8d} {k}', file=sys.stderr)
    # each anonymous mapping on its own: arenas (64 MB reserved), stacks (8 MB), mmaps
    anon = []
    start = None
    with open(f'/proc/{pid}/smaps', encoding='utf-8') as f:
        for line in f:
            parts = line.split()
            if '-' in parts[0] and ':' not in parts[0]:
                lo, hi = (int(x, 16) for x in parts[0].split('-'))
                start = (hi - lo) // 1024 if len(parts) <= 5 else None
            elif parts[0] == 'Rss:' and start is not None:
                anon.append((int(parts[1]), start))
    print(f'#   anonymous mappings, Rss kB / size kB: '
          f'{sorted(anon, reverse=True)[:n]}', file=sys.stderr)


def footprint(pids, window_s):
    """{name: (PSS kB, threads, wake-ups in window_s, anonymous kB, Rss kB)} read
    at the same moments"""
    before = {n: switches(p) for n, p in pids.items() if p}
    time.sleep(window_s)
    return {n: (rollup_kb(p, 'Pss'), threads(p), switches(p) - before[n],
                rollup_kb(p, 'Anonymous'), rollup_kb(p, 'Rss'))
            for n, p in pids.items() if p}
