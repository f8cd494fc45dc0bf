/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A C program using libota the way an application would: connect to otad at
 * the bus address in argv[1] and print what it reports, one "key=value" per
 * line, for test-library.py to compare with `ostree admin status`.
 */
#include <stdlib.h>

#include "ota.h"

static void
ota_print_deployment (const gchar *role, OtaDeployment *deployment)
{
	if (deployment == NULL) {
		g_print ("%s=\n", role);
		return;
	}
	g_print ("%s=%s.%d index=%d version=%s osname=%s booted=%d\n", role,
		 ota_deployment_get_checksum (deployment), ota_deployment_get_serial (deployment),
		 ota_deployment_get_index (deployment), ota_deployment_get_version (deployment),
		 ota_deployment_get_osname (deployment), ota_deployment_get_booted (deployment));
}

int
main (int argc, char **argv)
{
	g_autoptr(OtaClient) client = NULL;
	g_autoptr(GError) error = NULL;

	if (argc != 2) {
		g_printerr ("usage: %s BUS-ADDRESS\n", argv[0]);
		return EXIT_FAILURE;
	}
	client = ota_client_new_for_bus_address (argv[1]);
	if (!ota_client_connect_sync (client, NULL, &error)) {
		g_printerr ("%s\n", error->message);
		return 3;
	}
	g_print ("connected=%d\n", ota_client_get_connected (client));
	g_print ("state=%s\n", ota_state_to_string (ota_client_get_state (client)));
	g_print ("last-check-time=%" G_GUINT64_FORMAT "\n", ota_client_get_last_check_time (client));
	ota_print_deployment ("booted", ota_client_get_booted_deployment (client));
	ota_print_deployment ("pending", ota_client_get_pending_deployment (client));
	ota_print_deployment ("rollback", ota_client_get_rollback_deployment (client));

	/* success */
	return EXIT_SUCCESS;
}
