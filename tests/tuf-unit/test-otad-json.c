/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "otad-json.h"
#include "otad-tuf-error.h"

static gchar *
canonical_of (const gchar *json, GError **error)
{
	g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
	g_autoptr (OtadJsonDoc) doc = otad_json_doc_new_from_bytes (bytes, error);
	g_autoptr (GString) out = NULL;
	if (doc == NULL)
		return NULL;
	out = otad_json_canonicalize (otad_json_doc_get_root (doc));
	return g_string_free (g_steal_pointer (&out), FALSE);
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

/* vectors written by the independent Python side (securesystemslib) */
static void
test_json_canonical_vectors (void)
{
	g_autofree gchar *dir =
	    g_test_build_filename (G_TEST_DIST, "..", "tuf", "vectors", "canonical", NULL);
	g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
	const gchar *name;
	guint n = 0;

	if (d == NULL) {
		g_test_skip ("no canonical JSON vectors");
		return;
	}
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree gchar *path = NULL;
		g_autofree gchar *expected_path = NULL;
		g_autofree gchar *input = NULL;
		g_autofree gchar *expected = NULL;
		g_autoptr (GBytes) bytes = NULL;
		g_autoptr (OtadJsonDoc) doc = NULL;
		g_autoptr (GString) out = NULL;
		g_autoptr (GError) error = NULL;
		gsize len = 0, expected_len = 0;

		if (!g_str_has_suffix (name, ".json"))
			continue;
		path = g_build_filename (dir, name, NULL);
		expected_path = g_strdup_printf ("%.*s.canonical", (int)strlen (path) - 5, path);
		g_assert_true (g_file_get_contents (path, &input, &len, NULL));
		g_assert_true (g_file_get_contents (expected_path, &expected, &expected_len, NULL));
		bytes = g_bytes_new (input, len);
		doc = otad_json_doc_new_from_bytes (bytes, &error);
		g_assert_no_error (error);
		out = otad_json_canonicalize (otad_json_doc_get_root (doc));
		g_assert_cmpmem (out->str, out->len, expected, expected_len);
		n++;
	}
	g_assert_cmpuint (n, >, 0);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/tuf/json/canonical-inline", test_json_canonical_inline);
	g_test_add_func ("/tuf/json/rejects", test_json_rejects);
	g_test_add_func ("/tuf/json/depth", test_json_depth);
	g_test_add_func ("/tuf/json/lookup", test_json_lookup);
	g_test_add_func ("/tuf/json/canonical-vectors", test_json_canonical_vectors);
	return g_test_run ();
}
