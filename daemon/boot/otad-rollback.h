/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <ostree.h>

#include "otad-boot-record.h"
#include "otad-bootloader.h"

G_BEGIN_DECLS

/**
 * OtadRollbackKind:
 * @OTAD_ROLLBACK_DROPPED_PENDING: a deployment waiting for reboot was removed; the booted
 *   one is the default again and no reboot is needed
 * @OTAD_ROLLBACK_TO_PREVIOUS: the rollback deployment is now the default; it runs after a
 *   reboot
 */
typedef enum {
	OTAD_ROLLBACK_DROPPED_PENDING,
	OTAD_ROLLBACK_TO_PREVIOUS,
} OtadRollbackKind;

/**
 * OtadRollbackResult:
 * @kind: what the rollback did
 * @from_commit: the commit rolled away from (now marked bad in the record)
 * @to_commit: the commit of the new default deployment
 * @reboot_required: %TRUE when the new default is not the booted deployment
 */
typedef struct {
	OtadRollbackKind kind;
	gchar *from_commit;
	gchar *to_commit;
	gboolean reboot_required;
} OtadRollbackResult;

void otad_rollback_result_free (OtadRollbackResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OtadRollbackResult, otad_rollback_result_free)

gboolean otad_rollback_make_default (OstreeSysroot *sysroot, OstreeDeployment *deployment,
                                     GCancellable *cancellable,
                                     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean otad_rollback_remove_deployment (OstreeSysroot *sysroot, OstreeDeployment *deployment,
                                          OstreeDeployment *booted, GCancellable *cancellable,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
OstreeDeployment *otad_rollback_find_deployment (OstreeSysroot *sysroot, const gchar *commit,
                                                 gint deployserial);

OtadRollbackResult *otad_rollback_run (OstreeSysroot *sysroot, OstreeDeployment *booted,
                                       OtadBootloader *bootloader, OtadBootRecord *record,
                                       GCancellable *cancellable,
                                       GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
