/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* the value types a key may have; getters must match the key's type */
typedef enum {
	OTAD_CONFIG_TYPE_STRING,      /* any single-line UTF-8 string */
	OTAD_CONFIG_TYPE_BOOLEAN,     /* true/false */
	OTAD_CONFIG_TYPE_UINT,	      /* decimal integer within [min, max] */
	OTAD_CONFIG_TYPE_ENUM,	      /* one of the listed choices, got as a string */
	OTAD_CONFIG_TYPE_STRING_LIST, /* ;-separated list */
} OtadConfigType;

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
