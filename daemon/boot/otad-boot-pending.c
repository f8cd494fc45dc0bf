/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadBootRecord"

#include "config.h"

#include "otad-boot-pending.h"

/* the install waiting for confirmation and the outcomes of past ones, as the
 * boot record keeps them (otad-boot-record.c) and its file holds them
 * (otad-boot-record-json.c) */

OtadBootPending *
otad_boot_pending_new (const gchar *commit, const gchar *previous_commit, const gchar *boot_id)
{
	OtadBootPending *pending = g_new0 (OtadBootPending, 1);

	pending->commit = g_strdup (commit);
	pending->previous_commit = g_strdup (previous_commit);
	pending->boot_id = g_strdup (boot_id);
	pending->installed_at = g_get_real_time () / G_USEC_PER_SEC;
	pending->phase = OTAD_BOOT_PHASE_INSTALLED;
	return pending;
}

OtadBootPending *
otad_boot_pending_copy (const OtadBootPending *pending)
{
	OtadBootPending *copy = g_new0 (OtadBootPending, 1);

	copy->commit = g_strdup (pending->commit);
	copy->previous_commit = g_strdup (pending->previous_commit);
	copy->target_name = g_strdup (pending->target_name);
	copy->version = g_strdup (pending->version);
	copy->correlation_id = g_strdup (pending->correlation_id);
	copy->boot_id = g_strdup (pending->boot_id);
	copy->installed_at = pending->installed_at;
	copy->phase = pending->phase;
	copy->detail = g_strdup (pending->detail);
	copy->reported = pending->reported;
	copy->reboot_requests = pending->reboot_requests;
	return copy;
}

void
otad_boot_pending_free (OtadBootPending *pending)
{
	if (pending == NULL)
		return;
	g_free (pending->commit);
	g_free (pending->previous_commit);
	g_free (pending->target_name);
	g_free (pending->version);
	g_free (pending->correlation_id);
	g_free (pending->boot_id);
	g_free (pending->detail);
	g_free (pending);
}

void
otad_boot_history_entry_free (OtadBootHistoryEntry *entry)
{
	if (entry == NULL)
		return;
	g_free (entry->commit);
	g_free (entry->previous_commit);
	g_free (entry->version);
	g_free (entry->correlation_id);
	g_free (entry->detail);
	g_free (entry);
}
