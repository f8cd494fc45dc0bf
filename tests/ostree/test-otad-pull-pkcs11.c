/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* a static delta pull from a TreeHub that demands a client certificate, with the device key
 * in SoftHSM2 behind a PKCS#11 URI: otad's transport carries the delta, and the objects when
 * there is no delta (libostree's object pull cannot use the key) */
#include "config.h"

#include "otad-space.h"
#include "otad-test-fixture.h"
#include "otad-test-softhsm.h"

static gchar *pki_dir; /* device and server certificates; the device key is in the token */

static OtadHttp *
make_http (gboolean with_identity)
{
	g_autoptr(OtadHttp) http = otad_http_new ();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca = g_build_filename (pki_dir, "ca.crt", NULL);

	g_assert_true (otad_http_set_ca_file (http, ca, &error));
	g_assert_no_error (error);
	/* fail fast: the refusals below are not worth retrying */
	otad_http_set_retry (http, 1, 10, 10, 1);
	otad_http_set_pkcs11_pin (http, OTAD_TEST_SOFTHSM_PIN);
	if (with_identity) {
		g_assert_true (otad_http_set_client_certificate (
		    http, OTAD_TEST_SOFTHSM_CERT_URI, OTAD_TEST_SOFTHSM_KEY_URI, &error));
		g_assert_no_error (error);
	}
	return g_steal_pointer (&http);
}

static void
test_pull_pkcs11_delta (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *ca_crt = g_build_filename (pki_dir, "ca.crt", NULL);
	g_autofree gchar *key_uri = NULL;
	g_autofree gchar *c = NULL;
	g_autofree gchar *d = NULL;
	g_autoptr(OtadTestServer) tls_server = otad_test_server_new_mtls (fx->srv, pki_dir);
	g_autoptr(OtadHttp) anonymous = make_http (FALSE);
	g_autoptr(OtadHttp) http = make_http (TRUE);
	OtadPullOptions options = fixture_options (fx, OTAD_PULL_FLAGS_NONE);
	guint64 delta_size, sent;

	options.url = otad_test_server_get_url (tls_server);
	options.tls_ca_path = ca_crt; /* for libostree */
	fixture_generate_delta (fx, NULL);
	delta_size = otad_test_delta_size (fx->srv, fx->a, fx->b);

	/* the same transport without the token's identity: the server refuses the handshake */
	options.http = anonymous;
	g_assert_false (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_TLS);
	g_test_message ("without the PKCS#11 identity: %s", error->message);
	g_clear_error (&error);
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, NULL), ==, 0);

	/* with it: the delta, and nothing but the delta, through otad's transport */
	options.http = http;
	ASSERT_OK (otad_pull_commit (fx->repo, &options, fx->b, NULL, NULL, NULL, &error));
	ASSERT_OK (otad_pull_verify_commit (fx->repo, fx->b, NULL, &error));
	sent = otad_test_server_get_bytes (tls_server, NULL);
	g_test_message ("delta %" G_GUINT64_FORMAT " bytes, transferred %" G_GUINT64_FORMAT,
			delta_size, sent);
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/objects/"), ==, 0);
	g_assert_cmpuint (sent * 100, <=, delta_size * 110);
	g_assert_cmpuint (sent * 100, >=, delta_size * 90);

	/* no delta to C: libostree cannot present the token's key, so the objects come
	 * through otad's transport, with the device certificate (the server demands it) */
	c = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v3", "2026-03-01");
	options.from_commit = fx->b;
	otad_test_server_reset (tls_server);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, c, NULL, NULL, NULL, &error));
	ASSERT_OK (otad_pull_verify_commit (fx->repo, c, NULL, &error));
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/objects/"), >, 0);
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/deltas/"), ==, 0);

	/* the URIs as pull settings (no OtadHttp given): otad builds its transport from them */
	g_free (c);
	c = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v3.1", "2026-03-02");
	fixture_generate_delta_between (fx, fx->b, c, NULL);
	key_uri = g_strconcat (OTAD_TEST_SOFTHSM_KEY_URI, "?pin-value=", OTAD_TEST_SOFTHSM_PIN,
			       NULL);
	options.http = NULL;
	options.tls_client_cert_path = OTAD_TEST_SOFTHSM_CERT_URI;
	options.tls_client_key_path = key_uri;
	otad_test_server_reset (tls_server);
	ASSERT_OK (otad_pull_commit (fx->repo, &options, c, NULL, NULL, NULL, &error));
	ASSERT_OK (otad_pull_verify_commit (fx->repo, c, NULL, &error));
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/deltas/"), >, 0);
	g_assert_cmpuint (otad_test_server_get_bytes (tls_server, "/objects/"), ==, 0);

	/* and the space estimate reads that delta's superblock through the token too */
	d = otad_test_commit (fx->srv, fx->tree, "demo/x86_64", "v4", "2026-04-01");
	fixture_generate_delta_between (fx, c, d, NULL);
	options.from_commit = c;
	{
		OtadSpaceEstimate est = { 0 };
		ASSERT_OK (otad_space_estimate (fx->repo, &options, d, 0, &est, NULL, &error));
		g_assert_cmpint (est.source, ==, OTAD_SPACE_SOURCE_DELTA);
		g_assert_cmpuint (est.download_bytes, ==, otad_test_delta_size (fx->srv, c, d));
	}
}

int
main (int argc, char **argv)
{
	g_autofree gchar *tmp = NULL;
	g_autofree gchar *hsm = NULL;
	g_autofree gchar *dev_crt = NULL;
	g_autofree gchar *dev_key = NULL;
	int rc;

	g_test_init (&argc, &argv, NULL);
	/* the tools these tests run, or one line saying which package is missing */
	otad_test_ostree_require_tools ();
	/* a missing tool fails the test with one line naming the package, never a skip */
	otad_test_softhsm_require_tools ();
	tmp = otad_test_make_tmpdir ();
	hsm = g_build_filename (tmp, "hsm", NULL);
	pki_dir = g_build_filename (tmp, "pki", NULL);
	/* before the TLS backend loads the p11-kit modules */
	otad_test_softhsm_prepare (hsm);
	otad_test_make_pki (pki_dir);
	dev_crt = g_build_filename (pki_dir, "device.crt", NULL);
	dev_key = g_build_filename (pki_dir, "device.key", NULL);
	otad_test_softhsm_setup (hsm, dev_crt, dev_key);

	g_test_add ("/otad/pull/pkcs11-delta", Fixture, NULL, fixture_set_up,
		    test_pull_pkcs11_delta, fixture_tear_down);
	rc = g_test_run ();

	otad_test_rm_rf (tmp);
	g_free (pki_dir);
	return rc;
}
