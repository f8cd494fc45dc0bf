/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadFile"

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-file.h"

/*
 * State files survive a kill and a power cut only when they are replaced the way
 * every journaling file system makes safe (ext4's auto_da_alloc notes, LWN "ensuring
 * data reaches disk"): write a temporary file in the same directory, fsync it, rename
 * it over the old name, fsync the directory.  A reader then sees the old or the new
 * file, never a mix, and after the directory fsync the rename itself is durable.
 *
 * The temporary file is created with O_CREAT|O_EXCL|O_NOFOLLOW after removing whatever
 * had its name, so a symlink planted there (the state directory is root's, but a bug
 * elsewhere or an image built wrong may leave one) is never written through; the final
 * name is replaced by rename(2), which replaces a symlink rather than following it.
 * Readers open with O_NOFOLLOW and accept only regular files.
 */

/* someone racing us for the temporary name: give up after this many tries */
#define OTAD_FILE_CREATE_TRIES 5

static gboolean otad_file_fail (GError **error, int errsv, const gchar *format, ...)
    G_GNUC_PRINTF (3, 4);

/* FORMAT says what failed on which file ("cannot open %s"): one whole sentence to
 * translate; the system's reason follows it */
static gboolean
otad_file_fail (GError **error, int errsv, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *what = NULL;
	gint code;

	va_start (args, format);
	what = g_strdup_vprintf (format, args);
	va_end (args);

	switch (errsv) {
	case ENOENT:
		code = OTA_ERROR_NOT_FOUND;
		break;
	case ENOSPC:
	case EDQUOT:
		code = OTA_ERROR_NO_SPACE;
		break;
	default:
		code = OTA_ERROR_FAILED;
		break;
	}
	g_set_error (error, OTA_ERROR, code, "%s: %s", what, g_strerror (errsv));
	return FALSE;
}

gboolean
otad_file_is_not_found (const GError *error)
{
	return g_error_matches (error, OTA_ERROR, OTA_ERROR_NOT_FOUND);
}

static gboolean
otad_file_write_all (int fd, const guint8 *data, gsize len)
{
	while (len > 0) {
		gssize n = write (fd, data, MIN (len, (gsize)G_MAXSSIZE));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static int
otad_file_open_dir (const gchar *dir)
{
	return open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/**
 * otad_file_sync_dir:
 * @dir: a directory whose entries changed (a rename, an unlink)
 *
 * Returns: %TRUE once the directory's entries are on disk
 */
gboolean
otad_file_sync_dir (const gchar *dir, GError **error)
{
	int dfd = otad_file_open_dir (dir);
	int errsv;

	if (dfd < 0)
		return otad_file_fail (error, errno, _("cannot open directory %s"), dir);
	if (fsync (dfd) != 0) {
		errsv = errno;
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot sync directory %s"), dir);
	}
	close (dfd);

	/* success */
	return TRUE;
}

/**
 * otad_file_ensure_dir:
 * @mode: for directories created on the way
 *
 * Returns: %TRUE when @dir exists (created if needed)
 */
gboolean
otad_file_ensure_dir (const gchar *dir, guint mode, GError **error)
{
	if (g_mkdir_with_parents (dir, (int)mode) != 0)
		return otad_file_fail (error, errno, _("cannot create directory %s"), dir);

	/* success */
	return TRUE;
}

/**
 * otad_file_replace:
 * @path: the file to replace; its directory must exist
 * @data: (array length=len): the new contents
 * @mode: of the new file (before the umask)
 *
 * Replaces @path atomically and durably (see above).  On failure @path is as it was
 * and no temporary file is left behind.
 *
 * Returns: %TRUE once the new contents and the rename are on disk
 */
gboolean
otad_file_replace (const gchar *path, gconstpointer data, gsize len, guint mode, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_autofree gchar *base = g_path_get_basename (path);
	g_autofree gchar *tmp = g_strconcat (base, OTAD_FILE_TMP_SUFFIX, NULL);
	g_autofree gchar *tmp_path = g_strconcat (path, OTAD_FILE_TMP_SUFFIX, NULL);
	int dfd;
	int fd = -1;
	int errsv = 0;

	dfd = otad_file_open_dir (dir);
	if (dfd < 0)
		return otad_file_fail (error, errno, _("cannot open directory %s"), dir);
	for (guint i = 0; i < OTAD_FILE_CREATE_TRIES && fd < 0; i++) {
		/* a leftover of a write cut short, or something planted: never followed */
		if (unlinkat (dfd, tmp, 0) != 0 && errno != ENOENT) {
			errsv = errno;
			break;
		}
		fd = openat (dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		             (mode_t)mode);
		errsv = fd < 0 ? errno : 0;
		if (fd < 0 && errsv != EEXIST)
			break;
	}
	if (fd < 0) {
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot create %s"), tmp_path);
	}
	if (!otad_file_write_all (fd, data, len) || fsync (fd) != 0) {
		errsv = errno;
		close (fd);
		unlinkat (dfd, tmp, 0);
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot write %s"), path);
	}
	if (close (fd) != 0) {
		errsv = errno;
		unlinkat (dfd, tmp, 0);
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot write %s"), path);
	}
	if (renameat (dfd, tmp, dfd, base) != 0) {
		errsv = errno;
		unlinkat (dfd, tmp, 0);
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot replace %s"), path);
	}
	/* the rename is durable only once the directory is */
	if (fsync (dfd) != 0) {
		errsv = errno;
		close (dfd);
		return otad_file_fail (error, errsv, _("cannot sync directory %s"), dir);
	}
	close (dfd);

	/* success */
	return TRUE;
}

/**
 * otad_file_read:
 * @max_len: larger files are refused (a state file never grows like that)
 * @out_data: (out) (transfer full): the contents, NUL-terminated
 * @out_len: (out) (optional): their length
 *
 * Reads a regular file without following a symlink at @path.
 *
 * Returns: %TRUE on success; %OTA_ERROR_NOT_FOUND when there is no file
 */
gboolean
otad_file_read (const gchar *path, gsize max_len, gchar **out_data, gsize *out_len, GError **error)
{
	g_autofree gchar *buf = NULL;
	struct stat st;
	gsize got = 0;
	gsize cap;
	int fd;
	int errsv;

	/* O_NONBLOCK: a planted FIFO must not hang the daemon before fstat refuses it */
	fd = open (path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		errsv = errno;
		if (errsv == ELOOP) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED,
			             _("%s is a symbolic link: not followed"), path);
			return FALSE;
		}
		return otad_file_fail (error, errsv, _("cannot open %s"), path);
	}
	if (fstat (fd, &st) != 0) {
		errsv = errno;
		close (fd);
		return otad_file_fail (error, errsv, _("cannot read %s"), path);
	}
	if (!S_ISREG (st.st_mode)) {
		close (fd);
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED, _("%s is not a regular file"),
		             path);
		return FALSE;
	}
	if ((guint64)st.st_size > max_len) {
		close (fd);
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED,
		             _("%s is too large (%" PRIu64 " bytes, at most %"
		                "zu"
		                ")"),
		             path, (guint64)st.st_size, max_len);
		return FALSE;
	}
	/* sized by fstat, not by @max_len: a limit of tens of MB for a file of a
	 * few kB would reserve that much on every read (a device without overcommit
	 * refuses it); a file that grows since fstat grows the buffer, up to one
	 * byte more than allowed, which tells it is too large */
	cap = (gsize)st.st_size + 1;
	buf = g_malloc (cap + 1);
	for (;;) {
		gssize n;
		if (got == cap) {
			if (cap > max_len)
				break;
			cap = MIN (cap > G_MAXSIZE / 2 ? G_MAXSIZE - 1 : cap * 2, max_len + 1);
			buf = g_realloc (buf, cap + 1);
		}
		n = read (fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errsv = errno;
			close (fd);
			return otad_file_fail (error, errsv, _("cannot read %s"), path);
		}
		if (n == 0)
			break;
		got += (gsize)n;
	}
	if (got > max_len) {
		close (fd);
		g_set_error (error, OTA_ERROR, OTA_ERROR_FAILED,
		             _("%s is too large (more than %"
		                "zu"
		                " bytes)"),
		             path, max_len);
		return FALSE;
	}
	close (fd);
	buf[got] = '\0';
	*out_data = g_steal_pointer (&buf);
	if (out_len != NULL)
		*out_len = got;

	/* success */
	return TRUE;
}

/**
 * otad_file_remove:
 *
 * Removes @path (a missing one is fine) and makes the removal durable.
 *
 * Returns: %TRUE on success
 */
gboolean
otad_file_remove (const gchar *path, GError **error)
{
	g_autofree gchar *dir = g_path_get_dirname (path);

	if (g_unlink (path) != 0) {
		if (errno == ENOENT)
			return TRUE;
		return otad_file_fail (error, errno, _("cannot remove %s"), path);
	}
	return otad_file_sync_dir (dir, error);
}

/**
 * otad_file_move_aside:
 * @why: (nullable): what was wrong with it, for the warning
 *
 * Keeps an unreadable state file for a post-mortem as `PATH.corrupt` (replacing an
 * older one) so the next save does not overwrite the evidence and the next start
 * does not trip over it again.  A symlink is moved, not followed.
 *
 * Returns: (transfer full) (nullable): where it went, %NULL when it could not be moved
 *   (it is then removed)
 */
gchar *
otad_file_move_aside (const gchar *path, const gchar *why)
{
	g_autofree gchar *aside = g_strconcat (path, OTAD_FILE_ASIDE_SUFFIX, NULL);
	g_autofree gchar *dir = g_path_get_dirname (path);
	g_autoptr (GError) error_local = NULL;

	if (g_rename (path, aside) != 0) {
		int errsv = errno;
		if (errsv == ENOENT)
			return NULL;
		g_warning ("%s is unreadable (%s) and cannot be moved aside (%s): removing it",
		           path, why != NULL ? why : "?", g_strerror (errsv));
		if (g_unlink (path) != 0 && errno != ENOENT)
			g_warning ("cannot remove %s either: %s", path, g_strerror (errno));
		return NULL;
	}
	if (!otad_file_sync_dir (dir, &error_local))
		g_warning ("%s", error_local->message);
	g_warning ("%s is unreadable (%s): kept as %s, rebuilding it", path,
	           why != NULL ? why : "?", aside);
	return g_steal_pointer (&aside);
}
