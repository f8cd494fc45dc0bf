/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "otad-checkin.h"
#include "otad-lite.h"
#include "otad-test-server.h"

#define H(c) "\"hashes\":{\"sha256\":\"" c c c c c c c c c c c c c c c c "\"}"

/* (name, sha256 digit, hardwareIds, tags, version) */
static const gchar *targets_json =
    "["
    "{\"name\":\"a-1.9\",\"length\":0," H (
        "1111") ",\"custom\":{\"hardwareIds\":[\"hw-x\"],"
                "\"tags\":[\"main\"],\"version\":\"1.9\"}},"
                "{\"name\":\"a-1.10\",\"length\":0," H (
                    "2222") ",\"custom\":{\"hardwareIds\":[\"hw-x\"],"
                            "\"tags\":[\"main\"],\"version\":\"1.10\"}},"
                            "{\"name\":\"a-2.0-devel\",\"length\":0," H (
                                "3333") ",\"custom\":{\"hardwareIds\":[\"hw-x\"],"
                                        "\"tags\":[\"devel\"],\"version\":\"2.0\"}},"
                                        "{\"name\":\"b-3.0\",\"length\":0," H (
                                            "4444") ",\"custom\":{\"hardwareIds\":[\"hw-y\"],"
                                                    "\"tags\":[\"main\"],\"version\":\"3.0\"}},"
                                                    "{\"name\":\"m-1.2\",\"length\":0," H (
                                                        "5555") ",\"custom\":{\"hardwareIds\":["
                                                                "\"hw-z\",\"hw-x\"],"
                                                                "\"tags\":[\"main\",\"beta\"],"
                                                                "\"version\":\"1.2\"}},"
                                                                "{\"name\":\"n-9\",\"length\":"
                                                                "0," H (
                                                                    "6666") ",\"custom\":{"
                                                                            "\"hardwareIds\":[\"hw-"
                                                                            "n\"],"
                                                                            "\"version\":\"9\"}},"
                                                                            "{\"name\":\"n-10\","
                                                                            "\"length\":0," H (
                                                                                "7777") ",\"custom"
                                                                                        "\":{"
                                                                                        "\"hardware"
                                                                                        "Ids\":["
                                                                                        "\"hw-n\"],"
                                                                                        "\"version"
                                                                                        "\":\"10\"}"
                                                                                        "},"
                                                                                        "{\"name\":"
                                                                                        "\"n-"
                                                                                        "nover\","
                                                                                        "\"length\""
                                                                                        ":0," H (
                                                                                            "8888") ",\"custom\":{\"hardwareIds\":[\"hw-n\"]}}"
                                                                                                    "]";

static OtadTufMetadata *
parse_targets (void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new ();
	g_autoptr(GString) doc = g_string_new (
	    "{\"signatures\":[],\"signed\":{\"_type\":\"targets\",\"spec_version\":\"1.0.0\","
	    "\"version\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{");
	g_autoptr(GBytes) bytes = NULL;
	JsonArray *array;
	OtadTufMetadata *md;

	/* the list above, turned into the targets object */
	json_parser_load_from_data (parser, targets_json, -1, &error);
	g_assert_no_error (error);
	array = json_node_get_array (json_parser_get_root (parser));
	for (guint i = 0; i < json_array_get_length (array); i++) {
		JsonObject *o = json_array_get_object_element (array, i);
		g_autofree gchar *name = g_strdup (json_object_get_string_member (o, "name"));
		g_autofree gchar *text = NULL;
		/* the parsed list is ours: dropping "name" here is fine */
		json_object_remove_member (o, "name");
		text = json_to_string (json_array_get_element (array, i), FALSE);
		g_string_append_printf (doc, "%s\"%s\":%s", i > 0 ? "," : "", name, text);
	}
	g_string_append (doc, "}}}");
	bytes = g_bytes_new (doc->str, doc->len);
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TARGETS, "targets", &error);
	g_assert_no_error (error);
	return md;
}

static void
check (OtadTufMetadata *md, const gchar *hwid, const gchar *tag, const gchar *expected)
{
	const gchar *tags[] = {tag, NULL};
	g_autoptr(OtadTarget) t = otad_lite_select (md, hwid, tags);

	if (expected == NULL) {
		g_assert_null (t);
		return;
	}
	g_assert_nonnull (t);
	g_assert_cmpstr (t->name, ==, expected);
}

static void
test_select (void)
{
	g_autoptr(OtadTufMetadata) md = parse_targets ();
	const gchar *both[] = {"devel", "main", NULL};
	g_autoptr(OtadTarget) t = NULL;

	check (md, "hw-x", "main", "a-1.10"); /* 1.10 > 1.9 > 1.2 */
	check (md, "hw-x", "devel", "a-2.0-devel");
	check (md, "hw-x", NULL, "a-2.0-devel"); /* no tag configured: all of hw-x */
	check (md, "hw-y", "main", "b-3.0");
	check (md, "hw-z", "beta", "m-1.2");
	check (md, "hw-z", "devel", NULL);
	check (md, "hw-q", NULL, NULL);
	check (md, "hw-x", "nothing", NULL);
	check (md, "hw-n", NULL, "n-10"); /* numeric, not lexical; no version: skipped */
	t = otad_lite_select (md, "hw-x", both);
	g_assert_cmpstr (t->name, ==, "a-2.0-devel");
	g_assert_cmpstr (t->version, ==, "2.0");
	g_assert_cmpstr (t->sha256, ==,
	                 "3333333333333333333333333333333333333333333333333333333333333333");
}

static void
test_version_compare (void)
{
	g_assert_cmpint (otad_lite_version_compare ("1.10", "1.9"), >, 0);
	g_assert_cmpint (otad_lite_version_compare ("10", "9"), >, 0);
	g_assert_cmpint (otad_lite_version_compare ("2.0", "2.0"), ==, 0);
	g_assert_cmpint (otad_lite_version_compare ("1.0-rc1", "1.0-rc2"), <, 0);
	g_assert_cmpint (otad_lite_version_compare ("100", "99"), >, 0);
	g_assert_cmpint (otad_lite_version_compare ("a", "b"), <, 0);
}

static void
test_lite_checkin (void)
{
	g_autofree gchar *dir = otad_test_mkdtemp ();
	g_autofree gchar *state = otad_test_mkdtemp ();
	g_autoptr(OtadTestServer) server = otad_test_server_start (dir, NULL);
	g_autoptr(OtadHttp) http = otad_test_server_http (server);
	g_autofree gchar *repo = g_strconcat (server->base_url, "/repo", NULL);
	g_autofree gchar *md = g_build_filename (state, "metadata", NULL);
	g_autoptr(OtadCheckin) checkin = otad_checkin_new (http, NULL, repo, md);
	g_autoptr(OtadTarget) t = NULL;
	g_autoptr(OtadTarget) t2 = NULL;
	g_autoptr(GError) error = NULL;
	const gchar *roots[] = {dir, NULL};
	const gchar *tags[] = {"main", NULL};
	g_autofree gchar *control = g_strdup_printf ("{\"repo\":%s}", targets_json);

	/* the control endpoint takes "sha256"; give it from the hashes */
	{
		g_autoptr(GRegex) re =
		    g_regex_new ("\"hashes\":\\{\"sha256\":(\"[0-9]+\")\\}", 0, 0, NULL);
		g_autofree gchar *fixed =
		    g_regex_replace (re, control, -1, 0, "\"sha256\":\\1", 0, NULL);
		otad_test_server_control (server, "/targets", fixed);
	}
	otad_checkin_set_root_dirs (checkin, roots);
	otad_checkin_run_lite (checkin, "hw-x", tags, NULL, &t, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (t);
	g_assert_cmpstr (t->name, ==, "a-1.10");
	/* the Director is not involved in lite mode */
	g_assert_cmpuint (otad_test_server_count (server, NULL, "/director/targets.json"), ==, 0);
	g_assert_cmpuint (otad_test_server_count (server, "GET", "/repo/targets.json"), ==, 1);

	/* installed already: no update */
	otad_checkin_run_lite (checkin, "hw-x", tags,
	                       "2222222222222222222222222222222222222222222222222222222222222222",
	                       &t2, NULL, &error);
	g_assert_no_error (error);
	g_assert_null (t2);
	otad_test_server_stop (server);
	otad_test_rm_rf (dir);
	otad_test_rm_rf (state);
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_server_require_tools ();
	g_test_add_func ("/otad/lite/select", test_select);
	g_test_add_func ("/otad/lite/version-compare", test_version_compare);
	g_test_add_func ("/otad/lite/checkin", test_lite_checkin);
	return g_test_run ();
}
