/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-tuf-repo.h"
#include "otad-tuf-store.h"

G_BEGIN_DECLS

struct _OtadTufRepo {
	GObject parent_instance;
	gchar *name;             /* (owned) for messages: "image-repo", "director" */
	OtadTufStore *store;     /* (owned) */
	OtadTufFetcher *fetcher; /* (owned) (nullable) */
	OtadTufLimits limits;
	gint64 fixed_time;          /* 0: the clock */
	gint64 now;                 /* start time of the current refresh */
	OtadTufMetadata *root;      /* (owned) (nullable) trusted */
	OtadTufMetadata *timestamp; /* (owned) (nullable) trusted */
	OtadTufMetadata *snapshot;  /* (owned) (nullable) trusted */
	OtadTufMetadata *targets;   /* (owned) (nullable) trusted */
	GHashTable *delegated;      /* (owned) role name → OtadTufMetadata verified this run */
	OtadTufTargetsCheckFunc targets_check;
	gpointer targets_check_data; /* (unowned) */
};

GBytes *otad_tuf_repo_fetch_current (OtadTufRepo *self, const gchar *filename,
                                     guint64 max_length, GCancellable *cancellable,
                                     GError **error);
GBytes *otad_tuf_repo_fetch (OtadTufRepo *self, const gchar *path, guint64 max_length,
                             GCancellable *cancellable, GError **error);
gint64 otad_tuf_repo_now (OtadTufRepo *self);
OtadTufMetadata *otad_tuf_refresh_parse_described (GBytes *bytes, const OtadTufMetaFile *meta,
                                                   OtadTufRoleType type, const gchar *role_name,
                                                   const gchar *what, GError **error);

G_END_DECLS
