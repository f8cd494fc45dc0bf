/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadTarget"

#include "config.h"

#include "otad-json.h"
#include "otad-target.h"

/*
 * A verified target as the check-in hands it on: the fields otad uses from a
 * targets role entry and its custom data (aktualizr's Uptane::Target reads the
 * same keys: hardwareIds, targetFormat, uri, version, tags; releaseNotes and label are
 * otad's, for the offer an HMI shows).
 */

void
otad_target_free (OtadTarget *target)
{
	if (target == NULL)
		return;
	g_free (target->name);
	g_free (target->sha256);
	g_free (target->version);
	g_free (target->uri);
	g_free (target->target_format);
	g_strfreev (target->hardware_ids);
	g_strfreev (target->tags);
	g_free (target->correlation_id);
	g_free (target->ecu_serial);
	g_free (target->release_notes);
	g_free (target->label);
	g_free (target);
}

static gchar **
otad_target_dup_strv (const OtadJsonNode *array)
{
	g_autoptr(GPtrArray) out = NULL;

	if (!otad_json_is (array, OTAD_JSON_ARRAY))
		return NULL;
	out = g_ptr_array_new_with_free_func (g_free);
	for (guint32 i = 0; i < array->n; i++) {
		if (otad_json_is (&array->v.children[i], OTAD_JSON_STRING))
			g_ptr_array_add (out, otad_json_dup_string (&array->v.children[i]));
	}
	g_ptr_array_add (out, NULL);
	return (gchar **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

OtadTarget *
otad_target_new (const gchar *name, const OtadTufTargetInfo *info)
{
	OtadTarget *t = g_new0 (OtadTarget, 1);
	const OtadJsonNode *custom = info->custom;

	t->name = g_strdup (name);
	t->sha256 = otad_json_dup_string (otad_json_object_get (info->hashes, "sha256"));
	t->length = info->length > 0 ? (guint64)info->length : 0;
	if (custom != NULL) {
		const OtadJsonNode *v = otad_json_object_get (custom, "version");
		/* some servers write the version as a number */
		if (otad_json_is (v, OTAD_JSON_INT))
			t->version = g_strdup_printf ("%" G_GINT64_FORMAT, v->v.i);
		else if (otad_json_is (v, OTAD_JSON_STRING))
			t->version = otad_json_dup_string (v);
		if (otad_json_is (otad_json_object_get (custom, "uri"), OTAD_JSON_STRING))
			t->uri = otad_json_dup_string (otad_json_object_get (custom, "uri"));
		if (otad_json_is (otad_json_object_get (custom, "targetFormat"), OTAD_JSON_STRING))
			t->target_format =
			    otad_json_dup_string (otad_json_object_get (custom, "targetFormat"));
		t->hardware_ids =
		    otad_target_dup_strv (otad_json_object_get (custom, "hardwareIds"));
		t->tags = otad_target_dup_strv (otad_json_object_get (custom, "tags"));
		/* what an HMI shows beside the offer; signed with the rest of the entry */
		if (otad_json_is (otad_json_object_get (custom, "releaseNotes"), OTAD_JSON_STRING))
			t->release_notes =
			    otad_json_dup_string (otad_json_object_get (custom, "releaseNotes"));
		if (otad_json_is (otad_json_object_get (custom, "label"), OTAD_JSON_STRING))
			t->label = otad_json_dup_string (otad_json_object_get (custom, "label"));
	}
	return t;
}
