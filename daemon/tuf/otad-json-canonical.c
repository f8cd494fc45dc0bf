/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJson"

#include "config.h"

#include <string.h>

#include "otad-json.h"

/*
 * The two canonical forms TUF signers write; they differ in string escaping only.
 *
 * OTAD_JSON_FORM_OLPC: securesystemslib's encode_canonical (securesystemslib/formats.py,
 * _canonical_string_encoder): sorted keys, no whitespace, only '"' and '\' escaped, every
 * other character (control characters and non-ASCII included) written raw as UTF-8.
 *
 * OTAD_JSON_FORM_JSONCPP: aktualizr's Utils::jsonToCanonicalStr (src/libaktualizr/utilities/
 * utils.cc): a jsoncpp StreamWriterBuilder with "indentation" = "", so no whitespace and the
 * members in jsoncpp's std::map order (memcmp of the UTF-8 key bytes, shorter first), with
 * jsoncpp's valueToQuotedStringN (src/lib_json/json_writer.cpp, emitUTF8 off): '"', '\',
 * \b \f \n \r \t as two-character escapes, the other characters below U+0020 as \u00xx,
 * U+0020..U+007F (DEL included) raw, everything above as \uxxxx (lower-case hex; a
 * surrogate pair above the BMP).  OTA CE's ota-tuf signs circe's noSpaces output of the
 * sorted tree (libtuf CanonicalJson.scala), which escapes control characters the same way
 * but leaves non-ASCII raw: such metadata fails in aktualizr as it fails here.
 */

#define OTAD_JSON_WRITER_BUF 16384

typedef struct {
	OtadJsonForm form;
	OtadJsonWriteFunc func;
	gpointer user_data;
	gsize len;
	gchar buf[OTAD_JSON_WRITER_BUF];
} OtadJsonWriter;

static void
otad_json_writer_flush (OtadJsonWriter *w)
{
	if (w->len > 0)
		w->func (w->buf, w->len, w->user_data);
	w->len = 0;
}

static inline void
otad_json_writer_put (OtadJsonWriter *w, const gchar *data, gsize len)
{
	if (len > sizeof (w->buf) - w->len) {
		otad_json_writer_flush (w);
		if (len > sizeof (w->buf)) {
			w->func (data, len, w->user_data);
			return;
		}
	}
	memcpy (w->buf + w->len, data, len);
	w->len += len;
}

static inline void
otad_json_writer_putc (OtadJsonWriter *w, gchar c)
{
	if (w->len == sizeof (w->buf))
		otad_json_writer_flush (w);
	w->buf[w->len++] = c;
}

static void
otad_json_writer_u_escape (OtadJsonWriter *w, guint unit)
{
	static const gchar hex[] = "0123456789abcdef";
	gchar esc[6] = {'\\',
	                'u',
	                hex[(unit >> 12) & 0xf],
	                hex[(unit >> 8) & 0xf],
	                hex[(unit >> 4) & 0xf],
	                hex[unit & 0xf]};
	otad_json_writer_put (w, esc, sizeof (esc));
}

/* the reader validated the UTF-8 and unescaped the string: @s is the value itself */
static void
otad_json_writer_string_jsoncpp (OtadJsonWriter *w, const gchar *s, gsize len)
{
	const gchar *run = s;
	const gchar *end = s + len;
	const gchar *p = s;

	while (p < end) {
		guchar c = (guchar)*p;
		const gchar *short_esc = NULL;
		gunichar cp;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		otad_json_writer_put (w, run, p - run);
		switch (c) {
		case '"':
			short_esc = "\\\"";
			break;
		case '\\':
			short_esc = "\\\\";
			break;
		case '\b':
			short_esc = "\\b";
			break;
		case '\f':
			short_esc = "\\f";
			break;
		case '\n':
			short_esc = "\\n";
			break;
		case '\r':
			short_esc = "\\r";
			break;
		case '\t':
			short_esc = "\\t";
			break;
		default:
			break;
		}
		if (short_esc != NULL) {
			otad_json_writer_put (w, short_esc, 2);
			p++;
		} else if (c < 0x20) {
			otad_json_writer_u_escape (w, c);
			p++;
		} else {
			cp = g_utf8_get_char (p);
			p = g_utf8_next_char (p);
			if (cp < 0x10000) {
				otad_json_writer_u_escape (w, cp);
			} else {
				cp -= 0x10000;
				otad_json_writer_u_escape (w, 0xd800 + (cp >> 10));
				otad_json_writer_u_escape (w, 0xdc00 + (cp & 0x3ff));
			}
		}
		run = p;
	}
	otad_json_writer_put (w, run, end - run);
}

static void
otad_json_writer_string (OtadJsonWriter *w, const gchar *s, gsize len)
{
	const gchar *run = s;

	otad_json_writer_putc (w, '"');
	if (w->form == OTAD_JSON_FORM_JSONCPP) {
		otad_json_writer_string_jsoncpp (w, s, len);
	} else {
		for (const gchar *p = s; p < s + len; p++) {
			if (*p != '"' && *p != '\\')
				continue;
			otad_json_writer_put (w, run, p - run);
			otad_json_writer_putc (w, '\\');
			run = p;
		}
		otad_json_writer_put (w, run, s + len - run);
	}
	otad_json_writer_putc (w, '"');
}

static void
otad_json_writer_int (OtadJsonWriter *w, gint64 v)
{
	gchar buf[24];
	gchar *q = buf + sizeof (buf);
	/* through the unsigned magnitude, so G_MININT64 is no overflow */
	guint64 mag = v < 0 ? (guint64)0 - (guint64)v : (guint64)v;

	do {
		*--q = '0' + (gchar)(mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		*--q = '-';
	otad_json_writer_put (w, q, buf + sizeof (buf) - q);
}

static void
otad_json_writer_node (OtadJsonWriter *w, const OtadJsonNode *node)
{
	switch (node->type) {
	case OTAD_JSON_NULL:
		otad_json_writer_put (w, "null", 4);
		break;
	case OTAD_JSON_BOOL:
		if (node->v.i)
			otad_json_writer_put (w, "true", 4);
		else
			otad_json_writer_put (w, "false", 5);
		break;
	case OTAD_JSON_INT:
		otad_json_writer_int (w, node->v.i);
		break;
	case OTAD_JSON_STRING:
		otad_json_writer_string (w, node->v.s, node->n);
		break;
	case OTAD_JSON_ARRAY:
	case OTAD_JSON_OBJECT:
		/* members are stored in canonical order already (otad-json.c) */
		otad_json_writer_putc (w, node->type == OTAD_JSON_ARRAY ? '[' : '{');
		for (guint32 i = 0; i < node->n; i++) {
			const OtadJsonNode *child = &node->v.children[i];
			if (i > 0)
				otad_json_writer_putc (w, ',');
			if (node->type == OTAD_JSON_OBJECT) {
				otad_json_writer_string (w, child->key, child->key_len);
				otad_json_writer_putc (w, ':');
			}
			otad_json_writer_node (w, child);
		}
		otad_json_writer_putc (w, node->type == OTAD_JSON_ARRAY ? ']' : '}');
		break;
	default:
		g_assert_not_reached ();
	}
}

void
otad_json_canonical_stream (const OtadJsonNode *node, OtadJsonForm form, OtadJsonWriteFunc func,
                            gpointer user_data)
{
	/* on the heap: the writer's buffer is too big for a worker thread's stack */
	g_autofree OtadJsonWriter *w = g_new (OtadJsonWriter, 1);

	w->form = form;
	w->func = func;
	w->user_data = user_data;
	w->len = 0;
	otad_json_writer_node (w, node);
	otad_json_writer_flush (w);
}

static void
otad_json_canonical_append (const gchar *data, gsize len, gpointer user_data)
{
	g_string_append_len (user_data, data, len);
}

void
otad_json_canonicalize_to (const OtadJsonNode *node, OtadJsonForm form, GString *out)
{
	otad_json_canonical_stream (node, form, otad_json_canonical_append, out);
}

typedef struct {
	GString *out; /* (unowned) */
	gsize max_len;
	gboolean overflow;
} OtadJsonBounded;

static void
otad_json_canonical_append_bounded (const gchar *data, gsize len, gpointer user_data)
{
	OtadJsonBounded *b = user_data;
	if (b->overflow || len > b->max_len - MIN (b->max_len, b->out->len)) {
		b->overflow = TRUE;
		return;
	}
	g_string_append_len (b->out, data, len);
}

gboolean
otad_json_canonicalize_bounded (const OtadJsonNode *node, OtadJsonForm form, GString *out,
                                gsize max_len)
{
	OtadJsonBounded b = {out, max_len, FALSE};
	otad_json_canonical_stream (node, form, otad_json_canonical_append_bounded, &b);
	return !b.overflow;
}

GString *
otad_json_canonicalize (const OtadJsonNode *node, OtadJsonForm form, gsize size_hint)
{
	/* the hint (the source's size) saves the copies of a growing buffer: the OLPC form
	 * is never longer than its source, the jsoncpp form only with non-ASCII text */
	GString *out = g_string_sized_new (MAX (size_hint, 64));
	otad_json_canonicalize_to (node, form, out);
	return out;
}
