#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""otad.conf(5) from one source: the page's head (otad.conf.5.rst.in) with @KEYS@
replaced by every group and key of data/otad.conf (the commented example that the
config-documented test keeps equal to otad's schema), each with its default and the
comment above it.

usage: otad-conf-rst.py TEMPLATE OTAD_CONF OUTPUT"""

import re
import sys


def keys_rst(conf_path):
    out = []
    comment = []
    pending = []   # keys that share the comment above them

    def flush_keys():
        if not pending:
            return
        for key, default in pending:
            shown = f'``{default}``' if default else '(empty)'
            out.append(f'**{key}=**\\ *{default}*' if default else f'**{key}=**')
            out.append(f'    Default: {shown}.')
            out.append('')
        text = ' '.join(comment).strip()
        if text:
            out.insert(len(out) - 1, '')
            out.insert(len(out) - 1, '    ' + rst_escape(text))
        pending.clear()
        comment.clear()

    with open(conf_path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    # the file's own header (up to the first group) is the DESCRIPTION above
    started = False
    for line in lines:
        group = re.match(r'^\[([a-z0-9-]+)\]\s*$', line)
        key = re.match(r'^#([a-z0-9-]+)=(.*)$', line)
        if group:
            flush_keys()
            comment.clear()
            started = True
            title = f'[{group[1]}]'
            out += [title, '-' * len(title), '']
        elif not started:
            continue
        elif key:
            pending.append((key[1], key[2]))
        elif line.startswith('#'):
            if pending:
                flush_keys()
            comment.append(line.lstrip('#').strip())
        elif not line.strip():
            flush_keys()
            comment.clear()
    flush_keys()
    return '\n'.join(['KEYS', '====', ''] + out)


def rst_escape(text):
    return text.replace('\\', '\\\\').replace('*', '\\*').replace('`', '\\`') \
               .replace('|', '\\|').replace('_ ', '\\_ ')


def main():
    template, conf, output = sys.argv[1:4]
    with open(template, encoding='utf-8') as f:
        head = f.read()
    if '@KEYS@' not in head:
        raise SystemExit(f'{template}: no @KEYS@')
    with open(output, 'w', encoding='utf-8') as f:
        f.write(head.replace('@KEYS@', keys_rst(conf)))


if __name__ == '__main__':
    main()
