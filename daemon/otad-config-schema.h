/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-config.h"

G_BEGIN_DECLS

/* checks one value (an item of a list for STRING_LIST); the message says what is wrong
 * with the value, the caller adds FILE:LINE: [group] key */
typedef gboolean (*OtadConfigValidator) (const gchar *value, GError **error);

typedef struct {
	const gchar *group;
	const gchar *key;
	OtadConfigType type;
	const gchar *default_value; /* in key file syntax */
	guint64 min;		    /* UINT only */
	guint64 max;		    /* UINT only */
	const gchar *const *choices; /* ENUM only */
	OtadConfigValidator validator; /* STRING and STRING_LIST items, optional */
} OtadConfigKey;

const OtadConfigKey *otad_config_schema_get (guint idx);
guint otad_config_schema_n_keys (void);
gint otad_config_schema_find (const gchar *group, const gchar *key);
gboolean otad_config_schema_group_known (const gchar *group);
GVariant *otad_config_schema_parse_value (const OtadConfigKey *item,
					  GKeyFile *kf,
					  const gchar *group,
					  const gchar *key,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
