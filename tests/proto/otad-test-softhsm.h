/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SoftHSM2 tokens for tests, made by tests/proto/softhsm-setup.sh (shared by the proto and
 * ostree suites) */

#define OTAD_TEST_SOFTHSM_PIN "1234"
#define OTAD_TEST_SOFTHSM_CERT_URI "pkcs11:token=otad;object=devkey;type=cert"
#define OTAD_TEST_SOFTHSM_KEY_URI "pkcs11:token=otad;object=devkey;type=private"

/* softhsm2-util, p11tool and certtool are there, or the test program ends with the
 * one-line reason (otad-test-require.h) */
void otad_test_softhsm_require_tools (void);
/* points SOFTHSM2_CONF into @dir: call before any thread exists and before the TLS
 * backend loads the p11-kit modules */
void otad_test_softhsm_prepare (const gchar *dir);
/* a token "otad" (user PIN 1234) in @dir holding @cert and @key as object "devkey" and an
 * ed25519 key "ecukey"; after otad_test_softhsm_prepare (@dir) */
void otad_test_softhsm_setup (const gchar *dir, const gchar *cert, const gchar *key);

G_END_DECLS
