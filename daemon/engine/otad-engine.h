/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-daemon.h"
#include "otad-engine-jobs.h"

G_BEGIN_DECLS

/* what a caller (D-Bus or the poller) asks the engine to do */
typedef enum {
	OTAD_ENGINE_OP_CHECK,
	OTAD_ENGINE_OP_DOWNLOAD,
	OTAD_ENGINE_OP_INSTALL,
	OTAD_ENGINE_OP_CANCEL,
	OTAD_ENGINE_OP_ROLLBACK,
	OTAD_ENGINE_OP_LAST
} OtadEngineOp;

#define OTAD_TYPE_ENGINE (otad_engine_get_type ())
G_DECLARE_FINAL_TYPE (OtadEngine, otad_engine, OTAD, ENGINE, GObject)

OtadEngine *otad_engine_new (OtadDaemon *daemon, const gchar *test_booted, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
void otad_engine_start (OtadEngine *self);

const gchar *otad_engine_op_to_method (OtadEngineOp op);
gboolean otad_engine_can (OtadEngine *self, OtadEngineOp op, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_run_op (OtadEngine *self, OtadEngineOp op, GError **error)
    G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_engine_is_busy (OtadEngine *self);
gboolean otad_engine_has_update (OtadEngine *self);
GVariant *otad_engine_get_history (OtadEngine *self, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void otad_engine_flush_reports (OtadEngine *self);

G_END_DECLS
