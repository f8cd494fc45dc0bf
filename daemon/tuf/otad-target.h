/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-tuf-metadata.h"

G_BEGIN_DECLS

/* what this device should run, as the verified metadata describes it */
typedef struct {
	gchar *name;           /* (owned) target name */
	gchar *sha256;         /* (owned) hex; the OSTree commit for OSTREE targets */
	guint64 length;        /* 0 for OSTree targets */
	gchar *version;        /* (owned) (nullable) custom.version */
	gchar *uri;            /* (owned) (nullable) custom.uri */
	gchar *target_format;  /* (owned) (nullable) custom.targetFormat: OSTREE / BINARY */
	gchar **hardware_ids;  /* (owned) (nullable) custom.hardwareIds */
	gchar **tags;          /* (owned) (nullable) custom.tags */
	gchar *correlation_id; /* (owned) (nullable) the Director's campaign */
	gchar *ecu_serial;     /* (owned) (nullable) the ECU the Director assigned it to */
	gchar *release_notes;  /* (owned) (nullable) custom.releaseNotes, shown in the offer */
	gchar *label;          /* (owned) (nullable) custom.label, a short title for the offer */
} OtadTarget;

void otad_target_free (OtadTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTarget, otad_target_free)

/* a target from a (verified) targets role entry; @custom_source overrides nothing */
OtadTarget *otad_target_new (const gchar *name, const OtadTufTargetInfo *info);

G_END_DECLS
