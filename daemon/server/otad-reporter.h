/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "otad-ecu-key.h"
#include "otad-http.h"
#include "otad-manifest.h"
#include "otad-report-queue.h"

G_BEGIN_DECLS

/*
 * OtadReporter: what the device tells the server (device registry and Director), as
 * aktualizr does.  Every report first goes to the persistent queue (state_dir/report-queue),
 * then otad_reporter_flush() delivers what it can.  Telemetry failures never fail an update:
 * callers log a failed flush and go on.
 */
typedef enum {
	OTAD_REPORT_EVENT_DOWNLOAD_STARTED,
	OTAD_REPORT_EVENT_DOWNLOAD_COMPLETED,
	OTAD_REPORT_EVENT_INSTALLATION_STARTED,
	OTAD_REPORT_EVENT_INSTALLATION_APPLIED,
	OTAD_REPORT_EVENT_INSTALLATION_COMPLETED,
} OtadReportEvent;

#define OTAD_TYPE_REPORTER (otad_reporter_get_type ())
G_DECLARE_FINAL_TYPE (OtadReporter, otad_reporter, OTAD, REPORTER, GObject)

/* @base_url is the gateway ("https://gw:8443"); @key signs manifests */
OtadReporter *otad_reporter_new (OtadHttp *http, const gchar *base_url, const gchar *state_dir,
                                 OtadEcuKey *key, const gchar *primary_serial,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* where the manifest goes when the Director is not at <gateway>/director (sota.toml's
 * [uptane] director_server); set before queueing manifests */
void otad_reporter_set_director_url (OtadReporter *self, const gchar *director_url);

const gchar *otad_report_event_to_string (OtadReportEvent event);

/* POST events: @success is only sent for the *Completed events; the same event of the
 * same update (@correlation_id, @update_key) keeps its id and is queued once */
gboolean otad_reporter_queue_event (OtadReporter *self, OtadReportEvent event,
                                    const gchar *correlation_id, const gchar *update_key,
                                    gboolean success, GError **error);
gboolean otad_reporter_knows_update (OtadReporter *self, const gchar *correlation_id,
                                     const gchar *update_key);
gboolean otad_reporter_queue_event_full (OtadReporter *self, OtadReportEvent event,
                                         const gchar *correlation_id, const gchar *update_key,
                                         gboolean success, gboolean replay, guint attempt,
                                         GError **error);
/* POST events: the HMI's answer to a campaign (aktualizr's CampaignAcceptedReport,
 * CampaignDeclinedReport, CampaignPostponedReport in reportqueue.cc): @event_type is
 * "campaign_accepted", "campaign_declined" or "campaign_postponed" */
gboolean otad_reporter_queue_campaign_event (OtadReporter *self, const gchar *event_type,
                                             const gchar *campaign_id, GError **error);
/* PUT director/manifest, signed now with a new report_counter */
gboolean otad_reporter_queue_manifest (OtadReporter *self, const OtadManifestImage *image,
                                       const OtadManifestReport *report, GError **error);
/* PUT system_info and PUT system_info/network */
gboolean otad_reporter_queue_system_info (OtadReporter *self, GError **error);
/* PUT core/installed: [{name, version}]; both arrays NULL-terminated and of equal length */
gboolean otad_reporter_queue_installed (OtadReporter *self, const gchar *const *names,
                                        const gchar *const *versions, GError **error);

gboolean otad_reporter_flush (OtadReporter *self, guint *delivered, GCancellable *cancellable,
                              GError **error);
OtadReportQueue *otad_reporter_get_queue (OtadReporter *self);

/* the bodies of PUT system_info/network, system_info and core/installed */
gchar *otad_reporter_build_network_info (void);
gchar *otad_reporter_build_system_info (void);
gchar *otad_reporter_build_installed (const gchar *const *names, const gchar *const *versions);

G_END_DECLS
