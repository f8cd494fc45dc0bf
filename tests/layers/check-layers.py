#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails when a daemon/ file includes a header of a higher layer, or when modules
include each other in a cycle.  The allowed order is tests/layers/layers.txt."""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
table = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'layers.txt')

layers, uses, external, only_in = {}, {}, set(), {}
for line in open(table):
    words = line.split('#', 1)[0].split()
    if not words:
        continue
    if words[0] == 'external':
        external.update(words[1:])
    elif words[0] == 'only-in':
        for h in words[2:]:
            only_in[h] = words[1]
    else:
        layers[words[0]] = words[1]
        uses[words[0]] = words[2:]

def reach(layer, seen=None):
    seen = set() if seen is None else seen
    for u in uses[layer]:
        if u not in seen:
            seen.add(u)
            reach(u, seen)
    return seen

allowed = {l: reach(l) | {l} for l in layers}
folder_layer = {os.path.normpath(f): l for l, f in layers.items()}

header_layer, files = {}, []
for layer, folder in layers.items():
    path = os.path.join(src, folder)
    for name in sorted(os.listdir(path)):
        if name.endswith(('.c', '.h')):
            files.append((layer, os.path.join(path, name), name))
            if name.endswith('.h'):
                if name in header_layer:
                    print(f'{name}: in two layers ({header_layer[name]}, {layer})')
                    sys.exit(1)
                header_layer[name] = layer

def module(name):
    base = name.rsplit('.', 1)[0]
    return base[:-len('-private')] if base.endswith('-private') else base

problems = []
graph = {}
include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
for layer, path, name in files:
    rel = os.path.relpath(path, src)
    text = open(path, encoding='utf-8').read()
    for inc in include_re.findall(text):
        base = os.path.basename(inc)
        if base in only_in:
            if only_in[base] != layer:
                problems.append(f'{rel}: includes {inc}, which only the {only_in[base]} layer may')
            continue
        if base in external:
            continue
        target = header_layer.get(base)
        if target is None:
            problems.append(f'{rel}: includes {inc}, which is in no layer of {table}')
            continue
        if target not in allowed[layer]:
            problems.append(f'{rel}: layer {layer} includes {inc} of layer {target}, '
                            f'which it may not use')
        if module(base) != module(name):
            graph.setdefault(module(name), set()).add(module(base))

# Tarjan's strongly connected components: any component of two or more is a cycle
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph.get(v, ()):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(graph):
    if v not in index:
        strong(v)
for comp in sccs:
    problems.append('module cycle: ' + ' <-> '.join(comp))

for p in problems:
    print(p)
print(f'{len(files)} files in {len(layers)} layers checked, {len(problems)} problems')
sys.exit(1 if problems else 0)
