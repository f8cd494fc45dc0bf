/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "otad-http.h"

G_BEGIN_DECLS

/* tests/server/otaserver.py run as a child process for one test */
typedef struct {
	GSubprocess *proc; /* (owned) */
	gchar *dir;        /* (owned) certificates, roots, request log */
	gchar *base_url;   /* (owned) https://127.0.0.1:PORT */
	guint16 port;
	guint16 control_port;
} OtadTestServer;

/* /usr/bin/python3 and the modules otaserver.py imports are there (otad-test-require.h);
 * otad_test_server_start() checks too, main() may check before any test starts */
void otad_test_server_require_tools (void);
OtadTestServer *otad_test_server_start (const gchar *dir, const gchar *const *extra_args);
void otad_test_server_stop (OtadTestServer *server);
void otad_test_server_free (OtadTestServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTestServer, otad_test_server_free)

/* POST a JSON document to the control port; aborts the test on failure */
void otad_test_server_control (OtadTestServer *server, const gchar *path, const gchar *json);
/* the request log (array of objects); tls_error entries included */
JsonArray *otad_test_server_log (OtadTestServer *server);
/* requests in the log whose "path" equals @path (or all when NULL) */
guint otad_test_server_count (OtadTestServer *server, const gchar *method, const gchar *path);
gchar *otad_test_server_path (OtadTestServer *server, const gchar *file);
/* an OtadHttp set up with the test CA and the device certificate */
OtadHttp *otad_test_server_http (OtadTestServer *server);

gchar *otad_test_mkdtemp (void);
void otad_test_rm_rf (const gchar *dir);

G_END_DECLS
