/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-tuf-targets: full verification of a signed targets.json with 1 000, 10 000 and 100 000
 * targets, and of a crafted 8 MiB body of tiny values ("[0,0,...]", refused), against a
 * bare json-glib parse and Python's json.loads of the same bytes, in the same run.  Each
 * measurement runs in a fresh child process: time is the best of several runs, memory is
 * the child's peak (VmHWM) above its resident size with the file already in memory; the
 * ratio counts the file too (peak + file, over the file).
 *
 * Exits 1 unless, for every file, that ratio is at most BENCH_MAX_PEAK and otad's time at
 * most BENCH_MAX_TIME of json-glib's.
 */
#include "config.h"

#include <gnutls/abstract.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otad-tuf-error.h"
#include "otad-tuf-metadata.h"

#define BENCH_RUNS 5
#define BENCH_MAX_PEAK 4.0 /* (peak above the loaded file + the file) / file */
#define BENCH_MAX_TIME 0.3 /* otad's verification / json-glib's parse */
#define BENCH_CRAFTED_SIZE (8 * 1024 * 1024)

typedef struct {
	gdouble seconds; /* best of BENCH_RUNS */
	gint64 peak_kib; /* peak above the baseline of the first run */
} BenchResult;

static gint64
bench_status_kib (const gchar *field)
{
	g_autofree gchar *status = NULL;
	const gchar *p;
	if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
		return -1;
	p = strstr (status, field);
	if (p == NULL)
		return -1;
	return g_ascii_strtoll (p + strlen (field) + 1, NULL, 10);
}

static gchar *
bench_hex (const guint8 *data, gsize len)
{
	GString *s = g_string_sized_new (len * 2);
	for (gsize i = 0; i < len; i++)
		g_string_append_printf (s, "%02x", data[i]);
	return g_string_free (s, FALSE);
}

/* a root.json trusting @pub for every role, and a targets.json with @n targets signed by it */
static void
bench_generate (guint n, const gchar *dir, gchar **root_path, gchar **targets_path)
{
	gnutls_privkey_t priv;
	gnutls_pubkey_t pub;
	gnutls_datum_t x = {NULL, 0}, sig = {NULL, 0}, data;
	gnutls_ecc_curve_t curve;
	g_autofree gchar *pub_hex = NULL;
	g_autofree gchar *sig_hex = NULL;
	g_autoptr (GString) signed_json = g_string_sized_new (n * 400);
	g_autoptr (GString) root = g_string_new (NULL);
	g_autoptr (GString) file = NULL;
	const gchar *keyid = "bench-key"; /* ids are labels */

	g_assert_cmpint (gnutls_privkey_init (&priv), ==, 0);
	g_assert_cmpint (gnutls_privkey_generate2 (priv, GNUTLS_PK_EDDSA_ED25519, 256, 0, NULL, 0),
	                 ==, 0);
	g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
	g_assert_cmpint (gnutls_pubkey_import_privkey (pub, priv, 0, 0), ==, 0);
	g_assert_cmpint (gnutls_pubkey_export_ecc_raw (pub, &curve, &x, NULL), ==, 0);
	pub_hex = bench_hex (x.data, x.size);

	/* written directly in canonical form: keys sorted, no whitespace */
	g_string_append (signed_json, "{\"_type\":\"targets\",\"expires\":\"2099-01-01T00:00:00Z\","
	                              "\"spec_version\":\"1.0.0\",\"targets\":{");
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *name = g_strdup_printf ("firmware-%07u.bin", i);
		g_autofree gchar *digest =
		    g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
		g_string_append_printf (
		    signed_json,
		    "%s\"%s\":{\"custom\":{\"createdAt\":\"2024-01-01T00:00:00Z\",\"hardwareIds\":"
		    "[\"bench-board\"],\"name\":\"firmware\",\"targetFormat\":\"BINARY\","
		    "\"updatedAt\":\"2024-01-01T00:00:00Z\",\"uri\":\"https://example.com/%s\","
		    "\"version\":\"%u\"},\"hashes\":{\"sha256\":\"%s\"},\"length\":%u}",
		    i > 0 ? "," : "", name, name, i, digest, 1000 + i);
	}
	g_string_append (signed_json, "},\"version\":1}");
	data.data = (guchar *)signed_json->str;
	data.size = signed_json->len;
	g_assert_cmpint (
	    gnutls_privkey_sign_data2 (priv, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig), ==, 0);
	sig_hex = bench_hex (sig.data, sig.size);
	file = g_string_sized_new (signed_json->len + 256);
	g_string_append_printf (
	    file, "{\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}],\"signed\":", keyid,
	    sig_hex);
	g_string_append_len (file, signed_json->str, signed_json->len);
	g_string_append (file, "}");

	g_string_append_printf (
	    root,
	    "{\"signatures\":[],\"signed\":{\"_type\":\"root\","
	    "\"consistent_snapshot\":false,\"expires\":\"2099-01-01T00:00:00Z\","
	    "\"keys\":{\"%s\":{\"keytype\":\"ed25519\",\"keyval\":{\"public\":"
	    "\"%s\"},\"scheme\":\"ed25519\"}},\"roles\":{",
	    keyid, pub_hex);
	g_string_append_printf (root,
	                        "\"root\":{\"keyids\":[\"%s\"],\"threshold\":1},"
	                        "\"snapshot\":{\"keyids\":[\"%s\"],\"threshold\":1},"
	                        "\"targets\":{\"keyids\":[\"%s\"],\"threshold\":1},"
	                        "\"timestamp\":{\"keyids\":[\"%s\"],\"threshold\":1}},"
	                        "\"spec_version\":\"1.0.0\",\"version\":1}}",
	                        keyid, keyid, keyid, keyid);
	*root_path = g_strdup_printf ("%s/root-%u.json", dir, n);
	*targets_path = g_strdup_printf ("%s/targets-%u.json", dir, n);
	g_assert_true (g_file_set_contents (*root_path, root->str, root->len, NULL));
	g_assert_true (g_file_set_contents (*targets_path, file->str, file->len, NULL));
	gnutls_free (x.data);
	gnutls_free (sig.data);
	gnutls_pubkey_deinit (pub);
	gnutls_privkey_deinit (priv);
}

/* the worst case for a tree of 24-byte nodes: two bytes of input per value */
static gchar *
bench_generate_crafted (const gchar *dir)
{
	g_autofree gchar *path = g_build_filename (dir, "crafted.json", NULL);
	g_autoptr (GString) body = g_string_sized_new (BENCH_CRAFTED_SIZE + 2);

	g_string_append_c (body, '[');
	while (body->len < BENCH_CRAFTED_SIZE - 1)
		g_string_append (body, "0,");
	g_string_append (body, "0]");
	g_assert_true (g_file_set_contents (path, body->str, body->len, NULL));
	return g_steal_pointer (&path);
}

typedef enum { BENCH_OTAD, BENCH_OTAD_CRAFTED, BENCH_JSON_GLIB } BenchKind;

/* what a refresh does with it: parse as targets metadata, which the tree bound refuses */
static void
bench_otad_crafted (GBytes *bytes)
{
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GError) error = NULL;

	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TARGETS, "targets", &error);
	g_assert_null (md);
	g_assert_error (error, OTAD_TUF_ERROR, OTAD_TUF_ERROR_MALFORMED);
}

/* the whole check a refresh makes of targets.json: length and sha256 against what snapshot
 * declares, parse, strict structure, signatures over canonical JSON, expiry */
static void
bench_otad_verify (GBytes *root_bytes, GBytes *bytes, const gchar *sha256)
{
	g_autoptr (OtadTufMetadata) root = NULL;
	g_autoptr (OtadTufMetadata) md = NULL;
	g_autoptr (GError) error = NULL;
	g_autoptr (OtadJsonDoc) hashes_doc = NULL;

	{
		g_autofree gchar *h = g_strdup_printf ("{\"sha256\":\"%s\"}", sha256);
		g_autoptr (GBytes) hb = g_bytes_new_take (g_strdup (h), strlen (h));
		hashes_doc = otad_json_doc_new_from_bytes (hb, &error);
		g_assert_no_error (error);
	}
	root = otad_tuf_metadata_parse (root_bytes, OTAD_TUF_ROLE_ROOT, "root", &error);
	g_assert_no_error (error);
	if (!otad_tuf_check_hashes (otad_json_doc_get_root (hashes_doc),
	                            (gint64)g_bytes_get_size (bytes), bytes, "targets.json",
	                            &error))
		g_error ("%s", error->message);
	md = otad_tuf_metadata_parse (bytes, OTAD_TUF_ROLE_TARGETS, "targets", &error);
	g_assert_no_error (error);
	if (!otad_tuf_metadata_verify_role (
	        md, root->keys, otad_tuf_metadata_get_role (root, "targets"), "root", &error) ||
	    !otad_tuf_metadata_check_expiry (md, g_get_real_time () / G_USEC_PER_SEC, &error))
		g_error ("verification failed: %s", error->message);
}

static void
bench_json_glib_parse (GBytes *bytes)
{
	g_autoptr (JsonParser) parser = json_parser_new ();
	g_autoptr (GError) error = NULL;
	gsize len = 0;
	const gchar *data = g_bytes_get_data (bytes, &len);
	if (!json_parser_load_from_data (parser, data, len, &error))
		g_error ("%s", error->message);
}

/* in a child: the file in memory, then BENCH_RUNS runs; writes seconds and KiB to @fd */
static void
bench_child (BenchKind kind, const gchar *root_path, const gchar *path, int fd)
{
	g_autofree gchar *contents = NULL;
	g_autofree gchar *root_contents = NULL;
	g_autofree gchar *sha256 = NULL;
	g_autoptr (GBytes) bytes = NULL;
	g_autoptr (GBytes) root_bytes = NULL;
	gsize len = 0, root_len = 0;
	gdouble best = G_MAXDOUBLE;
	gint64 base_kib, peak_kib = 0;
	g_autofree gchar *line = NULL;

	g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
	g_assert_true (g_file_get_contents (root_path, &root_contents, &root_len, NULL));
	sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *)contents, len);
	bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
	root_bytes = g_bytes_new_take (g_steal_pointer (&root_contents), root_len);
	/* warm the libraries up on a tiny input so that code pages do not count */
	bench_json_glib_parse (root_bytes);
	base_kib = bench_status_kib ("VmRSS:");
	for (guint i = 0; i < BENCH_RUNS; i++) {
		gint64 start = g_get_monotonic_time ();
		if (kind == BENCH_OTAD)
			bench_otad_verify (root_bytes, bytes, sha256);
		else if (kind == BENCH_OTAD_CRAFTED)
			bench_otad_crafted (bytes);
		else
			bench_json_glib_parse (bytes);
		best = MIN (best, (g_get_monotonic_time () - start) / 1e6);
		if (i == 0)
			peak_kib = bench_status_kib ("VmHWM:") - base_kib;
	}
	line = g_strdup_printf ("%f %" G_GINT64_FORMAT "\n", best, peak_kib);
	g_assert_cmpint (write (fd, line, strlen (line)), ==, (gssize)strlen (line));
}

static BenchResult
bench_fork (BenchKind kind, const gchar *root_path, const gchar *path)
{
	BenchResult result = {0};
	int fds[2];
	pid_t pid;
	gchar buf[128] = {0};
	gssize n;
	int status = 0;

	g_assert_cmpint (pipe (fds), ==, 0);
	pid = fork ();
	g_assert_cmpint (pid, >=, 0);
	if (pid == 0) {
		close (fds[0]);
		bench_child (kind, root_path, path, fds[1]);
		_exit (0);
	}
	close (fds[1]);
	n = read (fds[0], buf, sizeof (buf) - 1);
	close (fds[0]);
	waitpid (pid, &status, 0);
	g_assert_true (n > 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0);
	sscanf (buf, "%lf %" G_GINT64_FORMAT, &result.seconds, &result.peak_kib);
	return result;
}

static BenchResult
bench_python (const gchar *path)
{
	BenchResult result = {0};
	const gchar *script = "import json, sys, time\n"
	                      "def kib(f):\n"
	                      "    for l in open('/proc/self/status'):\n"
	                      "        if l.startswith(f): return int(l.split()[1])\n"
	                      "data = open(sys.argv[1], 'rb').read()\n"
	                      "json.loads(b'{}')\n"
	                      "base = kib('VmRSS:')\n"
	                      "best = 1e9\n"
	                      "for i in range(5):\n"
	                      "    t = time.perf_counter(); json.loads(data); best = min(best, "
	                      "time.perf_counter() - t)\n"
	                      "    if i == 0: peak = kib('VmHWM:') - base\n"
	                      "print(best, peak)\n";
	const gchar *argv[] = {"/usr/bin/python3", "-c", script, path, NULL};
	g_autofree gchar *out = NULL;
	g_autoptr (GError) error = NULL;
	gint status = 0;

	if (!g_spawn_sync (NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
	                   &status, &error) ||
	    !g_spawn_check_wait_status (status, NULL)) {
		result.seconds = -1;
		return result;
	}
	sscanf (out, "%lf %" G_GINT64_FORMAT, &result.seconds, &result.peak_kib);
	return result;
}

int
main (int argc, char **argv)
{
	const guint sizes[] = {1000, 10000, 100000, 0 /* the crafted body */};
	g_autofree gchar *dir = g_dir_make_tmp ("bench-tuf-XXXXXX", NULL);
	gboolean ok = TRUE;

	g_print ("%-8s %9s | %-22s | %-22s | %-22s | %s\n", "targets", "file", "otad full verify",
	         "json-glib parse", "python json.loads",
	         "otad/json-glib time; otad (peak + file)/file");
	for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
		g_autofree gchar *root_path = NULL;
		g_autofree gchar *path = NULL;
		BenchResult otad, glib, py;
		GStatBuf st;
		gdouble file_mib, time_ratio, peak_ratio;
		gboolean row_ok;

		if (sizes[i] > 0) {
			bench_generate (sizes[i], dir, &root_path, &path);
		} else {
			/* the root only warms the libraries up */
			g_autofree gchar *unused = NULL;
			bench_generate (1, dir, &root_path, &unused);
			g_unlink (unused);
			path = bench_generate_crafted (dir);
		}
		g_assert_cmpint (g_stat (path, &st), ==, 0);
		file_mib = st.st_size / (1024.0 * 1024.0);
		otad = bench_fork (sizes[i] > 0 ? BENCH_OTAD : BENCH_OTAD_CRAFTED, root_path, path);
		glib = bench_fork (BENCH_JSON_GLIB, root_path, path);
		py = bench_python (path);
		time_ratio = otad.seconds / glib.seconds;
		peak_ratio = otad.peak_kib / 1024.0 / file_mib + 1;
		row_ok = time_ratio <= BENCH_MAX_TIME && peak_ratio <= BENCH_MAX_PEAK;
		ok &= row_ok;
		g_print ("%-8s %6.2f MiB | %7.1f ms %+9.1f MiB | %7.1f ms %+9.1f MiB | "
		         "%7.1f ms %+9.1f MiB | time %.2fx, peak %.2fx %s\n",
		         sizes[i] == 1000    ? "1k"
		         : sizes[i] == 10000 ? "10k"
		         : sizes[i] == 100000 ? "100k"
		                              : "[0,0,..]",
		         file_mib, otad.seconds * 1e3, otad.peak_kib / 1024.0, glib.seconds * 1e3,
		         glib.peak_kib / 1024.0, py.seconds * 1e3, py.peak_kib / 1024.0, time_ratio,
		         peak_ratio, row_ok ? "ok" : "FAIL");
		/* for bench/run: targets, file MiB, then ms and peak MiB of otad, json-glib, python */
		g_print ("= %u %.3f %.3f %.2f %.3f %.2f %.3f %.2f\n", sizes[i], file_mib,
		         otad.seconds * 1e3, otad.peak_kib / 1024.0, glib.seconds * 1e3,
		         glib.peak_kib / 1024.0, py.seconds * 1e3, py.peak_kib / 1024.0);
		g_unlink (root_path);
		g_unlink (path);
	}
	g_rmdir (dir);
	g_print ("limits: time %.2fx of json-glib, peak %.1fx of the file: %s\n", BENCH_MAX_TIME,
	         BENCH_MAX_PEAK, ok ? "met" : "NOT MET");
	return ok ? 0 : 1;
}
