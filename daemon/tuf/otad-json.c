/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJson"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "otad-json.h"
#include "otad-tuf-error.h"

#define OTAD_JSON_MAX_DEPTH 64
#define OTAD_JSON_BLOCK_SIZE (64 * 1024)

struct _OtadJsonDoc {
	gint ref_count;
	GBytes *bytes;    /* (owned) the input, referenced by string nodes */
	GSList *blocks;   /* (owned) arena blocks */
	gchar *block_pos; /* (unowned) free space in the first block */
	gsize block_left;
	gsize allocated; /* bytes of arena blocks, for the tree bound */
	OtadJsonNode root;
};

typedef struct {
	OtadJsonDoc *doc; /* (unowned) */
	const gchar *p;
	const gchar *start;
	const gchar *end;
	/* pending children of the open containers; a plain array rather than a GArray so
	 * that its capacity counts against the tree bound */
	OtadJsonNode *stack; /* (owned) */
	gsize stack_len;
	gsize stack_cap;
	gsize max_tree; /* bytes the arena and the stack may take together */
	guint depth;
} OtadJsonParser;

static gboolean
otad_json_parser_within (OtadJsonParser *self, gsize more)
{
	gsize used = self->doc->allocated + self->stack_cap * sizeof (OtadJsonNode);
	return used <= self->max_tree && more <= self->max_tree - used;
}

/* NULL when the tree would pass its bound */
static gpointer
otad_json_parser_alloc (OtadJsonParser *self, gsize size)
{
	OtadJsonDoc *doc = self->doc;
	gpointer mem;

	size = (size + 7) & ~(gsize)7;
	if (size > OTAD_JSON_BLOCK_SIZE / 4) {
		/* big arrays get a block of their own, kept behind the current one */
		gpointer big;
		if (!otad_json_parser_within (self, size))
			return NULL;
		big = g_malloc (size);
		doc->allocated += size;
		if (doc->blocks == NULL)
			doc->blocks = g_slist_prepend (doc->blocks, big);
		else
			doc->blocks->next = g_slist_prepend (doc->blocks->next, big);
		return big;
	}
	if (size > doc->block_left) {
		gchar *block;
		if (!otad_json_parser_within (self, OTAD_JSON_BLOCK_SIZE))
			return NULL;
		block = g_malloc (OTAD_JSON_BLOCK_SIZE);
		doc->allocated += OTAD_JSON_BLOCK_SIZE;
		doc->blocks = g_slist_prepend (doc->blocks, block);
		doc->block_pos = block;
		doc->block_left = OTAD_JSON_BLOCK_SIZE;
	}
	mem = doc->block_pos;
	doc->block_pos += size;
	doc->block_left -= size;
	return mem;
}

static gboolean
otad_json_parser_fail (OtadJsonParser *self, GError **error, const gchar *what)
{
	g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
	             _("invalid JSON at offset %"
	                "zu"
	                ": %s"),
	             (gsize)(self->p - self->start), what);
	return FALSE;
}

static gboolean
otad_json_parser_fail_tree (OtadJsonParser *self, GError **error)
{
	g_set_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED,
	             _("JSON of %"
	                "zu"
	                " bytes has too many values: its tree would "
	                "take more than %"
	                "zu"
	                " bytes"),
	             (gsize)(self->end - self->start), self->max_tree);
	return FALSE;
}

static void
otad_json_parser_skip_ws (OtadJsonParser *self)
{
	while (self->p < self->end &&
	       (*self->p == ' ' || *self->p == '\n' || *self->p == '\r' || *self->p == '\t'))
		self->p++;
}

static gint
otad_json_hex4 (const gchar *p)
{
	gint v = 0;
	for (guint i = 0; i < 4; i++) {
		gint d = g_ascii_xdigit_value (p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* decodes a string starting after the opening quote; sets out and out_len */
static gboolean
otad_json_parser_string (OtadJsonParser *self, const gchar **out, guint32 *out_len, GError **error)
{
	const gchar *s = self->p;
	const gchar *q = s;
	gboolean escaped = FALSE;
	gchar *buf;
	gsize n = 0;

	/* first pass: find the end, validate control characters */
	while (q < self->end && *q != '"') {
		if ((guchar)*q < 0x20) {
			self->p = q;
			return otad_json_parser_fail (self, error, "control character in string");
		}
		if (*q == '\\') {
			escaped = TRUE;
			q++;
			if (q >= self->end)
				break;
		}
		q++;
	}
	if (q >= self->end) {
		self->p = q;
		return otad_json_parser_fail (self, error, "unterminated string");
	}
	if ((gsize)(q - s) > G_MAXUINT32 / 2) {
		self->p = s;
		return otad_json_parser_fail (self, error, "string too long");
	}
	if (!g_utf8_validate (s, q - s, NULL)) {
		self->p = s;
		return otad_json_parser_fail (self, error, "string is not valid UTF-8");
	}
	if (!escaped) {
		*out = s;
		*out_len = q - s;
		self->p = q + 1;
		return TRUE;
	}

	/* unescaping never makes a string longer */
	buf = otad_json_parser_alloc (self, q - s);
	if (buf == NULL)
		return otad_json_parser_fail_tree (self, error);
	for (const gchar *r = s; r < q; r++) {
		gunichar c;
		gint hi;
		if (*r != '\\') {
			buf[n++] = *r;
			continue;
		}
		r++;
		switch (*r) {
		case '"':
		case '\\':
		case '/':
			buf[n++] = *r;
			continue;
		case 'b':
			buf[n++] = '\b';
			continue;
		case 'f':
			buf[n++] = '\f';
			continue;
		case 'n':
			buf[n++] = '\n';
			continue;
		case 'r':
			buf[n++] = '\r';
			continue;
		case 't':
			buf[n++] = '\t';
			continue;
		case 'u':
			break;
		default:
			self->p = r;
			return otad_json_parser_fail (self, error, "invalid escape");
		}
		if (q - r < 5 || (hi = otad_json_hex4 (r + 1)) < 0) {
			self->p = r;
			return otad_json_parser_fail (self, error, "invalid \\u escape");
		}
		r += 4;
		c = hi;
		if (hi >= 0xd800 && hi <= 0xdbff) {
			gint lo;
			if (q - r < 7 || r[1] != '\\' || r[2] != 'u' ||
			    (lo = otad_json_hex4 (r + 3)) < 0xdc00 || lo > 0xdfff) {
				self->p = r;
				return otad_json_parser_fail (self, error, "lone surrogate");
			}
			c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
			r += 6;
		} else if (hi >= 0xdc00 && hi <= 0xdfff) {
			self->p = r;
			return otad_json_parser_fail (self, error, "lone surrogate");
		}
		n += g_unichar_to_utf8 (c, buf + n);
	}
	*out = buf;
	*out_len = n;
	self->p = q + 1;
	return TRUE;
}

static gboolean
otad_json_parser_number (OtadJsonParser *self, OtadJsonNode *node, GError **error)
{
	gboolean neg = FALSE;
	guint64 v = 0;
	const gchar *digits;

	if (*self->p == '-') {
		neg = TRUE;
		self->p++;
	}
	digits = self->p;
	while (self->p < self->end && g_ascii_isdigit (*self->p)) {
		guint d = *self->p - '0';
		if (v > (G_MAXUINT64 - d) / 10)
			return otad_json_parser_fail (self, error, "integer out of range");
		v = v * 10 + d;
		self->p++;
	}
	if (self->p == digits)
		return otad_json_parser_fail (self, error, "invalid number");
	if (*digits == '0' && self->p - digits > 1)
		return otad_json_parser_fail (self, error, "leading zero in number");
	if (self->p < self->end && (*self->p == '.' || *self->p == 'e' || *self->p == 'E'))
		return otad_json_parser_fail (self, error, "floats are not canonical JSON");
	if ((!neg && v > G_MAXINT64) || (neg && v > (guint64)G_MAXINT64 + 1))
		return otad_json_parser_fail (self, error, "integer out of range");
	node->type = OTAD_JSON_INT;
	node->v.i = neg ? (gint64)(0 - v) : (gint64)v;
	return TRUE;
}

static gint
otad_json_member_cmp (gconstpointer a, gconstpointer b)
{
	const OtadJsonNode *na = a;
	const OtadJsonNode *nb = b;
	gint rc = memcmp (na->key, nb->key, MIN (na->key_len, nb->key_len));
	if (rc != 0)
		return rc;
	return (na->key_len > nb->key_len) - (na->key_len < nb->key_len);
}

static gboolean otad_json_parser_value (OtadJsonParser *self, OtadJsonNode *node, GError **error);

static gboolean
otad_json_parser_push (OtadJsonParser *self, const OtadJsonNode *child, GError **error)
{
	if (self->stack_len == self->stack_cap) {
		/* doubling, clamped to what the bound leaves */
		gsize grow = MAX (self->stack_cap, 64);
		gsize left;
		if (!otad_json_parser_within (self, 0))
			return otad_json_parser_fail_tree (self, error);
		left = (self->max_tree - self->doc->allocated) / sizeof (OtadJsonNode) -
		       self->stack_cap;
		grow = MIN (grow, left);
		if (grow == 0)
			return otad_json_parser_fail_tree (self, error);
		self->stack_cap += grow;
		self->stack = g_renew (OtadJsonNode, self->stack, self->stack_cap);
	}
	self->stack[self->stack_len++] = *child;
	return TRUE;
}

static gboolean
otad_json_parser_container (OtadJsonParser *self, OtadJsonNode *node, gboolean is_object,
                            GError **error)
{
	gsize base = self->stack_len;
	gchar close = is_object ? '}' : ']';
	gsize count;

	if (++self->depth > OTAD_JSON_MAX_DEPTH)
		return otad_json_parser_fail (self, error, "nesting too deep");
	self->p++;
	otad_json_parser_skip_ws (self);
	if (self->p < self->end && *self->p == close) {
		self->p++;
	} else {
		for (;;) {
			OtadJsonNode child = {0};
			otad_json_parser_skip_ws (self);
			if (is_object) {
				const gchar *key;
				guint32 key_len;
				if (self->p >= self->end || *self->p != '"')
					return otad_json_parser_fail (self, error, "expected key");
				self->p++;
				if (!otad_json_parser_string (self, &key, &key_len, error))
					return FALSE;
				if (key_len >= (1u << 28))
					return otad_json_parser_fail (self, error, "key too long");
				otad_json_parser_skip_ws (self);
				if (self->p >= self->end || *self->p != ':')
					return otad_json_parser_fail (self, error, "expected ':'");
				self->p++;
				child.key = key;
				child.key_len = key_len;
			}
			if (!otad_json_parser_value (self, &child, error))
				return FALSE;
			if (!otad_json_parser_push (self, &child, error))
				return FALSE;
			otad_json_parser_skip_ws (self);
			if (self->p < self->end && *self->p == ',') {
				self->p++;
				continue;
			}
			if (self->p < self->end && *self->p == close) {
				self->p++;
				break;
			}
			return otad_json_parser_fail (self, error,
			                              "expected ',' or end of container");
		}
	}
	count = self->stack_len - base;
	if (count > G_MAXUINT32)
		return otad_json_parser_fail (self, error, "too many members");
	node->type = is_object ? OTAD_JSON_OBJECT : OTAD_JSON_ARRAY;
	node->n = count;
	node->v.children = NULL;
	if (count > 0) {
		OtadJsonNode *children =
		    otad_json_parser_alloc (self, count * sizeof (OtadJsonNode));
		if (children == NULL)
			return otad_json_parser_fail_tree (self, error);
		memcpy (children, self->stack + base, count * sizeof (OtadJsonNode));
		self->stack_len = base;
		if (is_object) {
			/* canonical order; duplicate keys are refused so that no two
			 * readers can disagree on which value counts */
			qsort (children, count, sizeof (OtadJsonNode), otad_json_member_cmp);
			for (gsize i = 1; i < count; i++) {
				if (otad_json_member_cmp (&children[i - 1], &children[i]) == 0)
					return otad_json_parser_fail (self, error,
					                              "duplicate key in object");
			}
		}
		node->v.children = children;
	}
	self->depth--;
	return TRUE;
}

static gboolean
otad_json_parser_literal (OtadJsonParser *self, const gchar *lit, GError **error)
{
	gsize len = strlen (lit);
	if ((gsize)(self->end - self->p) < len || memcmp (self->p, lit, len) != 0)
		return otad_json_parser_fail (self, error, "invalid literal");
	self->p += len;
	return TRUE;
}

static gboolean
otad_json_parser_value (OtadJsonParser *self, OtadJsonNode *node, GError **error)
{
	otad_json_parser_skip_ws (self);
	if (self->p >= self->end)
		return otad_json_parser_fail (self, error, "unexpected end of input");
	switch (*self->p) {
	case '{':
		return otad_json_parser_container (self, node, TRUE, error);
	case '[':
		return otad_json_parser_container (self, node, FALSE, error);
	case '"': {
		const gchar *s;
		guint32 len;
		self->p++;
		if (!otad_json_parser_string (self, &s, &len, error))
			return FALSE;
		node->type = OTAD_JSON_STRING;
		node->v.s = s;
		node->n = len;
		return TRUE;
	}
	case 't':
		node->type = OTAD_JSON_BOOL;
		node->v.i = 1;
		return otad_json_parser_literal (self, "true", error);
	case 'f':
		node->type = OTAD_JSON_BOOL;
		node->v.i = 0;
		return otad_json_parser_literal (self, "false", error);
	case 'n':
		node->type = OTAD_JSON_NULL;
		return otad_json_parser_literal (self, "null", error);
	default:
		if (*self->p == '-' || g_ascii_isdigit (*self->p))
			return otad_json_parser_number (self, node, error);
		return otad_json_parser_fail (self, error, "unexpected character");
	}
}

OtadJsonDoc *
otad_json_doc_new_from_bytes (GBytes *bytes, GError **error)
{
	g_autoptr (OtadJsonDoc) doc = g_new0 (OtadJsonDoc, 1);
	OtadJsonParser parser = {0};
	gsize len = 0;
	gboolean ok;

	doc->ref_count = 1;
	doc->bytes = g_bytes_ref (bytes);
	parser.doc = doc;
	parser.start = parser.p = g_bytes_get_data (bytes, &len);
	if (parser.start == NULL)
		parser.start = parser.p = "";
	parser.end = parser.start + len;
	parser.max_tree = len > (G_MAXSIZE - OTAD_JSON_TREE_MIN) / OTAD_JSON_TREE_FACTOR
	                      ? G_MAXSIZE
	                      : len * OTAD_JSON_TREE_FACTOR + OTAD_JSON_TREE_MIN;
	ok = otad_json_parser_value (&parser, &doc->root, error);
	g_free (parser.stack);
	if (!ok)
		return NULL;
	otad_json_parser_skip_ws (&parser);
	if (parser.p != parser.end) {
		otad_json_parser_fail (&parser, error, "trailing data");
		return NULL;
	}
	return g_steal_pointer (&doc);
}

OtadJsonDoc *
otad_json_doc_ref (OtadJsonDoc *doc)
{
	g_atomic_int_inc (&doc->ref_count);
	return doc;
}

void
otad_json_doc_unref (OtadJsonDoc *doc)
{
	if (!g_atomic_int_dec_and_test (&doc->ref_count))
		return;
	g_slist_free_full (doc->blocks, g_free);
	g_bytes_unref (doc->bytes);
	g_free (doc);
}

const OtadJsonNode *
otad_json_doc_get_root (OtadJsonDoc *doc)
{
	return &doc->root;
}

GBytes *
otad_json_doc_get_bytes (OtadJsonDoc *doc)
{
	return doc->bytes;
}

gsize
otad_json_doc_get_tree_size (OtadJsonDoc *doc)
{
	return doc->allocated;
}

const OtadJsonNode *
otad_json_object_get (const OtadJsonNode *obj, const gchar *key)
{
	OtadJsonNode needle = {0};
	if (!otad_json_is (obj, OTAD_JSON_OBJECT) || obj->n == 0)
		return NULL;
	needle.key = key;
	needle.key_len = strlen (key);
	return bsearch (&needle, obj->v.children, obj->n, sizeof (OtadJsonNode),
	                otad_json_member_cmp);
}

gboolean
otad_json_key_equal (const OtadJsonNode *member, const gchar *key)
{
	gsize len = strlen (key);
	return member->key != NULL && member->key_len == len && memcmp (member->key, key, len) == 0;
}

gchar *
otad_json_dup_key (const OtadJsonNode *member)
{
	if (memchr (member->key, '\0', member->key_len) != NULL)
		return NULL;
	return g_strndup (member->key, member->key_len);
}

gchar *
otad_json_dup_string (const OtadJsonNode *node)
{
	/* an embedded NUL would make two different names compare equal */
	if (!otad_json_is (node, OTAD_JSON_STRING) || memchr (node->v.s, '\0', node->n) != NULL)
		return NULL;
	return g_strndup (node->v.s, node->n);
}

gboolean
otad_json_string_equal (const OtadJsonNode *node, const gchar *str)
{
	gsize len = strlen (str);
	return otad_json_is (node, OTAD_JSON_STRING) && node->n == len &&
	       memcmp (node->v.s, str, len) == 0;
}

const gchar *
otad_json_type_to_string (OtadJsonType type)
{
	const gchar *names[] = {"null", "boolean", "integer", "string", "array", "object"};
	if ((guint)type >= G_N_ELEMENTS (names))
		return "unknown";
	return names[type];
}
