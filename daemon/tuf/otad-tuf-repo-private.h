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
	GHashTable *dirty;          /* (owned) file name → GBytes to write (NULL: remove) */
};

GBytes *otad_tuf_repo_fetch (OtadTufRepo *self, const gchar *path, guint64 max_length,
                             GCancellable *cancellable, GError **error);
gint64 otad_tuf_repo_now (OtadTufRepo *self);

G_END_DECLS
