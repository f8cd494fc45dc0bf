/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A lean, strict JSON reader for TUF metadata: one allocation arena per document, strings
 * that need no unescaping point into the (kept) input, object members are stored sorted by
 * key (the canonical JSON order) so lookups are binary searches.  Only what canonical JSON
 * can express is accepted: no floats, no duplicate keys, valid UTF-8, integers in int64.
 *
 * Bounded: the tree of a document may take at most OTAD_JSON_TREE_FACTOR times the
 * document's size (and OTAD_JSON_TREE_MIN bytes whatever its size).  Real metadata needs
 * less than its size (a target entry of ~300 bytes is ~13 nodes of 24 bytes); a body of
 * tiny values ("[0,0,...]": 24 bytes of node per 2 bytes of input) is refused as soon as it
 * passes the bound instead of costing twelve times its size.
 */
#define OTAD_JSON_TREE_FACTOR 2
#define OTAD_JSON_TREE_MIN (256 * 1024)

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
/* bytes the tree takes (arena blocks), within the bound above */
gsize otad_json_doc_get_tree_size (OtadJsonDoc *doc);

/* the canonical forms of the two dialects' signers (otad-json-canonical.c) */
typedef enum {
	OTAD_JSON_FORM_OLPC,    /* securesystemslib encode_canonical: standard TUF */
	OTAD_JSON_FORM_JSONCPP, /* aktualizr's jsoncpp writer: OTA CE / aktualizr */
} OtadJsonForm;

typedef void (*OtadJsonWriteFunc) (const gchar *data, gsize len, gpointer user_data);

GString *otad_json_canonicalize (const OtadJsonNode *node, OtadJsonForm form, gsize size_hint);
void otad_json_canonicalize_to (const OtadJsonNode *node, OtadJsonForm form, GString *out);
/* FALSE (and @out partly written) when the form would pass @max_len bytes */
gboolean otad_json_canonicalize_bounded (const OtadJsonNode *node, OtadJsonForm form, GString *out,
                                         gsize max_len);
/* the canonical form in pieces, e.g. into a hash, without holding all of it */
void otad_json_canonical_stream (const OtadJsonNode *node, OtadJsonForm form,
                                 OtadJsonWriteFunc func, gpointer user_data);

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
