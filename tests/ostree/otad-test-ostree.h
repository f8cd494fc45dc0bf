/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* helpers for the ostree suite: real repos made with the ostree CLI, a real HTTP server */

/* ostree, chattr, openssl and /usr/bin/python3 (the HTTP server) are there, or the
 * test program ends with the one-line reason (otad-test-require.h); call in main() */
void otad_test_ostree_require_tools (void);
gchar *otad_test_run (const gchar *cwd, const gchar *const *argv);
#define OTAD_TEST_RUN(cwd, ...)                                                             \
	otad_test_run (cwd, (const gchar *const[]){ __VA_ARGS__, NULL })

gchar *otad_test_make_tmpdir (void);
void otad_test_rm_rf (const gchar *path);
void otad_test_write_random (const gchar *path, gsize size);
void otad_test_write_text (const gchar *path, const gchar *text);
gchar *otad_test_make_tree (const gchar *dir);
gchar *otad_test_commit (const gchar *repo, const gchar *tree, const gchar *branch,
			 const gchar *subject, const gchar *timestamp);
void otad_test_make_pki (const gchar *dir);
guint64 otad_test_delta_size (const gchar *repo, const gchar *from, const gchar *to);

typedef struct _OtadTestServer OtadTestServer;
typedef struct {
	const gchar *cert;
	const gchar *key;
	const gchar *client_ca;
	const gchar *client_cert; /* used for the control requests */
	const gchar *client_key;
	const gchar *ca;
} OtadTestServerTls;

OtadTestServer *otad_test_server_new (const gchar *root, const OtadTestServerTls *tls);
OtadTestServer *otad_test_server_new_mtls (const gchar *root, const gchar *pki_dir);
void otad_test_server_free (OtadTestServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTestServer, otad_test_server_free)
const gchar *otad_test_server_get_url (OtadTestServer *self);
guint64 otad_test_server_get_bytes (OtadTestServer *self, const gchar *path_prefix);
void otad_test_server_reset (OtadTestServer *self);
void otad_test_server_cut_after (OtadTestServer *self, guint64 bytes);
/* every object request waits @ms before its answer (0: none) */
void otad_test_server_delay (OtadTestServer *self, guint ms);
/* the most requests the server answered at once since the last reset */
guint otad_test_server_get_max_in_flight (OtadTestServer *self);

G_END_DECLS
