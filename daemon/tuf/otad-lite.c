/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadLite"
#define _GNU_SOURCE /* strverscmp */

#include "config.h"

#include <string.h>

#include "otad-json.h"
#include "otad-lite.h"

gint
otad_lite_version_compare (const gchar *a, const gchar *b)
{
	/* exactly what aktualizr-lite's Version uses */
	gint c = strverscmp (a, b);
	return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

static gboolean
otad_lite_has_string (const OtadJsonNode *array, const gchar *value)
{
	for (guint32 i = 0; otad_json_is (array, OTAD_JSON_ARRAY) && i < array->n; i++) {
		if (otad_json_string_equal (&array->v.children[i], value))
			return TRUE;
	}
	return FALSE;
}

static gboolean
otad_lite_matches_tags (const OtadJsonNode *custom, const gchar *const *tags)
{
	const OtadJsonNode *target_tags;

	/* no configured tag: every target qualifies, as in aktualizr-lite */
	if (tags == NULL || tags[0] == NULL)
		return TRUE;
	target_tags = otad_json_object_get (custom, "tags");
	for (guint i = 0; tags[i] != NULL; i++) {
		if (otad_lite_has_string (target_tags, tags[i]))
			return TRUE;
	}
	return FALSE;
}

OtadTarget *
otad_lite_select (OtadTufMetadata *targets, const gchar *hardware_id, const gchar *const *tags)
{
	g_autoptr(OtadTarget) best = NULL;

	if (targets == NULL)
		return NULL;
	for (guint i = 0; i < otad_tuf_metadata_get_n_targets (targets); i++) {
		OtadTufTargetInfo info = {0};
		g_autofree gchar *name = NULL;
		g_autoptr(OtadTarget) t = NULL;

		if (!otad_tuf_metadata_get_target_nth (targets, i, &info, &name))
			continue;
		if (info.custom == NULL ||
		    !otad_lite_has_string (otad_json_object_get (info.custom, "hardwareIds"),
		                           hardware_id) ||
		    !otad_lite_matches_tags (info.custom, tags))
			continue;
		t = otad_target_new (name, &info);
		if (t->version == NULL || t->sha256 == NULL)
			continue;
		/* on equal versions the first listed stays: the order is deterministic */
		if (best == NULL || otad_lite_version_compare (t->version, best->version) > 0) {
			otad_target_free (best);
			best = g_steal_pointer (&t);
		}
	}
	return g_steal_pointer (&best);
}
