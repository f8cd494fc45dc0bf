/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "otad-json.h"
#include "otad-tuf-key.h"

G_BEGIN_DECLS

typedef enum {
	OTAD_TUF_ROLE_ROOT,
	OTAD_TUF_ROLE_TIMESTAMP,
	OTAD_TUF_ROLE_SNAPSHOT,
	OTAD_TUF_ROLE_TARGETS, /* top-level or delegated */
} OtadTufRoleType;

/* a role as root or a delegating targets role defines it */
typedef struct {
	gchar *name;       /* (owned) */
	GPtrArray *keyids; /* (owned) (element-type utf8) */
	guint threshold;
	/* delegations only */
	gboolean terminating;
	GPtrArray *paths;              /* (owned) (nullable) (element-type utf8) */
	GPtrArray *path_hash_prefixes; /* (owned) (nullable) (element-type utf8) */
} OtadTufRole;

/* an entry of timestamp's or snapshot's `meta` */
typedef struct {
	gint64 version;
	gint64 length;              /* -1 when not given */
	const OtadJsonNode *hashes; /* (unowned) (nullable) */
	/* length and hashes are those of the file's canonical form (OTA dialect, as
	 * aktualizr checks them), not of its bytes */
	gboolean canonical;
} OtadTufMetaFile;

/* a target as a targets role lists it */
typedef struct {
	gint64 length;
	const OtadJsonNode *hashes; /* (unowned) object algorithm → hex */
	const OtadJsonNode *custom; /* (unowned) (nullable) */
} OtadTufTargetInfo;

typedef struct {
	gint ref_count;
	OtadJsonDoc *doc; /* (owned) */
	OtadTufRoleType type;
	gchar *role_name;                /* (owned) "root", "targets", or a delegated role's name */
	const OtadJsonNode *signed_node; /* (unowned) */
	const OtadJsonNode *signatures;  /* (unowned) */
	/* OTA CE / aktualizr dialect: `_type` capitalised ("Targets") */
	gboolean ota_dialect;
	gint64 version;
	gint64 expires; /* unix time */
	/* root */
	GHashTable *keys;  /* (owned) (nullable) keyid → OtadTufKey */
	GHashTable *roles; /* (owned) (nullable) name → OtadTufRole */
	gboolean consistent_snapshot;
	/* timestamp and snapshot */
	GHashTable *meta; /* (owned) (nullable) file name → OtadTufMetaFile */
	/* targets */
	const OtadJsonNode *targets; /* (unowned) (nullable) */
	const OtadJsonNode *custom;  /* (unowned) (nullable) signed.custom */
	GHashTable *delegation_keys; /* (owned) (nullable) keyid → OtadTufKey */
	GPtrArray *delegations;      /* (owned) (nullable) OtadTufRole, in order */
} OtadTufMetadata;

OtadTufMetadata *otad_tuf_metadata_parse (GBytes *bytes, OtadTufRoleType type,
                                          const gchar *role_name,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
OtadTufMetadata *otad_tuf_metadata_ref (OtadTufMetadata *md);
void otad_tuf_metadata_unref (OtadTufMetadata *md);
GBytes *otad_tuf_metadata_get_bytes (OtadTufMetadata *md);
const gchar *otad_tuf_role_type_to_string (OtadTufRoleType type);

/* counts valid signatures over the canonical `signed` by distinct keys of @role; below the
 * threshold: BAD_SIGNATURE when a signature by an authorised key does not verify,
 * THRESHOLD otherwise */
gboolean otad_tuf_metadata_verify_role (OtadTufMetadata *md, GHashTable *keys,
                                        const OtadTufRole *role, const gchar *signer,
                                        GError **error);
gboolean otad_tuf_metadata_check_expiry (OtadTufMetadata *md, gint64 now, GError **error);

const OtadTufRole *otad_tuf_metadata_get_role (OtadTufMetadata *root, const gchar *name);
const OtadTufMetaFile *otad_tuf_metadata_get_meta (OtadTufMetadata *md, const gchar *filename);
gboolean otad_tuf_metadata_get_target (OtadTufMetadata *md, const gchar *name,
                                       OtadTufTargetInfo *out);
guint otad_tuf_metadata_get_n_targets (OtadTufMetadata *md);
gboolean otad_tuf_metadata_get_target_nth (OtadTufMetadata *md, guint idx, OtadTufTargetInfo *out,
                                           gchar **name);

void otad_tuf_role_free (OtadTufRole *role);
gboolean otad_tuf_role_matches_path (const OtadTufRole *role, const gchar *target_name);

/* checks length (when >= 0) and every known hash (sha256, sha512) of data */
gboolean otad_tuf_check_hashes (const OtadJsonNode *hashes, gint64 length, GBytes *data,
                                const gchar *what, GError **error);
/* the same, of the canonical form (aktualizr's) of a parsed document */
gboolean otad_tuf_check_canonical (const OtadJsonNode *hashes, gint64 length,
                                   const OtadJsonNode *document, const gchar *what,
                                   GError **error);
/* whether @md is the file @meta describes: its bytes or its canonical form */
gboolean otad_tuf_metadata_check_described (OtadTufMetadata *md, const OtadTufMetaFile *meta,
                                            const gchar *what, GError **error);
/* same for a file on disk, read in chunks */
gboolean otad_tuf_check_file (const OtadJsonNode *hashes, gint64 length, const gchar *path,
                              const gchar *what, GError **error);
/* the same hashes with the same values for every algorithm both name, at least one */
gboolean otad_tuf_hashes_agree (const OtadJsonNode *a, const OtadJsonNode *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTufMetadata, otad_tuf_metadata_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadTufRole, otad_tuf_role_free)

G_END_DECLS
