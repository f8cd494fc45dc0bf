/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ota-error.h"
#include "otad-file.h"
#include "otad-test-sysroot.h"

static gchar *
write_temp (const gchar *contents, gsize len, gchar **out_dir)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("otad-file-XXXXXX", &error);
	gchar *path;

	g_assert_no_error (error);
	path = g_build_filename (dir, "f", NULL);
	g_assert_true (g_file_set_contents (path, contents, (gssize)len, &error));
	g_assert_no_error (error);
	*out_dir = dir;
	return path;
}

static void
cleanup (gchar *path, gchar *dir)
{
	g_unlink (path);
	g_rmdir (dir);
	g_free (path);
	g_free (dir);
}

/* the limit bounds what is read, it is not what is reserved: a limit far beyond any
 * allocation (and a device without overcommit) still reads a small file */
static void
test_read_limit_is_not_reserved (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	gchar *dir;
	gchar *path = write_temp ("{\"signed\":{}}", 13, &dir);
	gsize len = 0;

	g_assert_true (otad_file_read (path, G_MAXSIZE / 4, &data, &len, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (len, ==, 13);
	g_assert_cmpstr (data, ==, "{\"signed\":{}}");
	cleanup (path, dir);
}

/* exactly the limit is read; one byte more is refused, naming the file */
static void
test_read_at_the_limit (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	gchar *dir;
	gchar *path = write_temp ("0123456789", 10, &dir);
	gsize len = 0;

	g_assert_true (otad_file_read (path, 10, &data, &len, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (len, ==, 10);
	g_clear_pointer (&data, g_free);
	g_assert_false (otad_file_read (path, 9, &data, &len, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, path));
	g_assert_null (data);
	cleanup (path, dir);
}

/* a file whose size fstat does not tell (procfs says 0) is read whole, the buffer
 * growing as it is read, and still bounded by the limit */
static void
test_read_grows_past_fstat (void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *data = NULL;
	gsize len = 0;

	g_assert_true (otad_file_read ("/proc/self/status", 1 << 20, &data, &len, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (len, >, 100);
	g_assert_cmpuint (strlen (data), ==, len);
	g_assert_true (g_str_has_prefix (data, "Name:"));
	g_assert_cmpint (data[len - 1], ==, '\n');
	g_clear_pointer (&data, g_free);
	g_assert_false (otad_file_read ("/proc/self/status", 20, &data, &len, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_FAILED);
	g_assert_nonnull (strstr (error->message, "too large"));
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	g_test_add_func ("/otad/file/read-limit-is-not-reserved", test_read_limit_is_not_reserved);
	g_test_add_func ("/otad/file/read-at-the-limit", test_read_at_the_limit);
	g_test_add_func ("/otad/file/read-grows-past-fstat", test_read_grows_past_fstat);
	return g_test_run ();
}
