/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-canonical-json.h"

static JsonNode *
parse (const gchar *text)
{
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GError) error = NULL;
	json_parser_load_from_data (parser, text, -1, &error);
	g_assert_no_error (error);
	return json_node_copy (json_parser_get_root (parser));
}

/* every input of tests/tuf/vectors/canonical/ against the bytes securesystemslib's
 * encode_canonical wrote for it (tests/tuf/make_vectors.py) */
static void
test_vectors (void)
{
	g_autofree gchar *dir = g_test_build_filename (G_TEST_DIST, "tuf", "vectors", "canonical",
	                                               NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
	const gchar *name;
	guint n = 0;

	g_assert_no_error (error);
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree gchar *path = NULL;
		g_autofree gchar *expected_path = NULL;
		g_autofree gchar *input = NULL;
		g_autofree gchar *expected = NULL;
		g_autofree gchar *stem = NULL;
		g_autofree gchar *out = NULL;
		g_autoptr(JsonNode) node = NULL;
		gsize expected_len = 0;

		if (!g_str_has_suffix (name, ".json"))
			continue;
		stem = g_strndup (name, strlen (name) - strlen (".json"));
		path = g_build_filename (dir, name, NULL);
		expected_path = g_strconcat (dir, "/", stem, ".canonical", NULL);
		g_file_get_contents (path, &input, NULL, &error);
		g_assert_no_error (error);
		g_file_get_contents (expected_path, &expected, &expected_len, &error);
		g_assert_no_error (error);
		/* json-glib keeps strings NUL-terminated: a tree cannot hold U+0000, so
		 * such a vector is for the byte-level reader only */
		if (strstr (input, "\\u0000") != NULL) {
			g_test_message ("vector %s: holds U+0000, not a json-glib tree", stem);
			continue;
		}
		node = parse (input);
		out = otad_canonical_json_from_node (node, &error);
		g_assert_no_error (error);
		g_test_message ("vector %s", stem);
		/* byte for byte, over the whole file */
		g_assert_cmpmem (out, strlen (out), expected, expected_len);
		n++;
	}
	g_assert_cmpuint (n, >=, 7);
}

static void
test_scalar_root (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), "ab\"c\\");
	g_autofree gchar *out = otad_canonical_json_from_node (node, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (out, ==, "\"ab\\\"c\\\\\"");
}

static void
test_built_tree (void)
{
	g_autoptr(JsonBuilder) b = json_builder_new ();
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;

	json_builder_begin_object (b);
	json_builder_set_member_name (b, "z");
	json_builder_add_int_value (b, -9007199254740993);
	json_builder_set_member_name (b, "a");
	json_builder_begin_array (b);
	json_builder_add_boolean_value (b, TRUE);
	json_builder_add_null_value (b);
	json_builder_add_string_value (b, "x\ny");
	json_builder_end_array (b);
	json_builder_set_member_name (b, "ab");
	json_builder_begin_object (b);
	json_builder_end_object (b);
	json_builder_end_object (b);
	node = json_builder_get_root (b);
	out = otad_canonical_json_from_node (node, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (out, ==, "{\"a\":[true,null,\"x\ny\"],\"ab\":{},\"z\":-9007199254740993}");
}

static void
test_refuses_double (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = parse ("{\"a\": [1, 2.5]}");
	g_autofree gchar *out = otad_canonical_json_from_node (node, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INTERNAL);
	g_assert_null (out);
}

static void
test_refuses_deep (void)
{
	g_autoptr(GString) text = g_string_new (NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) ok = NULL;
	g_autoptr(JsonNode) deep = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *out_deep = NULL;

	/* 33 levels (depth 0..32) are written, 34 are refused */
	for (guint i = 0; i < 33; i++)
		g_string_append_c (text, '[');
	for (guint i = 0; i < 33; i++)
		g_string_append_c (text, ']');
	ok = parse (text->str);
	out = otad_canonical_json_from_node (ok, &error);
	g_assert_no_error (error);
	g_assert_cmpstr (out, ==, text->str);

	g_string_prepend_c (text, '[');
	g_string_append_c (text, ']');
	deep = parse (text->str);
	out_deep = otad_canonical_json_from_node (deep, &error);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INTERNAL);
	g_assert_null (out_deep);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/canonical-json/vectors", test_vectors);
	g_test_add_func ("/canonical-json/scalar-root", test_scalar_root);
	g_test_add_func ("/canonical-json/built-tree", test_built_tree);
	g_test_add_func ("/canonical-json/refuses-double", test_refuses_double);
	g_test_add_func ("/canonical-json/refuses-deep", test_refuses_deep);
	return g_test_run ();
}
