/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "otad-json.h"
#include "otad-tuf-error.h"

static gchar *
canonical_form_of (const gchar *json, OtadJsonForm form, GError **error)
{
	g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
	g_autoptr (OtadJsonDoc) doc = otad_json_doc_new_from_bytes (bytes, error);
	g_autoptr (GString) out = NULL;
	if (doc == NULL)
		return NULL;
	out = otad_json_canonicalize (otad_json_doc_get_root (doc), form, strlen (json));
	return g_string_free (g_steal_pointer (&out), FALSE);
}

static gchar *
canonical_of (const gchar *json, GError **error)
{
	return canonical_form_of (json, OTAD_JSON_FORM_OLPC, error);
}

static void
test_json_canonical_inline (void)
{
	const struct {
		const gchar *in;
		const gchar *out;
	} cases[] = {
	    {" { \"b\" : 1 , \"a\" : [ true , false , null ] } ",
	     "{\"a\":[true,false,null],\"b\":1}"},
	    /* byte (code point) order, shorter prefix first */
	    {"{\"aa\":1,\"a\":2,\"\":3,\"B\":4,\"\\u00e9\":5,\"z\":6}",
	     "{\"\":3,\"B\":4,\"a\":2,\"aa\":1,\"z\":6,\"\xc3\xa9\":5}"},
	    /* only backslash and quote are escaped; everything else is raw UTF-8 */
	    {"\"a\\\"b\\\\c\\/d\\n\\t\\u0001\\ud83d\\ude00\"",
	     "\"a\\\"b\\\\c/d\n\t\x01\xf0\x9f\x98\x80\""},
	    {"[-0,0,-9223372036854775808,9223372036854775807]",
	     "[0,0,-9223372036854775808,9223372036854775807]"},
	    {"{}", "{}"},
	    {"[]", "[]"},
	    {"\"\"", "\"\""},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out = canonical_of (cases[i].in, &error);
		g_assert_no_error (error);
		g_assert_cmpstr (out, ==, cases[i].out);
	}
}

/* aktualizr's form: jsoncpp's valueToQuotedStringN (src/lib_json/json_writer.cpp) */
static void
test_json_canonical_jsoncpp (void)
{
	const struct {
		const gchar *in;
		const gchar *out;
	} cases[] = {
	    {" { \"b\" : 1 , \"a\" : [ true , false , null ] } ",
	     "{\"a\":[true,false,null],\"b\":1}"},
	    /* the short escapes, \u00xx for the other control characters, DEL raw */
	    {"\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0000\\u0001\\u001F\\u007f\"",
	     "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\x7f\""},
	    /* non-ASCII as \uxxxx in lower case, a surrogate pair above the BMP */
	    {"\"caf\xc3\xa9 \xe2\x82\xac \xef\xbf\xbf \xf0\x9f\x98\x80\"",
	     "\"caf\\u00e9 \\u20ac \\uffff \\ud83d\\ude00\""},
	    /* keys escaped the same way, sorted by their UTF-8 bytes */
	    {"{\"z\":1,\"\\u00e9\":2,\"a\\nb\":3}", "{\"a\\nb\":3,\"z\":1,\"\\u00e9\":2}"},
	    /* a PEM key: its newlines become the two characters \n */
	    {"{\"public\":\"-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----\\n\"}",
	     "{\"public\":\"-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----\\n\"}"},
	    {"[-0,-9223372036854775808,9223372036854775807,{},[]]",
	     "[0,-9223372036854775808,9223372036854775807,{},[]]"},
	};
	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out =
		    canonical_form_of (cases[i].in, OTAD_JSON_FORM_JSONCPP, &error);
		g_assert_no_error (error);
		g_assert_cmpstr (out, ==, cases[i].out);
	}
}

/* a body of tiny values is refused once its tree passes the bound, not parsed at 24 bytes
 * per value; real metadata of the same size is not */
static void
test_json_tree_bound (void)
{
	g_autoptr (GString) zeros = g_string_new ("[");
	g_autoptr (GString) targets = g_string_new ("{\"targets\":{");
	g_autoptr (GBytes) zeros_bytes = NULL;
	g_autoptr (GBytes) targets_bytes = NULL;
	g_autoptr (OtadJsonDoc) doc = NULL;
	g_autoptr (OtadJsonDoc) doc2 = NULL;
	g_autoptr (GError) error = NULL;

	while (zeros->len < 4 * 1024 * 1024)
		g_string_append (zeros, "0,");
	g_string_append (zeros, "0]");
	zeros_bytes = g_bytes_new (zeros->str, zeros->len);
	doc = otad_json_doc_new_from_bytes (zeros_bytes, &error);
	g_assert_null (doc);
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED);
	g_assert_nonnull (strstr (error->message, "too many values"));
	g_clear_error (&error);

	for (guint i = 0; targets->len < 4 * 1024 * 1024; i++)
		g_string_append_printf (targets,
		                        "%s\"f%07u\":{\"hashes\":{\"sha256\":\"%064u\"},"
		                        "\"length\":%u}",
		                        i > 0 ? "," : "", i, i, i);
	g_string_append (targets, "}}");
	targets_bytes = g_bytes_new (targets->str, targets->len);
	doc2 = otad_json_doc_new_from_bytes (targets_bytes, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (otad_json_doc_get_tree_size (doc2), <=,
	                  targets->len * OTAD_JSON_TREE_FACTOR + OTAD_JSON_TREE_MIN);
}

static void
test_json_rejects (void)
{
	const gchar *bad[] = {
	    "",
	    " ",
	    "{",
	    "[1,]",
	    "{\"a\":1,}",
	    "{\"a\" 1}",
	    "{a:1}",
	    "[1 2]",
	    "1.5",
	    "1e3",
	    "-",
	    "01",
	    "-01",
	    "9223372036854775808",
	    "-9223372036854775809",
	    "{\"a\":1,\"a\":2}", /* duplicate key */
	    "\"\\ud800\"",
	    "\"\\udc00\"",
	    "\"\\ud800\\u0041\"",
	    "\"\\x\"",
	    "\"\\u12\"",
	    "\"a\tb\"", /* raw control character */
	    "\"\xff\"",
	    "\"\xc3\"", /* invalid UTF-8 */
	    "tru",
	    "nul",
	    "falsey",
	    "{} {}",
	    "[1]x",
	    "\xef\xbb\xbf{}", /* BOM */
	    "\"unterminated",
	};
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autoptr (GError) error = NULL;
		g_autofree gchar *out = canonical_of (bad[i], &error);
		if (out != NULL)
			g_error ("accepted %s as %s", bad[i], out);
		g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED);
	}
}

static void
test_json_depth (void)
{
	g_autoptr (GString) deep = g_string_new (NULL);
	g_autoptr (GError) error = NULL;
	g_autofree gchar *out = NULL;
	for (guint i = 0; i < 10000; i++)
		g_string_append_c (deep, '[');
	out = canonical_of (deep->str, &error);
	g_assert_null (out);
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED);
}

static void
test_json_lookup (void)
{
	const gchar *json = "{\"z\":\"x\\u0000y\",\"a\":{\"b\":[1,\"two\"]},\"k\\u0000\":1}";
	g_autoptr (GBytes) bytes = g_bytes_new_static (json, strlen (json));
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadJsonDoc) doc = otad_json_doc_new_from_bytes (bytes, &error);
	const OtadJsonNode *root, *a, *b;
	g_autofree gchar *two = NULL;

	g_assert_no_error (error);
	root = otad_json_doc_get_root (doc);
	a = otad_json_object_get (root, "a");
	g_assert_true (otad_json_is (a, OTAD_JSON_OBJECT));
	b = otad_json_object_get (a, "b");
	g_assert_true (otad_json_is (b, OTAD_JSON_ARRAY));
	g_assert_cmpint (b->n, ==, 2);
	g_assert_cmpint (b->v.children[0].v.i, ==, 1);
	two = otad_json_dup_string (&b->v.children[1]);
	g_assert_cmpstr (two, ==, "two");
	g_assert_null (otad_json_object_get (root, "missing"));
	g_assert_null (otad_json_object_get (b, "b"));
	/* strings with NUL never become C strings that would compare equal to a prefix */
	g_assert_null (otad_json_dup_string (otad_json_object_get (root, "z")));
	g_assert_false (otad_json_string_equal (otad_json_object_get (root, "z"), "x"));
	g_assert_null (otad_json_object_get (root, "k"));
}

/* vectors written by the independent Python side: securesystemslib (NAME.canonical) and
 * tufgen's reimplementation of aktualizr's writer (NAME.ota-canonical) */
static void
test_json_canonical_vectors (void)
{
	g_autofree gchar *dir =
	    g_test_build_filename (G_TEST_DIST, "..", "tuf", "vectors", "canonical", NULL);
	g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
	const struct {
		const gchar *suffix;
		OtadJsonForm form;
	} forms[] = {{"canonical", OTAD_JSON_FORM_OLPC}, {"ota-canonical", OTAD_JSON_FORM_JSONCPP}};
	const gchar *name;
	guint n[G_N_ELEMENTS (forms)] = {0};

	if (d == NULL) {
		g_test_skip ("no canonical JSON vectors");
		return;
	}
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree gchar *path = NULL;
		g_autofree gchar *input = NULL;
		g_autoptr (GBytes) bytes = NULL;
		g_autoptr (OtadJsonDoc) doc = NULL;
		g_autoptr (GError) error = NULL;
		gsize len = 0;

		if (!g_str_has_suffix (name, ".json"))
			continue;
		path = g_build_filename (dir, name, NULL);
		g_assert_true (g_file_get_contents (path, &input, &len, NULL));
		bytes = g_bytes_new (input, len);
		doc = otad_json_doc_new_from_bytes (bytes, &error);
		g_assert_no_error (error);
		for (guint f = 0; f < G_N_ELEMENTS (forms); f++) {
			g_autofree gchar *expected_path = g_strdup_printf (
			    "%.*s.%s", (int)strlen (path) - 5, path, forms[f].suffix);
			g_autofree gchar *expected = NULL;
			g_autoptr (GString) out = NULL;
			gsize expected_len = 0;
			if (!g_file_get_contents (expected_path, &expected, &expected_len, NULL))
				continue;
			out = otad_json_canonicalize (otad_json_doc_get_root (doc), forms[f].form,
			                              len);
			g_assert_cmpmem (out->str, out->len, expected, expected_len);
			n[f]++;
		}
	}
	for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
		g_assert_cmpuint (n[f], >, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/tuf/json/canonical-inline", test_json_canonical_inline);
	g_test_add_func ("/tuf/json/canonical-jsoncpp", test_json_canonical_jsoncpp);
	g_test_add_func ("/tuf/json/tree-bound", test_json_tree_bound);
	g_test_add_func ("/tuf/json/rejects", test_json_rejects);
	g_test_add_func ("/tuf/json/depth", test_json_depth);
	g_test_add_func ("/tuf/json/lookup", test_json_lookup);
	g_test_add_func ("/tuf/json/canonical-vectors", test_json_canonical_vectors);
	return g_test_run ();
}
