/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "otad-tuf-repo.h"

G_BEGIN_DECLS

/*
 * Uptane full verification on a primary: the Director says what to install on which ECU,
 * the Image repository vouches for the images; both are TUF repositories.
 */

/* what the Director assigns to one ECU of this device, cross-checked with the Image repo */
typedef struct {
	gchar *name;            /* (owned) target name */
	gchar *ecu_serial;      /* (owned) */
	gchar *hardware_id;     /* (owned) */
	gchar *uri;             /* (owned) (nullable) custom.uri, Director's first, else Image's */
	OtadTufTargetInfo info; /* the Image repo's entry (length, hashes, custom) */
	OtadTufTargetInfo director_info;
	OtadTufMetadata *image_role;       /* (owned) keeps @info valid */
	OtadTufMetadata *director_targets; /* (owned) keeps @director_info valid */
} OtadUptaneTarget;

void otad_uptane_target_free (OtadUptaneTarget *target);

/* loads the trusted root of @repo; when there is none, installs a pre-provisioned one from
 * @search_dirs (each "<dir>/<repo_dir_name>/root.json", then 1.root.json), else fetches
 * 1.root.json when @allow_tofu, else fails with OTAD_TUF_ERROR_NO_TRUSTED_ROOT */
gboolean otad_uptane_ensure_root (OtadTufRepo *repo, const gchar *repo_dir_name,
                                  const gchar *const *search_dirs, gboolean allow_tofu,
                                  GCancellable *cancellable, GError **error);
/* the default search path: OTAD_VENDOR_DIR/tuf, then aktualizr-lite's /usr/lib/sota/tuf */
const gchar *const *otad_uptane_default_root_dirs (void);

/* refreshes the Director (timestamp/snapshot optional) and the Image repo, checks the
 * Director targets against @ecus (serial → hardware id) and each assigned target against the
 * Image repo (each file persisted as its step verifies it) and returns the targets for
 * this device's ECUs (element-type OtadUptaneTarget) */
GPtrArray *otad_uptane_check (OtadTufRepo *director, OtadTufRepo *image, GHashTable *ecus,
                              GCancellable *cancellable, GError **error);

/* aktualizr-lite: the Image repo alone; the newest target (custom.version compared as
 * version numbers) whose custom.hardwareIds contain @hardware_id and, when @tag is set,
 * whose custom.tags contain @tag.  OTAD_TUF_ERROR_UNKNOWN_TARGET when none fits. */
gchar *otad_uptane_lite_select (OtadTufRepo *image, const gchar *hardware_id, const gchar *tag,
                                OtadTufTargetInfo *out, GError **error);

/* an OSTree target (custom.targetFormat "OSTREE", as OTA CE writes it): the commit to pull is
 * its sha256; NULL for other targets */
gchar *otad_uptane_target_get_ostree_commit (const OtadTufTargetInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadUptaneTarget, otad_uptane_target_free)

G_END_DECLS
