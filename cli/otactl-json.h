/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <ota.h>

G_BEGIN_DECLS

void otactl_json_add_deployment (JsonBuilder *builder,
				 const gchar *member,
				 OtaDeployment *deployment);
void otactl_json_add_update_info (JsonBuilder *builder,
				  const gchar *member,
				  OtaUpdateInfo *info);
void otactl_json_add_state (JsonBuilder *builder, OtaClient *client);
void otactl_json_add_history_entry (JsonBuilder *builder, OtaHistoryEntry *entry);
void otactl_json_print (JsonBuilder *builder);

G_END_DECLS
