/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "ota-error.h"
#include "otad-state.h"
#include "otad-test-sysroot.h"

typedef struct {
	gchar *dir;		/* (owned) */
	OtadStateStore *store;	/* (owned) */
	guint changed;
	OtaState state_seen;	/* the state on disk when ::changed was emitted */
} Fixture;

static void
changed_cb (OtadStateStore *store, gpointer user_data)
{
	Fixture *fx = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) reread = otad_state_store_new (fx->dir, &error);

	g_assert_no_error (error);
	fx->changed++;
	fx->state_seen = otad_state_store_get_state (reread);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	fx->dir = g_dir_make_tmp ("otad-test-state-XXXXXX", &error);
	g_assert_no_error (error);
	fx->store = otad_state_store_new (fx->dir, &error);
	g_assert_no_error (error);
	g_signal_connect (fx->store, "changed", G_CALLBACK (changed_cb), fx);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_clear_object (&fx->store);
	g_assert_true (otad_test_sysroot_run (&error, NULL, "rm", "-rf", fx->dir, NULL));
	g_free (fx->dir);
}

static void
test_table (Fixture *fx, gconstpointer data)
{
	/* the happy path of DESIGN.md */
	const OtaState path[] = {OTA_STATE_IDLE,	      OTA_STATE_CHECKING,
				 OTA_STATE_UPDATE_AVAILABLE,  OTA_STATE_AWAITING_CONSENT,
				 OTA_STATE_DOWNLOADING,	      OTA_STATE_DOWNLOADED,
				 OTA_STATE_INSTALLING,	      OTA_STATE_PENDING_REBOOT,
				 OTA_STATE_CONFIRMING,	      OTA_STATE_IDLE};

	for (guint i = 0; i + 1 < G_N_ELEMENTS (path); i++)
		g_assert_true (otad_state_transition_allowed (path[i], path[i + 1]));

	/* every state may fail */
	for (guint i = 0; i < OTA_STATE_LAST; i++)
		g_assert_true (otad_state_transition_allowed (i, OTA_STATE_ERROR));

	/* shortcuts that would skip verification, download or the reboot are refused */
	g_assert_false (otad_state_transition_allowed (OTA_STATE_IDLE, OTA_STATE_DOWNLOADING));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_IDLE, OTA_STATE_PENDING_REBOOT));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_CHECKING, OTA_STATE_DOWNLOADING));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_UPDATE_AVAILABLE,
						       OTA_STATE_INSTALLING));
	g_assert_false (
	    otad_state_transition_allowed (OTA_STATE_DOWNLOADING, OTA_STATE_INSTALLING));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_INSTALLING, OTA_STATE_CONFIRMING));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_IDLE, OTA_STATE_CONFIRMING));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_ERROR, OTA_STATE_DOWNLOADED));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_IDLE, OTA_STATE_IDLE));
	g_assert_false (otad_state_transition_allowed (OTA_STATE_CHECKING, OTA_STATE_CHECKING));

	g_assert_true (otad_state_is_busy (OTA_STATE_DOWNLOADING));
	g_assert_false (otad_state_is_busy (OTA_STATE_IDLE));
	g_assert_false (otad_state_is_busy (OTA_STATE_PENDING_REBOOT));
}

static void
test_transition_persists_before_announce (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OtadStateStore) reread = NULL;

	g_assert_true (otad_state_transition (fx->store, OTA_STATE_CHECKING, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fx->changed, ==, 1);
	/* the ::changed handler already read the new state from disk */
	g_assert_cmpint (fx->state_seen, ==, OTA_STATE_CHECKING);

	g_assert_true (otad_state_transition (fx->store, OTA_STATE_UPDATE_AVAILABLE, &error));
	g_assert_no_error (error);
	g_assert_cmpuint (fx->changed, ==, 2);
	reread = otad_state_store_new (fx->dir, &error);
	g_assert_no_error (error);
	g_assert_cmpint (otad_state_store_get_state (reread), ==, OTA_STATE_UPDATE_AVAILABLE);
}

static void
test_invalid_transition (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	g_assert_false (otad_state_transition (fx->store, OTA_STATE_PENDING_REBOOT, &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_INTERNAL);
	g_assert_cmpstr (error->message, ==,
			 "invalid state transition from idle to pending-reboot");
	g_assert_cmpint (otad_state_store_get_state (fx->store), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (fx->changed, ==, 0);
}

static void
test_error_and_recovery (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) failure =
	    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "server did not answer");
	g_autoptr(GError) failure2 =
	    g_error_new_literal (OTA_ERROR, OTA_ERROR_VERIFICATION, "targets.json expired");

	g_assert_true (otad_state_transition (fx->store, OTA_STATE_CHECKING, &error));
	g_assert_no_error (error);
	g_assert_true (otad_state_set_error (fx->store, failure, &error));
	g_assert_no_error (error);
	g_assert_cmpint (fx->state_seen, ==, OTA_STATE_ERROR);
	g_assert_cmpstr (otad_state_store_get_error_name (fx->store), ==,
			 "org.otad.Updater1.Error.Network");
	g_assert_cmpstr (otad_state_store_get_error_message (fx->store), ==,
			 "server did not answer");
	/* the caller's error is not modified */
	g_assert_error (failure, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

	/* a newer error replaces the old one */
	g_assert_true (otad_state_set_error (fx->store, failure2, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (otad_state_store_get_error_name (fx->store), ==,
			 "org.otad.Updater1.Error.Verification");

	/* leaving the error state clears the error */
	g_assert_true (otad_state_transition (fx->store, OTA_STATE_CHECKING, &error));
	g_assert_no_error (error);
	g_assert_cmpstr (otad_state_store_get_error_name (fx->store), ==, "");
	g_assert_cmpstr (otad_state_store_get_error_message (fx->store), ==, "");
	g_assert_cmpuint (fx->changed, ==, 4);
}

static void
test_failed_save (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error_rm = NULL;

	/* the directory disappears: the save fails, the transition is undone */
	g_assert_true (otad_test_sysroot_run (&error_rm, NULL, "rm", "-rf", fx->dir, NULL));
	g_assert_false (otad_state_transition (fx->store, OTA_STATE_CHECKING, &error));
	g_assert_nonnull (error);
	g_assert_cmpint (otad_state_store_get_state (fx->store), ==, OTA_STATE_IDLE);
	g_assert_cmpuint (fx->changed, ==, 0);
}

static void
test_wrong_state (Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const OtaState apply_states[] = {OTA_STATE_DOWNLOADED, OTA_STATE_AWAITING_CONSENT};
	const OtaState check_states[] = {OTA_STATE_IDLE, OTA_STATE_ERROR};

	g_assert_false (otad_state_check_method (fx->store, "Apply()", apply_states,
						 G_N_ELEMENTS (apply_states), &error));
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpstr (error->message, ==, "Can't call Apply() while in state idle");
	g_clear_error (&error);
	g_assert_true (otad_state_check_method (fx->store, "Check()", check_states,
						G_N_ELEMENTS (check_states), &error));
	g_assert_no_error (error);

	otad_state_set_wrong_state_error (&error, "Cancel()", OTA_STATE_PENDING_REBOOT);
	g_assert_error (error, OTA_ERROR, OTA_ERROR_WRONG_STATE);
	g_assert_cmpstr (error->message, ==, "Can't call Cancel() while in state pending-reboot");
}

int
main (int argc, char **argv)
{
	g_test_init (&argc, &argv, NULL);
	(void)ota_error_quark ();

	g_test_add ("/otad/state/table", Fixture, NULL, fixture_setup, test_table,
		    fixture_teardown);
	g_test_add ("/otad/state/persist-before-announce", Fixture, NULL, fixture_setup,
		    test_transition_persists_before_announce, fixture_teardown);
	g_test_add ("/otad/state/invalid-transition", Fixture, NULL, fixture_setup,
		    test_invalid_transition, fixture_teardown);
	g_test_add ("/otad/state/error-and-recovery", Fixture, NULL, fixture_setup,
		    test_error_and_recovery, fixture_teardown);
	g_test_add ("/otad/state/failed-save", Fixture, NULL, fixture_setup, test_failed_save,
		    fixture_teardown);
	g_test_add ("/otad/state/wrong-state", Fixture, NULL, fixture_setup, test_wrong_state,
		    fixture_teardown);
	return g_test_run ();
}
