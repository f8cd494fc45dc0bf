/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadJob"

#include "config.h"

#include "ota-error.h"
#include "otad-job-device.h"

gboolean
otad_job_device_prepare (OtadJobContext *ctx, GCancellable *cancellable, GError **error)
{
	const OtadSettings *s = otad_job_context_get_settings (ctx);
	OtadProvisioner *provisioner = otad_job_context_get_provisioner (ctx);
	OtadHttp *http = otad_job_context_get_http (ctx);
	const gchar *ecu_public = otad_job_context_get_ecu_public (ctx);
	g_autoptr(GError) error_local = NULL;

	if (provisioner == NULL)
		return TRUE;
	if (!otad_provisioner_provision (provisioner, http, cancellable, error))
		return FALSE;

	/* the Director must know the key that signs the manifests; lite mode has none */
	if (!s->lite && s->director_url != NULL && ecu_public != NULL &&
	    !otad_provisioner_register_ecus (provisioner, http, s->director_url, s->ecu_serial,
					     s->hardware_id, ecu_public, cancellable,
					     &error_local)) {
		if (g_error_matches (error_local, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
		    g_error_matches (error_local, OTA_ERROR, OTA_ERROR_CANCELLED)) {
			g_propagate_error (error, g_steal_pointer (&error_local));
			return FALSE;
		}
		/* the check goes on; the registration is tried again at the next one */
		g_warning ("%s", error_local->message);
	}
	return TRUE;
}
