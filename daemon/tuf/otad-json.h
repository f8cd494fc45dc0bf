/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A lean, strict JSON reader for TUF metadata: one allocation arena per document, strings
 * that need no unescaping point into the (kept) input, object members are stored sorted by
 * key (the canonical JSON order) so lookups are binary searches.  Only what canonical JSON
 * can express is accepted: no floats, no duplicate keys, valid UTF-8, integers in int64.
 */

typedef enum {
	OTAD_JSON_NULL,
	OTAD_JSON_BOOL,
	OTAD_JSON_INT,
	OTAD_JSON_STRING,
	OTAD_JSON_ARRAY,
	OTAD_JSON_OBJECT,
} OtadJsonType;

typedef struct _OtadJsonNode OtadJsonNode;
typedef struct _OtadJsonDoc OtadJsonDoc;

struct _OtadJsonNode {
	const gchar *key; /* (unowned) member name, NULL in arrays */
	union {
		gint64 i;
		const gchar *s;         /* (unowned) not NUL-terminated */
		OtadJsonNode *children; /* (unowned) */
	} v;
	guint32 key_len : 28;
	guint32 type : 4;
	guint32 n; /* string length or number of children */
};

OtadJsonDoc *otad_json_doc_new_from_bytes (GBytes *bytes, GError **error) G_GNUC_WARN_UNUSED_RESULT;
OtadJsonDoc *otad_json_doc_ref (OtadJsonDoc *doc);
void otad_json_doc_unref (OtadJsonDoc *doc);
const OtadJsonNode *otad_json_doc_get_root (OtadJsonDoc *doc);
GBytes *otad_json_doc_get_bytes (OtadJsonDoc *doc);

/* canonical JSON as securesystemslib's encode_canonical writes it */
GString *otad_json_canonicalize (const OtadJsonNode *node);
void otad_json_canonicalize_to (const OtadJsonNode *node, GString *out);

const OtadJsonNode *otad_json_object_get (const OtadJsonNode *obj, const gchar *key);
gboolean otad_json_key_equal (const OtadJsonNode *member, const gchar *key);
gchar *otad_json_dup_key (const OtadJsonNode *member);
gchar *otad_json_dup_string (const OtadJsonNode *node);
gboolean otad_json_string_equal (const OtadJsonNode *node, const gchar *str);
const gchar *otad_json_type_to_string (OtadJsonType type);

static inline gboolean
otad_json_is (const OtadJsonNode *node, OtadJsonType type)
{
	return node != NULL && node->type == type;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadJsonDoc, otad_json_doc_unref)

G_END_DECLS
