/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the JSON reader and both canonical JSON writers; canonical output must
 * parse again and be a fixed point */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "otad-json.h"

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
	g_autoptr (GBytes) bytes = g_bytes_new (data, size);
	g_autoptr (OtadJsonDoc) doc = otad_json_doc_new_from_bytes (bytes, NULL);
	g_autoptr (GString) canonical = NULL;
	g_autoptr (GBytes) again_bytes = NULL;
	g_autoptr (OtadJsonDoc) again = NULL;
	g_autoptr (GString) canonical2 = NULL;
	g_autoptr (GString) jsoncpp = NULL;
	g_autoptr (GBytes) jsoncpp_bytes = NULL;
	g_autoptr (OtadJsonDoc) jsoncpp_doc = NULL;
	g_autoptr (GString) jsoncpp2 = NULL;

	if (doc == NULL)
		return 0;
	/* aktualizr's form escapes every control character: always JSON, always a fixed
	 * point */
	jsoncpp = otad_json_canonicalize (otad_json_doc_get_root (doc), OTAD_JSON_FORM_JSONCPP, size);
	jsoncpp_bytes = g_bytes_new (jsoncpp->str, jsoncpp->len);
	jsoncpp_doc = otad_json_doc_new_from_bytes (jsoncpp_bytes, NULL);
	if (jsoncpp_doc == NULL)
		abort ();
	jsoncpp2 =
	    otad_json_canonicalize (otad_json_doc_get_root (jsoncpp_doc), OTAD_JSON_FORM_JSONCPP, 0);
	if (jsoncpp2->len != jsoncpp->len || memcmp (jsoncpp2->str, jsoncpp->str, jsoncpp->len) != 0)
		abort ();
	canonical = otad_json_canonicalize (otad_json_doc_get_root (doc), OTAD_JSON_FORM_OLPC, size);
	/* canonical JSON is never longer than its source */
	if (canonical->len > size)
		abort ();
	again_bytes = g_bytes_new (canonical->str, canonical->len);
	again = otad_json_doc_new_from_bytes (again_bytes, NULL);
	/* strings with control characters are written raw, as securesystemslib does, so
	 * the output is not always JSON again; when it is, it must be a fixed point */
	if (again == NULL)
		return 0;
	canonical2 = otad_json_canonicalize (otad_json_doc_get_root (again), OTAD_JSON_FORM_OLPC, 0);
	if (canonical2->len != canonical->len ||
	    memcmp (canonical2->str, canonical->str, canonical->len) != 0)
		abort ();
	return 0;
}
