/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * OtadPullPhase:
 * @OTAD_PULL_PHASE_METADATA: resolving what to fetch (commit, delta superblock)
 * @OTAD_PULL_PHASE_OBJECTS: fetching individual objects through libostree
 * @OTAD_PULL_PHASE_DELTA: fetching static delta parts through otad's own HTTP client
 * @OTAD_PULL_PHASE_APPLY: applying a downloaded static delta to the repository
 * @OTAD_PULL_PHASE_VERIFY: checking that the pulled commit is complete and the verified one
 *
 * What a pull is doing; used for progress reporting only.
 */
typedef enum {
	OTAD_PULL_PHASE_METADATA,
	OTAD_PULL_PHASE_OBJECTS,
	OTAD_PULL_PHASE_DELTA,
	OTAD_PULL_PHASE_APPLY,
	OTAD_PULL_PHASE_VERIFY,
} OtadPullPhase;

/**
 * OtadPullProgress:
 * @phase: what the pull is doing
 * @bytes_transferred: bytes received from the network by this pull so far
 * @bytes_total: estimated bytes to receive in total, 0 when unknown
 * @objects_fetched: objects (or delta parts) fetched so far
 * @objects_total: objects (or delta parts) requested so far, or the total when known
 *
 * A snapshot of a running pull.  The estimate may grow while libostree discovers
 * objects (it learns the tree as it walks it).
 */
typedef struct {
	OtadPullPhase phase;
	guint64 bytes_transferred;
	guint64 bytes_total;
	guint objects_fetched;
	guint objects_total;
} OtadPullProgress;

/**
 * OtadPullProgressFunc:
 * @progress: (not nullable): the current state
 * @user_data: closure
 *
 * Called in the thread that runs the pull (a worker thread in the daemon); the engine
 * forwards it to the main thread, e.g. with g_main_context_invoke().  Called at most a
 * few times per second.
 */
typedef void (*OtadPullProgressFunc) (const OtadPullProgress *progress, gpointer user_data);

G_END_DECLS
