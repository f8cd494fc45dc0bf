/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sys/wait.h>
#include <unistd.h>

#include "otad-delta.h"
#include "otad-test-ostree.h"
#include "otad-test-require.h"

void
otad_test_ostree_require_tools (void)
{
	otad_test_require_program ("ostree", "ostree");
	/* otad_test_rm_rf: deployments carry the immutable bit */
	otad_test_require_program ("chattr", "e2fsprogs");
	otad_test_require_program ("openssl", "openssl");
	otad_test_require_program ("/usr/bin/python3", "python3");
}

gchar *
otad_test_run (const gchar *cwd, const gchar *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = 0;

	if (!g_spawn_sync (cwd, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			   &status, &error))
		g_error ("failed to run %s: %s", argv[0], error->message);
	if (!g_spawn_check_wait_status (status, &error)) {
		g_autofree gchar *cmd = g_strjoinv (" ", (gchar **)argv);
		g_error ("%s failed: %s\n%s", cmd, error->message, err);
	}
	return g_strstrip (g_steal_pointer (&out));
}

gchar *
otad_test_make_tmpdir (void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp ("otad-ostree-XXXXXX", &error);

	g_assert_no_error (error);
	return dir;
}

void
otad_test_rm_rf (const gchar *path)
{
	/* deployments carry the immutable bit; chattr fails on symlinks, which is fine */
	const gchar *chattr[] = { "chattr", "-R", "-f", "-i", path, NULL };
	g_autofree gchar *out = NULL;

	g_spawn_sync (NULL, (gchar **)chattr, NULL,
		      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
		      NULL, NULL, NULL, NULL, NULL, NULL);
	out = OTAD_TEST_RUN (NULL, "rm", "-rf", path);
}

void
otad_test_write_random (const gchar *path, gsize size)
{
	g_autofree guint8 *buf = g_malloc (size);
	g_autoptr(GError) error = NULL;
	g_autoptr(GRand) rand = g_rand_new ();

	for (gsize i = 0; i < size; i += 4) {
		guint32 v = g_rand_int (rand);
		memcpy (buf + i, &v, MIN (4, size - i));
	}
	g_file_set_contents (path, (const gchar *)buf, (gssize)size, &error);
	g_assert_no_error (error);
}

void
otad_test_write_text (const gchar *path, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_path_get_dirname (path);

	g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
	g_file_set_contents (path, text, -1, &error);
	g_assert_no_error (error);
}

/* a deployable tree: kernel, initramfs, os-release, /usr/etc and /var */
gchar *
otad_test_make_tree (const gchar *dir)
{
	gchar *tree = g_build_filename (dir, "tree", NULL);
	const gchar *files[][2] = {
		{ "usr/lib/modules/6.1.0/vmlinuz", "kernel" },
		{ "usr/lib/modules/6.1.0/initramfs.img", "initramfs" },
		{ "usr/lib/os-release", "NAME=demo\nID=demo\n" },
		{ "usr/etc/hostname", "demo\n" },
		{ "usr/etc/otad-test.conf", "value=factory\n" },
		{ "usr/bin/tool", "v1\n" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS (files); i++) {
		g_autofree gchar *path = g_build_filename (tree, files[i][0], NULL);
		otad_test_write_text (path, files[i][1]);
	}
	/* an empty /var: content there would only be ignored by deploy, noisily */
	{
		g_autofree gchar *var = g_build_filename (tree, "var", NULL);
		g_assert_cmpint (g_mkdir_with_parents (var, 0755), ==, 0);
	}
	return tree;
}

gchar *
otad_test_commit (const gchar *repo,
		  const gchar *tree,
		  const gchar *branch,
		  const gchar *subject,
		  const gchar *timestamp)
{
	g_autofree gchar *repo_arg = g_strconcat ("--repo=", repo, NULL);
	g_autofree gchar *tree_arg = g_strconcat ("--tree=dir=", tree, NULL);
	g_autofree gchar *branch_arg = g_strconcat ("--branch=", branch, NULL);
	g_autofree gchar *subject_arg = g_strconcat ("--subject=", subject, NULL);
	g_autofree gchar *ts_arg = g_strconcat ("--timestamp=",
						timestamp != NULL ? timestamp : "2026-01-01", NULL);

	return OTAD_TEST_RUN (NULL, "ostree", repo_arg, "commit", branch_arg, tree_arg,
			      subject_arg, ts_arg, "--owner-uid=0", "--owner-gid=0", "--no-xattrs",
			      "--generate-sizes");
}

static guint64
otad_test_dir_size (const gchar *dir)
{
	g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
	const gchar *name;
	guint64 total = 0;

	g_assert_nonnull (d);
	while ((name = g_dir_read_name (d)) != NULL) {
		g_autofree gchar *path = g_build_filename (dir, name, NULL);
		GStatBuf st;
		g_assert_cmpint (g_stat (path, &st), ==, 0);
		total += (guint64)st.st_size;
	}
	return total;
}

/* bytes of the delta's files on the server: superblock and parts */
guint64
otad_test_delta_size (const gchar *repo, const gchar *from, const gchar *to)
{
	g_autofree gchar *relpath = otad_delta_get_relpath (from, to, NULL);
	g_autofree gchar *dir = g_build_filename (repo, relpath, NULL);

	return otad_test_dir_size (dir);
}

static void
otad_test_make_cert (const gchar *dir, const gchar *name, const gchar *cn, const gchar *ext)
{
	g_autofree gchar *key = g_strdup_printf ("%s/%s.key", dir, name);
	g_autofree gchar *csr = g_strdup_printf ("%s/%s.csr", dir, name);
	g_autofree gchar *crt = g_strdup_printf ("%s/%s.crt", dir, name);
	g_autofree gchar *subj = g_strdup_printf ("/CN=%s", cn);
	g_autofree gchar *ca_crt = g_strdup_printf ("%s/ca.crt", dir);
	g_autofree gchar *ca_key = g_strdup_printf ("%s/ca.key", dir);
	g_autofree gchar *out = NULL;

	out = OTAD_TEST_RUN (dir, "openssl", "req", "-newkey", "ec", "-pkeyopt",
			     "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj",
			     subj);
	g_clear_pointer (&out, g_free);
	out = OTAD_TEST_RUN (dir, "openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey",
			     ca_key, "-CAcreateserial", "-out", crt, "-days", "2", "-extfile", ext);
}

/* DIR/ca.{crt,key}, DIR/server.{crt,key} for 127.0.0.1 and DIR/device.{crt,key}, PEM */
void
otad_test_make_pki (const gchar *dir)
{
	g_autofree gchar *ext = g_build_filename (dir, "ext.cnf", NULL);
	g_autofree gchar *ca_crt = g_build_filename (dir, "ca.crt", NULL);
	g_autofree gchar *ca_key = g_build_filename (dir, "ca.key", NULL);
	g_autofree gchar *out = NULL;

	g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
	otad_test_write_text (ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
	out = OTAD_TEST_RUN (dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
			     "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out", ca_crt,
			     "-subj", "/CN=otad test CA", "-days", "2");
	otad_test_make_cert (dir, "server", "127.0.0.1", ext);
	otad_test_make_cert (dir, "device", "otad-test-device", ext);
}

struct _OtadTestServer {
	GPid pid;
	gint stdin_fd;
	gchar *url;
	SoupSession *session;
	GTlsCertificate *client_cert;
};

OtadTestServer *
otad_test_server_new (const gchar *root, const OtadTestServerTls *tls)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new ();
	g_autoptr(GError) error = NULL;
	g_autoptr(GInputStream) out_stream = NULL;
	g_autoptr(GDataInputStream) data = NULL;
	g_autofree gchar *line = NULL;
	OtadTestServer *self = g_new0 (OtadTestServer, 1);
	gint stdout_fd = -1;

	g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
	g_ptr_array_add (argv, (gpointer)OTAD_TEST_SRCDIR "/treehub-server.py");
	g_ptr_array_add (argv, (gpointer)root);
	if (tls != NULL) {
		g_ptr_array_add (argv, (gpointer) "--cert");
		g_ptr_array_add (argv, (gpointer)tls->cert);
		g_ptr_array_add (argv, (gpointer) "--key");
		g_ptr_array_add (argv, (gpointer)tls->key);
		if (tls->client_ca != NULL) {
			g_ptr_array_add (argv, (gpointer) "--client-ca");
			g_ptr_array_add (argv, (gpointer)tls->client_ca);
		}
	}
	g_ptr_array_add (argv, NULL);
	/* the server must not load the ASan runtime the test may have preloaded */
	{
		g_auto(GStrv) envp = g_get_environ ();
		envp = g_environ_unsetenv (envp, "LD_PRELOAD");
		g_spawn_async_with_pipes (NULL, (gchar **)argv->pdata, envp, G_SPAWN_DO_NOT_REAP_CHILD,
					  NULL, NULL, &self->pid, &self->stdin_fd, &stdout_fd, NULL,
					  &error);
	}
	g_assert_no_error (error);
	out_stream = g_unix_input_stream_new (stdout_fd, TRUE);
	data = g_data_input_stream_new (out_stream);
	line = g_data_input_stream_read_line (data, NULL, NULL, &error);
	g_assert_no_error (error);
	g_assert_nonnull (line);
	g_assert_true (g_str_has_prefix (line, "PORT "));
	self->url = g_strdup_printf ("%s://127.0.0.1:%s", tls != NULL ? "https" : "http",
				     line + 5);
	self->session = soup_session_new_with_options ("timeout", 30, NULL);
	if (tls != NULL) {
		g_autoptr(GTlsDatabase) db = g_tls_file_database_new (tls->ca, &error);
		g_assert_no_error (error);
		soup_session_set_tls_database (self->session, db);
		if (tls->client_cert != NULL) {
			self->client_cert = g_tls_certificate_new_from_files (tls->client_cert,
									      tls->client_key,
									      &error);
			g_assert_no_error (error);
		}
	}
	return self;
}

/* HTTPS with the PKI of otad_test_make_pki (@pki_dir), demanding a device certificate */
OtadTestServer *
otad_test_server_new_mtls (const gchar *root, const gchar *pki_dir)
{
	g_autofree gchar *ca_crt = g_build_filename (pki_dir, "ca.crt", NULL);
	g_autofree gchar *srv_crt = g_build_filename (pki_dir, "server.crt", NULL);
	g_autofree gchar *srv_key = g_build_filename (pki_dir, "server.key", NULL);
	g_autofree gchar *dev_crt = g_build_filename (pki_dir, "device.crt", NULL);
	g_autofree gchar *dev_key = g_build_filename (pki_dir, "device.key", NULL);
	OtadTestServerTls tls = { .cert = srv_crt, .key = srv_key, .client_ca = ca_crt,
				  .client_cert = dev_crt, .client_key = dev_key, .ca = ca_crt };

	return otad_test_server_new (root, &tls);
}

void
otad_test_server_free (OtadTestServer *self)
{
	int status = 0;

	if (self == NULL)
		return;
	/* EOF on stdin makes the server exit */
	close (self->stdin_fd);
	waitpid (self->pid, &status, 0);
	g_spawn_close_pid (self->pid);
	g_clear_object (&self->session);
	g_clear_object (&self->client_cert);
	g_free (self->url);
	g_free (self);
}

const gchar *
otad_test_server_get_url (OtadTestServer *self)
{
	return self->url;
}

static JsonNode *
otad_test_server_control (OtadTestServer *self, const gchar *path)
{
	g_autofree gchar *url = g_strconcat (self->url, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonParser) parser = json_parser_new ();

	if (self->client_cert != NULL)
		soup_message_set_tls_client_certificate (msg, self->client_cert);
	bytes = soup_session_send_and_read (self->session, msg, NULL, &error);
	g_assert_no_error (error);
	g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
	json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
				    (gssize)g_bytes_get_size (bytes), &error);
	g_assert_no_error (error);
	return json_node_copy (json_parser_get_root (parser));
}

/* body bytes the server sent since the last reset, for paths starting with @path_prefix */
guint64
otad_test_server_get_bytes (OtadTestServer *self, const gchar *path_prefix)
{
	g_autoptr(JsonNode) root = otad_test_server_control (self, "/__stats");
	JsonObject *paths = json_object_get_object_member (json_node_get_object (root), "paths");
	g_autoptr(GList) members = json_object_get_members (paths);
	guint64 total = 0;

	for (GList *l = members; l != NULL; l = l->next) {
		if (path_prefix == NULL || g_str_has_prefix (l->data, path_prefix))
			total += (guint64)json_object_get_int_member (paths, l->data);
	}
	return total;
}

void
otad_test_server_reset (OtadTestServer *self)
{
	g_autoptr(JsonNode) root = otad_test_server_control (self, "/__reset");
}

void
otad_test_server_delay (OtadTestServer *self, guint ms)
{
	g_autofree gchar *path = g_strdup_printf ("/__delay?ms=%u", ms);
	g_autoptr(JsonNode) root = otad_test_server_control (self, path);
}

guint
otad_test_server_get_max_in_flight (OtadTestServer *self)
{
	g_autoptr(JsonNode) root = otad_test_server_control (self, "/__stats");
	return (guint)json_object_get_int_member (json_node_get_object (root), "max_in_flight");
}

void
otad_test_server_cut_after (OtadTestServer *self, guint64 bytes)
{
	g_autofree gchar *path = g_strdup_printf ("/__cut?after=%" G_GUINT64_FORMAT, bytes);
	g_autoptr(JsonNode) root = otad_test_server_control (self, path);
}
