/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Canonical JSON (securesystemslib encode_canonical / OLPC) for json-glib trees: what the
 * manifest signer and the ECU key id need.  It does not write canonical JSON itself: the
 * tree is read by the TUF layer's strict reader (otad-json.c) and written by its one
 * canonical writer, so what otad signs and what otad verifies are the same bytes by
 * construction.  Floats, and anything else canonical JSON cannot hold, are refused.
 */
gchar *otad_canonical_json_from_node (JsonNode *node, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
