# SPDX-License-Identifier: LGPL-2.1-or-later
"""The canonical form an OTA Community Edition / aktualizr signature covers,
reimplemented for tufgen.py (no code shared with otad's C writer).

aktualizr's Utils::jsonToCanonicalStr (src/libaktualizr/utilities/utils.cc) is a
jsoncpp StreamWriterBuilder with "indentation" = "": no whitespace, members in
jsoncpp's std::map order (the key's UTF-8 bytes), strings through
valueToQuotedStringN (src/lib_json/json_writer.cpp) with emitUTF8 off.
"""

# jsoncpp's valueToQuotedStringN (src/lib_json/json_writer.cpp, emitUTF8 off), which
# aktualizr's Utils::jsonToCanonicalStr uses through a StreamWriterBuilder without
# indentation: two-character escapes for these, \u00xx for the other control
# characters, U+0020..U+007F raw (DEL too), \uxxxx (lower case) above, with a
# surrogate pair beyond the BMP.
_JSONCPP_SHORT = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n',
                  '\r': '\\r', '\t': '\\t'}


def _jsoncpp_string(text):
    out = ['"']
    for ch in text:
        cp = ord(ch)
        if ch in _JSONCPP_SHORT:
            out.append(_JSONCPP_SHORT[ch])
        elif 0x20 <= cp <= 0x7f:
            out.append(ch)
        elif cp < 0x10000:
            out.append('\\u%04x' % cp)
        else:
            cp -= 0x10000
            out.append('\\u%04x\\u%04x' % (0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff)))
    out.append('"')
    return ''.join(out)


def _jsoncpp_value(obj):
    if obj is None:
        return 'null'
    if obj is True:
        return 'true'
    if obj is False:
        return 'false'
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, str):
        return _jsoncpp_string(obj)
    if isinstance(obj, (list, tuple)):
        return '[' + ','.join(_jsoncpp_value(v) for v in obj) + ']'
    if isinstance(obj, dict):
        # jsoncpp keeps members in a std::map: ordered by the bytes of the key
        items = sorted(obj.items(), key=lambda kv: kv[0].encode('utf-8'))
        return '{' + ','.join(_jsoncpp_string(k) + ':' + _jsoncpp_value(v)
                              for k, v in items) + '}'
    raise TypeError('no canonical JSON for %r' % type(obj))


def ota_canonical(obj):
    """The bytes an OTA CE / aktualizr signature covers: what aktualizr's
    Utils::jsonToCanonicalStr writes (sorted keys, no whitespace, control
    characters and non-ASCII escaped; a PEM key's newlines become \\n)."""
    return _jsoncpp_value(obj).encode('ascii')
